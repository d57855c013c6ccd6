"""Several documents: the Yiwu plan plus the small demo plan written for these
tests (tests/fixtures/demo). Bare ids keep meaning the Yiwu plan, the other
document's records are DOC:ID, hits and citations carry the document, search
filters by document, and the retrieval harness scores DOC:ID golds.

The engine here uses a tiny deterministic hashing embedder (no model) so the
whole two-document index builds in well under a second."""
from __future__ import annotations

import json
import shutil

import pytest

from chatbot.corpus.library import load_library
from chatbot.corpus.manifest import read_manifest
from chatbot.corpus.source import CorpusError
from chatbot.search.rows import embed_text
from chatbot.search.vectors import VectorIndex
from chatbot.search.filters import Filters
from chatbot.app.settings import Settings
from eval.common import first_hit_rank, is_hit, load_qa
from eval.retrieval import evaluate
from fixtures.fake_embeddings import HashEmbeddings

from conftest import retriever_over, store_config, FIXTURES, REAL_CORPUS

DEMO = FIXTURES / "demo"


@pytest.fixture(scope="module")
def demo_settings(tmp_path_factory) -> Settings:
    tmp = tmp_path_factory.mktemp("multidoc")
    return Settings(corpus_dir=DEMO, index_dir=tmp / "index", data_dir=tmp / "data",
                    default_doc="yiwu", chroma_host=None)


@pytest.fixture(scope="module")
def lib(demo_settings):
    return load_library(demo_settings.corpus_dir, demo_settings.default_doc)


@pytest.fixture(scope="module")
def eng(demo_settings, lib):
    vec = VectorIndex(store_config(demo_settings), lib, HashEmbeddings()).ensure()
    return retriever_over(demo_settings, lib, vec)


# -- the library --------------------------------------------------------------
def test_manifest_lists_both_documents():
    specs = read_manifest(DEMO)
    assert [s.id for s in specs] == ["yiwu", "demo"]
    assert specs[0].file.resolve() == (REAL_CORPUS / "yiwu-business-environment-plan-2023-2025.txt").resolve()
    assert specs[1].title == "伊吾县便民服务提升试点方案（测试用示例）"


def test_demo_document_parses_cleanly(lib):
    demo = lib.doc("demo")
    assert [r.id for r in demo.records] == ["1", "2.1", "2.2", "3", "4.1", "4.2", "5", "S1", "S2"]
    assert [s.title for s in demo.sections] == ["推进冬季供暖便民服务", "完善老年人助餐服务", "保障措施"]
    assert demo.sections[0].lead_units == ("住房和城乡建设局",)
    r = demo.get("4.2")
    assert r.items == ["每季度开展一次老年人满意度调查；", "对助餐食品安全情况进行抽查。"]
    assert r.units == ["市场监督管理局", "民政局"] and r.deadline == "2025-12"
    # the only warning is the safeguard that names no unit, once
    assert [(w.record_id, w.message) for w in demo.warnings] == [("S2", "no 责任单位 found")]


def test_yiwu_stays_default_and_bare_ids_mean_its_measures(lib):
    assert lib.default_doc == "yiwu"
    assert len(lib.doc("yiwu").records) == 246 and len(lib.records) == 255
    assert lib.get("5.3").doc_id == "yiwu" and lib.get("5.3").ref == "5.3"
    assert lib.get("yiwu:5.3") is lib.get("5.3")
    assert lib.get("S1").doc_id == "yiwu"
    assert lib.get("demo:S1").doc_id == "demo"
    # demo has a measure 3 and yiwu has measure 3 with sub-measures: no mix-up
    assert lib.get("demo:3").ref == "demo:3"
    assert [r.ref for r in lib.leaves_of("3")] == ["3.1", "3.2", "3.3", "3.4", "3.5"]
    assert [r.ref for r in lib.leaves_of("demo:4")] == ["demo:4.1", "demo:4.2"]
    assert lib.get("demo:200") is None and lib.leaves_of("demo:200") == []
    assert lib.get("nosuch:3") is None


def test_refs_and_citations_carry_the_document(lib):
    r = lib.get("demo:2.2")
    assert r.ref == "demo:2.2" and r.uid == "demo:2.2"
    assert r.doc_title == "伊吾县便民服务提升试点方案（测试用示例）"
    assert r.citation == "demo:第2.2条"
    assert lib.get("demo:S2").citation == "demo:保障措施二"
    assert lib.get("5.3").citation == "第5.3条"  # the default document needs no prefix
    assert r.to_dict()["ref"] == "demo:2.2" and r.to_dict()["doc_id"] == "demo"


def test_uids_are_unique_across_documents(lib):
    uids = [r.uid for r in lib.records]
    assert len(uids) == len(set(uids))
    refs = [r.ref for r in lib.records]
    assert len(refs) == len(set(refs))


def test_other_default_document(tmp_path):
    """With YIWU_DEFAULT_DOC=demo the roles swap: bare ids mean demo."""
    other = load_library(DEMO, "demo")
    assert other.get("3").doc_id == "demo" and other.get("3").ref == "3"
    assert other.get("yiwu:5.3").ref == "yiwu:5.3"
    # an unknown default falls back to the first listed document
    assert load_library(DEMO, "nosuch").default_doc == "yiwu"


def test_library_changes_with_a_document(tmp_path, lib):
    """Adding a document changes the library hash, so the index goes stale."""
    d = tmp_path / "c"
    shutil.copytree(DEMO, d)
    (d / "manifest.json").write_text(json.dumps({"documents": [
        {"id": "yiwu", "file": str(REAL_CORPUS / "yiwu-business-environment-plan-2023-2025.txt")},
    ]}), "utf-8")
    assert load_library(d).sha256 != lib.sha256


