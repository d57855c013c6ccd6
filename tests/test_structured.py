"""Structured list/count questions: complete lists from the parsed metadata,
and conservative routing (ordinary questions mentioning a department are not
hijacked)."""
from __future__ import annotations

import pytest

from chatbot.search import intent as structured
from chatbot.text.normalize import normalize

COURT = "县人民法院"
TAX = "国家税务总局伊吾县税务局"
HR = "人力资源和社会保障局"


@pytest.mark.parametrize("q,unit", [
    ("税务局负责哪些任务", TAX),
    ("法院牵头的措施有几条", COURT),
    ("人社局2023年底前要完成什么", HR),
    ("市监局负责的措施清单", "市场监督管理局"),
])
def test_detects_department_lists(engine, q, unit):
    sq = structured.detect(normalize(q), engine.library.known_units)
    assert sq is not None and sq.units == [unit]


@pytest.mark.parametrize("q", [
    "注销公司时，税务局那边涉税的手续能在网上办吗",
    "税务局提供的清税注销服务一共有几种？",
    "2024年全县智能快件箱小区覆盖率要达到多少？",
    "2023年底前政务服务好差评满意率要达到多少？",
    "刻章要钱吗",
    "法院的文书能不能直接发到网上，不用去领",
])
def test_ordinary_questions_are_not_hijacked(engine, q):
    assert structured.detect(normalize(q), engine.library.known_units) is None


def test_court_count_matches_records(assistant, engine):
    a = assistant.answer("法院牵头的措施有几条")
    assert a.answerer == "structured" and not a.refused
    mine = [r.ref for r in engine.records if COURT in r.units]
    assert a.citations == mine
    assert f"**{len(mine)}条**" in a.text
    led = [r for r in engine.records if COURT in r.section.lead_units]
    assert f"**{len(led)}条**" in a.text  # the lead-unit count is explained too
    assert "牵头单位" in a.text and "责任单位" in a.text


def test_tax_list_is_complete_and_grouped(assistant, engine):
    a = assistant.answer("税务局负责哪些任务")
    mine = [r.ref for r in engine.records if TAX in r.units]
    assert len(mine) > 5  # more than a top 5
    assert sorted(a.citations) == sorted(mine)
    assert "（十一）优化纳税服务" in a.text


def test_deadline_list(assistant, engine):
    a = assistant.answer("2024年6月前要完成哪些措施")
    want = {r.ref for r in engine.records if r.deadline and r.deadline <= "2024-06"}
    assert set(a.citations) == want
    assert f"**{len(want)}条**" in a.text
    assert "**2023年6月**" in a.text
    # the unparseable deadline is reported, not guessed
    assert "20235年12月" in a.text


def test_department_and_deadline(assistant, engine):
    a = assistant.answer("人社局2023年底前要完成什么")
    want = [r.ref for r in engine.records if HR in r.units and r.deadline and r.deadline <= "2023-12"]
    assert a.citations == want
    assert f"**{len(want)}条**" in a.text


def test_year_window():
    after, before, text, _ = structured._dates("2024年要完成哪些措施")
    assert (after, before) == ("2024-01", "2024-12")
    after, before, _, _ = structured._dates("2024年6月以后")
    assert (after, before) == ("2024-06", None)
