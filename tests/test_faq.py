"""Curated example questions (chatbot.corpus.curated): parsing, the manifest key, the
index rows they become, how they score, and the real corpus's file."""
from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from chatbot.corpus.library import load_library
from chatbot.corpus.source import CorpusError
from chatbot.corpus.curated import MAX_QUESTION_CHARS, parse_declines, parse_questions
from chatbot.domain.tuning import FusionTuning
from chatbot.search.fusion import record_scores
from chatbot.search.rows import DECLINE_MARK, QUESTION_MARK, embed_rows, index_rows
from chatbot.search.vectors import VectorIndex

from conftest import store_config
from chatbot.app.settings import Settings

from test_index import TINY, FakeEmbeddings

ROOT = Path(__file__).resolve().parent.parent


def write_corpus(d: Path, questions: str | None, name: str = "questions.jsonl",
                 declines: str | None = None) -> Path:
    d.mkdir(parents=True, exist_ok=True)
    (d / "plan.txt").write_text(TINY, "utf-8")
    entry = {"id": "tiny", "title": "测试方案", "file": "plan.txt"}
    if questions is not None:
        (d / name).write_text(questions, "utf-8")
        entry["questions"] = name
    if declines is not None:
        (d / "declines.jsonl").write_text(declines, "utf-8")
        entry["declines"] = "declines.jsonl"
    (d / "manifest.json").write_text(json.dumps({"documents": [entry]}, ensure_ascii=False), "utf-8")
    return d


def line(rid, q) -> str:
    return json.dumps({"id": rid, "q": q}, ensure_ascii=False)


def test_parse_keeps_good_lines_and_warns_about_the_rest():
    text = "\n".join([
        line("1.1", "开公司要跑几趟？"),
        line("1.1", "开公司要跑几趟？"),  # duplicate: dropped silently
        line("1.1", "  开公司   能网上办吗 "),  # whitespace collapsed
        "",
        "{not json",
        line("9.9", "没有这一条"),
        line("2", ""),
        line("2", "长" * (MAX_QUESTION_CHARS + 1)),
        json.dumps(["1.1", "a list"]),
        line("S1", "谁来统筹？"),
    ])
    got, warnings = parse_questions(text, "tiny", {"1.1", "1.2", "2", "S1"}, "q.jsonl")
    assert got == {"1.1": ["开公司要跑几趟？", "开公司 能网上办吗"], "S1": ["谁来统筹？"]}
    assert [w.line for w in warnings] == [5, 6, 7, 8, 9]
    assert all(w.doc_id == "tiny" and w.message.startswith("q.jsonl: ") for w in warnings)
    assert "'9.9'" in warnings[1].message and warnings[2].record_id == "2"


def test_manifest_questions_reach_the_library(tmp_path):
    corpus = write_corpus(tmp_path / "c", "\n".join([line("1.2", "问题甲"), line("S1", "问题乙"), line("7", "无此条")]))
    lib = load_library(corpus, "tiny")
    by_id = {r.id: r for r in lib.records}
    assert lib.questions_of(by_id["1.2"]) == ["问题甲"] and lib.questions_of(by_id["1.1"]) == []
    assert [w.message for w in lib.warnings] == ["questions.jsonl: no clause '7' in the document; question skipped"]


def test_questions_change_the_library_digest(tmp_path):
    """The index is keyed by the library's digest: edited questions rebuild it."""
    plain = load_library(write_corpus(tmp_path / "a", None), "tiny").sha256
    one = load_library(write_corpus(tmp_path / "b", line("1.1", "问题甲")), "tiny").sha256
    other = load_library(write_corpus(tmp_path / "c", line("1.1", "问题乙")), "tiny").sha256
    assert len({plain, one, other}) == 3


