"""A rule stated once per kind of case (answer.cases): the asker's case leads,
a figure question naming none is told it depends and gets every case."""
from __future__ import annotations

import pytest

from chatbot.answer.cases import asker_case, cases
from chatbot.domain.tuning import ExtractiveTuning
from chatbot.text.sentences import split_sentences

T = ExtractiveTuning()
ART9 = ("机关、事业单位从中小企业采购货物、工程、服务，应当自货物、工程、服务交付之日起30日内支付款项；"
        "合同另有约定的，从其约定，但付款期限最长不得超过60日。\n"
        "大型企业从中小企业采购货物、工程、服务，应当自货物、工程、服务交付之日起60日内支付款项；"
        "合同另有约定的，从其约定，但应当按照行业规范、交易习惯合理约定付款期限并及时支付款项。")
TASKS = "推进企业开办全程网上办理；推进企业注销全程网上办理；推进社保登记全程网上办理。"


def test_the_cases_of_one_rule_are_found_by_their_shared_wording():
    s = split_sentences(ART9)
    group = cases(s, 0, T)
    assert [c.index for c in group] == [0, 2]
    assert [c.subject for c in group] == ["机关、事业单位", "大型企业"]
    assert cases(s, 1, T) == []  # the proviso is not a case of the rule


def test_parallel_tasks_without_figures_are_not_cases():
    assert cases(split_sentences(TASKS), 0, T) == []


@pytest.mark.parametrize("q, index", [
    ("我们是大型能源企业 最长能拖多久付款", 2),
    ("事业单位欠中小企业货款多久要付", 0),
    ("欠我们中小企业的钱多久要付", None),  # 中小企业 is the shared wording, not a case
])
def test_the_asker_case(q, index):
    s = split_sentences(ART9)
    assert asker_case(q, cases(s, 0, T)) == index


def test_a_number_names_a_case_only_whole():
    s = split_sentences("2023年底前，满意率达到98%以上；2024年底前，满意率达到99%以上。")
    group = cases(s, 0, T)
    assert asker_case("满意率现在要求多少？12345半夜有人接吗", group) is None  # "23" inside 12345
    assert asker_case("2024年满意率要求多少", group) == 1


def test_the_asker_case_leads_and_other_cases_are_dropped(assistant):
    a = assistant.answer("我们是大型能源企业 跟小供应商的合同能不能写成业主付了钱我们再付 最长能拖多久")
    assert a.citations[0] == "smepay:9"
    body = a.text.split("**相关条款**")[0]
    assert body.index("大型企业从中小企业采购") < 40 and "机关、事业单位从中小企业采购" not in body


def test_a_figure_question_naming_no_case_gets_every_case(assistant):
    a = assistant.answer("工程建设项目全流程审批要多少个工作日")
    assert a.citations[0] == "71" and a.text.startswith("方案按不同情形分别规定：")
    for fig in ("60个工作日", "50个工作日", "35个工作日", "30个工作日", "15个工作日"):
        assert fig in a.text
    assert assistant.answer("装修项目审批要几个工作日").text.startswith("15个工作日内。")


DEF3 = ("本条例所称中小企业，是指在中华人民共和国境内依法设立，依据国务院批准的中小企业划分标准确定的"
        "中型企业、小型企业和微型企业；所称大型企业，是指中小企业以外的企业。")


@pytest.mark.parametrize("q, kind", [
    ("给乡里食堂供羊肉 合作社算不算中小企业啊", "合作社"),
    ("送外卖的 平台欠了我俩月配送费 能拿那个中小企业款项支付条例去告它不", "送外卖的个人"),
    ("怎么知道我们公司到底算不算中小企业", None),  # an enterprise of any name
    ("我们是大型能源企业 跟小供应商的合同", None),
    ("现在的政策怎么样", None),
])
def test_the_askers_kind_outside_a_scope(q, kind):
    from chatbot.answer.gaps import asker_kind

    assert asker_kind(q, "中小企业", DEF3) == kind
    assert asker_kind(q, "个体工商户", "依法登记为个体工商户的，适用本条例。") in (None, "合作社")  # persons may be 个体户


def test_a_person_under_a_regulation_for_enterprises_is_told_whom_it_covers(assistant):
    a = assistant.answer("送外卖的 平台欠了我俩月配送费 能拿那个中小企业款项支付条例去告它不")
    assert a.text.startswith("《保障中小企业款项支付条例》适用于中小企业（第三条），未写明送外卖的个人的情况")
    assert "smepay:3" in a.citations and "本条例所称中小企业，是指" in a.text


@pytest.mark.parametrize("q", ["我们做建筑的，为保证给工人发工资押了好几十万现金在那，能不能不押现金？",
                               "做工程的，除了投标、履约、质量、农民工工资这几样保证金，甲方还能收别的保证金吗"])
def test_a_business_by_its_line_of_work_is_no_person(q):
    from chatbot.answer.gaps import asker_kind

    assert asker_kind(q, "中小企业", DEF3) is None


@pytest.mark.parametrize("q, narrated", [
    ("给一家大型连锁超市供货，货交了4个月还没结，利息能要吗", "4个月"),
    ("想开个24小时无人洗车店，这种新业态让搞吗", "24小时"),
])
def test_a_figure_the_asker_narrates_is_no_gap(assistant, q, narrated):
    assert f"未写明{narrated}" not in assistant.answer(q).text


def test_a_figure_asked_about_is_still_a_gap(assistant):
    assert assistant.answer("新建住宅的节能标准是不是已经提到80%了？").text.startswith("方案未写明80%的情况")
    # 60天 is the text's 60日
    a = assistant.answer("大型企业采购中小企业的货 是60天内付款吗")
    assert "未写明60天" not in a.text


def test_a_case_named_by_the_asker_in_a_clause_quoted_second(assistant):
    # reader round 9, R9-27: 第十七条 leads, 第九条 follows with its 大型企业 paragraph
    a = assistant.answer("我们是个小贸易公司，给一家大型连锁超市集团供牛羊肉，货交了4个月还没结，"
                         "合同也没写付款期限。想起诉，法院会不会拖很久？利息能要吗")
    assert a.citations[:2] == ["smepay:17", "smepay:9"]
    body = a.text.split("**相关条款**")[0]
    assert "大型企业从中小企业采购" in body and "机关、事业单位从中小企业采购" not in body


def test_every_quoted_article_is_held_to_its_own_scope(assistant):
    a = assistant.answer("我是个体户不是公司，听说大企业欠款逾期要按万分之五付利息，对个体户也管用吗")
    assert "适用于中小企业（第三条），未写明个体工商户的情况" in a.text.split("\n")[0]
    assert "smepay:3" in a.citations


def test_a_figure_set_for_another_case_of_the_same_kind_is_a_gap(assistant):
    # 第31.1条 names 高压 and 低压, but its 15个工作日 is the 低压 users' part of the sentence
    a = assistant.answer("高压用户接电全过程要多少个工作日？")
    assert a.text.startswith("方案未写明高压的情况") and not a.text.startswith("15个工作日")
    assert assistant.answer("低压小微企业接电全过程要多少个工作日？").text.startswith("15个工作日以内。")
