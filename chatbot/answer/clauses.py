"""Clause-level pieces of an answer: the 责任单位/完成时限 line of a record,
related clauses, the full text of referenced clauses. Citizens' answers show
no parser defect notes ("（标题缺失）"); hotline staff see them on the desk."""
from __future__ import annotations

import re

from ..domain.citations import measure_label
from ..domain.records import Answer, Hit, Record
from ..text.sentences import strip_id
from .frames import ZH, Frame

DURATION_RE = re.compile(r"\d+(?:\.\d+)?\s*(?:个)?(?:工作日|天|小时|个月|年)(?:内|以内)?")


def unit_line(r: Record, titled: bool = False, f: Frame = ZH) -> str:
    """``titled``: name the measure too; an answer quotes sentences, and the
    title is the one-line summary a caller reads out ("第87条（…“全程网办”）")."""
    # Safeguards carry no deadline by design; "完成时限：原文未写明" would read as a gap.
    deadline = None if r.kind == "safeguard" and not r.deadline_raw else r.deadline_label
    return f.unit_line(r.citation, r.title if titled else "", r.units_label, deadline)


def durations(text: str) -> list[str]:
    return list(dict.fromkeys(m.group(0) for m in DURATION_RE.finditer(text)))


def related(hits: list[Hit], exclude: set[str], limit: int = 3, floor: float = 0.0) -> list[Record]:
    """The next best clauses, for the reader to open (never cited): those
    scoring at least ``floor`` of the best cited one, since a clause far
    below it is off the topic and a list of them reads as noise."""
    best = max((h.score for h in hits if h.record.uid in exclude), default=0.0)
    out: list[Record] = []
    for h in hits:
        if h.score < floor * best:
            continue
        if h.record.uid not in exclude and h.record not in out:
            out.append(h.record)
        if len(out) >= limit:
            break
    return out


def related_lines(records: list[Record]) -> list[str]:
    return [f"- {r.citation} {r.title}" for r in records]


def lookup_answer(q: str, records: list[Record], text: str | None = None) -> Answer:
    """The full clause(s) a question named ("第5.3条讲什么")."""
    refs = [r.ref for r in records]
    hits = [Hit(r, 1.0, via="ref") for r in records]
    return Answer(q, text or full_clause(records), refs, hits, False, "lookup", subject=refs)


def _without_heading(r: Record) -> str:
    """The body without its number and, for a safeguard, its repeated
    heading ("（三）加强日常调度。…")."""
    body = strip_id(r.body)
    if r.kind == "safeguard":
        body = re.sub(r"^[（(][一二三四五六七八九十]+[）)]\s*" + re.escape(r.title) + r"[。.]?\s*", "", body)
    return body or strip_id(r.body)


def full_clause(records: list[Record]) -> str:
    """The complete text of referenced clauses (exact-reference questions)."""
    blocks = []
    by_measure: dict[str, list[Record]] = {}
    for r in records:
        key = f"{r.doc_id}:{r.measure_no if r.measure_no is not None else r.id}"
        by_measure.setdefault(key, []).append(r)
    for recs in by_measure.values():
        first = recs[0]
        whole = measure_label(first.measure_no) if first.measure_no is not None else ""
        if len(recs) > 1:
            head = f"**{whole} {first.title}**" if whole else f"**{first.title}**"
        elif first.kind == "sub":
            head = f"**{first.citation}**（属于{whole}“{first.title}”）"
        elif first.kind == "article":  # its "title" is its own first words
            head = f"**{first.citation}**"
        else:
            head = f"**{first.citation} {first.title}**"
        # The clause's own words right after its heading: a reader (and an
        # operator reading aloud) wants what it says before where it sits.
        lines = []
        for r in recs:
            prefix = f"{r.id} " if len(recs) > 1 else ""
            lines.append(f"{prefix}{_without_heading(r).rstrip('。')}（{r.citation}）。")
            if r.units or r.deadline_raw or r.kind != "article":
                lines.append(unit_line(r))
        lines[0] = f"{head}：{lines[0]}"
        if first.section.public_display not in ("", "全文"):
            lines.append(f"所属部分：{first.section.public_display}")
        blocks.append("\n\n".join(lines))
    return "\n\n".join(blocks)
