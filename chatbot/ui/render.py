"""HTML and Markdown for the web page. Every piece of user input and corpus
text passes through :func:`esc` (HTML) or :func:`md_escape` (Markdown)
before it reaches the browser."""
from __future__ import annotations

import html
import re
from collections import OrderedDict
from urllib.parse import quote

from ..models import Answer, ParseWarning, Record

CITE_PREFIX = "#cite-"


def esc(text) -> str:
    """HTML-escape anything (None → "")."""
    return html.escape("" if text is None else str(text), quote=True)


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>])")


def md_escape(text: str) -> str:
    """Text shown literally inside Markdown: no tags, links, emphasis."""
    return _MD_SPECIAL.sub(r"\\\1", html.escape(text or "", quote=False))


def cite_href(ref: str) -> str:
    return CITE_PREFIX + quote(ref, safe="")


# -- answers -------------------------------------------------------------------
_LINKISH = re.compile(r"[\[\]]")


def safe_markdown(text: str) -> str:
    """Answer Markdown made inert: HTML escaped, and any link or image the
    text might carry (say, echoed from a question) left as plain text.
    Emphasis, lists and headings still render."""
    text = html.escape(text or "", quote=False)
    return _LINKISH.sub(lambda m: "\\" + m.group(0), text)


def answer_markdown(ans: Answer, library, notices: list[str] | None = None) -> str:
    """The answer as shown in the chat: :func:`safe_markdown`, then our own
    citation links added (each opens the clause in the side panel)."""
    text = safe_markdown(ans.text)
    labels = citation_labels(ans.citations, library)
    if labels:
        # one pass, longest labels first, so 第5.3条 never becomes 第5[.3]条
        pat = re.compile("|".join(re.escape(lbl) for lbl in sorted(labels, key=len, reverse=True)))
        text = pat.sub(lambda m: f"[{m.group(0)}]({cite_href(labels[m.group(0)])})", text)
        chips = " ".join(f"[{lbl}]({cite_href(ref)})" for lbl, ref in labels.items())
        text += f"\n\n📎 引用条款：{chips}"
    parts = [f"> ⚠️ {html.escape(n, quote=False)}" for n in (notices or []) if n]
    if ans.notice:
        parts.append(f"> ℹ️ {html.escape(ans.notice, quote=False)}")
    if parts:
        text = "\n".join(parts) + "\n\n" + text
    return text


def citation_labels(refs: list[str], library) -> "OrderedDict[str, str]":
    """label → ref for the refs that exist ("第5.3条" → "5.3")."""
    out: OrderedDict[str, str] = OrderedDict()
    for ref in refs or []:
        rec = library.get(ref)
        if rec is not None and rec.citation not in out:
            out[rec.citation] = rec.ref
    return out


# -- one clause ----------------------------------------------------------------
def _strip_number(rec: Record) -> str:
    """The body without its leading "5.3" / "（一）" numbering."""
    body = rec.body or rec.text
    if rec.kind == "sub":
        body = re.sub(r"^\s*\d+\s*[.．]\s*\d+\s*", "", body)
    return body.strip()


def deadline_text(rec: Record) -> str:
    if rec.deadline_raw:
        return rec.deadline_raw
    return "未规定"


def clause_html(rec: Record | None, placeholder: str = "点击回答中的引用（如“第5.3条”）即可在此查看条款原文。") -> str:
    if rec is None:
        return f'<div class="clause-panel empty">{esc(placeholder)}</div>'
    warns = "".join(f'<li>{esc(w)}</li>' for w in rec.warnings)
    warn_block = (f'<div class="clause-warn">⚠️ 解析提示：<ul>{warns}</ul></div>' if warns else "")
    lead = "、".join(rec.section.lead_units)
    items = "".join(f"<li>{esc(i)}</li>" for i in rec.items)
    deadline = esc(deadline_text(rec))
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


def standard_reply(rec: Record | None) -> str:
    """A reply a hotline operator can read out as is."""
    if rec is None:
        return ""
    body = _strip_number(rec).rstrip("。；; ")
    units = "、".join(rec.units) or "相关部门"
    if rec.deadline_raw and rec.deadline:
        when = f"，完成时限为{rec.deadline_raw}"
    elif rec.deadline_raw:
        when = f"，完成时限原文为“{rec.deadline_raw}”（具体以正式文件为准）"
    else:
        when = ""
    return (f"您好，根据《{rec.doc_title}》{rec.citation}（{rec.title}）：{body}。"
            f"责任单位为{units}{when}。如需进一步了解办理细节，可咨询责任单位或拨打12345政务服务便民热线。")


# -- parse warnings in Chinese ------------------------------------------------
_WARN_RULES = [
    (re.compile(r"section (\S+) heading missing"), lambda m: f"原文缺少第{m.group(1)}部分的标题，其下措施按无标题保留"),
    (re.compile(r"measure (\d+) heading has no number"), lambda m: f"第{m.group(1)}条的标题在原文中没有编号，已根据其子项推断"),
    (re.compile(r"measure (\d+) is absent"), lambda m: f"原文缺少第{m.group(1)}条"),
    (re.compile(r"garbled text kept as written: '(.*)'"), lambda m: f"疑似文字错乱，按原文保留：“{m.group(1)}”"),
    (re.compile(r"deadline cannot be parsed: '(.*)'"), lambda m: f"完成时限无法识别：“{m.group(1)}”"),
]


def describe_warning(w: ParseWarning) -> str:
    for pat, fmt in _WARN_RULES:
        m = pat.search(w.message)
        if m:
            return fmt(m)
    return w.message


def _missing_measures(warnings: list[ParseWarning]) -> set[int]:
    out = set()
    for w in warnings:
        m = re.search(r"measure (\d+) is absent", w.message)
        if m:
            out.add(int(m.group(1)))
    return out


# -- the whole plan as an outline -----------------------------------------------
def _flag(text: str) -> str:
    return f'<div class="flag">⚠️ {esc(text)}</div>'


def _leaf_html(rec: Record, extra_flags: list[str]) -> str:
    meta = (f'<span class="chip">责任单位：{esc("、".join(rec.units) or "未列明")}</span>'
            f'<span class="chip">完成时限：{esc(deadline_text(rec))}</span>')
    flags = "".join(_flag(w) for w in rec.warnings) + "".join(_flag(f) for f in extra_flags)
    items = "".join(f"<li>{esc(i)}</li>" for i in rec.items)
    return (f'<div class="leaf" id="rec-{esc(rec.uid)}" data-ref="{esc(rec.ref)}">'
            f'<div class="leaf-head"><b>{esc(rec.citation)}</b></div>'
            f'<div class="leaf-text">{esc(rec.text)}</div>'
            + (f'<ul>{items}</ul>' if items else "")
            + f'<div class="leaf-meta">{meta}</div>{flags}</div>')


def outline_html(library) -> str:
    """Sections → measures → sub-measures as nested <details>, with the
    parser's defect reports shown where they apply."""
    out = ['<div class="outline">']
    multi = len(library.corpora) > 1
    for corpus in library.corpora:
        warns = corpus.warnings
        missing = _missing_measures(warns)
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
            out.append(f'<details class="doc" open><summary>《{esc(corpus.title)}》'
                       f'<span class="muted">（{esc(corpus.doc_id)}，{n_rec}条）</span></summary>')
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
