"""HTML for the web page: one clause (the side panel, the desk) and a whole
document as an outline. Every piece of corpus text passes through ``esc``."""
from __future__ import annotations

import html
import re
from collections import OrderedDict

from ..domain.records import ParseWarning, Record
from .replies import describe_warning, missing_measures


def esc(text) -> str:
    """HTML-escape anything (None → "")."""
    return html.escape("" if text is None else str(text), quote=True)


def clause_html(rec: Record | None, placeholder: str = "点击回答中的引用（如“第5.3条”）即可在此查看条款原文。") -> str:
    if rec is None:
        return f'<div class="clause-panel empty">{esc(placeholder)}</div>'
    warns = "".join(f'<li>{esc(w)}</li>' for w in rec.warnings)
    warn_block = (f'<div class="clause-warn">⚠️ 解析提示：<ul>{warns}</ul></div>' if warns else "")
    lead = "、".join(rec.section.lead_units)
    items = "".join(f"<li>{esc(i)}</li>" for i in rec.items)
    deadline = esc(rec.deadline_label)
    if rec.deadline and rec.deadline_raw and rec.deadline_raw != rec.deadline:
        deadline += f' <span class="muted">（{esc(rec.deadline)}）</span>'
    return (
        f'<div class="clause-panel" data-ref="{esc(rec.ref)}">'
        f'<div class="clause-cite">{esc(rec.citation)}</div>'
        f'<div class="clause-title">{esc(rec.title)}</div>'
        f'<div class="clause-doc">《{esc(rec.doc_title)}》</div>'
        f'<div class="clause-meta">'
        f'<div><span class="k">所属部分</span><span>{esc(rec.section.display)}'
        + (f'<span class="muted">（牵头：{esc(lead)}）</span>' if lead else "")
        + f'</span></div>'
        f'<div><span class="k">责任单位</span><span>{esc("、".join(rec.units) or "未列明")}</span></div>'
        f'<div><span class="k">完成时限</span><span>{deadline}</span></div>'
        f'</div>'
        f'<div class="clause-text">{esc(rec.text)}</div>'
        + (f'<ul class="clause-items">{items}</ul>' if items else "")
        + warn_block
        + '</div>'
    )


# -- the whole plan as an outline -----------------------------------------------
def _flag(text: str) -> str:
    return f'<div class="flag">⚠️ {esc(text)}</div>'


def _leaf_html(rec: Record, extra_flags: list[str]) -> str:
    meta = (f'<span class="chip">责任单位：{esc("、".join(rec.units) or "未列明")}</span>'
            f'<span class="chip">完成时限：{esc(rec.deadline_label)}</span>') if rec.kind != "article" else ""
    flags = "".join(_flag(w) for w in rec.warnings) + "".join(_flag(f) for f in extra_flags)
    items = "".join(f"<li>{esc(i)}</li>" for i in rec.items)
    return (f'<div class="leaf" id="rec-{esc(rec.uid)}" data-ref="{esc(rec.ref)}">'
            f'<div class="leaf-head"><b>{esc(rec.citation)}</b></div>'
            f'<div class="leaf-text">{esc(rec.text)}</div>'
            + (f'<ul>{items}</ul>' if items and rec.kind != "article" else "")
            + (f'<div class="leaf-meta">{meta}</div>' if meta else "") + f'{flags}</div>')


def doc_facts(corpus, library) -> str:
    """A document's own facts: 令号, dates, which version replaces which."""
    m = corpus.metadata or {}
    bits = []
    if m.get("orders"):
        bits.append("国务院令第" + "、".join(f"{n}号" for n in m["orders"]))
    for key, word in (("promulgated", "公布"), ("revised", "修订"), ("effective", "施行")):
        value = corpus.effective if key == "effective" else m.get(key)
        if value:
            bits.append(f"{value}{word}")
    if corpus.superseded_by:
        bits.append(f"已被《{library.doc(corpus.superseded_by).title}》取代")
    if corpus.supersedes:
        bits.append(f"取代《{library.doc(corpus.supersedes).title}》")
    return "；".join(bits)


