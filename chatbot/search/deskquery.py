"""The hotline desk's keyword box, read the way staff type into it: a
deadline ("2024年底前", "2024年6月"), department names ("人社局"), and
measure numbers ("第5.3条", "款项支付条例第8条") become filters or an exact
lookup; what is left is searched as keywords. Every part taken out is
reported, so nothing typed is silently ignored."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..corpus.library import Library
from ..domain.citations import find_refs
from ..text import departments
from .intent import _dates, unit_spans

# What a reference is written with besides its number: "第5.3条", "S1", "第十三条",
# "措施22", "讲什么". A query made only of these and document names is a lookup.
_REF_WORDS = re.compile(r"第?\s*[0-9０-９一二三四五六七八九十百零〇两]+(?:\s*[.．]\s*[0-9０-９]+)?\s*(?:条|项|款)?"
                        r"|[SsＳ]\s*\d+|第|条|款|措施|保障措施|讲什么|说什么|是什么|什么内容|内容|原文|全文|的|[\s,，、;；。？?]")


@dataclass(frozen=True)
class DeskQuery:
    keywords: str  # what is left to search ("" = filters only)
    units: list[str] = field(default_factory=list)  # the plan's names of departments named
    after: str | None = None
    before: str | None = None
    date_text: str | None = None  # "2024年底前（含）"
    refs: list[str] = field(default_factory=list)  # exact references named
    lookup: bool = False  # the query is only references: show those records alone

    def notes(self) -> list[str]:
        out = []
        if self.date_text:
            out.append(f"完成时限：{self.date_text}")
        if self.units:
            out.append("责任单位：" + "、".join(self.units))
        return out


def parse(text: str, library: Library) -> DeskQuery:
    text = (text or "").strip()
    if not text:
        return DeskQuery("")
    refs, _ = library.qualify(text, find_refs(text))
    # A lookup: nothing left once document names and reference words are gone.
    if refs:
        rest = text
        for m in sorted(library.names.mentions(text), key=lambda m: -m.start):
            rest = rest[:m.start] + " " + rest[m.end:]
        if not _REF_WORDS.sub("", rest):
            return DeskQuery("", refs=refs, lookup=True)
    known = library.known_units
    after, before, date_text, dspans = _dates(text)
    units = departments.mentioned(text, known)
    spans = dspans + (unit_spans(text, known) if units else [])
    rest = "".join(" " if any(a <= i < b for a, b in spans) else c for i, c in enumerate(text))
    rest = re.sub(r"\s+", " ", re.sub(r"(?<![\u4e00-\u9fff])(?:伊吾县|伊吾|县)(?=\s|$)", " ", rest)).strip(" ，,、;；")
    # "要完成的", "负责的" around a filter carry no topic.
    if re.fullmatch(r"(?:要|需要|需)?(?:完成|负责|牵头|承担|到期)?(?:的)?(?:措施|任务|事项|工作)?(?:有哪些|哪些)?", rest):
        rest = ""
    return DeskQuery(rest, units, after, before, date_text, refs)
