"""One parsed document: its records, sections, parse warnings and the
curated files that come with it."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..domain.records import ParseWarning, Record, Section


@dataclass
class Corpus:
    doc_id: str
    title: str
    path: Path
    records: list[Record]
    sections: list[Section]
    warnings: list[ParseWarning]
    sha256: str
    format: str = "plan"  # the name in corpus.formats.FORMATS
    examples: tuple[str, ...] = ()  # example questions (manifest "examples")
    metadata: dict = field(default_factory=dict)  # header facts: adopted, promulgated, effective, orders
    short_names: tuple[str, ...] = ()  # what people call it (manifest "short_names")
    effective: str | None = None  # "YYYY-MM-DD", manifest or header
    supersedes: str | None = None  # the id of the version this one replaces
    superseded_by: str | None = None  # set by the library
    # Curated example questions per record id (corpus.curated); they change
    # the index, so their digest is part of the library's.
    questions: dict[str, list[str]] = field(default_factory=dict)
    questions_sha256: str = ""
    # Out-of-scope example questions (corpus.curated): a refusal signal.
    declines: list[str] = field(default_factory=list)
    declines_sha256: str = ""

    def get(self, rid: str) -> Record | None:
        for r in self.records:
            if r.id == rid:
                return r
        return None