def outline_html(library) -> str:
    """Sections → measures → sub-measures as nested <details>, with the
    parser's defect reports shown where they apply."""
    out = ['<div class="outline">']
    multi = len(library.corpora) > 1
    for corpus in library.corpora:
        warns = corpus.warnings
        missing = missing_measures(warns)
        flagged: set[int] = set()
        by_id: dict[str, list[str]] = {}
        unplaced: list[str] = []
        leaf_ids = {r.id for r in corpus.records}
        for w in warns:
            if w.record_id and w.record_id in leaf_ids:
                continue  # the record carries its own (Chinese) warning
            if w.record_id:
                by_id.setdefault(w.record_id, []).append(describe_warning(w))
            elif not re.search(r"section \S+ heading missing|measure \d+ is absent", w.message):
                unplaced.append(describe_warning(w))
        n_rec = len(corpus.records)
        if multi:
            facts = doc_facts(corpus, library)
            out.append(f'<details class="doc"{" open" if corpus.doc_id == library.default_doc else ""}>'
                       f'<summary>《{esc(corpus.title)}》'
                       f'<span class="muted">（{esc(corpus.doc_id)}，{n_rec}条）</span></summary>'
                       + (f'<div class="muted doc-facts">{esc(facts)}</div>' if facts else ""))
        else:
            out.append(f'<h3 class="doc-title">《{esc(corpus.title)}》</h3>')
        if warns:
            lst = "".join(f"<li>第{w.line}行：{esc(describe_warning(w))}</li>" if w.line
                          else f"<li>{esc(describe_warning(w))}</li>" for w in warns)
            out.append(f'<details class="parse-report"><summary>⚠️ 解析发现 {len(warns)} 处原文问题（点击查看）</summary>'
                       f'<ul>{lst}</ul></details>')
        for f in unplaced:
            out.append(_flag(f))
        # group records by section, then by measure, keeping document order
        sections: OrderedDict = OrderedDict()
        for r in corpus.records:
            key = (r.section.no, r.section.label)
            sections.setdefault(key, (r.section, OrderedDict()))[1].setdefault(
                r.measure_no if r.kind != "safeguard" else r.id, []).append(r)
        for (_, _), (sec, measures) in sections.items():
            count = sum(len(v) for v in measures.values())
            lead = f'<span class="muted">　牵头：{esc("、".join(sec.lead_units))}</span>' if sec.lead_units else ""
            missing_title = not sec.title
            out.append(f'<details class="section"><summary>{esc(sec.display)}'
                       f'{" ⚠️" if missing_title else ""}<span class="muted">（{count}条）</span>{lead}</summary>')
            if missing_title:
                out.append(_flag(f"原文缺少{sec.label}部分的标题"))
            for key, recs in measures.items():
                if isinstance(key, int):
                    for n in sorted(m for m in missing if m < key and m not in flagged):
                        out.append(_flag(f"原文缺少第{n}条"))
                        flagged.add(n)
                first = recs[0]
                mflags = by_id.get(str(key), [])
                if len(recs) == 1 and first.kind != "sub":
                    title = f"{first.citation} {first.title}"
                    out.append(f'<details class="measure"><summary>{esc(title)}'
                               f'{" ⚠️" if first.warnings or mflags else ""}</summary>'
                               f'{_leaf_html(first, mflags)}</details>')
                else:
                    title = f"第{key}条 {first.title}" if isinstance(key, int) else f"{first.citation} {first.title}"
                    body = "".join(_leaf_html(r, []) for r in recs)
                    flags = "".join(_flag(f) for f in mflags)
                    warn = " ⚠️" if mflags or any(r.warnings for r in recs) else ""
                    out.append(f'<details class="measure"><summary>{esc(title)}{warn}'
                               f'<span class="muted">（{len(recs)}项）</span></summary>{flags}{body}</details>')
            out.append("</details>")
        if multi:
            out.append("</details>")
    out.append("</div>")
    return "".join(out)
