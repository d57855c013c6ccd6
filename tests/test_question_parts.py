"""A question asking several things at once (search.parts, answer.parts): every
later part is answered by what is quoted, by its own best sentence, or the
answer says the documents do not state it; nothing is dropped silently."""
from __future__ import annotations

import pytest

from chatbot.search.parts import split


@pytest.mark.parametrize("q, asked", [
    ("公司被大企业拖欠货款半年了，这合理吗？去哪反映？", ["这合理吗", "去哪反映"]),
    ("破产案件府院联动实施细则由哪个单位负责，啥时候完成？", ["破产案件府院联动实施细则由哪个单位负责", "啥时候完成"]),
    ("大型超市欠我们供应商的货款，逾期利息怎么算，多少天内该付", ["逾期利息怎么算", "多少天内该付"]),
    # one thing asked, however long the story ("好几年", "几张桌子" ask nothing)
    ("有家公司找不到人、好几年没报年报也不报税，会被吊销吗", []),
    ("夏天晚上想在店门口摆几张桌子卖奶茶，会不会被罚？", []),
    ("简易注销公示期多少天", []),
    # "该不该", "算不算" ask as "要不要" does
    ("总包让我们交现金保证金。能不能拿保函代替？那个安全保证金该不该交", ["能不能拿保函代替", "那个安全保证金该不该交"]),
])
def test_the_parts_a_question_asks(q, asked):
    assert [p.text for p in split(q)] == asked


def test_each_part_is_read_after_the_story():
    parts = split("公司被大企业拖欠货款半年了，这合理吗？去哪反映？")
    assert parts[1].question == "公司被大企业拖欠货款半年了，去哪反映"
    assert parts[0].ask.legal and parts[1].ask.kind == "how"


def test_a_part_asking_a_new_topic_gets_its_own_sentence(assistant):
    # the interest is 第十七条's; the days are 第九条's, outside the whole question's best clauses
    a = assistant.answer("大型超市欠我们供应商的货款，逾期利息怎么算，多少天内该付")
    assert not a.refused
    assert "万分之五" in a.text and "多少天内该付：" in a.text and "60日内支付款项" in a.text
    assert {"smepay:17", "smepay:9"} <= set(a.citations)


def test_a_figure_no_clause_states_is_said_missing(engine, assistant):
    q = engine.analyse("企业简易注销公示期多少天？清税要多少个工作日？")
    assert [p.asked for p in q.parts] == ["清税要多少个工作日"]
    a = assistant.answer("企业简易注销公示期多少天？清税要多少个工作日？")
    assert "20天" in a.text
    assert "清税要多少个工作日：" in a.text and "没有写明具体时限" in a.text


def test_a_later_part_is_answered_by_its_own_words_in_its_own_hits(assistant):
    # 第5.4条 holds 清税 and 纳税 but none of the story's words (简易注销, 公示, 股权)
    a = assistant.answer("企业走简易注销，公示期间发现股权被冻结了，公示是不是要撤销？另外税务这块清税有没有简便办法")
    assert "5.4" in a.citations and "清税证明免办服务" in a.text


def test_a_part_word_alone_or_a_document_name_finds_no_clause(assistant):
    # "干得好的有奖励吗": 好 is one character, 激励 alone is one word (第28.2条's 卫生人才绩效奖 stays out)
    assert "28.2" not in assistant.answer("民营企业家有没有培训机会，干得好的有奖励吗").citations
    # "优化营商环境条例怎么规定": the words name the document, not a topic
    a = assistant.answer("政府采购中对民营企业设不平等条款，县里清理重点里有没有这条？优化营商环境条例怎么规定")
    assert "obe:7" not in a.citations


