"""Typed records shared by every layer: what a document is made of, what a
search returns, what an answer is. Pure data."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

from . import citations

NOT_STATED = "原文未写明"
SNIPPET = 80  # characters of a clause in a short hit
MAX_HITS = 40  # hits in a short answer (a list question cites every match; its citations stay whole)


@dataclass(frozen=True)
class ParseWarning:
    doc_id: str
    line: int
    message: str
    record_id: str | None = None

    def __str__(self) -> str:
        rid = f" [{self.record_id}]" if self.record_id else ""
        return f"{self.doc_id}:{self.line}{rid} {self.message}"


@dataclass(frozen=True)
class Section:
    doc_id: str
    no: int | None  # 1..17 for （一）…（十七）; None for 保障措施
    label: str  # "（二）", "三、保障措施"
    title: str | None  # None where the source lost the heading
    lead_units: tuple[str, ...] = ()

    @property
    def display(self) -> str:
        """For hotline staff: a heading the source lost is flagged."""
        return f"{self.label}{self.title or '（标题缺失）'}"

    @property
    def public_display(self) -> str:
        """For citizens: the heading as the text has it, no parser notes."""
        return f"{self.label}{self.title or ''}"


@dataclass
class Record:
    """One leaf of a policy document: a sub-measure, a measure without
    sub-measures, or a safeguard item."""

    doc_id: str
    id: str  # canonical id: "5.3", "6", "S1"
    kind: str  # "sub" | "measure" | "safeguard"
    measure_no: int | None
    measure_title: str
    section: Section
    text: str  # the clause as written, list items included
    body: str  # the clause without its (责任单位…) parenthetical
    units: list[str]
    units_raw: str | None
    deadline_raw: str | None
    deadline: str | None  # "YYYY-MM"
    items: list[str] = field(default_factory=list)
    line: int = 0
    warnings: list[str] = field(default_factory=list)
    ref: str = ""  # how this record is cited: "5.3" or "demo:3"
    doc_title: str = ""

    @property
    def uid(self) -> str:
        return f"{self.doc_id}:{self.id}"

    @property
    def title(self) -> str:
        return self.measure_title

    @property
    def citation(self) -> str:
        """The human citation: 第5.3条 / 保障措施三 / demo:第3条."""
        return citations.label(self)

    @property
    def units_label(self) -> str:
        return "、".join(self.units) or NOT_STATED

    @property
    def deadline_label(self) -> str:
        """The 完成时限 as written; a garbled one is shown, never guessed."""
        if not self.deadline_raw:
            return NOT_STATED
        if not self.deadline:
            return f"{self.deadline_raw}（原文如此，无法识别为有效日期）"
        return self.deadline_raw

    def to_dict(self) -> dict:
        d = asdict(self)
        d["section"] = {"no": self.section.no, "label": self.section.label,
                        "title": self.section.title, "lead_units": list(self.section.lead_units)}
        d["title"] = self.title
        d["citation"] = self.citation
        return d


@dataclass
class Hit:
    record: Record
    score: float
    dense: float | None = None
    bm25: float | None = None
    via: str = "hybrid"  # "ref" | "hybrid" | "dense" | "bm25" | "filter" | "followup"

    def to_dict(self, full: bool = True) -> dict:
        """``full=False``: a short snippet instead of the clause's whole text."""
        r = self.record
        text = r.text if full else (r.text if len(r.text) <= SNIPPET else r.text[:SNIPPET] + "…")
        return {"id": r.ref, "doc_id": r.doc_id, "doc_title": r.doc_title, "title": r.title,
                "section": r.section.display, "text": text, "score": round(self.score, 4),
                "units": r.units, "deadline": r.deadline, "deadline_raw": r.deadline_raw,
                "via": self.via, "warnings": r.warnings}


@dataclass
class Answer:
    """What every front end shows: Markdown text, its citations, the evidence."""

    question: str
    text: str  # Markdown, Chinese
    citations: list[str]  # cited refs, in order: "6", "5.3", "S1", "demo:3"
    hits: list[Hit]
    refused: bool
    answerer: str  # "extractive" | "structured" | "lookup" | "llm:<model>" | "input" | "error"
    notice: str | None = None  # truncation, LLM fallback, …
    subject: list[str] = field(default_factory=list)  # refs a follow-up refers back to
    related: list[str] = field(default_factory=list)  # refs of clauses listed to read next (not cited)

    def with_notice(self, notice: str | None) -> "Answer":
        """The answer with ``notice`` shown before its own (truncation first)."""
        if notice:
            self.notice = f"{notice} {self.notice}" if self.notice else notice
        return self

    def to_dict(self, full: bool = True) -> dict:
        """``full=False``: hits with snippets, at most MAX_HITS of them (an API reply stays small)."""
        hits = self.hits if full else self.hits[:MAX_HITS]
        return {"question": self.question, "answer": self.text, "citations": self.citations,
                "refused": self.refused, "answerer": self.answerer, "notice": self.notice,
                "subject": self.subject, "related": self.related, "hits": [h.to_dict(full) for h in hits]}
