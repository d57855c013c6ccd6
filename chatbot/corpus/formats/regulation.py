"""A regulation as a public law repository publishes it in Markdown:

    # 保障中小企业款项支付条例
    2020年7月5日 中华人民共和国国务院令第728号公布
    2025年3月17日 中华人民共和国国务院令第802号修订）      ← header lines: dates, 令号
    <!-- INFO END -->
    ## 第一章 总 则                                          ← chapters (optional)
    第一条 为了……                                          ← articles, Chinese numerals
    （second paragraph = 第二款）
    (一)……                                                  ← items

Record ids are the article numbers in Arabic digits ("9"); their refs are
``DOC:9``. Real-text defects (an unmatched bracket in a header line, an
article number out of sequence) are warnings, never errors."""
from __future__ import annotations

import hashlib
import re
from pathlib import Path

from ...domain.dates import YEARS
from ...domain.numerals import cn_to_int
from ...domain.records import ParseWarning, Record, Section
from ..document import Corpus
from ..source import split_lines

TITLE = re.compile(r"^#\s+(.+?)\s*$")
CHAPTER = re.compile(r"^##\s*第([一二三四五六七八九十]+)章\s*(.*?)\s*$")
ARTICLE = re.compile(r"^第([一二三四五六七八九十百零]+)条\s*(.*)$")
ITEM = re.compile(r"^[（(]([一二三四五六七八九十]+)[）)]\s*(.+)$")
INFO_END = "<!-- INFO END -->"
HEADER_DATE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")
ORDER = re.compile(r"令第\s*(\d+)\s*号")
SUMMARY_CHARS = 30


def _date(m: re.Match) -> str | None:
    y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
    return f"{y:04d}-{mo:02d}-{d:02d}" if YEARS[0] <= y <= YEARS[1] and 1 <= mo <= 12 and 1 <= d <= 31 else None


def header_metadata(lines: list[tuple[int, str]], warn) -> dict:
    """通过/公布/修订/施行 dates and the 国务院令 numbers from the header lines."""
    meta: dict = {"orders": []}
    for no, line in lines:
        if line.count("（") + line.count("(") != line.count("）") + line.count(")"):
            warn(no, f"unmatched bracket in a header line, kept as written: {line!r}")
        m = HEADER_DATE.search(line)
        date = _date(m) if m else None
        for order in ORDER.findall(line):
            meta["orders"].append(int(order))
        for word, key in (("通过", "adopted"), ("修订", "revised"), ("公布", "promulgated"), ("施行", "effective")):
            if word in line and date:
                meta.setdefault(key, date)
    return meta


def summary(text: str) -> str:
    """An article's first phrase, standing in for the title it does not have."""
    first = re.split(r"[，。；：,;:]", text, maxsplit=1)[0].strip()
    return first if len(first) <= SUMMARY_CHARS else first[:SUMMARY_CHARS] + "…"


def parse_text(text: str, doc_id: str, path: Path | str = "<text>") -> Corpus:
    lines = split_lines(text)
    warnings: list[ParseWarning] = []

    def warn(line: int, msg: str, rid: str | None = None) -> None:
        warnings.append(ParseWarning(doc_id, line, msg, rid))

    title, header, body_start = "", [], 0
    for no, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not title and (m := TITLE.match(line)):
            title = m.group(1)
            continue
        if line == INFO_END:
            body_start = no
            break
        if line and title:
            header.append((no, line))
    if not body_start:  # no header block: the body follows the title
        body_start = next((no for no, raw in enumerate(lines, 1) if TITLE.match(raw.strip())), 0)
        header = []
    meta = header_metadata(header, warn)
    sections: list[Section] = []
    section = Section(doc_id, 1, "", "全文")  # a regulation without chapters: one part
    records: list[Record] = []
    current: dict | None = None

    def close() -> None:
        if current is None:
            return
        paras = current["paras"]
        body = "\n".join(paras)
        items = [m.group(2) for p in paras if (m := ITEM.match(p))]
        records.append(Record(doc_id=doc_id, id=str(current["no"]), kind="article", measure_no=current["no"],
                              measure_title=summary(paras[0]) if paras else "", section=current["section"],
                              text=f"{current['head']} {body}".strip(), body=body, units=[], units_raw=None,
                              deadline_raw=None, deadline=None, items=items, line=current["line"]))

    for no, raw in enumerate(lines[body_start:], start=body_start + 1):
        line = raw.strip()
        if not line:
            continue
        if m := CHAPTER.match(line):
            close()
            current = None
            n = cn_to_int(m.group(1))
            section = Section(doc_id, n, f"第{m.group(1)}章", re.sub(r"\s+", "", m.group(2)) or None)
            sections.append(section)
            if n != len(sections):
                warn(no, f"chapter {n} found where chapter {len(sections)} was expected")
            continue
        if m := ARTICLE.match(line):
            close()
            n = cn_to_int(m.group(1))
            expected = (records[-1].measure_no + 1) if records else 1
            if n != expected:
                warn(no, f"article {n} found where article {expected} was expected", str(n))
            if not sections and section not in sections:
                sections.append(section)
            current = {"no": n, "head": f"第{m.group(1)}条", "line": no, "section": section,
                       "paras": [m.group(2)] if m.group(2) else []}
            continue
        if current is None:
            warn(no, f"text outside any article kept out of the records: {line[:30]!r}")
            continue
        current["paras"].append(line)
    close()
    digest = hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()
    corpus = Corpus(doc_id, title or Path(path).stem, Path(path), records, sections, warnings, digest, "regulation")
    corpus.metadata = meta
    return corpus


def numbering(records: list[Record]) -> str:
    nos = sorted(r.measure_no for r in records if r.measure_no is not None)
    return f"条文编号为第1–{nos[-1]}条" if nos else ""
