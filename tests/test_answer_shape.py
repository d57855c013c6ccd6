"""Answers a person would call good: the first sentence answers what is asked,
the scope gap is said, questions about the document and list questions are
answered whole, English gets an English frame, citizens see no parser notes."""
from __future__ import annotations

import re

import pytest

from chatbot.search.asks import classify
from eval import metrics


def first(text: str) -> str:
    return metrics.lead(text, 1)


@pytest.mark.parametrize("q, kind, detail", [
    ("开个小公司刻章要花钱吗？", "yesno", "cost"),
    ("我想放几台无人售货机，只卖包装好的饮料零食，还用办食品经营许可证吗？", "yesno", "need"),
    ("上市的股份有限公司能走简易注销吗？", "yesno", "can"),
    ("简易注销公示要多少天？", "figure", "duration"),
    ("对方一直拖着不确认 有时间要求吗", "figure", "duration"),
    ("好差评满意率要达到多少？", "figure", "rate"),
    ("纳税信用等级一共分几级？", "figure", "count"),
    ("整合非紧急热线是谁负责？", "who", None),
    ("电子营业执照什么时候完成共享？", "when", None),
    ("企业在手机上办政务事用哪个APP？", "how", None),
    # how long something has been ("十几年", "前几年") is told, not asked
    ("我爸开了十几年的修车铺，想交给我接着开，是不是得先注销？", "yesno", "other"),
    ("这几天办执照要几天", "figure", "duration"),
    ("What is the maximum term when industrial land is supplied by long-term lease?", "figure", "duration"),
    ("By when must overdue payments be cleared?", "when", None),
])
def test_what_is_asked(q, kind, detail):
    from chatbot.text.normalize import normalize

    ask = classify(normalize(q))
    assert ask.kind == kind and (detail is None or detail in (ask.figure, ask.polarity))


def test_several_things_asked_at_once():
    assert classify("小微企业和居民接电分别有啥便利？").parts
    assert not classify("刻章要钱吗").parts


@pytest.mark.parametrize("q, legal", [
    ("甲方非要现金交保证金，不收银行保函，有规定吗", True),
    ("窗口让我们必须找指定的中介，这样合规吗", True),
    ("换了领导就说之前的承诺不算数，站得住吗", True),
    ("街道让每家店出500块搞活动，这个能拒绝吗", True),  # may I refuse: whether it is lawful
    ("不入会就不给开证明，这合理吗", True),
    ("老有人上门叫拉赞助，能不给不", True),
    ("不交押金就不给验收，这样可以吗", True),  # a practice described, then "这样可以吗"
    ("评估报告必须用他们那家公司出的，别家的不认，这个可以吗", True),  # "这个可以吗" after a practice
    ("说我们这种新模式没先例，是不是就不让开了", True),
    ("这样行不行", True),
    ("商会让我们参加评比还要交评审费，我们能不能不参加", True),  # may I decline: whether they may make me
    ("窗口让我们只能找他们介绍的中介做报告，这种正常吗", True),  # a practice done to the asker
    ("审批等了三天了，正常吗", False),  # no practice named: how long it takes
    ("网上办营业执照可以吗", False),  # "可以吗" alone asks how to, not whether it is lawful
    ("这样办需要多久", False),
    ("新开办企业能不能免费刻章", False),
    ("刻章要钱吗", False),
    ("简易注销公示要多少天", False),
])
def test_asking_whether_something_is_lawful(q, legal):
    assert classify(q).legal is legal


def test_a_lawfulness_question_quotes_the_law(assistant):
    """Led by the plan's 第25条 (工资保证金 by 保函), the answer also quotes the rule that decides it."""
    a = assistant.answer("干工程的，甲方非要现金交保证金，不收银行保函，有规定吗")
    assert "smepay:13" in a.citations
    assert "中小企业以金融机构出具的保函等提供保证的，机关、事业单位和大型企业应当接受" in a.text


def test_yes_no_leads_with_the_answer(assistant):
    a = assistant.answer("开个小公司刻章要花钱吗？")
    assert first(a.text) == "不需要" and "首套印章" in metrics.lead(a.text) and "免服务费" in metrics.lead(a.text)


def test_an_exclusion_in_the_clause_answers_no(assistant):
    a = assistant.answer("上市的股份有限公司能走简易注销吗？")
    assert first(a.text) == "不能" and "上市股份有限公司除外" in metrics.lead(a.text)


