"""Evaluation arithmetic on a tiny hand-made set with a stub engine: hit rule,
first-hit rank, recall@k and MRR computed by hand."""
from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from eval.common import QA, first_hit_rank, is_hit, load_qa, retrieval_metrics
from eval.retrieval import evaluate


# -- the hit rule -------------------------------------------------------------------
@pytest.mark.parametrize("retrieved,gold,hit", [
    ("5.3", "5.3", True),
    ("5.3", "5", True),        # a sub-measure hits its measure
    ("5", "5.3", False),       # the measure does not hit one of its sub-measures
    ("15.1", "5", False),      # prefix of the number, not of the id
    ("5.13", "5.1", False),
    ("55", "5", False),
    ("6", "5", False),
    ("S3", "S3", True),
    ("S3", "S", False),
    ("S1", "1", False),
    ("demo:3.1", "demo:3", True),
    ("demo:3", "demo:3", True),
    ("3.1", "demo:3", False),  # another document
    ("demo:3.1", "3", False),
])
def test_is_hit(retrieved, gold, hit):
    assert is_hit(retrieved, gold) is hit


def test_first_hit_rank():
    assert first_hit_rank(["4.1", "5.3", "5"], ["5"]) == 2
    assert first_hit_rank(["5", "4.1", "5.3"], ["5.3"]) == 3
    assert first_hit_rank(["15.1", "25", "55.1"], ["5"]) is None
    assert first_hit_rank(["1.1", "6", "S3"], ["S3", "6"]) == 2  # any gold id
    assert first_hit_rank([], ["5"]) is None
    assert first_hit_rank(["5"], []) is None


# -- recall@k and MRR -------------------------------------------------------------------
def test_retrieval_metrics_by_hand():
    ranks = [1, 3, None, 2]
    m = retrieval_metrics(ranks)
    assert m["n"] == 4
    assert m["recall@1"] == 0.25          # 1 of 4
    assert m["recall@3"] == 0.75          # ranks 1, 3, 2
    assert m["recall@5"] == 0.75
    assert m["mrr"] == pytest.approx((1 + 1 / 3 + 0 + 1 / 2) / 4, abs=1e-4)  # 0.4583
    assert m["mrr"] == 0.4583


def test_retrieval_metrics_other_cases():
    assert retrieval_metrics([1, 1, 1]) == {"n": 3, "recall@1": 1.0, "recall@3": 1.0, "recall@5": 1.0, "mrr": 1.0}
    assert retrieval_metrics([None, None]) == {"n": 2, "recall@1": 0.0, "recall@3": 0.0, "recall@5": 0.0, "mrr": 0.0}
    assert retrieval_metrics([]) == {"n": 0, "recall@1": 0.0, "recall@3": 0.0, "recall@5": 0.0, "mrr": 0.0}
    m = retrieval_metrics([5, 4, 2], ks=(1, 2, 4))
    assert m == {"n": 3, "recall@1": 0.0, "recall@2": round(1 / 3, 4), "recall@4": round(2 / 3, 4),
                 "mrr": round((1 / 5 + 1 / 4 + 1 / 2) / 3, 4)}


# -- evaluate() with a stub engine ----------------------------------------------------------
class StubEngine:
    """Returns fixed refs per question and records how it was called."""

    def __init__(self, answers: dict[str, list[str]]):
        self.answers = answers
        self.calls: list[tuple[str, int, str]] = []

    def search(self, question, k=5, filters=None, mode="hybrid"):
        self.calls.append((question, k, mode))
        refs = self.answers[question][:k]
        return [SimpleNamespace(record=SimpleNamespace(ref=r), score=1.0, via=mode) for r in refs]