def test_a_right_asked_first_and_the_countys_doing_after_quote_the_law_first(assistant):
    # the plan's 第121.2条 answers "县里法院怎么落实"; the right itself is the regulation's 第十五条
    a = assistant.answer("我们的商标被人仿冒了，能不能要求惩罚性赔偿？县里法院怎么落实")
    assert a.citations[:2] == ["obe:15", "121.2"]
    # no later part about the county: the plan's answer stands alone
    assert assistant.answer("小企业凭信用能贷到款吗，有没有什么平台").citations == ["40.2"]


def test_a_first_part_asking_how_is_answered_by_its_own_words(assistant):
    # "利息怎么算" is the regulation's 第十七条; the story of the debt alone would find 第三十二条
    a = assistant.answer("乡里一个单位欠我们建材款快一年了，利息怎么算？伊吾县对拖欠账款有啥措施")
    assert a.citations[0] == "smepay:17" and "逾期利息" in a.text.split("（")[0]
    # the whole question's lead stands when it holds the part's words already
    b = assistant.answer("县医院欠我们货款，逾期利息怎么算？伊吾县对拖欠账款有啥措施")
    assert "smepay:17" in b.citations


def test_a_later_part_asking_a_figure_on_a_new_topic_is_answered_by_its_own_words(assistant):
    # "好差评满意率" is a new topic: 第62条's figure, not "方案没有写明具体比例"; the asker's "二是" is not repeated
    a = assistant.answer("我是刚上岗的12345接线员，有两件事想核对一下：一是咱们县热线是不是要求24小时都有人工接听，"
                         "除了打电话还有哪些渠道能受理？二是县里给政务服务“好差评”定的满意率目标是多少？")  # reader R14-20
    assert "62" in a.citations and "98%" in a.text and "没有写明" not in a.text
    assert "二是" not in a.text
    # words the quote holds already ("2025年底前…达到") only frame the figure: nothing joins
    assert assistant.answer("依申请类事项网上办理比例，2025年底前要达到多少？").citations == ["55"]


def test_what_is_done_asked_without_a_question_form_is_a_part(engine):
    # "有啥措施" ends no question, yet asks; "没有什么办法" tells the story
    assert [p.asked for p in engine.analyse("货款利息怎么算？县里对拖欠账款有啥措施").parts] == ["县里对拖欠账款有啥措施"]
    assert engine.analyse("也没有什么办法，只好问问刻章要钱吗").parts == ()


def test_a_part_answered_by_the_quote_adds_nothing(assistant):
    # 第83条's "24小时在线免费" answers "要收费吗": no other clause joins for it
    a = assistant.answer("药店开了好几年了，电子发票半夜也能开吗？要收费吗")
    assert a.citations == ["83"] and "要收费吗：" not in a.text


def test_a_part_about_who_or_when_is_left_to_the_units_block(assistant):
    a = assistant.answer("破产案件府院联动实施细则由哪个单位负责，啥时候完成？")
    assert "啥时候完成：" not in a.text and "完成时限：2023年12月" in a.text
    assert a.citations == ["123.2"]


def test_a_question_asking_one_thing_has_no_parts(engine):
    assert engine.analyse("开个小公司刻章要花钱吗？").parts == ()



HEAD = "县医院欠我们药品钱两年了，国家规定多少天内要付？县里有没有清欠措施"


def test_each_part_asks_its_own_side(engine):
    # the whole asks the law and the county; the story names the county, the first part asks the law
    q = engine.analyse(HEAD)
    assert q.both and q.head is not None and q.head.asked == "国家规定多少天内要付"
    assert q.head.law and not q.head.both
    assert [p.asked for p in q.parts] == ["县里有没有清欠措施"] and not q.parts[0].law


def test_a_figure_asked_first_leads_though_another_part_picks_the_clauses(assistant):
    # the whole question's words (欠, 清欠, 县里) rank the plan's 清欠 measure first,
    # which states no number of days: the first part's own retrieval gives 第九条
    a = assistant.answer(HEAD)
    assert not a.refused and a.citations[:2] == ["smepay:9", "112"]
    assert "30日内支付款项" in a.text[:120]
