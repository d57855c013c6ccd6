"""List and count answers, complete from the parsed metadata: every measure
of a department, a deadline range or a section, grouped and counted — not a
top 5. Which questions come here is decided by ``search.intent``."""
from __future__ import annotations

from ..domain.citations import measure_label
from ..domain.dates import month_label
from ..domain.numerals import int_to_cn
from ..domain.records import Record, Section
from ..search.filters import Filters
from ..search.intent import StructuredQuery
from .extractive import Composition


def _accepts(r: Record, q: StructuredQuery, unit: str | None) -> bool:
    """The same filter the hotline desk uses; unit is already canonical."""
    f = Filters(units=[unit] if unit else [], section=q.section,
                deadline_after=q.after, deadline_before=q.before)
    return f.accepts(r, [unit] if unit else [])


def _sections(records: list[Record]) -> list[tuple[Section, list[Record]]]:
    out: dict[tuple, tuple[Section, list[Record]]] = {}
    for r in records:
        key = (r.section.doc_id, r.section.label)
        out.setdefault(key, (r.section, []))[1].append(r)
    return list(out.values())


def _measures(records: list[Record]) -> list[list[Record]]:
    """Leaves grouped by their measure, in document order."""
    out: dict[str, list[Record]] = {}
    for r in records:
        out.setdefault(f"{r.doc_id}:{r.measure_no if r.measure_no is not None else r.id}", []).append(r)
    return list(out.values())


def _item(recs: list[Record], show_units: bool) -> str:
    """One line per measure: its title and the listed leaves, each with its
    deadline (the clause text is one click away)."""
    first = recs[0]
    units = f"；责任单位：{'、'.join(first.units)}" if show_units and len(recs) == 1 else ""
    if len(recs) == 1:
        return f"- {first.citation} {first.title}（{first.deadline_label}{units}）"
    leaves = "、".join(f"{r.citation}（{r.deadline_label}）" for r in recs)
    return f"- {measure_label(first.measure_no)} {first.title}：{leaves}"


def _by_section(records: list[Record], show_units: bool) -> list[str]:
    lines = []
    for sec, recs in _sections(records):
        lines.append(f"\n**{sec.public_display}**（{len(recs)}条）")
        lines += [_item(group, show_units) for group in _measures(recs)]
    return lines


def _by_deadline(records: list[Record], show_units: bool = True) -> list[str]:
    groups: dict[str, list[Record]] = {}
    for r in records:
        groups.setdefault(r.deadline or "", []).append(r)
    lines = []
    for ym in sorted(groups):
        recs = groups[ym]
        lines.append(f"\n**{month_label(ym) if ym else '完成时限未写明'}**（{len(recs)}条）")
        for r in recs:
            extra = f"（责任单位：{r.units_label}）" if show_units else ""
            lines.append(f"- {r.citation} {r.title}{extra}")
    return lines


def _scope(q: StructuredQuery) -> str:
    bits = []
    if q.section is not None:
        bits.append(f"第（{int_to_cn(q.section)}）部分")
    if q.date_text:
        bits.append(f"完成时限在{q.date_text}")
    return "、".join(bits)


def answer(q: StructuredQuery, records: list[Record], sections: list[Section]) -> Composition:
    """The complete grouped and counted list for a structured question."""
    parts: list[str] = []
    listed: list[Record] = []
    scope = _scope(q)
    if q.units:
        for unit in q.units:
            recs = [r for r in records if _accepts(r, q, unit)]
            led = [s for s in sections if unit in s.lead_units
                   and (q.section is None or s.no == q.section)]
            led_recs = [r for r in records if r.section in led and _accepts(r, q, None)]
            cond = f"（{scope}）" if scope else ""
            if q.lead and led:
                secs = "、".join(s.public_display for s in led)
                parts.append(f"按“牵头单位”统计：{unit}牵头{len(led)}个领域（{secs}），这些领域{cond}共有**{len(led_recs)}条**措施。"
                             f"按“责任单位”统计：{unit}{cond}直接负责**{len(recs)}条**措施，清单如下。")
            elif q.lead:
                parts.append(f"{unit}不是任何领域的牵头单位；按“责任单位”统计，{unit}{cond}负责**{len(recs)}条**措施，清单如下。")
            else:
                note = ""
                if led:
                    note = f"（另外，{unit}是{'、'.join(s.public_display for s in led)}的牵头单位）"
                parts.append(f"按“责任单位”统计，{unit}{cond}负责的措施共**{len(recs)}条**{note}，按领域分组如下：")
            if recs:
                parts.extend(_by_section(recs, show_units=False))
            else:
                parts.append("（没有符合条件的措施。）")
            listed += [r for r in recs if r not in listed]
            parts.append("")
    else:
        recs = [r for r in records if _accepts(r, q, None)]
        how = "按完成时限分组" if (q.after or q.before) else "按领域分组"
        parts.append(f"{scope}的措施共**{len(recs)}条**" + (f"，{how}如下：" if recs else "。"))
        if q.after or q.before:
            parts.extend(_by_deadline(recs))
        else:
            parts.extend(_by_section(recs, show_units=True))
        listed = recs
    if q.after or q.before:
        bad = [r for r in records if r.deadline_raw and not r.deadline
               and (not q.units or any(u in r.units for u in q.units))]
        if bad:
            parts.append("\n注意：" + "；".join(f"{r.citation}的完成时限原文为“{r.deadline_raw}”，无法识别，未计入" for r in bad) + "。")
        undated = [r for r in records if r.kind == "safeguard" and not r.deadline_raw]
        if undated:
            parts.append(f"保障措施（{undated[0].id}–{undated[-1].id}）原文未写完成时限，未计入按时限的统计。")
    refs = [r.ref for r in listed]
    return Composition("\n".join(parts).strip(), refs, refs, listed)