# -- search ---------------------------------------------------------------------
def test_hits_carry_doc_id_and_title(eng):
    hits = eng.search("供暖费能用手机交吗", k=5)
    top = hits[0].to_dict()
    assert top["id"] == "demo:2.1"
    assert top["doc_id"] == "demo" and top["doc_title"].startswith("伊吾县便民服务提升试点方案")
    yiwu_hit = eng.search("简易注销公示时间", k=3)[0].to_dict()
    assert yiwu_hit["id"] == "5.3" and yiwu_hit["doc_id"] == "yiwu"
    assert yiwu_hit["doc_title"] == "伊吾县实施营商环境优化提升三年行动方案（2023-2025年）"


def test_search_filter_by_document(eng):
    q = "老年人服务和企业注销"
    only_demo = eng.search(q, k=5, filters=Filters(doc="demo"))
    only_yiwu = eng.search(q, k=5, filters=Filters(doc="yiwu"))
    assert only_demo and all(h.record.doc_id == "demo" for h in only_demo)
    assert only_yiwu and all(h.record.doc_id == "yiwu" for h in only_yiwu)
    assert eng.search(q, k=5, filters=Filters(doc="nosuch")) == []
    assert len(eng.filter_records(Filters(doc="demo"))) == 9


def test_references_by_document(eng):
    assert [h.record.ref for h in eng.search("demo:3", k=3)][:1] == ["demo:3"]
    assert eng.search("demo:3", k=3)[0].via == "ref"
    assert [h.record.ref for h in eng.search("第5.3条", k=1)] == ["5.3"]
    # a bare number inside a document filter means that document's measure
    assert [h.record.ref for h in eng.search("第3条", k=1, filters=Filters(doc="demo"))] == ["demo:3"]
    assert [h.record.ref for h in eng.search("第4条", k=5, filters=Filters(doc="demo")) if h.via == "ref"] \
        == ["demo:4.1", "demo:4.2"]


def test_filters_combine_with_the_document(eng):
    hits = eng.filter_records(Filters(doc="demo", units=["民政局"]))
    assert {r.ref for r in hits} == {"demo:2.2", "demo:3", "demo:4.1", "demo:4.2", "demo:5"}
    late = eng.filter_records(Filters(doc="demo", deadline_after="2025-06"))
    assert {r.ref for r in late} == {"demo:3", "demo:4.2", "demo:5"}


def test_index_holds_both_documents(eng, lib):
    col = eng.vectors.collection
    assert len(lib.records) == 255 and col.count() == len(eng.vectors.rows)
    got = col.get(where={"$and": [{"doc_id": "demo"}, {"row": "clause"}]}, include=["metadatas", "documents"])
    assert sorted(got["ids"]) == sorted(r.uid for r in lib.doc("demo").records)
    assert all(m["doc_id"] == "demo" for m in got["metadatas"])
    assert embed_text(lib.get("demo:4.1")) in got["documents"]


# -- evaluation harness -----------------------------------------------------------
def test_is_hit_with_document_ids():
    assert is_hit("demo:3", "demo:3")
    assert is_hit("demo:4.1", "demo:4")
    assert not is_hit("3", "demo:3") and not is_hit("demo:3", "3")
    assert not is_hit("demo:4.1", "4") and not is_hit("4.1", "demo:4")
    assert is_hit("4.1", "4") and not is_hit("4.10", "4.1")
    assert first_hit_rank(["5.3", "demo:4.2"], ["demo:4"]) == 2


def test_retrieval_harness_over_two_documents(eng):
    qa = load_qa(DEMO / "qa.jsonl")
    assert {g for item in qa for g in item.gold} >= {"demo:1", "demo:S2", "5.3", "6", "S1"}
    res = evaluate(eng, qa, k=5, mode="hybrid")
    assert res["n"] == len(qa) == 10
    # references resolve exactly; the rest must be found in the top 5 even with a toy embedder
    assert res["by_type"]["ref"]["recall@1"] == 1.0
    assert res["recall@5"] >= 0.9, res["failures"]
    for f in res["failures"]:  # failures name DOC:ID refs, never bare ids of the demo plan
        assert all(":" in r or eng.library.get(r).doc_id == "yiwu" for r in f["retrieved"])


def test_missing_document_file_is_named(tmp_path):
    (tmp_path / "manifest.json").write_text(json.dumps({"documents": [
        {"id": "yiwu", "file": str(REAL_CORPUS / "yiwu-business-environment-plan-2023-2025.txt")},
        {"id": "demo", "file": "nope.txt"},
    ]}), "utf-8")
    with pytest.raises(CorpusError) as e:
        load_library(tmp_path)
    msg = str(e.value)
    assert str(tmp_path / "nope.txt") in msg and "manifest.json:" in msg and "'demo'" in msg


def test_a_question_is_embedded_once_per_answer(demo_settings, lib):
    """Analysed once, retrieved once: the refusal check reads the dense rows
    the retrieval already has instead of querying the index again (the
    question says nothing the glossary rewords, so one embedding)."""
    from chatbot.app.bootstrap import bootstrap

    emb = HashEmbeddings()
    services = bootstrap(demo_settings, embeddings=emb, library=lib)
    q = "低保户的供暖费减免多少"
    assert services.retriever.analyse(q).dense_text == q
    before = emb.calls
    a = services.assistant.answer(q)
    assert not a.refused and emb.calls == before + 1

