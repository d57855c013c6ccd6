"""The overview tab's data: measures per department, deadlines per month."""
from __future__ import annotations

import pandas as pd

from ...corpus.library import Library
from ...present.markdown import md_escape


def units_frame(library: Library, top: int | None = None) -> pd.DataFrame:
    counts: dict[str, int] = {}
    for r in library.records:
        for u in r.units:
            counts[u] = counts.get(u, 0) + 1
    df = pd.DataFrame(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])), columns=["责任单位", "措施数"])
    return df.head(top) if top else df


def deadlines_frame(library: Library) -> pd.DataFrame:
    """Every month from the first deadline's year to the last's, with counts
    and a running total."""
    counts: dict[str, int] = {}
    for r in library.records:
        if r.deadline:
            counts[r.deadline] = counts.get(r.deadline, 0) + 1
    if not counts:
        return pd.DataFrame(columns=["月份", "到期措施数", "累计到期"])
    lo, hi = int(min(counts)[:4]), int(max(counts)[:4])
    months = [f"{y}-{m:02d}" for y in range(lo, hi + 1) for m in range(1, 13)]
    rows, total = [], 0
    for m in months:
        n = counts.get(m, 0)
        total += n
        rows.append([m, n, total])
    return pd.DataFrame(rows, columns=["月份", "到期措施数", "累计到期"])


def overview_markdown(library: Library) -> str:
    plan = [c for c in library.corpora if c.format == "plan"]
    others = [c for c in library.corpora if c.format != "plan"]
    text = _plan_summary(library, plan) if plan else ""
    if others:
        lines = []
        for c in others:
            orders = "、".join(f"国务院令第{n}号" for n in c.metadata.get("orders", []))
            state = "（已被修订，仅供对照）" if c.superseded_by else ""
            lines.append(f"- 《{md_escape(c.title)}》{('，' + orders) if orders else ''}：{len(c.records)}条"
                         f"{('，' + str(c.effective) + '施行') if c.effective else ''}{state}")
        text += "\n\n同时收录国家法规（无责任单位和完成时限，下列图表只统计方案）：\n" + "\n".join(lines)
    return text


def _plan_summary(library: Library, plans) -> str:
    recs = [r for c in plans for r in c.records]
    n_units = len({u for r in recs for u in r.units})
    no_deadline = sum(1 for r in recs if not r.deadline)
    years: dict[str, int] = {}
    for r in recs:
        if r.deadline:
            years[r.deadline[:4]] = years.get(r.deadline[:4], 0) + 1
    by_year = "，".join(f"{y}年 {n} 条" for y, n in sorted(years.items()))
    docs = "、".join(f"《{md_escape(c.title)}》" for c in plans)
    return (f"**{docs}** 共 **{len(recs)}** 条具体措施（含子项），涉及 **{n_units}** 个责任单位。"
            f"按完成时限：{by_year}；另有 {no_deadline} 条未规定或无法识别完成时限。"
            f"解析时发现原文问题 {sum(len(c.warnings) for c in plans)} 处（见“政策全文”页）。")


def quarters_frame(library: Library) -> pd.DataFrame:
    """Deadlines per quarter: twelve bars read on a phone where 36 months do not."""
    months = deadlines_frame(library)
    rows: dict[str, int] = {}
    for m, n in zip(months["月份"], months["到期措施数"]):
        q = f"{m[:4]}年第{(int(m[5:7]) - 1) // 3 + 1}季度"
        rows[q] = rows.get(q, 0) + int(n)
    return pd.DataFrame(list(rows.items()), columns=["季度", "到期措施数"])


def bars_html(frame: pd.DataFrame, label: str, value: str, title: str, top: int | None = None,
              elem: str = "") -> str:
    """Horizontal bars with their values written out: they read at 390 px
    and on a screen reader, unlike rotated axis labels. Past ``top``, the
    rest open on demand."""
    import html

    if frame.empty:
        return f'<div class="bars" id="{elem}"><div class="bars-title">{html.escape(title)}</div>' \
               f'<div class="muted">（无数据）</div></div>'
    peak = max(int(v) for v in frame[value]) or 1

    def row(lbl, v) -> str:
        pct = 100 * int(v) / peak
        return (f'<div class="bar-row" role="listitem"><span class="bar-label" title="{html.escape(str(lbl))}">{html.escape(str(lbl))}</span>'
                f'<span class="bar-track"><span class="bar" style="width:{pct:.1f}%"></span></span>'
                f'<span class="bar-value">{int(v)}</span></div>')

    pairs = list(zip(frame[label], frame[value]))
    head, rest = (pairs[:top], pairs[top:]) if top else (pairs, [])
    out = [f'<div class="bars" id="{elem}"><div class="bars-title">{html.escape(title)}</div>',
           '<div role="list">', *(row(lbl, v) for lbl, v in head), "</div>"]
    if rest:
        out += [f"<details><summary>显示其余 {len(rest)} 项</summary><div role=\"list\">",
                *(row(lbl, v) for lbl, v in rest), "</div></details>"]
    out.append("</div>")
    return "".join(out)