def test_missing_or_bad_questions_entry_is_a_clear_error(tmp_path):
    corpus = write_corpus(tmp_path / "c", line("1.1", "问题"))
    (corpus / "questions.jsonl").unlink()
    with pytest.raises(CorpusError, match="questions file not found"):
        load_library(corpus, "tiny")
    data = json.loads((corpus / "manifest.json").read_text("utf-8"))
    data["documents"][0]["questions"] = 3
    (corpus / "manifest.json").write_text(json.dumps(data), "utf-8")
    with pytest.raises(CorpusError, match="'questions' must be a file name"):
        load_library(corpus, "tiny")


def test_questions_become_rows_embedded_as_queries(tmp_path):
    corpus = write_corpus(tmp_path / "c", "\n".join([line("1.1", "开公司跑几趟"), line("1.1", "能网上办吗")]))
    lib = load_library(corpus, "tiny")
    rows = index_rows(lib.records, lib.questions_of)
    qrows = [r for r in rows if r.kind == "question"]
    assert [(r.id, r.text) for r in qrows] == [("tiny:1.1#q0", "开公司跑几趟"), ("tiny:1.1#q1", "能网上办吗")]
    assert len(rows) == len(index_rows(lib.records)) + 2

    class Recording(FakeEmbeddings):
        def embed_queries(self, texts):
            self.batched = list(texts)
            return [self.vec("Q" + t) for t in texts]

    emb = Recording()
    vecs = embed_rows(emb, rows)
    assert emb.batched == ["开公司跑几趟", "能网上办吗"]  # questions go to the query side, batched
    assert not set(emb.batched) & set(emb.doc_texts)
    for row, vec in zip(rows, vecs):
        expected = FakeEmbeddings.vec(("Q" if row.kind == "question" else "") + row.text)
        assert vec == pytest.approx(expected)

    settings = Settings(index_dir=tmp_path / "index", data_dir=tmp_path / "data", corpus_dir=corpus,
                        default_doc="tiny", chroma_host=None)
    idx = VectorIndex(store_config(settings), lib, FakeEmbeddings()).ensure()
    assert idx.collection.count() == len(rows)
    got = idx.collection.get(where={"row": "question"}, include=["metadatas"])
    assert sorted(got["ids"]) == ["tiny:1.1#q0", "tiny:1.1#q1"] and all(m["id"] == "1.1" for m in got["metadatas"])


def test_embedders_without_a_batch_method_embed_questions_one_by_one(tmp_path):
    lib = load_library(write_corpus(tmp_path / "c", line("2", "问题")), "tiny")
    emb = FakeEmbeddings()
    embed_rows(emb, index_rows(lib.records, lib.questions_of))
    assert emb.query_calls == 1


def test_aggregate_blends_text_and_best_question():
    rows = [("a", 0.8), ("a#s0", 0.8), (f"a{QUESTION_MARK}0", 0.95), (f"a{QUESTION_MARK}1", 0.6),
            ("b", 0.9), ("b#s0", 0.9)]
    t = FusionTuning(sentence_weight=0.5, question_weight=0.5, unasked_lift_share=0.0)
    got = dict(record_scores(rows, t))
    assert got["a"] == pytest.approx(0.875)  # 0.5 * 0.8 + 0.5 * 0.95: the best question counts
    assert got["b"] == pytest.approx(0.9)  # no questions: its text alone
    assert dict(record_scores(rows, FusionTuning(sentence_weight=0.5, question_weight=0.0)))["a"] == pytest.approx(0.8)