def test_figure_who_and_when_lead(assistant):
    assert first(assistant.answer("简易注销公示要多少天？").text) == "20天"
    who = assistant.answer("整合各种非紧急热线归到12345，是谁负责？")
    assert first(who.text).startswith("由") and "政务服务中心" in first(who.text)
    when = assistant.answer("电子营业执照信息向政务服务平台共享什么时候完成？")
    assert first(when.text).startswith("完成时限为2024年6月")


def test_who_asked_of_an_article_is_led_by_its_own_sentence(assistant):
    # an article has no 责任单位 field: it names who acts in its text, which leads
    a = assistant.answer("个体工商户的登记归哪个部门管")
    assert a.citations[0].startswith("ibp:")
    assert "原文未写明的单位" not in a.text and first(a.text).startswith("市场主体登记机关")


@pytest.mark.parametrize("q, missing", [
    ("哈密市区办简易注销公示要几天？", "未写明哈密市区的情况"),
    ("2026年政务服务好差评满意率目标是多少？", "实施期为2023—2025年，未写明2026年的情况"),
    ("普通注销（不是简易注销）公示要多久？", "未写明普通注销的情况（写的是简易注销）"),
    # the plan's own place named only as the comparison: the place asked about is another
    ("我在巴里坤开公司 也跟伊吾一样刻章全免费吗", "未写明巴里坤的情况"),
    ("我在巴里坤开公司 刻章也是免费的吗 还是只有伊吾这样", "未写明巴里坤的情况"),
    # the plan's place named as what the asker heard, another asked as "也一样"
    ("我是巴里坤那边的，听说伊吾简易注销公示时间只要20天，我们巴里坤县是不是也一样？", "未写明巴里坤的情况"),
    # an individual business asking about a clause granting enterprises only
    ("我是個體戶剛辦照，聽說新開辦的都免費送第一套印章，我這種個體戶也算嗎？", "未写明个体工商户的情况（写的是新开办企业）"),
    # the quoted sentence's own exception
    ("政府投资的重大工程项目，审批全流程控制在多少个工作日？", "写明“除重大工程建设项目外”，未写明重大工程建设项目的情况"),
    ("上市的股份有限公司简易注销公示几天？", "未写明上市股份有限公司的情况"),
    # the plan's place named as the policy's, the asker's business seated elsewhere
    ("我公司注册在伊州区 伊吾那个新开公司免费刻章的政策我能享受不？", "未写明伊州区的情况"),
])
def test_the_gap_is_said_before_what_the_text_states(assistant, q, missing):
    a = assistant.answer(q)
    assert not a.refused and a.citations
    assert missing in first(a.text) and metrics.states_gap(a.text)
    assert f"（{assistant.library.get(a.citations[0]).citation}）" in a.text  # what it does state, cited


def test_a_lawfulness_question_leads_with_the_rule_of_conduct():
    from chatbot.answer.lead import first_sentence

    legal = classify("这样可以吗，有没有规定")
    limit = "机关、事业单位应当自交付之日起30日内支付款项，但付款期限最长不得超过60日"
    conduct = "大型企业不得约定以收到第三方付款作为向中小企业支付款项的条件"
    assert first_sentence(legal, [limit, conduct]) == 1  # a limit on a figure is not the rule asked about
    assert first_sentence(classify("最长多少天要付款"), [limit, conduct]) == 0


@pytest.mark.parametrize("q", ["开公司刻章要钱吗", "我们是哈密的公司来伊吾投标 要求本地有分公司合理吗",
                               "我住在哈密，想在伊吾开公司，刻章要钱吗", "伊吾的简易注销公示是20天吗",
                               "人在乌鲁木齐出差，伊吾的事能在外地办吗", "公司注册在伊吾 人在哈密 刻章要钱吗",
                               "研究生刚毕业 想来伊吾的单位上班 能直接聘不", "第一次被查到没签合同会直接罚款吗 真不是故意的",
                               "我是个体户，刻章要钱吗"])
def test_no_gap_where_the_scope_matches(assistant, q):
    assert not metrics.states_gap(assistant.answer(q).text)


