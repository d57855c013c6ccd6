"""What changed between two versions of a regulation (answer.versions): the
counterpart article is found by its text (revisions renumber), the differing
wording is quoted from both texts, and a question that asks what changed
gets both articles cited, the one in force first. The plan, which has one
version, is never answered this way."""
from __future__ import annotations

import pytest

from chatbot.answer import versions
from chatbot.answer.figures import asked_part, missing_figure


@pytest.mark.parametrize("new, old", [("smepay:12", "smepay2020:11"), ("smepay:11", "smepay2020:10"),
                                      ("smepay:14", "smepay2020:13"), ("smepay:25", "smepay2020:17")])
def test_counterpart_found_by_text_across_renumbering(library, new, old):
    match, score = versions.counterpart(library.get(new), library.doc("smepay2020").records)
    assert match is not None and match.ref == old, (match and match.ref, score)


def test_an_article_without_a_close_text_has_no_counterpart(library):
    match, score = versions.counterpart(library.get("smepay:4"), library.doc("smepay2020").records)
    assert match is None and score < 0.35


def test_compare_quotes_what_differs_from_both_texts(library):
    text = versions.compare(library.get("smepay:12"), library.get("smepay2020:11"))
    lead = text.split("\n")[0]
    assert "删去“但合同另有约定或者”" in lead
    assert lead.startswith("与修订前的《保障中小企业款项支付条例（2020年文本）》第十一条相比")
    assert library.get("smepay:12").body.strip() in text and library.get("smepay2020:11").body.strip() in text
    repeated = versions.compare(library.get("smepay:11"), library.get("smepay2020:10")).split("\n")[0]
    assert "新增“应收账款电子凭证”（3处）" in repeated and repeated.count("新增") == 1
    heavy = versions.compare(library.get("smepay:25"), library.get("smepay2020:17")).split("\n")[0]
    assert "改动较多" in heavy and "90日" in heavy


@pytest.mark.parametrize("question, cited", [
    ("审计结果作结算依据的例外情形，新旧条例有什么不同", ["smepay:12", "smepay2020:11"]),
    ("等竣工验收才付款那条，修订前后说法有啥区别", ["smepay:14", "smepay2020:13"]),
    ("802号令跟728号令比，投诉处理多了哪些时限", ["smepay:25", "smepay2020:17"]),
])
def test_a_question_about_changes_cites_both_versions(assistant, question, cited):
    a = assistant.answer(question)
    assert a.citations == cited and not a.refused
    assert "修订前" in a.text.split("\n")[0]


def test_plan_questions_with_comparison_words_are_not_version_answers(assistant):
    a = assistant.answer("和以前相比，简易注销的公示时间缩短到多少天")
    assert "5.3" in a.citations and "修订前" not in a.text


@pytest.mark.parametrize("question, part", [
    ("大公司说按照甲方给他付款的比例给我们结，合理吗", "合理吗"),
    ("合同里写的逾期利率特别低，有没有最低标准", "有没有最低标准"),
    ("办个体户营业执照要准备哪些材料，有没有清单", None),  # the first part asks too
    ("失业保险金每个月能领多少钱", None),
])
def test_the_asked_part_of_a_question(question, part):
    assert asked_part(question) == (part or question)


def test_a_figure_only_told_is_not_a_missing_figure():
    clause = "不得约定以收到第三方付款作为向中小企业支付款项的条件或者按照第三方付款进度比例支付中小企业款项。"
    assert missing_figure("大公司说按照甲方给他付款的比例给我们结，合理吗", clause) is None
    assert missing_figure("付款比例是多少", clause) == "比例"


@pytest.mark.parametrize("text", ["旧条例第八条", "2020年那版第八条", "2020年版第八条", "老条例第八条"])
def test_loose_names_of_the_superseded_version(library, text):
    assert library.names.mentions(text)[0].doc_id == "smepay2020"


@pytest.mark.parametrize("text", ["What did the previous version of the payment rules say about deposits?",
                                  "In the 2020 text, how long could a contract delay payment?",
                                  "before the revision, was there a deadline for complaints?"])
