"""Structured questions answered completely from the parsed metadata:
"税务局负责哪些任务", "2024年6月前要完成哪些措施", "法院牵头的措施有几条",
"人社局2023年底前要完成什么". Complete, grouped, counted lists — not a top 5.

Routing is conservative: a question goes here only when it names a
department, a deadline or a section AND asks for a list or a count AND says
nothing else (no topic words left once those parts are removed), so an
ordinary question that happens to mention 税务 is not hijacked."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import departments
from .corpus import cn_to_int
from .extractive import Composition, split_sentences
from .models import Record, Section
from .tokenize import tokens

LIST_INTENT = re.compile(
    r"负责|牵头|承担|主抓|哪些|哪几|几条|几项|几个|多少条|多少项|多少个|清单|列出|列表|汇总|统计|"
    r"都有什么|有什么|有啥|完成什么|做什么|干什么|完成啥|任务|所有|全部|一共|总共")
COUNT_INTENT = re.compile(r"几条|几项|几个|多少条|多少项|多少个|多少|一共|总共|数量")
LEAD_INTENT = re.compile(r"牵头")

DATE = re.compile(
    r"(?:截至|截止到?|到)?\s*(\d{4})\s*年\s*(?:(\d{1,2})\s*月(?:份)?(?:底|末)?|(上半年)|(下半年)|(年底|底|年末|末))?"
    r"\s*(前|之前|以前|为止|截止|内|以内|后|之后|以后|起)?")
SECTION_RE = re.compile(r"第([一二三四五六七八九十]+|\d{1,2})(?:部分|领域|方面|大项)|[（(]([一二三四五六七八九十]+)[）)]")

# Words that carry no topic once department / deadline / section are removed.
GENERIC = set("""
负责 牵头 承担 主抓 任务 措施 工作 事项 哪些 哪几 几条 几项 几个 多少 多少条 多少项 多少个 条 项 个 完成 清单
列出 列表 汇总 统计 数量 全部 所有 一共 总共 共 责任 单位 部门 责任单位 牵头单位 牵头部门 具体 主要 内容
时限 期限 截止 截至 之前 以前 为止 之后 以后 底 年底 年末 末 年 月 月份 上半年 下半年 前 后 内 以内 起 要 需 需要
做 干 做什么 干什么 有 都 分别 各 到期 涉及 相关 包括 包含 方面 领域 部分 大项 看看 查 查询 总计 管 哪 几 啥
什么 有啥 多 少 有哪些 都有 哪个 到 得 应 应该 应当 必须 计划 安排 重点 要求 落实 推进 开展 实施 方案 县里
""".split())


@dataclass
class StructuredQuery:
    units: list[str] = field(default_factory=list)
    after: str | None = None
    before: str | None = None
    date_text: str | None = None
    section: int | None = None
    count: bool = False
    lead: bool = False


def _dates(text: str) -> tuple[str | None, str | None, str | None, list[tuple[int, int]]]:
    """(after, before, human text, spans) for the first date in the text."""
    for m in DATE.finditer(text):
        year = int(m.group(1))
        if not 2000 <= year <= 2100:
            continue
        month, h1, h2, end, direction = m.group(2), m.group(3), m.group(4), m.group(5), m.group(6) or ""
        y = f"{year:04d}"
        if month:
            mo = int(month)
            if not 1 <= mo <= 12:
                continue
            lo = hi = f"{y}-{mo:02d}"
            human = f"{year}年{mo}月"
        elif h1:
            lo, hi, human = f"{y}-01", f"{y}-06", f"{year}年上半年"
        elif h2:
            lo, hi, human = f"{y}-07", f"{y}-12", f"{year}年下半年"
        elif end:
            lo = hi = f"{y}-12"
            human = f"{year}年底"
            if not direction:
                direction = "前"
        else:
            lo, hi, human = f"{y}-01", f"{y}-12", f"{year}年"
        if direction in ("前", "之前", "以前", "为止", "截止", "内", "以内") or m.group(0).startswith(("截至", "截止", "到")):
            return None, hi, f"{human}前（含）", [m.span()]
        if direction in ("后", "之后", "以后", "起"):
            return lo, None, f"{human}及以后", [m.span()]
        return lo, hi, human, [m.span()]
    return None, None, None, []


def _unit_spans(text: str, known: list[str]) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    names = sorted(set(known) | set(departments.ALIASES), key=len, reverse=True)
    for n in names:
        if len(n) < 2:
            continue
        for m in re.finditer(re.escape(n), text):
            if not any(a < m.end() and m.start() < b for a, b in spans):
                if departments.canonical(n, known):
                    spans.append(m.span())
    # "伊吾县税务局": the county prefix goes with the department
    return spans


def detect(text: str, known_units: list[str], n_sections: int = 17) -> StructuredQuery | None:
    """A StructuredQuery when the (normalised) question is a list/count
    question about departments, deadlines or a section; otherwise None."""
    if not LIST_INTENT.search(text):
        return None
    units = departments.mentioned(text, known_units)
    after, before, date_text, dspans = _dates(text)
    section = None
    sspans: list[tuple[int, int]] = []
    if m := SECTION_RE.search(text):
        n = cn_to_int(m.group(1) or m.group(2))
        if n and 1 <= n <= n_sections:
            section = n
            sspans = [m.span()]
    if not units and not (after or before) and section is None:
        return None
    spans = _unit_spans(text, known_units) + dspans + sspans
    residual = "".join(" " if any(a <= i < b for a, b in spans) else c for i, c in enumerate(text))
    residual = re.sub(r"伊吾县|伊吾|县", " ", residual)
    rest = [t for t in tokens(residual) if t not in GENERIC and not re.fullmatch(r"[\d\W_]+", t)]
    if rest:
        return None
    return StructuredQuery(units=units, after=after, before=before, date_text=date_text,
                           section=section, count=bool(COUNT_INTENT.search(text)),
                           lead=bool(LEAD_INTENT.search(text)))


def _accepts(r: Record, q: StructuredQuery, unit: str | None) -> bool:
    """The same filter the hotline desk uses; unit is already canonical."""
    from .retrieve import Filters

    f = Filters(units=[unit] if unit else [], section=q.section,
                deadline_after=q.after, deadline_before=q.before)
    return f.accepts(r, [unit] if unit else [])


def _snippet(r: Record, n: int = 40) -> str:
    sents = split_sentences(r.body)
    s = (sents[0] if sents else r.body).rstrip("。；;，,：:")
    return s if len(s) <= n else s[:n] + "…"


def _deadline_text(r: Record) -> str:
    if r.deadline:
        return r.deadline_raw or r.deadline
    if r.deadline_raw:
        return f"原文“{r.deadline_raw}”，无法识别"
    return "未写明"


def _month(ym: str) -> str:
    y, m = ym.split("-")
    return f"{int(y)}年{int(m)}月"


def _sections(records: list[Record]) -> list[tuple[Section, list[Record]]]:
    out: dict[tuple, tuple[Section, list[Record]]] = {}
    for r in records:
        key = (r.section.doc_id, r.section.label)
        out.setdefault(key, (r.section, []))[1].append(r)
    return list(out.values())


def _by_section(records: list[Record], show_units: bool) -> list[str]:
    lines = []
    for sec, recs in _sections(records):
        lines.append(f"\n**{sec.display}**（{len(recs)}条）")
        for r in recs:
            extra = f"；责任单位：{'、'.join(r.units)}" if show_units else ""
            lines.append(f"- {r.citation} {r.title}：{_snippet(r)}（完成时限：{_deadline_text(r)}{extra}）")
    return lines


def _by_deadline(records: list[Record], show_units: bool = True) -> list[str]:
    groups: dict[str, list[Record]] = {}
    for r in records:
        groups.setdefault(r.deadline or "", []).append(r)
    lines = []
    for ym in sorted(groups):
        recs = groups[ym]
        lines.append(f"\n**{_month(ym) if ym else '完成时限未写明'}**（{len(recs)}条）")
        for r in recs:
            extra = f"（责任单位：{'、'.join(r.units) or '未写明'}）" if show_units else ""
            lines.append(f"- {r.citation} {r.title}：{_snippet(r)}{extra}")
    return lines


def _scope(q: StructuredQuery) -> str:
    bits = []
    if q.section is not None:
        from .corpus import int_to_cn

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
                secs = "、".join(s.display for s in led)
                parts.append(f"按“牵头单位”统计：{unit}牵头{len(led)}个领域（{secs}），这些领域{cond}共有**{len(led_recs)}条**措施。"
                             f"按“责任单位”统计：{unit}{cond}直接负责**{len(recs)}条**措施，清单如下。")
            elif q.lead:
                parts.append(f"{unit}不是任何领域的牵头单位；按“责任单位”统计，{unit}{cond}负责**{len(recs)}条**措施，清单如下。")
            else:
                note = ""
                if led:
                    note = f"（另外，{unit}是{'、'.join(s.display for s in led)}的牵头单位）"
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
        if any(r.kind == "safeguard" for r in records):
            parts.append("保障措施（S1–S8）原文未写完成时限，未计入按时限的统计。")
    refs = [r.ref for r in listed]
    return Composition("\n".join(parts).strip(), refs, refs, listed)