QAS = [
    QA("q1", "企业简易注销", ["5"], type="lookup"),
    QA("q2", "公示多少天", ["5.3"], type="lookup"),
    QA("q3", "不相关的问题", ["5"], type="paraphrase"),
    QA("q4", "今天天气怎么样", [], type="out_of_scope"),
    QA("q5", "保障措施", ["S3", "6"], type="paraphrase"),
]
ANSWERS = {
    "企业简易注销": ["5.3", "5.1", "4.3", "4.1", "6"],
    "公示多少天": ["5", "4.1", "5.3", "5.2", "5.1"],
    "不相关的问题": ["15.1", "25", "55.1", "6", "7"],
    "今天天气怎么样": ["1.1"],
    "保障措施": ["1.1", "6", "S3", "S1", "S2"],
}


@pytest.fixture
def result():
    eng = StubEngine(ANSWERS)
    return evaluate(eng, QAS, k=5, mode="bm25"), eng


def test_evaluate_overall(result):
    res, _ = result
    assert res["n"] == 4                       # q4 (empty gold) skipped
    assert res["recall@1"] == 0.25
    assert res["recall@3"] == 0.75
    assert res["recall@5"] == 0.75
    assert res["mrr"] == 0.4583
    assert res["k"] == 5 and res["retriever"] == "bm25"


def test_evaluate_skips_empty_gold_and_passes_mode(result):
    _, eng = result
    asked = [q for q, _, _ in eng.calls]
    assert "今天天气怎么样" not in asked
    assert asked == ["企业简易注销", "公示多少天", "不相关的问题", "保障措施"]
    assert all(mode == "bm25" and k >= 5 for _, k, mode in eng.calls)


def test_evaluate_by_type(result):
    res, _ = result
    by = res["by_type"]
    assert set(by) == {"lookup", "paraphrase"}
    lk = by["lookup"]  # ranks 1, 3
    assert (lk["n"], lk["recall@1"], lk["recall@5"], lk["mrr"]) == (2, 0.5, 1.0, round((1 + 1 / 3) / 2, 4))
    pp = by["paraphrase"]  # ranks None, 2
    assert (pp["n"], pp["recall@1"], pp["recall@5"], pp["mrr"]) == (2, 0.0, 0.5, 0.25)


def test_evaluate_failures(result):
    res, _ = result
    fails = {f["id"]: f for f in res["failures"]}
    assert set(fails) == {"q2", "q3", "q5"}  # q1 is right first
    assert fails["q2"]["rank"] == 3 and fails["q3"]["rank"] is None and fails["q5"]["rank"] == 2
    assert fails["q3"]["retrieved"] == ANSWERS["不相关的问题"]
    assert fails["q3"]["gold"] == ["5"]


def test_evaluate_small_k_still_ranks_top_5():
    eng = StubEngine(ANSWERS)
    res = evaluate(eng, QAS, k=1)
    assert res["recall@5"] == 0.75 and res["recall@1"] == 0.25


def test_evaluate_all_skipped():
    res = evaluate(StubEngine(ANSWERS), [QAS[3]])
    assert res["n"] == 0 and res["recall@5"] == 0.0 and res["by_type"] == {} and res["failures"] == []


# -- the command ---------------------------------------------------------------------------------
def write_qa(path, items):
    path.write_text("\n".join(json.dumps(
        {"id": q.id, "question": q.question, "gold": q.gold, "type": q.type}, ensure_ascii=False)
        for q in items) + "\n\n", "utf-8")
    return path


def test_load_qa(tmp_path):
    p = tmp_path / "qa.jsonl"
    p.write_text('{"id": 1, "question": "q", "gold": [5, "5.3"]}\n\n'
                 '{"id": "b", "question": "r", "gold": [], "type": "out_of_scope", "must_include": ["x"]}\n',
                 "utf-8")
    qa = load_qa(p)
    assert [q.id for q in qa] == ["1", "b"]
    assert qa[0].gold == ["5", "5.3"] and qa[0].type == "other" and qa[0].must_include == []
    assert qa[1].gold == [] and qa[1].type == "out_of_scope" and qa[1].must_include == ["x"]


