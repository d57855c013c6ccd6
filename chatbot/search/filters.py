"""Metadata filters: department (loose names), deadline range, section,
document, record kind. The hotline desk and list questions share them."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..domain.dates import parse_month
from ..domain.records import Record
from ..text import departments


@dataclass
class Filters:
    units: list[str] = field(default_factory=list)  # any of these departments
    deadline_after: str | None = None  # "YYYY-MM", inclusive
    deadline_before: str | None = None  # "YYYY-MM", inclusive
    section: int | None = None  # 1..17; 0 = 保障措施
    doc: str | None = None
    kinds: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.deadline_after = parse_month(self.deadline_after)
        self.deadline_before = parse_month(self.deadline_before)

    def empty(self) -> bool:
        return not (self.units or self.deadline_after or self.deadline_before
                    or self.section is not None or self.doc or self.kinds)

    def accepts(self, r: Record, known_units: list[str], default_doc: str | None = None) -> bool:
        """``default_doc``: the document a section number means when no
        document is chosen (section numbers are each document's own)."""
        if self.doc and r.doc_id != self.doc:
            return False
        if self.section is not None and default_doc and not self.doc and r.doc_id != default_doc:
            return False
        if self.kinds and r.kind not in self.kinds:
            return False
        if self.section is not None:
            if (r.section.no or 0) != self.section:
                return False
        if self.units and not any(departments.matches(u, r.units, known_units) for u in self.units):
            return False
        if self.deadline_after or self.deadline_before:
            if not r.deadline:
                return False
            if self.deadline_after and r.deadline < self.deadline_after:
                return False
            if self.deadline_before and r.deadline > self.deadline_before:
                return False
        return True
