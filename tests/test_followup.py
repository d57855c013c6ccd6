"""Follow-up questions resolve against the previous turn's subject, no LLM."""
from __future__ import annotations



def test_how_long_after_a_question(assistant, engine):
    first = assistant.answer("简易注销公示期现在是几天？")
    assert first.subject[0] == "5.3"
    a = assistant.answer("那要多长时间？", [first])
    assert not a.refused
    assert a.citations == ["5.3"]
    assert "2023年6月" in a.text and "20天" in a.text


def test_who_is_responsible(assistant, engine):
    first = assistant.answer("刻章要钱吗")
    a = assistant.answer("这个谁负责？", [first])
    assert "6" in a.citations
    assert "市场监督管理局" in a.text


def test_ordinal_refers_to_previous_list(assistant, engine):
    first = assistant.answer("税务局负责哪些任务")
    a = assistant.answer("那第二条呢", [first])
    assert a.citations == [first.citations[1]]
    assert a.answerer == "lookup"


def test_other_department_same_question(assistant, engine):
    first = assistant.answer("税务局负责哪些任务")
    a = assistant.answer("那人社局呢", [first])
    assert a.answerer == "structured"
    want = [r.ref for r in engine.records if "人力资源和社会保障局" in r.units]
    assert sorted(a.citations) == sorted(want)


def test_uses_latest_subject(assistant, engine):
    h = [assistant.answer("刻章要钱吗"), assistant.answer("简易注销公示期现在是几天？")]
    a = assistant.answer("这个谁负责？", h)
    assert a.citations == ["5.3"]


def test_without_history_is_not_a_followup(assistant, engine):
    a = assistant.answer("那要多长时间？")
    assert a.answerer != "lookup"
    assert "承接上一问" not in a.text


def test_full_question_with_history_stands_alone(assistant, engine):
    first = assistant.answer("刻章要钱吗")
    a = assistant.answer("Can I apply for unemployment insurance benefits online?", [first])
    assert "承接上一问" not in a.text
    assert "22.5" in a.citations


def test_refused_turn_is_skipped(assistant, engine):
    h = [assistant.answer("简易注销公示期现在是几天？"), assistant.answer("怎么办护照")]
    assert h[1].refused
    a = assistant.answer("那要多长时间？", h)
    assert a.citations == ["5.3"]