def test_english_names_of_the_superseded_version(library, text):
    assert [m.doc_id for m in library.names.mentions(text)] == ["smepay2020"]


@pytest.mark.parametrize("text", ["my former employer did not pay me", "What was the original purpose of 一网通办?"])
def test_english_words_for_earlier_things_name_no_version(library, text):
    assert library.names.mentions(text) == []


@pytest.mark.parametrize("text, doc", [
    ("When did the revised SME payment regulation come into force?", "smepay"),
    ("What does the business environment regulation say about fees?", "obe"),
    ("What does the individual business regulation say about rent?", "ibp"),
    ("Does the regulation protect small businesses from late payment?", "smepay"),
])
def test_english_names_a_regulation_by_its_subject(engine, text, doc):
    # the translated words hold two or more of that title's own characters
    assert engine.analyse(text).docs == (doc,)


@pytest.mark.parametrize("text", ["What is the minimum public comment period for new regulations affecting businesses?",
                                  "How long does simplified deregistration take?"])
def test_english_naming_no_regulation(engine, text):
    assert engine.analyse(text).docs == ()


def test_english_article_of_a_named_regulation(assistant):
    a = assistant.answer("What does Article 13 of the Regulations on Optimizing the Business Environment say?")
    assert a.citations == ["obe:13"]


@pytest.mark.parametrize("question, cited, lead", [
    ("When did the revised SME payment regulation come into force?", ["smepay:37"], "It took effect on 2025-06-01"),
    ("Is the 2020 text of the SME payment regulation still in force?", ["smepay2020:29", "smepay:37"],
     "No, this is no longer the text in force. It took effect on 2020-09-01"),
])
def test_when_a_regulation_takes_effect_in_english(assistant, question, cited, lead):
    a = assistant.answer(question)
    assert a.citations == cited and a.text.startswith(lead)


def test_a_named_versions_year_is_not_a_gap(assistant):
    a = assistant.answer("旧条例里，列举的拒付理由写的是“等待竣工验收批复”还是“竣工验收备案”？我指的是2020年那版")
    assert "smepay2020:13" in a.citations and "未写明2020年" not in a.text


@pytest.mark.parametrize("question, cited, lead", [
    ("修订前的保障中小企业款项支付条例是哪天施行的", ["smepay2020:29", "smepay:37"],
     "《保障中小企业款项支付条例（2020年文本）》自2020年9月1日起施行（第二十九条）。"),
    ("保障中小企业款项支付条例现在施行的是哪一版，从哪天开始施行？", ["smepay:37"], "现行的是2025年修订后的文本"),
    ("个体户条例什么时候生效", ["ibp:39"], "《促进个体工商户发展条例》自2022年11月1日起施行。"),
    ("728号令还有效吗", ["smepay2020:29", "smepay:37"], "已不是现行文本。"),
    ("原来那个个体工商户条例现在还管用吗", ["ibp:39"], "《个体工商户条例》已经废止。"),  # the text ibp:39 repealed
])
def test_when_a_named_document_takes_effect_comes_from_its_closing_article(assistant, question, cited, lead):
    a = assistant.answer(question)
    assert a.citations == cited and a.text.startswith(lead) and not a.refused, a.text
    if len(cited) == 2:  # a superseded text names the one in force
        assert "现行的是《保障中小企业款项支付条例》，自2025年6月1日起施行" in a.text


@pytest.mark.parametrize("question", ["付款期限从什么时候开始算", "县里的政务服务中心什么时候开始实施延时服务"])
def test_a_topic_question_with_a_date_is_not_about_the_document(assistant, question):
    assert assistant.answer(question).answerer != "meta"


def test_a_clause_citing_the_superseded_text_by_its_order_says_so(assistant):
    # 第112条 carries out "《保障中小企业款项支付条例》（中华人民共和国国务院令第728号）", the 2020 text
    a = assistant.answer("县里清欠工作是怎么安排的")
    assert "112" in a.citations
    assert "第112条所引的国务院令第728号是修订前的文本；现行的是修订后的《保障中小企业款项支付条例》，2025-06-01起施行" in a.text
    b = assistant.answer("简易注销公示要几天")  # a clause citing no document: no note
    assert "修订前的文本" not in b.text
