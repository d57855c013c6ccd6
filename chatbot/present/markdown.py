"""Markdown for answers, the same for the chat, the CLI and the API: answer
text made inert (HTML escaped, no links but ours), citation labels turned
into links that open the clause, and notices above the answer."""
from __future__ import annotations

import html
import re
from collections import OrderedDict
from urllib.parse import quote

from ..domain.records import Answer

CITE_PREFIX = "#cite-"

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>])")


def md_escape(text: str) -> str:
    """Text shown literally inside Markdown: no tags, links, emphasis."""
    return _MD_SPECIAL.sub(r"\\\1", html.escape(text or "", quote=False))


def cite_href(ref: str) -> str:
    return CITE_PREFIX + quote(ref, safe="")


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
    # Related clauses are links too (they open in the panel), but not citations.
    links = citation_labels(list(ans.citations) + list(ans.related), library)
    if links:
        # one pass, longest labels first, so 第5.3条 never becomes 第5[.3]条
        pat = re.compile("|".join(re.escape(lbl) for lbl in sorted(links, key=len, reverse=True)))
        text = pat.sub(lambda m: f"[{m.group(0)}]({cite_href(links[m.group(0)])})", text)
    if labels:
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