def test_load_qa_invalid_json_names_line(tmp_path):
    p = tmp_path / "qa.jsonl"
    p.write_text('{"id": 1, "question": "q", "gold": []}\n{oops\n', "utf-8")
    with pytest.raises(SystemExit, match=r"qa\.jsonl:2: invalid JSON"):
        load_qa(p)


def test_main_json_output(tmp_path, monkeypatch, capsys):
    from eval import retrieval

    monkeypatch.setattr(retrieval, "services", lambda: SimpleNamespace(retriever=StubEngine(ANSWERS)))
    qa = write_qa(tmp_path / "qa.jsonl", QAS)
    assert retrieval.main(["--qa", str(qa), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert {"n", "recall@1", "recall@3", "recall@5", "mrr", "by_type"} <= set(out)
    assert "failures" not in out
    assert out["n"] == 4 and out["recall@1"] == 0.25 and out["mrr"] == 0.4583
    for m in out["by_type"].values():
        assert {"n", "recall@1", "recall@5", "mrr"} <= set(m)


def test_main_all_retrievers(tmp_path, monkeypatch, capsys):
    from eval import retrieval

    eng = StubEngine(ANSWERS)
    monkeypatch.setattr(retrieval, "services", lambda: SimpleNamespace(retriever=eng))
    qa = write_qa(tmp_path / "qa.jsonl", QAS)
    assert retrieval.main(["--qa", str(qa), "--retriever", "all", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [r["retriever"] for r in out] == ["hybrid", "dense", "bm25"]
    assert {mode for _, _, mode in eng.calls} == {"hybrid", "dense", "bm25"}


def test_main_table_output(tmp_path, monkeypatch, capsys):
    from eval import retrieval

    monkeypatch.setattr(retrieval, "services", lambda: SimpleNamespace(retriever=StubEngine(ANSWERS)))
    qa = write_qa(tmp_path / "qa.jsonl", QAS)
    assert retrieval.main(["--qa", str(qa)]) == 0
    out = capsys.readouterr().out
    assert "recall@1=0.250" in out and "MRR=0.458" in out
    assert "lookup" in out and "paraphrase" in out
    assert "q3" in out and "不相关的问题" in out  # the failed question and what came instead


@pytest.mark.parametrize("path", sorted((Path(__file__).resolve().parent.parent / "eval" / "sets").glob("qa*.jsonl")),
                         ids=lambda p: p.name)
def test_every_eval_set_is_well_formed(path, capsys):
    """Gold ids exist, must_include strings occur in the gold clauses, types
    are known; only the team set must cover every leaf."""
    import eval.check_qa as check

    args = ["check_qa", str(path)] + ([] if path.name == "qa.jsonl" else ["--partial"])
    assert check.main(args) == 0, capsys.readouterr().out


def test_check_qa_finds_what_is_wrong(tmp_path, capsys):
    """The checker reads the library with the project's parser: an id that
    names no record, a must_include not in the gold clause, an unknown type,
    a duplicate id are each an error."""
    import eval.check_qa as check

    bad = tmp_path / "bad.jsonl"
    rows = [{"id": "a", "question": "刻章要钱吗", "gold": ["6"], "must_include": ["免服务费"], "type": "colloquial"},
            {"id": "b", "question": "第200条", "gold": ["200"], "must_include": [], "type": "lookup"},
            {"id": "c", "question": "公示几天", "gold": ["5.3"], "must_include": ["30天"], "type": "fact"},
            {"id": "a", "question": "重复", "gold": ["6"], "must_include": [], "type": "nosuch"}]
    bad.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", "utf-8")
    assert check.main(["check_qa", str(bad), "--partial"]) == 1
    out = capsys.readouterr().out
    assert "gold '200' is not a record" in out and "'30天' not found" in out
    assert "duplicate id" in out and "unknown type 'nosuch'" in out
    good = tmp_path / "good.jsonl"
    good.write_text(json.dumps(rows[0], ensure_ascii=False) + "\n", "utf-8")
    assert check.main(["check_qa", str(good), "--partial"]) == 0
