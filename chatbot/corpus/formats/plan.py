"""The county plan's format: numbered measures ("5.", "5.3") in sections
（一）…（十七）, each clause ending in （责任单位：…；完成时限：…）, then
三、保障措施 with items （一）…（八）.

The parser is line-based and forgiving: the source has real-world defects
(a missing first measure and section heading, a garbled deadline), and the
rule is to keep the raw text, record a warning, and carry on.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from ...domain.dates import normalize_deadline
from ...domain.numerals import cn_to_int, int_to_cn
from ...domain.records import ParseWarning, Record, Section
from ..document import Corpus
from ..source import CorpusError, split_lines

RE_PART = re.compile(r"^([一二三四五六七八九十]+)、\s*(.+)$")
RE_SECTION = re.compile(r"^（([一二三四五六七八九十]+)）\s*(.+)$")
RE_SUB = re.compile(r"^(\d{1,3})[.．](\d{1,2})(?!\d)\s*(.+)$")
RE_MEASURE = re.compile(r"^(\d{1,3})[.．、]\s*(\D.*)$")
RE_ITEM = re.compile(r"^[（(](\d{1,2})[）)]\s*(.+)$")
RE_DEADLINE = re.compile(r"^(\d{4})年(\d{1,2})月(?:底|底前|前)?$")
# A number wedged between a verb and 年 ("不得20超过年"): the text lost its order.
RE_GARBLED_NUMBER = re.compile(r"[\u4e00-\u9fff]{0,2}\d+(?:超过|多于|少于|低于|高于|以上|以内)年")
SAFEGUARD_PART = "保障措施"


def split_units(raw: str) -> list[str]:
    """Split a 责任单位 list on 、，, ; but never inside （…） or “…”."""
    parts, buf, depth = [], [], 0
    for ch in raw:
        if ch in "（(“":
            depth += 1
        elif ch in "）)”":
            depth = max(0, depth - 1)
        if ch in "、，,；;" and depth == 0:
            parts.append("".join(buf))
            buf = []
        else:
            buf.append(ch)
    parts.append("".join(buf))
    out: list[str] = []
    for p in parts:
        p = p.strip().rstrip("。.")
        if not p:
            continue
        # "X等有关部门" names X and a catch-all; "X及相关金融机构" names two.
        m = re.match(r"^(.+?)等(有关部门|相关部门)$", p)
        if m:
            out += [m.group(1), m.group(2)]
            continue
        m = re.match(r"^(.+?(?:局|中心|委|办|院|公司))及(相关.+)$", p)
        if m:
            out += [m.group(1), m.group(2)]
            continue
        if p.count("（") > p.count("）"):
            p += "）"  # the source drops the closing paren of "（交通运输局"
        out.append(p)
    seen: list[str] = []
    for u in out:
        if u not in seen:
            seen.append(u)
    return seen


def find_responsibility(text: str) -> tuple[int, int] | None:
    """Span of the "（责任单位：…）" parenthetical, matching nested parens."""
    start = text.find("（责任单位")
    if start < 0:
        start = text.find("(责任单位")
    if start < 0:
        return None
    depth = 0
    for i in range(start, len(text)):
        ch = text[i]
        if ch in "（(":
            depth += 1
        elif ch in "）)":
            depth -= 1
            if depth == 0:
                return start, i + 1
    return start, len(text)


def _without_responsibility(item: str) -> str:
    span = find_responsibility(item)
    return (item[: span[0]] + item[span[1]:]).strip() if span else item


def parse_responsibility(paren: str) -> tuple[str, str | None]:
    inner = paren.strip()[1:]
    if inner and inner[-1] in "）)":
        inner = inner[:-1]
    inner = re.sub(r"^责任单位[：:]", "", inner)
    m = re.search(r"[；;，,]\s*完成时限[：:]", inner)
    if m:
        return inner[: m.start()].strip(), inner[m.end():].strip()
    return inner.strip(), None


@dataclass
class _Open:
    """A measure being read: its heading, lines, and any sub-measures."""

    no: int
    title: str
    line: int
    section: Section
    paragraphs: list[tuple[int, str]] = field(default_factory=list)
    subs: list[Record] = field(default_factory=list)


class _Parser:
    def __init__(self, doc_id: str, path: Path, lines: list[str]):
        self.doc_id = doc_id
        self.path = path
        self.lines = lines
        self.records: list[Record] = []
        self.sections: list[Section] = []
        self.warnings: list[ParseWarning] = []
        self.section: Section | None = None
        self.measure: _Open | None = None
        self.orphan: tuple[int, str] | None = None
        self.in_safeguards = False
        self.safeguard_part: Section | None = None
        self.title = ""

    def warn(self, line: int, msg: str, rid: str | None = None) -> None:
        self.warnings.append(ParseWarning(self.doc_id, line, msg, rid))

    # -- record construction -------------------------------------------------
    def make_record(self, rid: str, kind: str, measure_no: int | None,
                    measure_title: str, section: Section,
                    lines: list[tuple[int, str]]) -> Record:
        text = "\n".join(t for _, t in lines)
        line = lines[0][0] if lines else 0
        span = find_responsibility(text)
        units_raw = deadline_raw = None
        body = text
        rec_warnings: list[str] = []
        if span:
            units_raw, deadline_raw = parse_responsibility(text[span[0]:span[1]])
            body = (text[: span[0]] + text[span[1]:]).strip()
            body = re.sub(r"\n{2,}", "\n", body).rstrip("。") + ("" if body.endswith("：") else "")
        else:
            self.warn(line, "no 责任单位 found", rid)
            rec_warnings.append("原文未写明责任单位")
        units = split_units(units_raw) if units_raw else []
        # List items "（1）…" from every line of the clause, without the parenthetical.
        items = [_without_responsibility(m.group(2)) for t in text.split("\n")
                 if (m := RE_ITEM.match(t.strip()))]
        deadline = normalize_deadline(deadline_raw)
        if deadline_raw and not deadline:
            msg = f"deadline cannot be parsed: {deadline_raw!r}"
            self.warn(line, msg, rid)
            rec_warnings.append(f"完成时限原文为“{deadline_raw}”，无法识别")
        if kind != "safeguard" and not deadline_raw:
            self.warn(line, "no 完成时限 found", rid)
        for m in RE_GARBLED_NUMBER.finditer(text):
            self.warn(line, f"garbled text kept as written: {m.group(0)!r}", rid)
            rec_warnings.append(f"原文“{m.group(0)}”疑似语序错乱，按原文保留")
        return Record(
            doc_id=self.doc_id, id=rid, kind=kind, measure_no=measure_no,
            measure_title=measure_title, section=section, text=text, body=body,
            units=units, units_raw=units_raw, deadline_raw=deadline_raw,
            deadline=deadline, items=items, line=line, warnings=rec_warnings,
        )

    def forget_warnings(self, rid: str) -> None:
        """A record is about to be rebuilt with more text: its old warnings
        (e.g. "no 责任单位" before the parenthetical arrived) no longer hold."""
        self.warnings = [w for w in self.warnings if w.record_id != rid]

    def add(self, rec: Record) -> None:
        if any(r.id == rec.id for r in self.records):
            raise CorpusError(f"{self.path}:{rec.line}: duplicate id {rec.id}")
        self.records.append(rec)

    # -- state transitions ---------------------------------------------------
    def ensure_section(self, line: int) -> Section:
        if self.section is None:
            no = len(self.sections) + 1
            self.section = Section(self.doc_id, no, f"（{int_to_cn(no)}）", None, ())
            self.sections.append(self.section)
            self.warn(line, f"section （{int_to_cn(no)}） heading missing; its measures are kept untitled")
        return self.section

    def close_measure(self) -> None:
        m = self.measure
        if m is None:
            return
        if m.subs:
            expected = list(range(1, len(m.subs) + 1))
            got = [int(s.id.split(".")[1]) for s in m.subs]
            if got != expected:
                self.warn(m.line, f"measure {m.no}: sub-measures numbered {got}")
        elif m.paragraphs:
            self.add(self.make_record(str(m.no), "measure", m.no, m.title, m.section, m.paragraphs))
        else:
            self.warn(m.line, f"measure {m.no} has no text", str(m.no))
        self.measure = None

    def open_measure(self, no: int, title: str, line: int) -> None:
        self.close_measure()
        section = self.ensure_section(line)
        self.measure = _Open(no, title.strip(), line, section)

    def run(self) -> Corpus:
        for idx, raw in enumerate(self.lines, start=1):
            line = raw.strip().replace("\u3000", " ")
            if not line:
                continue
            if not self.title:
                self.title = line
                continue
            self.step(idx, line)
        self.close_measure()
        if self.orphan:
            self.warn(self.orphan[0], f"text outside any measure ignored: {self.orphan[1][:30]!r}")
        self.check_numbering()
        digest = hashlib.sha256("\n".join(self.lines).encode("utf-8")).hexdigest()
        return Corpus(self.doc_id, self.title, self.path, self.records,
                      self.sections, self.warnings, digest, "plan")

    def step(self, idx: int, line: str) -> None:
        if (m := RE_PART.match(line)) and len(line) < 30:
            self.close_measure()
            if SAFEGUARD_PART in m.group(2):
                self.in_safeguards = True
                self.safeguard_part = Section(self.doc_id, None, f"{m.group(1)}、", m.group(2).strip(), ())
                self.sections.append(self.safeguard_part)
            return
        if self.in_safeguards:
            return self.step_safeguard(idx, line)
        if m := RE_SECTION.match(line):
            self.close_measure()
            self.orphan = None
            no = cn_to_int(m.group(1))
            head = m.group(2)
            lead: tuple[str, ...] = ()
            pos = head.find("（牵头单位")
            if pos >= 0:
                lead_raw = head[pos + 1:]
                lead_raw = re.sub(r"^牵头单位[：:]", "", lead_raw)
                if lead_raw.endswith("）") and lead_raw.count("（") < lead_raw.count("）"):
                    lead_raw = lead_raw[:-1]
                lead = tuple(split_units(lead_raw))
                head = head[:pos]
            expected = len(self.sections) + 1
            if no != expected:
                self.warn(idx, f"section （{m.group(1)}） found where （{int_to_cn(expected)}） was expected")
            self.section = Section(self.doc_id, no, f"（{m.group(1)}）", head.strip(), lead)
            self.sections.append(self.section)
            return
        if m := RE_SUB.match(line):
            no, sub = int(m.group(1)), int(m.group(2))
            if self.measure is None or self.measure.no != no:
                if self.orphan:
                    o_line, o_title = self.orphan
                    self.open_measure(no, o_title, o_line)
                    self.warn(o_line, f"measure {no} heading has no number; inferred from its sub-measures", str(no))
                    self.orphan = None
                else:
                    self.open_measure(no, "", idx)
                    self.warn(idx, f"sub-measure {no}.{sub} appears without a heading for measure {no}")
            meas = self.measure
            rid = f"{no}.{sub}"
            rec = self.make_record(rid, "sub", no, meas.title, meas.section, [(idx, line)])
            self.add(rec)
            meas.subs.append(rec)
            return
        if (m := RE_MEASURE.match(line)) and len(line) <= 40 and "（责任单位" not in line:
            self.orphan = None
            self.open_measure(int(m.group(1)), m.group(2), idx)
            return
        if self.measure is not None:
            if self.measure.subs:
                # continuation of the last sub-measure (a list or a second paragraph)
                last = self.measure.subs[-1]
                last.text += "\n" + line
                self.forget_warnings(last.id)
                rebuilt = self.make_record(last.id, "sub", last.measure_no, last.measure_title,
                                           last.section, [(last.line, last.text)])
                last.__dict__.update({k: v for k, v in rebuilt.__dict__.items() if k != "line"})
            else:
                self.measure.paragraphs.append((idx, line))
            return
        # A short unnumbered line outside any measure: a heading whose number was lost.
        if len(line) <= 40 and "（责任单位" not in line:
            self.orphan = (idx, line)
            return
        raise CorpusError(f"{self.path}:{idx}: cannot place this line: {line[:40]!r}")

    def step_safeguard(self, idx: int, line: str) -> None:
        m = RE_SECTION.match(line)
        if not m:
            if self.records and self.records[-1].kind == "safeguard":
                last = self.records[-1]
                self.forget_warnings(last.id)
                rebuilt = self.make_record(last.id, "safeguard", None, last.measure_title,
                                           last.section, [(last.line, last.text + "\n" + line)])
                self.records[-1] = rebuilt
                return
            raise CorpusError(f"{self.path}:{idx}: cannot place this line: {line[:40]!r}")
        n = cn_to_int(m.group(1))
        expected = sum(1 for r in self.records if r.kind == "safeguard") + 1
        if n != expected:
            self.warn(idx, f"safeguard （{m.group(1)}） found where item {expected} was expected")
        body = m.group(2)
        title = re.split(r"[。.]", body, maxsplit=1)[0]
        rec = self.make_record(f"S{n}", "safeguard", None, title, self.safeguard_part,
                               [(idx, line)])
        self.add(rec)

    def check_numbering(self) -> None:
        nos = sorted({r.measure_no for r in self.records if r.measure_no is not None})
        if not nos:
            return
        for n in range(1, nos[-1] + 1):
            if n not in nos:
                self.warn(0, f"measure {n} is absent from the text")


def parse_text(text: str, doc_id: str, path: Path | str = "<text>") -> Corpus:
    return _Parser(doc_id, Path(path), split_lines(text)).run()




def numbering(records: list[Record]) -> str:
    """How the document's records are numbered, for "no such clause" replies:
    措施编号为2–140，保障措施为S1–S8."""
    nos = sorted({r.measure_no for r in records if r.measure_no is not None})
    safeguards = sorted(int(r.id[1:]) for r in records if r.kind == "safeguard")
    parts = []
    if nos:
        parts.append(f"措施编号为{nos[0]}–{nos[-1]}")
    if safeguards:
        parts.append(f"保障措施为S{safeguards[0]}–S{safeguards[-1]}")
    return "，".join(parts)