@pytest.mark.parametrize("q, fact", [
    ("方案里一共有多少条具体措施？", "共有139条编号措施（编号2–140）"),
    ("这个营商环境方案管的是哪几年？", "实施期为2023—2025年"),
    ("保障措施有几条？", "共有8条保障措施"),
    ("方案里哪个部门承担的任务最多？", "承担措施最多的是市场监督管理局"),
    ("方案的主要任务分成几大块？", "分为17个部分"),
])
def test_questions_about_the_document_itself(assistant, q, fact):
    a = assistant.answer(q)
    assert a.answerer == "meta" and not a.refused and fact in a.text


def test_a_measure_question_mentioning_the_plan_is_not_about_the_plan(assistant):
    assert assistant.answer("方案提出要在2年内培育几个产教融合型企业？").answerer != "meta"


@pytest.mark.parametrize("q, unit", [
    ("人社局在这个方案里负责哪些事？全部列出来", "人社局"),
    ("市监局参与了哪些措施？都列一下", "市监局"),
    ("财政局在这个方案里都配合了哪些工作？", "财政局"),
    ("国家税务总局伊吾县税务局承担的任务有哪些", "税务局"),
])
def test_list_questions_with_any_verb_are_complete(assistant, engine, q, unit):
    from chatbot.search.filters import Filters

    a = assistant.answer(q)
    want = [r.ref for r in engine.filter_records(Filters(units=[unit]))]
    assert a.answerer == "structured" and a.citations == want
    assert f"**{len(want)}条**" in a.text
    assert "（标题缺失）" not in a.text  # a citizen's answer shows no parser notes
    assert all(len(line) < 160 for line in a.text.splitlines())  # titles, not clause texts


def test_citizen_answers_show_no_parser_notes(assistant):
    for q in ("第4.1条", "优化企业注销一网服务平台功能是什么"):
        assert "（标题缺失）" not in assistant.answer(q).text


def test_english_question_gets_an_english_frame(assistant):
    a = assistant.answer("How long is the public notice period for simplified deregistration?")
    assert first(a.text).startswith("20 days (20天)") and "**Responsible units and deadlines**" in a.text
    assert "Responsible: 市场监督管理局" in a.text and "Quoted from the Chinese original" in a.text
    no = assistant.answer("How do I renew my passport?")
    assert no.refused and no.text.startswith("Sorry")
    # no figure or yes/no to lead with: the reader is told which clause the Chinese below is
    other = assistant.answer("What does the plan do about foreign investment access?")
    assert not other.refused and first(other.text).startswith("The closest clause, 第")
    assert "says: " in first(other.text) and "（第" in first(other.text)  # the quote follows in the same sentence


def test_english_figures_keep_the_chinese_beside_them():
    from chatbot.answer.frames import figure_en

    assert figure_en("15个工作日以内") == "Within 15 working days (15个工作日以内)"
    assert figure_en("20天") == "20 days (20天)"
    assert figure_en("50万元") == "500,000 yuan (50万元)"
    assert figure_en("94%") == "94%" and figure_en("免费") == "免费"


def test_a_calendar_year_is_not_a_length_of_time():
    from chatbot.answer.lead import figure_in

    assert figure_in("全县纳入台账中的拖欠中小企业账款2023年底前全部清零", "duration") is None
    assert figure_in("12月31日前完成", "duration") is None
    assert figure_in("将公示时间由45天压缩至20天", "duration") == "20天"
    assert figure_in("3年内有效", "duration") == "3年内"


def test_how_long_leads_with_the_clause_that_states_a_length_of_time(assistant):
    """The plan's arrears clause (a 2023 deadline) ranks first, but the
    question asks how many days: the regulation's article with 30日 leads."""
    a = assistant.answer("机关单位买了我们小企业的货 最晚多少天内要付款")
    assert a.citations[0].startswith("smepay:") and "30日" in first(a.text)
    # the rule is quoted with the half after "；" that qualifies it
    assert "30日内支付款项；合同另有约定的，从其约定，但付款期限最长不得超过60日" in a.text


def test_a_follow_up_with_nothing_before_it_asks_which_measure(assistant):
    for q in ("那要多长时间？", "这个谁负责？", "那税务局呢"):
        a = assistant.answer(q)
        assert a.answerer == "clarify" and "哪一项措施" in a.text and not a.citations


def test_follow_up_keeps_the_subject(assistant):
    first_answer = assistant.answer("简易注销公示期现在是几天？")
    a = assistant.answer("要多久？", [first_answer])
    assert a.citations == first_answer.subject[:1] or a.citations[0] == first_answer.subject[0]