def test_records_without_questions_get_a_share_of_the_lift_the_asked_ones_got():
    """Question-to-question cosines run higher than question-to-clause ones: a
    document without curated questions is put back on their scale, by a share
    of what the questions gave this question's top records."""
    rows = [("a", 0.8), (f"a{QUESTION_MARK}0", 0.9),  # a: 0.8 → 0.85 (lift 0.05)
            ("c", 0.6), (f"c{QUESTION_MARK}0", 0.9),  # c: 0.6 → 0.75 (lift 0.15), not in the top 1
            ("b", 0.82)]
    t = FusionTuning(sentence_weight=0.5, question_weight=0.5, unasked_lift_top=1, unasked_lift_share=0.5)
    got = dict(record_scores(rows, t))
    assert got["a"] == pytest.approx(0.85) and got["c"] == pytest.approx(0.75)
    assert got["b"] == pytest.approx(0.82 + 0.5 * 0.05)  # half the top record's lift
    assert dict(record_scores(rows, replace(t, unasked_lift_top=2)))["b"] == pytest.approx(0.82 + 0.5 * 0.10)
    assert [u for u, _ in record_scores(rows, t)] == ["a", "b", "c"]
    # a library without curated questions: nobody is lifted
    assert dict(record_scores([("b", 0.82), ("d", 0.7)], t)) == {"b": 0.82, "d": 0.7}


def test_real_corpus_questions_cover_every_clause(library):
    """The shipped file is clean: every clause has questions, none is skipped."""
    assert not [w for w in library.warnings if "questions" in w.message]
    counts = [len(library.questions_of(r)) for r in library.records if r.doc_id == "yiwu"]
    assert min(counts) >= 3
    text = (ROOT / "corpus" / "yiwu-questions.jsonl").read_text("utf-8")
    assert sum(counts) == len([ln for ln in text.splitlines() if ln.strip()])


@pytest.mark.parametrize("question, gold", [
    ("中标了钱一直不给怎么办", "13"),  # 13: 政府采购 … 及时支付 / 退还投标保证金
    ("员工把客户资料带走了怎么办", "121.3"),  # 121.3: 商业秘密
])
def test_real_corpus_questions_help_everyday_wording(engine, question, gold):
    """Everyday questions that share few words with their clause: the dense
    side ranks the clause higher through its curated questions (first or
    second) than without them, and hybrid search ranks it first."""
    rows = engine.dense_rows(engine.analyse(question))
    text_only = [(rid, sim) for rid, sim in rows if QUESTION_MARK not in rid]
    assert len(text_only) < len(rows)

    def rank(scored):  # among the plan's clauses (the regulations have no curated questions)
        return [uid for uid, _ in scored if uid.startswith("yiwu:")].index(f"yiwu:{gold}")

    with_questions, without = rank(record_scores(rows, engine.tuning)), rank(record_scores(text_only, engine.tuning))
    assert with_questions <= 1 and without >= 1 and with_questions < without
    assert engine.search(question, k=1)[0].record.id == gold


def test_asked_before_reads_the_top_clauses_curated_questions(engine, assistant):
    """Everyday words the plan never uses count when the top clauses' curated
    questions use them; without curated questions the signal is neutral."""
    from types import SimpleNamespace

    from chatbot.answer.refusal import RefusalCheck

    refusal = assistant.refusal
    neutral = refusal.model.neutral["kq"]
    hits = engine.search("刻章要花钱吗", k=3)
    assert hits[0].record.id == "6"
    assert refusal.asked_before(["刻章", "花钱"], hits) == 1.0  # 6: "新办企业刻章要收费吗", "开公司要花钱吗"
    assert refusal.asked_before(["火星", "旅游"], hits) == 0.0
    bare = RefusalCheck(SimpleNamespace(questions_of=lambda r: []), refusal.model, None)
    assert bare.asked_before(["刻章"], hits) == neutral
    assert refusal.asked_before([], hits) == neutral


# -- out-of-scope examples ("declines") ------------------------------------------

def decline(q, **notes) -> str:
    return json.dumps({"q": q, **notes}, ensure_ascii=False)


def test_parse_declines_keeps_good_lines_and_warns_about_the_rest():
    text = "\n".join([
        decline("个税专项附加扣除怎么填", kind="gov", why="not in the plan"),
        decline("个税专项附加扣除怎么填"),  # duplicate: dropped silently
        "[1, 2]",
        "{broken",
        decline(""),
        decline("  政务中心   几点上班 "),
    ])
    got, warnings = parse_declines(text, "tiny", "d.jsonl")
    assert got == ["个税专项附加扣除怎么填", "政务中心 几点上班"]
    assert [w.line for w in warnings] == [3, 4, 5]
    assert all(w.message.startswith("d.jsonl: ") for w in warnings)


