"""Exact references: chatbot.refs.find_refs on its own, and through the engine
(the referenced record must come first, via="ref")."""
from __future__ import annotations

import pytest

from chatbot.domain.citations import find_refs
from chatbot.domain.citations import label as citation_label


@pytest.mark.parametrize("question,expected", [
    ("第5.3条", ["5.3"]),
    ("5.3条", ["5.3"]),
    ("措施22.5", ["22.5"]),
    ("条款22.5", ["22.5"]),
    ("22.5", ["22.5"]),
    ("  22.5  ", ["22.5"]),
    ("第 5.3 条", ["5.3"]),
    ("第5．3条", ["5.3"]),
    ("第5.3条讲什么？", ["5.3"]),
    ("What does measure 5.3 say?", ["5.3"]),  # English
    ("Article 13 of the business environment regulation", ["13"]),
    ("48.10条", ["48.10"]),
    ("第十条", ["10"]),
    ("第一百二十三条", ["123"]),
    ("第一百一十条", ["110"]),
    ("第二十二条讲什么", ["22"]),
    ("第22条", ["22"]),
    ("第22项", ["22"]),
    ("措施22", ["22"]),
    ("22", ["22"]),
    ("保障措施第三条", ["S3"]),
    ("保障措施三", ["S3"]),
    ("保障措施（三）", ["S3"]),
    ("保障措施第八条", ["S8"]),
    ("S3", ["S3"]),
    ("s3是什么", ["S3"]),
    ("第5.3条和第6条", ["5.3", "6"]),
    ("demo:3", ["demo:3"]),
    ("demo:5.3条", ["demo:5.3"]),
    ("保障措施里的第五条是关于什么的", ["S5"]),
    ("保障措施中第三条", ["S3"]),
    ("一百三十八条都有哪些措施", ["138"]),  # no 第: a leading number and 条 before a question word
    ("22条是什么", ["22"]),
])
def test_reference_forms(question, expected):
    assert find_refs(question) == expected


@pytest.mark.parametrize("question", [
    "压缩至2.5天",
    "公示时间由45天压缩至20天",
    "12345热线怎么打",
    "2023年6月前要完成哪些",
    "企业开办要多久",
    "网上办理比例达到88%以上吗",
    "1-2处自动化分拣设备",
    "三条措施是什么",  # a count, not measure 3
    "这三条都是啥",
    "方案有多少条",
    "the articles of association",  # English "article" without a number
    "",
])
def test_not_references(question):
    assert find_refs(question) == []




@pytest.mark.parametrize("question", [
    "办税时间压缩到4.5小时",
    "厂房面积5.3平方米可以吗",
    "用地4.5亩能批吗",
    "距离县城3.5公里",
    "压缩至2.5个工作日",
    "提速1.5倍",
    "营业执照1.5万元",
])
def test_quantities_are_not_references(question):
    """A decimal followed by a unit is a quantity, whatever the unit's first character."""
    assert find_refs(question) == []


def test_bare_decimal_question_is_a_reference():
    # 266adc0: "68.3是啥" names a measure even without 第/条
    assert find_refs("68.3是啥") == ["68.3"]


@pytest.mark.parametrize("question", ["第22条第3款", "第二十二条第三项"])
def test_article_and_paragraph_citation(question):
    refs = find_refs(question)
    assert "3" not in refs
    assert refs in (["22.3"], ["22"])


@pytest.mark.parametrize("question, ref", [("措施七十六第二款", "76.2"), ("措施九十七第二款说的什么", "97.2"),
                                           ("措施76条第2款", "76.2"), ("第七十六条第二款", "76.2")])
def test_measure_and_paragraph_without_tiao(question, ref):
    # "措施七十六第二款" is 76.2, not all of measure 76 (76.1 first)
    assert find_refs(question) == [ref]


@pytest.mark.parametrize("question, refs", [("二十二之四是什么措施", ["22.4"]), ("22之4", ["22.4"]),
                                            ("十之八九是真的吗", []), ("三分之一的企业", []), ("百分之五十", [])])
def test_zhi_form(question, refs):
    assert find_refs(question) == refs


def test_safeguard_reference_does_not_also_yield_a_measure():
    # "保障措施第三条" contains "第三条": it must not also mean measure 3
    assert "3" not in find_refs("保障措施第三条")


def test_citation_labels(library):
    assert citation_label(library.get("5.3")) == "第5.3条"
    assert citation_label(library.get("6")) == "第6条"
    assert citation_label(library.get("S3")) == "保障措施三"
    assert library.get("S8").citation == "保障措施八"
    assert citation_label(library.get("5.3"), with_doc=True) == "yiwu:第5.3条"


# -- through the engine -----------------------------------------------------------------
@pytest.mark.parametrize("question,expected", [
    ("第5.3条", "5.3"),
    ("5.3条", "5.3"),
    ("措施22.5", "22.5"),
    ("22.5", "22.5"),
    ("第十条", "10"),
    ("保障措施第三条", "S3"),
    ("S3", "S3"),
    ("第５．３条", "5.3"),       # full-width digits and dot
    ("第5.3條講什麼", "5.3"),    # Traditional characters
])
def test_engine_reference_first(engine, question, expected):
    hits = engine.search(question, k=5)
    assert hits[0].record.ref == expected
    assert hits[0].via == "ref"
    assert hits[0].score == 1.0
    assert [h.via for h in hits[1:]].count("ref") == 0
    assert len(hits) == 5


def test_engine_measure_reference_returns_all_its_leaves(engine):
    hits = engine.search("第22条", k=5)
    assert [h.record.ref for h in hits] == ["22.1", "22.2", "22.3", "22.4", "22.5"]
    assert all(h.via == "ref" for h in hits)


def test_engine_chinese_numeral_measure_reference(engine):
    hits = engine.search("第一百二十三条", k=5)
    assert [h.record.ref for h in hits[:2]] == ["123.1", "123.2"]
    assert [h.via for h in hits[:2]] == ["ref", "ref"]
    assert all(h.via != "ref" for h in hits[2:])


def test_engine_measure_reference_truncated_to_k(engine):
    hits = engine.search("第二十二条", k=3)
    assert [h.record.ref for h in hits] == ["22.1", "22.2", "22.3"]


def test_engine_two_references(engine):
    hits = engine.search("第5.3条和第6条", k=5)
    assert [h.record.ref for h in hits[:2]] == ["5.3", "6"]
    assert hits[0].via == hits[1].via == "ref"


def test_engine_decimal_in_a_sentence_is_not_a_reference(engine):
    # 4.5 exists as a record: if "4.5天" were read as a reference it would come first
    assert find_refs("审批时间压缩至4.5天") == []
    hits = engine.search("审批时间压缩至4.5天", k=5)
    assert all(h.via != "ref" for h in hits)


@pytest.mark.parametrize("question", ["第1条", "第200条", "S9"])
def test_engine_reference_to_missing_record_falls_back(engine, question):
    # measure 1 is absent from the text; 200 and S9 do not exist
    hits = engine.search(question, k=3)
    assert len(hits) == 3
    assert all(h.via == "hybrid" for h in hits)
