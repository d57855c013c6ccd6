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