def test_declines_reach_the_library_and_its_digest(tmp_path):
    base = load_library(write_corpus(tmp_path / "a", line("1.1", "问题甲")), "tiny")
    lib = load_library(write_corpus(tmp_path / "b", line("1.1", "问题甲"), declines=decline("天气怎么样")), "tiny")
    assert base.declines == [] and lib.declines == [("tiny", "天气怎么样")]
    assert base.sha256 != lib.sha256  # edited declines rebuild the index
    corpus = write_corpus(tmp_path / "c", None, declines=decline("天气"))
    (corpus / "declines.jsonl").unlink()
    with pytest.raises(CorpusError, match="declines file not found"):
        load_library(corpus, "tiny")


def test_decline_rows_are_embedded_as_queries_and_never_become_hits(tmp_path):
    corpus = write_corpus(tmp_path / "c", line("1.1", "开公司跑几趟"), declines=decline("明天天气怎么样"))
    lib = load_library(corpus, "tiny")
    rows = index_rows(lib.records, lib.questions_of, lib.declines)
    (neg,) = [r for r in rows if r.kind == "decline"]
    assert neg.id == f"tiny{DECLINE_MARK}0" and neg.uid == "" and neg.text == "明天天气怎么样"

    class Recording(FakeEmbeddings):
        def embed_queries(self, texts):
            self.batched = list(texts)
            return [self.vec(t) for t in texts]

    emb = Recording()
    embed_rows(emb, rows)
    assert emb.batched == ["开公司跑几趟", "明天天气怎么样"]  # query side, like curated questions
    assert "明天天气怎么样" not in emb.doc_texts
    # however close, a decline row is not a record's score
    assert [uid for uid, _ in record_scores([(neg.id, 0.99), ("tiny:1.1", 0.5)], FusionTuning())] == ["tiny:1.1"]
    settings = Settings(index_dir=tmp_path / "index", data_dir=tmp_path / "data", corpus_dir=corpus,
                        default_doc="tiny", chroma_host=None)
    idx = VectorIndex(store_config(settings), lib, FakeEmbeddings()).ensure()
    assert idx.collection.count() == len(rows)
    hits = idx.search("明天天气怎么样", 10)
    assert hits and all(DECLINE_MARK not in uid for uid, _ in hits)


def test_real_corpus_declines_are_clean(library):
    assert not [w for w in library.warnings if "declines" in w.message]
    assert len(library.declines) >= 300


@pytest.mark.parametrize("question", [
    "个人所得税专项附加扣除咋填",
    "伊吾县政务服务中心在哪 几点上班",
    "What is the minimum wage in Xinjiang right now?",
])
def test_questions_like_the_declines_are_refused(engine, assistant, question):
    """The margin between the best curated question and the closest decline
    example: closer to the latter, the plan does not answer it."""
    retrieval = engine.retrieve(engine.analyse(question), k=5)
    refusal = assistant.refusal
    nm = refusal.dense_signals(retrieval)[3]
    assert nm is not None and nm < 0
    assert not refusal.is_relevant(refusal.assess(retrieval))


@pytest.mark.parametrize("question", [
    "开公司刻章要钱吗",
    "Can I apply for unemployment insurance benefits online?",
    "We plan to hire PhDs. Does the county support postdoctoral workstations?",
])
def test_in_scope_questions_stay_closer_to_the_curated_questions(engine, assistant, question):
    retrieval = engine.retrieve(engine.analyse(question), k=5)
    refusal = assistant.refusal
    assert refusal.dense_signals(retrieval)[3] > 0
    assert refusal.is_relevant(refusal.assess(retrieval))