def test_related_clauses_are_links_but_not_citations(assistant, library):
    from chatbot.present.markdown import answer_markdown

    a = assistant.answer("简易注销公示要多少天？")
    assert a.related and not set(a.related) & set(a.citations)
    md = answer_markdown(a, library)
    rel = library.get(a.related[0])
    assert f"[{rel.citation}](#cite-" in md and rel.citation not in md.split("📎")[1]


def test_chips_belong_to_the_latest_answer(web):
    _, _, turns, _ = list(web.chat.respond("简易注销公示要多少天？", []))[-1][:4]
    *_, turns, chips = list(web.chat.respond("刻章要钱吗", turns))[-1][:4]
    refs = [r for _, r in chips.choices]
    assert refs[0] == "6" and "5.3" not in refs[:1] and set(turns[-1].answer.citations) <= set(refs)


# -- the metrics themselves ------------------------------------------------------------------
def test_lead_and_gap_metrics():
    text = "**不需要。**\n\n首套印章免服务费（第6条）。另外一句。\n\n- 第6条：完成时限：原文未写明"
    assert metrics.lead(text) == "不需要。首套印章免服务费（第6条）"
    assert not metrics.states_gap(text)  # a deadline line further down is no gap statement
    assert metrics.states_gap("方案未写明2026年的情况。方案写明的是：…")
    assert metrics.lead("（承接上一问：第5.3条）\n\n20天。") == "20天"


def test_score_on_hand_made_rows():
    rows = [
        {"type": "fact", "gold": ["5.3"], "must_include": ["20天"], "refused": False,
         "citations": ["5.3", "6"], "text": "20天。将…压缩至20天（第5.3条）。"},
        {"type": "fact", "gold": ["6"], "must_include": ["免服务费"], "refused": False,
         "citations": ["6"], "text": "说明。再说明。首套印章免服务费（第6条）。"},
        {"type": "half", "gold": ["5.3"], "must_include": [], "refused": False, "citations": ["5.3"],
         "text": "方案未写明普通注销的情况。方案写明的是：…"},
        {"type": "out_of_scope", "gold": [], "must_include": [], "refused": True, "citations": [], "text": "抱歉"},
        {"type": "list", "gold": ["1", "2", "3", "4"], "must_include": [], "refused": False,
         "citations": ["1", "2", "3", "9"], "text": "…"},
    ]
    m = metrics.score(rows)
    assert m["lead_hit_rate"] == 0.5 and m["must_include_rate"] == 1.0
    assert m["citation_precision"] == round(2 / 3, 4)  # lists are scored by their own precision
    assert m["gap_or_refusal_rate"] == 1.0 and m["list_recall"] == 0.75 and m["list_precision"] == 0.75
    assert m["false_refusal_rate"] == 0.0 and re.fullmatch(r"\d\.\d+", str(m["citation_hit_rate"]))


def test_the_year_asked_about_picks_the_sentence(assistant):
    """第55条 sets 88% / 91% / 94% for 2023 / 2024 / 2025."""
    assert assistant.answer("2024年底前网上办理比例要达到多少").text.startswith("91%。")
    # "What share of applications…" now ranks 第83条 first: the dictionary reads
    # share as 共享/股份 (README, Known limits)
    en = assistant.answer("What share of government services should be handled online by the end of 2024?")
    assert en.text.startswith("91%") and en.citations[0] == "55"


def test_a_sum_named_must_have_its_amount_in_a_sentence_naming_it():
    from chatbot.answer.figures import missing_figure

    clause = "实现灵活就业人员申报缴费基数在移动端办理。对新开办企业免费刻章。"
    assert missing_figure("社保缴费基数是多少", clause) == "金额"  # 免费 is another sentence's
    assert missing_figure("社保缴费基数是多少", "缴费基数为3000元。") is None
    assert missing_figure("刻章费用是多少", clause) is None  # the clause does not name 费用: any amount answers


def test_a_loan_term_is_not_a_length_of_time():
    from chatbot.answer.lead import FIGURES

    assert not FIGURES["duration"].search("约定利率不得低于合同订立时1年期贷款市场报价利率")
    assert FIGURES["duration"].search("租赁期限不得超过20年")


