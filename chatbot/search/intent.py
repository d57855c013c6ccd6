"""List and count questions, recognised in a question before any retrieval:
"税务局负责哪些任务", "2024年6月前要完成哪些措施", "法院牵头的措施有几条",
"人社局2023年底前要完成什么". Answered completely from the metadata
(``answer.structured``), not from a top 5.

Recognition is conservative: a question counts only when it names a
department, a deadline or a section AND asks for a list or a count AND says
nothing else (no topic words left once those parts are removed), so an
ordinary question that happens to mention 税务 is not hijacked."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..domain.numerals import cn_to_int
from ..text import departments
from ..text.lexicon import LIST_WORDS, tokens

LIST_INTENT = re.compile(
    r"负责|牵头|承担|主抓|参与|配合|协助|协同|涉及|哪些|哪几|几条|几项|几个|多少条|多少项|多少个|清单|列出|列一下|"
    r"列表|汇总|统计|都有什么|有什么|有啥|都是什么|完成什么|做什么|干什么|完成啥|任务|所有|全部|一共|总共")
COUNT_INTENT = re.compile(r"几条|几项|几个|多少条|多少项|多少个|多少|一共|总共|数量")
LEAD_INTENT = re.compile(r"牵头")

DATE = re.compile(
    r"(?:截至|截止到?|到)?\s*(\d{4})\s*年\s*(?:(\d{1,2})\s*月(?:份)?(?:底|末)?|(上半年)|(下半年)|(年底|底|年末|末))?"
    r"\s*(前|之前|以前|为止|截止|内|以内|后|之后|以后|起)?")
SECTION_RE = re.compile(r"第([一二三四五六七八九十]+|\d{1,2})(?:部分|领域|方面|大项)|[（(]([一二三四五六七八九十]+)[）)]")

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


def unit_spans(text: str, known: list[str]) -> list[tuple[int, int]]:
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
    spans = unit_spans(text, known_units) + dspans + sspans
    residual = "".join(" " if any(a <= i < b for a, b in spans) else c for i, c in enumerate(text))
    residual = re.sub(r"伊吾县|伊吾|县", " ", residual)
    rest = [t for t in tokens(residual) if t not in LIST_WORDS and not re.fullmatch(r"[\d\W_]+", t)]
    if rest:
        return None
    return StructuredQuery(units=units, after=after, before=before, date_text=date_text,
                           section=section, count=bool(COUNT_INTENT.search(text)),
                           lead=bool(LEAD_INTENT.search(text)))
