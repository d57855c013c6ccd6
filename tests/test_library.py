"""The policy library: the plan and the national regulations it implements,
parsed by two formats, looked up by loose names, answered by the version in
force, and cited by their own names."""
from __future__ import annotations

import pytest

from chatbot.corpus.formats.regulation import parse_text


def test_library_holds_the_plan_and_four_regulations(library):
    assert library.default_doc == "yiwu"
    got = {c.doc_id: (c.format, len(c.records)) for c in library.corpora}
    assert got == {"yiwu": ("plan", 246), "obe": ("regulation", 72), "smepay": ("regulation", 37),
                   "smepay2020": ("regulation", 29), "ibp": ("regulation", 39)}
    assert library.doc("smepay2020").superseded_by == "smepay"
    assert library.in_force == ["yiwu", "obe", "smepay", "ibp"]


def test_header_lines_become_metadata_and_defects_warnings(library):
    obe = library.doc("obe")
    assert obe.metadata["orders"] == [722] and obe.metadata["promulgated"] == "2019-10-22"
    assert obe.effective == "2020-01-01"
    smepay = library.doc("smepay")
    assert smepay.metadata["orders"] == [728, 802] and smepay.metadata["revised"] == "2025-03-17"
    assert len(smepay.warnings) == 1 and smepay.warnings[0].message.startswith("unmatched bracket in a header line")


def test_articles_chapters_paragraphs_and_items(library):
    r = library.get("smepay:9")
    assert r.ref == "smepay:9" and r.kind == "article" and r.measure_no == 9
    assert r.citation == "《保障中小企业款项支付条例》第九条"
    assert r.text.startswith("第九条 机关、事业单位") and "60日内支付款项" in r.text
    assert r.body.count("\n") == 3  # four paragraphs (款)
    assert r.section.label == "第二章" and r.section.title == "款项支付规定"
    assert library.get("ibp:13").section.title == "全文"  # a regulation without chapters
    items = [r for r in library.records if r.doc_id == "obe" and r.items]
    assert items and all(i for r in items for i in r.items)


def test_a_malformed_regulation_is_read_with_warnings():
    c = parse_text("# 测试条例\n\n2024年1月1日 施行）\n\n<!-- INFO END -->\n\n## 第一章 总则\n\n第一条 第一条内容。\n\n"
                   "第三条 跳号了。\n\n（一）一项\n", "t")
    assert [r.id for r in c.records] == ["1", "3"] and c.records[1].items == ["一项"]
    assert c.metadata["effective"] == "2024-01-01"
    assert any("unmatched bracket" in w.message for w in c.warnings)
    assert any("article 3 found where article 2" in w.message for w in c.warnings)


@pytest.mark.parametrize("q, ref", [
    ("优化营商环境条例第十三条", "obe:13"),
    ("款项支付条例第8条讲什么", "smepay:8"),
    ("个体户条例 第20条", "ibp:20"),
    ("722号令第三十七条", "obe:37"),
    ("2020年版第八条", "smepay2020:8"),
    ("728号令第九条", "smepay2020:9"),
    ("755号令第13条", "ibp:13"),  # the manifest's orders: this file's header has no 令号
    ("修订前的保障中小企业款项支付条例第九条", "smepay2020:9"),
    ("《优化营商环境条例》第十二条", "obe:12"),
    ("款项支付新条例第九条", "smepay:9"),  # a version word inside the short name
    ("款项支付旧条例第八条", "smepay2020:8"),
    ("第13条", "13"),
    ("伊吾方案第5.3条讲什么", "5.3"),  # the plan's title ends in a bracket: （2023-2025年）
])
def test_lookups_by_loose_document_names(assistant, q, ref):
    a = assistant.answer(q)
    assert a.answerer == "lookup" and a.citations == [ref]


def test_a_document_the_library_lacks_is_not_the_plan(assistant):
    a = assistant.answer("哈密市实施优化营商环境条例办法第十条是什么")
    assert a.refused and not a.citations and "收录的文件中没有" in a.text


@pytest.mark.parametrize("q, foreign", [
    ("乌鲁木齐市优化营商环境条例有哪些特别规定", ["乌鲁木齐市优化营商环境条例"]),
    ("哈密市实施优化营商环境条例办法讲了什么", ["哈密市实施优化营商环境条例办法"]),
    ("优化营商环境条例有哪些规定", []),
])
def test_a_document_carrying_a_held_ones_name_is_another(library, q, foreign):
    assert library.names.foreign(q) == foreign


def test_a_question_about_a_document_the_library_lacks_is_declined(assistant):
    a = assistant.answer("乌鲁木齐市优化营商环境条例有哪些特别规定")
    assert a.refused and not a.citations and "收录的文件中没有《乌鲁木齐市优化营商环境条例》" in a.text


def test_whether_a_version_is_still_in_force(assistant):
    # two names of one family: the one the question singles out (its 令号) is asked about
    a = assistant.answer("县里方案里写的款项支付条例是728号令，现在还有效吗")
    assert a.answerer == "meta" and a.text.startswith("已不是现行文本。")
    assert a.citations == ["smepay2020:29", "smepay:37"]
    # with a clause of the plan named: the version answer, then that clause
    b = assistant.answer("伊吾方案第112条引用的是国务院令第728号，这个版本现在还用吗")
    assert b.text.startswith("已不是现行文本。") and b.citations == ["smepay2020:29", "smepay:37", "112"]
    assert "**第112条" in b.text