def test_a_yes_no_answered_by_a_clause_that_only_explores_says_so():
    from chatbot.answer.lead import explored

    s = "进一步完善住房公积金制度，探索开展灵活就业人员、个体工商户住房公积金制度试点，不断扩大覆盖面"
    assert explored("个体户能不能交住房公积金", s) == "探索开展灵活就业人员、个体工商户住房公积金制度试点"
    # the part asked about is settled; another part explores
    assert explored("开办企业能全程网办吗", "实现企业开办全程网办，探索试点新模式") is None


def test_the_tentative_lead_in_an_answer(assistant):
    a = assistant.answer("个体户能不能交住房公积金")
    assert first(a.text).startswith("方案写的是“探索开展") and "未写明现在是否已经实行" in first(a.text)


def test_may_they_make_me_is_settled_by_a_rule_of_conduct(assistant):
    # 第二十九条 states the topic ("国家依法严格规范行业协会商会的收费、评比"); 第十七条 forbids it
    for q in ("行业协会逼我们入会，不入会就不给开证明，这样合法吗", "商会硬拉我们参加评比，还要收评审费，这样合规吗"):
        a = assistant.answer(q)
        assert a.citations[0] == "obe:17" and "不得" in first(a.text)


def test_a_time_limit_leads_with_its_extension(assistant):
    # 第二十五条: "…30日内形成处理结果…。情况复杂…可适当延长，但处理期限最长不得超过90日。"
    a = assistant.answer("投诉了拖欠款，处理部门多少天内要给结果")
    assert first(a.text).startswith("30日内（") and "最长不得超过90日" in first(a.text)


def test_a_contract_that_agreed_nothing_is_led_by_the_default_rule(assistant):
    a = assistant.answer("对方拖了三个多月才付款，合同里压根没约定利息，我能要逾期利息吗")
    assert a.citations[0] == "smepay:17"
    assert first(a.text).startswith("未作约定的，按照每日利率万分之五支付逾期利息")


def test_the_rule_leads_not_the_penalty_that_restates_it(assistant):
    a = assistant.answer("国企甲方说要等审计局审计结果出来才跟我们结算，这样做符合保障中小企业款项支付条例吗")
    assert a.citations[0] == "smepay:12"  # 不得强制要求以审计结果作为结算依据, not 第三十三条's 责令改正
    how = assistant.answer("事业单位一直不按期付款，上面的主管部门会怎么处理他们")
    assert how.citations[0] == "smepay:31"  # asking what happens to them: the penalty is the answer


def test_a_penalty_article_is_known_by_its_sanction_without_a_penalty_chapter(assistant):
    from chatbot.answer.rules import is_penalty

    lib = assistant.library
    assert lib.get("obe:71").section.title == "法治保障" and is_penalty(lib.get("obe:71"))  # 责令改正
    assert not is_penalty(lib.get("obe:17"))
    a = assistant.answer("我们这行业协会每年非让交钱参加培训 不去就说评不了优秀 这合理吗")
    # a rule leads (第十七条 不得强制…参加…培训, or 第二十九条 on the associations' fees), not 第七十一条's 责令改正
    assert a.citations[0].startswith("obe:") and not is_penalty(lib.get(a.citations[0]))


def test_a_lawfulness_answer_quotes_the_articles_rule_of_conduct(assistant):
    """An article quoted for "这样可以吗" gives its 不得… sentence, whole: the
    half "没有依据的，不得…" says what has no basis only with the rule before it."""
    a = assistant.answer("办项目审批时窗口非让我们找他们推荐的咨询公司出报告，不找就不受理，这样可以吗")
    assert "obe:43" in a.citations
    quoted = a.text.split("（《优化营商环境条例》第四十三条）")[0]
    assert "不得" in quoted and not quoted.rsplit("。", 1)[-1].startswith("没有依据的")


def test_the_plans_echo_of_a_law_does_not_join_that_laws_article(assistant):
    """第92条 "贯彻落实好《促进个体工商户发展条例》" beside 第十三条 adds nothing; asked
    what the county does as well, it may join."""
    a = assistant.answer("个体户打算转成有限公司，转型之前必须先处理好哪些事")
    assert a.citations[0] == "ibp:13" and "92" not in a.citations
    both = assistant.answer("个体户经营场所难找，条例怎么规定，县里有什么配套措施")
    assert "92" in both.citations
