"""A question asking yes/no beside a figure the text lacks (answer.figures.asks_more):
the part the text answers is answered, the missing figure said first."""
from __future__ import annotations

import pytest

from chatbot.answer.figures import asked_part, asks_more, missing_figure, missing_phrase


@pytest.mark.parametrize("q, kind, more", [
    ("来伊吾工作的医生有补贴吗 每个月多少钱", "金额", True),
    ("村里有人想当监督员 普通牧民能报名不 一个月给多少补助", "金额", True),
    ("失业保险金一个月能领多少钱 能领几个月", "金额", False),  # the other part is open too
    ("农村低保每月标准是多少，怎么申请？", "金额", False),
    ("大棚用电一度多少钱 跟居民电价一样吗", "金额", False),  # a comparison of the figure itself
    ("办营业执照要准备哪些材料，有没有清单", "材料清单", False),  # the yes/no asks for the list
    ("人才引进生活补助具体给多少钱", "金额", False),  # one part only
])
def test_asks_more(q, kind, more):
    assert asks_more(q, kind) is more


def test_the_sum_named_and_what_counts_as_asking():
    assert missing_phrase("一个月给多少补助", "金额") == "补助的具体金额"
    assert missing_phrase("每个月多少钱", "金额") == "具体金额"
    assert asked_part("报装收了好几笔说不清的费用，收费标准也不公开，可以这样吗") == "可以这样吗"  # 好几 asks nothing


@pytest.mark.parametrize("q, missing", [
    ("涉企收费要不要明确收费标准并公开", None),  # whether fees are set and published, not how much
    ("国家要求公开收费标准吗", None),
    ("县里停车场收费标准", "金额"),  # asks the fees themselves
])
def test_a_fee_standard_asked_for_and_one_only_named(q, missing):
    assert missing_figure(q, "不得违规收费。") == missing


def test_the_answered_part_is_answered_and_the_figure_said_missing(assistant):
    a = assistant.answer("来伊吾工作的医生有补贴吗 每个月多少钱")
    assert not a.refused and a.text.startswith("方案未写明具体金额。方案写明的是：")
    assert "卫生人才" in a.text and a.citations[0] == "28.2"
    assert assistant.answer("人才引进生活补助具体给多少钱").refused  # nothing else asked: declined as before