def test_answers_come_from_the_version_in_force(engine, assistant):
    hits = engine.search("机关事业单位从中小企业采购货物最迟多少天付款", k=10)
    assert not any(h.record.doc_id == "smepay2020" for h in hits)
    old = assistant.answer("2020年版款项支付条例对大企业的付款期限是怎么规定的")
    assert old.citations[0].startswith("smepay2020:")
    assert "已被修订的文本" in old.text and "现行的是《保障中小企业款项支付条例》" in old.text


def test_what_changed_cites_both_versions(engine):
    q = engine.analyse("款项支付条例修订后大企业的付款期限有什么变化")
    assert q.changes and "smepay" in q.docs
    docs = {h.record.doc_id for h in engine.retrieve(q, k=10).hits}
    assert {"smepay", "smepay2020"} <= docs


def test_search_results_carry_their_document(engine):
    d = engine.search("个体工商户 经营场所", k=5)[0].to_dict()
    assert d["doc_id"] and d["doc_title"]
    assert any(h.record.doc_id == "ibp" for h in engine.search("个体工商户 经营场所", k=5))


@pytest.mark.parametrize("q, both", [
    ("涉企保证金能不能用银行保函，国家条例和伊吾县方案各怎么规定", True),
    ("欠款多久必须付，法律规定是多少天？县里有没有清欠安排", True),
    ("县里有没有免费的法律咨询", False),  # 法律 as a service, not what the law says
    ("国家企业信用信息公示系统在哪查年报", False),
    ("款项支付条例第九条讲什么", False),  # the law alone
])
def test_a_question_asking_the_law_and_the_county_is_told_apart(engine, q, both):
    assert engine.analyse(q).both is both


@pytest.mark.parametrize("q, law", [
    ("个体户贷款难 条例说银行要怎么做", True),
    ("Does the regulation protect us from retaliation?", True),
    ("款项支付条例第九条讲什么", False),  # names its document: that one, not any law
    ("涉企保证金能不能用银行保函，国家条例和伊吾县方案各怎么规定", False),  # names the plan: Query.both
    ("县里有没有免费的法律咨询", False),
    ("新公司法规定注册资本认缴期限最长几年", False),  # 公司法 规定, not 法规
])
def test_a_question_asking_what_the_law_says_is_told_apart(engine, q, law):
    assert engine.analyse(q).law is law


def test_asking_what_the_law_says_prefers_the_laws(engine):
    q = engine.analyse("来电反映某部门滥用行政权力排斥外地企业 条例要求部门咋做")
    assert q.law and not q.docs
    assert engine.retrieve(q, k=3).hits[0].record.doc_id != "yiwu"


def test_the_local_side_is_the_default_documents_place():
    from chatbot.search.query import local_side

    assert local_side("伊吾县实施营商环境优化提升三年行动方案").search("伊吾的做法")
    assert local_side("某某市优化营商环境办法").search("某某有什么措施")
    assert not local_side("优化营商环境条例").search("伊吾的做法")
    assert local_side("").search("县里怎么做")


def test_both_sides_are_retrieved_and_quoted(engine, assistant):
    q = engine.analyse("涉企保证金能不能用银行保函，国家条例和伊吾县方案各怎么规定")
    hits = engine.retrieve(q, k=1).hits
    # each side's best clause is there even past k
    assert {":" in h.record.ref for h in hits} == {True, False}
    a = assistant.answer(q.raw)
    assert any(":" in c for c in a.citations) and any(":" not in c for c in a.citations)
    assert "《" in a.text and "（第" in a.text  # each quoted with its own citation


def test_whom_each_regulation_applies_to_is_read_from_its_text(library):
    scopes = {d: (party, r.ref) for d, (party, r) in library.scopes.items()}
    assert scopes["smepay"] == ("中小企业", "smepay:3")  # 本条例所称中小企业，是指…
    assert scopes["ibp"] == ("个体工商户", "ibp:2")  # …依法登记为个体工商户的，适用本条例
    assert "obe" not in scopes  # 本条例所称营商环境: not a kind of party
    assert "yiwu" not in scopes


def test_an_asker_the_quoted_law_does_not_cover_is_told_so(assistant):
    a = assistant.answer("我是个体户，被一家公司拖了半年货款，能按中小企业款项支付条例要利息吗")
    first = a.text.split("\n")[0]
    assert "适用于中小企业（第三条），未写明个体工商户的情况" in first and "条例写明的是" in first
    assert "smepay:3" in a.citations  # the article saying whom it covers supports that sentence
    # an asker it covers is not told so
    b = assistant.answer("我们是小型企业，被机关拖欠款项能要逾期利息吗")
    assert "未写明" not in b.text.split("\n")[0]


def test_a_qualifying_half_is_never_quoted_without_its_rule(assistant):
    import re

    a = assistant.answer("总包说业主没给他钱，所以也不给我们分包结账，合同里也这么写了，合法吗")
    assert "smepay:9" in a.citations
    assert "；合同另有约定的" in a.text
    assert not re.search(r"(?:^|[。）\n])合同另有约定的", a.text)  # the proviso alone misstates the rule


def test_a_time_limit_lead_carries_its_ceiling(assistant):
    a = assistant.answer("我们是小公司，给县里机关供货，机关最晚多少天必须付款")
    assert a.text.startswith("30日内（合同另有约定的，从其约定，但付款期限最长不得超过60日）。")
    b = assistant.answer("简易注销公示要多少天")
    assert b.text.startswith("20天。")  # a rule without a qualifying half leads with its figure alone
