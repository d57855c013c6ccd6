"""Grounded answers. PROVISIONAL skeleton: the grounded-answers work replaces
the internals; the signatures below are the contract front ends use."""
from __future__ import annotations

from collections.abc import Iterator

from .models import Answer
from .retrieve import get_engine


def answer(question: str, history: list[Answer] | None = None) -> Answer:
    hits = get_engine().search(question, k=5)
    if not hits:
        return Answer(question, "方案未涉及该问题，请拨打12345政务服务便民热线咨询。", [], [], True, "extractive")
    top = hits[0].record
    text = f"{top.body}（{top.citation}）\n\n责任单位：{'、'.join(top.units)}；完成时限：{top.deadline_raw}"
    return Answer(question, text, [top.ref], hits, False, "extractive", subject=[top.ref])


def stream_answer(question: str, history: list[Answer] | None = None) -> Iterator[tuple[str, Answer | None]]:
    """Yields (text so far, None) while generating, then (final text, Answer)."""
    a = answer(question, history)
    yield a.text, a
