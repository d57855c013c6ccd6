"""Retrieval on the real engine: metadata filters (counts computed from the raw
text here, independently of the parser), normalisation of Traditional, English,
full-width and mistyped questions, modes and the LangChain retriever."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from langchain_core.documents import Document

from chatbot.search.filters import Filters
from chatbot.search.langchain import PolicyRetriever

PLAN = Path(__file__).resolve().parent.parent / "corpus" / "yiwu-business-environment-plan-2023-2025.txt"
RAW = PLAN.read_text("utf-8").splitlines()
RE_SECTION = re.compile(r"^（([一二三四五六七八九十]+)）.*牵头单位")
CN = {c: i for i, c in enumerate("零一二三四五六七八九", 0)}


def _cn(s: str) -> int:
    if s == "十":
        return 10
    if s.startswith("十"):
        return 10 + CN[s[1]]
    return CN[s]


def raw_clauses() -> list[dict]:
    """One dict per 责任单位 parenthetical of the source: its units text, its
    deadline month (YYYY-MM or None) and its section number (0 = 保障措施)."""
    out, sec = [], 1
    for line in RAW:
        s = line.strip()
        if s.startswith("三、保障措施"):
            sec = 0
        elif sec and (m := RE_SECTION.match(s)):
            sec = _cn(m.group(1))
        pos = s.find("责任单位")
        if pos < 0:
            continue
        resp = s[pos:]
        m = re.search(r"完成时限[：:](?<!\d)(\d{4})年(\d{1,2})月", resp)
        deadline = f"{m.group(1)}-{int(m.group(2)):02d}" if m else None
        out.append({"units": resp.split("完成时限")[0], "deadline": deadline, "section": sec})
    return out


CLAUSES = raw_clauses()


def raw_count(unit=None, before=None, after=None, section=None, units_any=None) -> int:
    n = 0
    for c in CLAUSES:
        if unit and unit not in c["units"]:
            continue
        if units_any and not any(u in c["units"] for u in units_any):
            continue
        if (before or after) and not c["deadline"]:
            continue
        if before and c["deadline"] > before:
            continue
        if after and c["deadline"] < after:
            continue
        if section is not None and c["section"] != section:
            continue
        n += 1
    return n


def test_raw_helper_sees_every_clause():
    assert len(CLAUSES) == 246
    assert sum(1 for c in CLAUSES if c["deadline"] is None) == 9  # 8 safeguards + 107


# -- filters: counts ---------------------------------------------------------------
@pytest.mark.parametrize("loose,full", [
    ("税务局", "国家税务总局伊吾县税务局"),
    ("人社局", "人力资源和社会保障局"),
    ("法院", "县人民法院"),
    ("发改委", "发展改革委"),
    ("国网", "国网伊吾供电公司"),
    ("住建局", "住房和城乡建设局（交通运输局）"),
    ("财政局", "财政局"),
])
def test_unit_filter_counts(engine, loose, full):
    recs = engine.filter_records(Filters(units=[loose]))
    assert len(recs) == raw_count(unit=full) > 0
    assert all(full in r.units for r in recs)


def test_unit_filter_known_counts(engine):
    # pinned from the text, so that a counting helper bug cannot hide a filter bug
    assert len(engine.filter_records(Filters(units=["税务局"]))) == 18
    assert len(engine.filter_records(Filters(units=["人社局"]))) == 34
    assert len(engine.filter_records(Filters(units=["法院"]))) == 31


def test_unit_filter_any_of(engine):
    recs = engine.filter_records(Filters(units=["法院", "税务局"]))
    assert len(recs) == raw_count(units_any=["县人民法院", "国家税务总局伊吾县税务局"])
    both = [r.id for r in recs if "县人民法院" in r.units and "国家税务总局伊吾县税务局" in r.units]
    assert both == ["89"]


def test_deadline_before_is_inclusive(engine):
    recs = engine.filter_records(Filters(deadline_before="2023-06"))
    assert len(recs) == raw_count(before="2023-06") == 17
    assert {r.deadline for r in recs} == {"2023-06"}
    assert "5.3" in {r.id for r in recs}


def test_deadline_after_is_inclusive(engine):
    recs = engine.filter_records(Filters(deadline_after="2025-12"))
    assert len(recs) == raw_count(after="2025-12") == 48
    assert {r.deadline for r in recs} == {"2025-12"}
    assert "39.3" in {r.id for r in recs}  # "2025年12月底前"


def test_deadline_window(engine):
    recs = engine.filter_records(Filters(deadline_after="2024-01", deadline_before="2024-12"))
    assert len(recs) == raw_count(after="2024-01", before="2024-12")
    assert all(r.deadline.startswith("2024-") for r in recs)


def test_deadline_filters_skip_records_without_a_deadline(engine):
    recs = engine.filter_records(Filters(deadline_after="2000-01"))
    ids = {r.id for r in recs}
    assert len(recs) == 237  # 246 − 8 safeguards − 107 (unparseable "20235年12月")
    assert "107" not in ids and not any(i.startswith("S") for i in ids)


def test_deadline_bound_without_zero_padding(engine):
    try:
        recs = engine.filter_records(Filters(deadline_before="2024-6"))
    except ValueError:
        return
    assert {r.id for r in recs} == {r.id for r in engine.filter_records(Filters(deadline_before="2024-06"))}


@pytest.mark.parametrize("section", list(range(0, 18)))
def test_section_filter_counts(engine, section):
    recs = engine.filter_records(Filters(section=section))
    assert len(recs) == raw_count(section=section) > 0
    assert all((r.section.no or 0) == section for r in recs)


def test_section_filter_examples(engine):
    assert [r.id for r in engine.filter_records(Filters(section=15))] == ["123.1", "123.2", "124", "125", "126"]
    assert [r.id for r in engine.filter_records(Filters(section=0))] == [f"S{i}" for i in range(1, 9)]


def test_combined_filters(engine):
    f = Filters(units=["税务局"], deadline_before="2023-12")
    recs = engine.filter_records(f)
    assert len(recs) == raw_count(unit="国家税务总局伊吾县税务局", before="2023-12")
    assert [r.id for r in engine.filter_records(Filters(units=["税务局"], section=11))] == [
        "80", "81", "82", "83", "84", "85"]
    recs = engine.filter_records(Filters(section=4, deadline_before="2023-09"))
    assert [r.id for r in recs] == ["22.1", "22.2", "26.3", "28.4"]
    assert len(recs) == raw_count(section=4, before="2023-09")


def test_doc_and_kind_filters(engine):
    assert len(engine.filter_records(Filters(doc="yiwu"))) == 246
    assert engine.filter_records(Filters(doc="nope")) == []
    assert len(engine.filter_records(Filters(kinds=["safeguard"]))) == 8
    assert len(engine.filter_records(Filters(kinds=["sub", "measure"]))) == 238


def test_empty_filters():
    assert Filters().empty()
    assert not Filters(section=0).empty()
    assert not Filters(units=["税务局"]).empty()


# -- filters: search -----------------------------------------------------------------
def test_search_with_unit_filter(engine):
    hits = engine.search("简易注销", k=5, filters=Filters(units=["税务局"]))
    assert len(hits) == 5
    assert all("国家税务总局伊吾县税务局" in h.record.units for h in hits)
    assert "5.3" not in [h.record.ref for h in hits]  # 5.3 is 市场监督管理局 only
    assert hits[0].record.ref in {"5.1", "5.4", "4.3"}


def test_reference_respects_filters(engine):
    hits = engine.search("第5.3条", k=5, filters=Filters(units=["税务局"]))
    assert all(h.via != "ref" for h in hits)
    assert all("国家税务总局伊吾县税务局" in h.record.units for h in hits)


def test_search_with_section_and_deadline(engine):
    hits = engine.search("失业保险", k=5, filters=Filters(section=4, deadline_before="2023-09"))
    refs = [h.record.ref for h in hits]
    assert sorted(refs) == ["22.1", "22.2", "26.3", "28.4"]  # the only records passing the filter
    assert refs[:2] == ["22.1", "22.2"]  # 失业保险 is what 22.1/22.2 are about
    assert all(h.record.section.no == 4 and h.record.deadline <= "2023-09" for h in hits)


def test_search_with_filters_that_match_nothing(engine):
    assert engine.search("失业保险", k=5, filters=Filters(units=["税务局"], section=15)) == []


@pytest.mark.parametrize("mode", ["hybrid", "dense", "bm25"])
def test_every_mode_respects_filters(engine, mode):
    hits = engine.search("失业保险", k=5, filters=Filters(units=["法院"]), mode=mode)
    assert len(hits) == 5
    assert all(h.via == mode for h in hits)
    assert all("县人民法院" in h.record.units for h in hits)


def test_invalid_mode(engine):
    with pytest.raises(ValueError):
        engine.search("企业开办", mode="sparse")


# -- normalisation through retrieval ---------------------------------------------------------
def top(engine, q, n=5):
    return [h.record.ref for h in engine.search(q, k=n)]


def test_traditional_question(engine):
    assert engine.analyse("開辦企業刻章要收費嗎").text == "开办企业刻章要收费吗"
    assert "6" in top(engine, "開辦企業刻章要收費嗎", 3)


def test_traditional_equals_simplified(engine):
    assert top(engine, "企業註銷要多久") == top(engine, "企业注销要多久")


@pytest.mark.parametrize("q", [
    "How long is the public notice period for simplified deregistration of a company?",
    "simplified deregistration notice period",
])
def test_english_question(engine, q):
    assert "5.3" in top(engine, q, 5)


def test_english_question_not_drowned_by_bm25(engine):
    """Keyword noise from English words ("long", "period", "company") must not
    push the right clause down: it comes first."""
    q = "How long is the public notice period for simplified deregistration of a company?"
    assert top(engine, q, 5)[0] == "5.3"


def test_full_width_digits_in_question(engine):
    assert engine.analyse("１２３４５热线能干什么").text == "12345热线能干什么"
    assert top(engine, "１２３４５热线能干什么", 3)[0].startswith("61.")


def test_pinyin_typo_deregistration(engine):
    q = engine.analyse("企业注消要多久")
    assert ("注消", "注销") in q.fixes
    assert "注销" in q.tokens
    assert any(r.startswith("5.") for r in top(engine, "企业注消要多久", 3))


def test_pinyin_typo_bankruptcy(engine):
    q = engine.analyse("公司破惨了怎么办")
    assert ("破惨", "破产") in q.fixes
    assert top(engine, "公司破惨了怎么办", 3)[0] in {"123.1", "123.2", "124", "125", "126"}


def test_correct_words_are_not_rewritten(engine):
    for q in ("企业注销要多久", "简易注销公示几天", "公司破产了怎么办"):
        assert engine.analyse(q).fixes == []


@pytest.mark.parametrize("q", ["工伤怎么认定", "开网店需要营业执照吗"])
def test_real_words_are_not_rewritten_as_typos(engine, q):
    assert engine.analyse(q).fixes == []


# -- the question reworded in the plan's terms (dense side) ------------------------------------
def test_plan_wording_replaces_only_words_the_plan_does_not_use():
    from conftest import glossary

    g = glossary()
    plan_term, plan_wording = g.plan_term, g.plan_wording
    plan = "新开办企业首套印章免费，企业开办全程网上办"
    in_plan = plan.__contains__
    assert plan_term("公章", in_plan) == "印章"
    assert plan_term("股份", in_plan) is None
    assert plan_wording("刻公章要钱吗", ["公章", "要钱"], in_plan) == "刻印章要钱吗"
    # a word the plan itself uses stays as it is, even with a glossary entry
    assert plan_wording("企业开办全程网上办", ["企业开办", "网上办"], in_plan) == "企业开办全程网上办"


def test_query_carries_the_reworded_question(engine):
    q = engine.analyse("新注册的公司刻公章要自己掏钱吗")
    assert "公章" in q.text and "印章" in q.dense_text and "公章" not in q.dense_text
    plain = engine.analyse("简易注销公示期是多少天")
    assert plain.dense_text == plain.text


def test_dense_rows_average_the_two_wordings(engine):
    REWORDED_WEIGHT = engine.tuning.reworded_weight
    q = engine.analyse("新注册的公司刻公章要自己掏钱吗")
    v = engine.vectors
    n = len(v.rows)
    asked = dict(v.search_rows(v.query_vector(q.text), n))
    reworded = dict(v.search_rows(v.query_vector(q.dense_text), n))
    mixed = engine.dense_rows(q)
    assert len(mixed) == n and [s for _, s in mixed] == sorted((s for _, s in mixed), reverse=True)
    for rid, sim in mixed[:20]:
        assert sim == pytest.approx((1 - REWORDED_WEIGHT) * asked[rid] + REWORDED_WEIGHT * reworded[rid])
    assert top(engine, "新注册的公司刻公章要自己掏钱吗", 1) == ["6"]


# -- hits and the LangChain retriever ------------------------------------------------------
def test_hits_are_ranked_and_unique(engine):
    hits = engine.search("简易注销公示几天", k=8)
    refs = [h.record.ref for h in hits]
    assert len(refs) == 8 == len(set(refs))
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True)
    assert refs[0] == "5.3"
    d = hits[0].to_dict()
    assert {"id", "title", "text", "score", "units", "deadline", "via"} <= set(d)
    assert d["id"] == "5.3" and d["deadline"] == "2023-06" and d["units"] == ["市场监督管理局"]


def test_policy_retriever(engine):
    retriever = PolicyRetriever(retriever=engine, k=3)
    docs = retriever.invoke("第5.3条")
    assert len(docs) == 3 and all(isinstance(d, Document) for d in docs)
    assert docs[0].page_content == engine.library.get("5.3").text
    assert docs[0].metadata["id"] == "5.3" and docs[0].metadata["via"] == "ref"


def test_policy_retriever_with_filters(engine):
    retriever = PolicyRetriever(retriever=engine, k=4, filters=Filters(units=["法院"]))
    docs = retriever.invoke("破产")
    assert len(docs) == 4
    assert all("县人民法院" in d.metadata["units"] for d in docs)


def test_policy_retriever_takes_k_per_call(engine):
    """LangChain's retriever contract: ``invoke(query, k=…)`` overrides the
    constructor's k."""
    retriever = PolicyRetriever(retriever=engine, k=5)
    assert len(retriever.invoke("简易注销公示几天")) == 5
    assert len(retriever.invoke("简易注销公示几天", k=1)) == 1
    assert len(retriever.invoke("第22条", k=2)) == 2  # a measure's five leaves, cut to k
