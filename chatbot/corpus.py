"""Parse policy plans into typed leaf records.

The parser is line-based and forgiving: the source has real-world defects
(a missing first measure and section heading, a garbled deadline), and the
rule is to keep the raw text, record a warning, and carry on.
"""
from __future__ import annotations

import hashlib
import json
import logging
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from .faq import load_declines, load_questions
from .models import ParseWarning, Record, Section

log = logging.getLogger(__name__)

CN_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
             "六": 6, "七": 7, "八": 8, "九": 9}


def cn_to_int(s: str) -> int | None:
    """Chinese numerals up to the thousands: 十七 → 17, 一百二十三 → 123."""
    if not s:
        return None
    if s.isdigit():
        return int(s)
    total, num = 0, 0
    units = {"十": 10, "百": 100, "千": 1000}
    for ch in s:
        if ch in CN_DIGITS:
            num = CN_DIGITS[ch]
        elif ch in units:
            total += (num or 1) * units[ch]
            num = 0
        else:
            return None
    return total + num


def int_to_cn(n: int) -> str:
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    if n < 20:
        return "十" + (digits[n % 10] if n % 10 else "")
    if n < 100:
        return digits[n // 10] + "十" + (digits[n % 10] if n % 10 else "")
    rest = n % 100
    s = digits[n // 100] + "百"
    if rest == 0:
        return s
    if rest < 10:
        return s + "零" + digits[rest]
    return s + (digits[rest // 10] + "十" + (digits[rest % 10] if rest % 10 else ""))


class CorpusError(Exception):
    """A corpus file that cannot be read; the message names file and line."""


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


def normalize_deadline(raw: str | None) -> str | None:
    if not raw:
        return None
    m = RE_DEADLINE.match(raw.strip())
    if not m:
        return None
    year, month = int(m.group(1)), int(m.group(2))
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        return None
    return f"{year:04d}-{month:02d}"


@dataclass
class _Open:
    """A measure being read: its heading, lines, and any sub-measures."""

    no: int
    title: str
    line: int
    section: Section
    paragraphs: list[tuple[int, str]] = field(default_factory=list)
    subs: list[Record] = field(default_factory=list)


@dataclass
class Corpus:
    doc_id: str
    title: str
    path: Path
    records: list[Record]
    sections: list[Section]
    warnings: list[ParseWarning]
    sha256: str
    # Curated example questions per record id (chatbot.faq); they change the
    # index, so their digest is part of the library's.
    questions: dict[str, list[str]] = field(default_factory=dict)
    questions_sha256: str = ""
    # Out-of-scope example questions (chatbot.faq): a refusal signal.
    declines: list[str] = field(default_factory=list)
    declines_sha256: str = ""

    def get(self, rid: str) -> Record | None:
        for r in self.records:
            if r.id == rid:
                return r
        return None


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
            from .corpus import int_to_cn as _cn  # noqa: PLC0415 (self-import for clarity)
            self.section = Section(self.doc_id, no, f"（{_cn(no)}）", None, ())
            self.sections.append(self.section)
            self.warn(line, f"section （{_cn(no)}） heading missing; its measures are kept untitled")
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
                      self.sections, self.warnings, digest)

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


def split_lines(text: str) -> list[str]:
    """Lines as a text editor numbers them: on \\n only (a trailing \\r is
    dropped). str.splitlines() would also split on \\x0b, \\x0c, \\x1c-\\x1e,
    \\x85, U+2028/9 and shift every line number after them."""
    lines = [ln[:-1] if ln.endswith("\r") else ln for ln in text.split("\n")]
    if lines and lines[-1] == "":
        lines.pop()  # the final newline ends the last line; it does not start one
    return lines


def parse_text(text: str, doc_id: str, path: Path | str = "<text>") -> Corpus:
    return _Parser(doc_id, Path(path), split_lines(text)).run()


def read_text(path: Path) -> str:
    path = Path(path)
    if path.is_dir():
        raise CorpusError(f"{path}: is a directory, not a policy text file")
    if not path.is_file():
        raise CorpusError(f"{path}: corpus file not found")
    try:
        data = path.read_bytes()
    except OSError as e:
        raise CorpusError(f"{path}: cannot read ({e.strerror or e})") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        col = e.start - (data.rfind(b"\n", 0, e.start) + 1) + 1
        raise CorpusError(f"{path}:{line}: not valid UTF-8 at byte {col} of the line "
                          f"({e.reason}: {data[e.start:e.end]!r})") from None


def _bad_char(c: str) -> bool:
    """Control characters (C0 but tab, DEL, C1; a CR is fine only as part of
    a CRLF line end) and Unicode line/paragraph separators have no place in a
    policy text: they come from a broken conversion and would silently split
    or join clauses."""
    if c == "\t":
        return False
    return unicodedata.category(c) == "Cc" or c in "\u2028\u2029"


def check_lines(text: str, path: Path | str) -> None:
    for i, line in enumerate(split_lines(text), start=1):
        for col, c in enumerate(line, start=1):
            if _bad_char(c):
                name = unicodedata.name(c, "control character")
                raise CorpusError(f"{path}:{i}: {name.lower()} U+{ord(c):04X} at column {col}: "
                                  f"{line[max(0, col - 11):col + 10]!r}")


def parse_file(path: Path, doc_id: str) -> Corpus:
    text = read_text(path)
    check_lines(text, path)
    corpus = parse_text(text, doc_id, path)
    if not corpus.records:
        raise CorpusError(f"{path}: no policy measures found (expected lines such as "
                          f"“1.标题” / “2.1条文（责任单位：…；完成时限：…）”)")
    return corpus


# -- many documents ---------------------------------------------------------
# A document id is what users type before the colon in "demo:3", so it must
# match what refs.find_refs reads: a letter first, then letters, digits, - or _.
DOC_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,31}")


@dataclass(frozen=True)
class DocumentSpec:
    id: str
    title: str | None
    file: Path
    source: str = ""  # where it was declared: "corpus/manifest.json: document 'demo'"
    questions: Path | None = None  # curated example questions (chatbot.faq)
    declines: Path | None = None  # out-of-scope example questions (chatbot.faq)


def _manifest_line(raw: str, key: str, value: str, start: int = 0) -> tuple[int, int] | None:
    """(line, offset) of the first `"key": value` at or after ``start``."""
    pat = re.compile(r'"' + key + r'"\s*:\s*' + re.escape(json.dumps(value, ensure_ascii=False)))
    m = pat.search(raw, start)
    return (raw.count("\n", 0, m.start()) + 1, m.end()) if m else None


def read_manifest(corpus_dir: Path) -> list[DocumentSpec]:
    """corpus/manifest.json lists documents; without one, every *.txt is one.

    Manifest: {"documents": [{"id": "yiwu", "title": "…", "file": "plan.txt"}, …]}
    (a bare list of entries works too). ``file`` is relative to the manifest;
    an optional ``questions`` names a JSONL of curated example questions and
    ``declines`` one of out-of-scope questions (chatbot.faq).
    """
    corpus_dir = Path(corpus_dir)
    manifest = corpus_dir / "manifest.json"
    if manifest.is_file():
        raw = read_text(manifest)
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as e:
            raise CorpusError(f"{manifest}:{e.lineno}: invalid JSON ({e.msg})") from None
        docs = data.get("documents") if isinstance(data, dict) else data
        if not isinstance(docs, list):
            raise CorpusError(f"{manifest}: expected {{\"documents\": [...]}} or a list of documents")
        if not docs:
            raise CorpusError(f"{manifest}: lists no documents")
        specs: list[DocumentSpec] = []
        cursor = 0  # entries appear in file order: find each one's line after the previous
        for i, d in enumerate(docs):
            where = f"{manifest}: entry {i + 1}"
            if not isinstance(d, dict) or "id" not in d or "file" not in d:
                raise CorpusError(f"{where} needs 'id' and 'file'")
            doc_id, file, title = d["id"], d["file"], d.get("title")
            questions, declines = d.get("questions"), d.get("declines")
            if isinstance(doc_id, str) and (found := _manifest_line(raw, "id", doc_id, cursor)):
                where = f"{manifest}:{found[0]}: entry {i + 1}"
                cursor = found[1]
            if not isinstance(doc_id, str) or not DOC_ID.fullmatch(doc_id):
                raise CorpusError(f"{where}: id {doc_id!r} must be letters, digits, - or _, "
                                  f"start with a letter and have at most 32 characters")
            if not isinstance(file, str) or not file.strip():
                raise CorpusError(f"{where}: 'file' must be a file name")
            if title is not None and not isinstance(title, str):
                raise CorpusError(f"{where}: 'title' must be text")
            for key, value in (("questions", questions), ("declines", declines)):
                if value is not None and (not isinstance(value, str) or not value.strip()):
                    raise CorpusError(f"{where}: '{key}' must be a file name")
            if any(s.id == doc_id for s in specs):
                raise CorpusError(f"{where}: duplicate document id {doc_id!r}")
            specs.append(DocumentSpec(doc_id, title or None, corpus_dir / file,
                                      f"{where} (id {doc_id!r})",
                                      corpus_dir / questions if questions else None,
                                      corpus_dir / declines if declines else None))
        return specs
    if not corpus_dir.is_dir():
        raise CorpusError(f"{corpus_dir}: corpus directory not found")
    files = sorted(corpus_dir.glob("*.txt"))
    if not files:
        raise CorpusError(f"{corpus_dir}: no policy files (*.txt) found")
    specs = []
    for f in files:
        doc_id = re.sub(r"[^A-Za-z0-9_-]", "-", f.stem)
        if not doc_id[:1].isalpha():
            doc_id = "doc-" + doc_id
        specs.append(DocumentSpec(doc_id[:32], None, f))
    return specs


class Library:
    """All documents of the corpus; resolves bare and DOC:ID references."""

    def __init__(self, corpora: list[Corpus], default_doc: str):
        if not corpora:
            raise CorpusError("the corpus holds no documents")
        self.corpora = corpora
        ids = [c.doc_id for c in corpora]
        if default_doc not in ids:
            log.warning("default document %r is not in the corpus (%s); bare ids now mean %r",
                        default_doc, ", ".join(ids), ids[0])
        self.default_doc = default_doc if default_doc in ids else ids[0]
        self.records: list[Record] = []
        self._by_uid: dict[str, Record] = {}
        for c in corpora:
            for r in c.records:
                r.ref = r.id if c.doc_id == self.default_doc else f"{c.doc_id}:{r.id}"
                r.doc_title = c.title
                self.records.append(r)
                self._by_uid[r.uid] = r

    @property
    def default(self) -> Corpus:
        return next(c for c in self.corpora if c.doc_id == self.default_doc)

    @property
    def doc_ids(self) -> list[str]:
        return [c.doc_id for c in self.corpora]

    @property
    def warnings(self) -> list[ParseWarning]:
        return [w for c in self.corpora for w in c.warnings]

    def questions_of(self, r: Record) -> list[str]:
        """The curated example questions of a record (chatbot.faq)."""
        c = self.doc(r.doc_id)
        return list(c.questions.get(r.id, ())) if c is not None else []

    @property
    def sha256(self) -> str:
        h = hashlib.sha256()
        for c in self.corpora:
            h.update(f"{c.doc_id}:{c.sha256};".encode())
            if c.questions_sha256:
                h.update(f"q:{c.questions_sha256};".encode())
            if c.declines_sha256:
                h.update(f"n:{c.declines_sha256};".encode())
        return h.hexdigest()

    @property
    def declines(self) -> list[tuple[str, str]]:
        """(doc id, question) for every out-of-scope example question."""
        return [(c.doc_id, q) for c in self.corpora for q in c.declines]

    def doc(self, doc_id: str) -> Corpus | None:
        return next((c for c in self.corpora if c.doc_id == doc_id), None)

    def _split(self, ref: str) -> tuple[str, str]:
        doc, _, rid = ref.strip().rpartition(":")
        doc = doc.strip()
        # "yiwu:5.3" and "5.3" are the same record; doc ids match case-insensitively.
        for c in self.corpora:
            if c.doc_id.lower() == doc.lower():
                return c.doc_id, rid.strip()
        return doc or self.default_doc, rid.strip()

    def get(self, ref: str) -> Record | None:
        """"5.3" (default document), "yiwu:5.3" or "demo:3"."""
        doc, rid = self._split(ref)
        return self._by_uid.get(f"{doc}:{rid}")

    def leaves_of(self, ref: str) -> list[Record]:
        """A record, or all leaves of a measure given as "22" or "demo:22"."""
        rec = self.get(ref)
        if rec is not None:
            return [rec]
        doc, rid = self._split(ref)
        return [r for r in self.records if r.doc_id == doc and r.measure_no is not None
                and str(r.measure_no) == rid]


def load_library(corpus_dir: Path, default_doc: str = "yiwu") -> Library:
    corpora = []
    for spec in read_manifest(corpus_dir):
        if spec.source and not spec.file.exists():
            raise CorpusError(f"{spec.file}: corpus file not found (listed in {spec.source})")
        c = parse_file(spec.file, spec.id)
        if spec.title:
            c.title = spec.title
        if spec.questions is not None:
            if not spec.questions.is_file():
                raise CorpusError(f"{spec.questions}: questions file not found (listed in {spec.source})")
            c.questions, warns, c.questions_sha256 = load_questions(
                spec.questions, c.doc_id, {r.id for r in c.records})
            c.warnings.extend(warns)
        if spec.declines is not None:
            if not spec.declines.is_file():
                raise CorpusError(f"{spec.declines}: declines file not found (listed in {spec.source})")
            c.declines, warns, c.declines_sha256 = load_declines(spec.declines, c.doc_id)
            c.warnings.extend(warns)
        corpora.append(c)
    return Library(corpora, default_doc)
