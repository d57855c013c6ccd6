"""Document formats: each turns a file's text into a ``Corpus`` of records.
The manifest names a document's format (``"format": "plan"``); a new kind of
document is a new entry here, not a change anywhere else."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ...domain.records import Record
from ..document import Corpus
from . import plan, regulation


@dataclass(frozen=True)
class Format:
    name: str
    parse: Callable[[str, str, Path], Corpus]  # (text, doc id, path) → Corpus
    numbering: Callable[[list[Record]], str]  # "措施编号为2–140，保障措施为S1–S8"
    empty_hint: str  # what a file with no records was expected to contain


FORMATS = {
    "plan": Format("plan", plan.parse_text, plan.numbering,
                   "expected lines such as “1.标题” / “2.1条文（责任单位：…；完成时限：…）”"),
    "regulation": Format("regulation", regulation.parse_text, regulation.numbering,
                         "expected “# 标题”, optional “## 第一章 …” and articles “第一条 …”"),
}


def detect(path: Path, text: str) -> str:
    """The format of a file the manifest does not name: Markdown with 第X条
    articles is a regulation; anything else a plan."""
    if path.suffix == ".md" and regulation.ARTICLE.search(text.replace("\r", ""), 0) is None:
        return DEFAULT
    if path.suffix == ".md" or any(regulation.ARTICLE.match(l.strip()) for l in text.splitlines()[:200]):
        return "regulation"
    return DEFAULT
DEFAULT = "plan"


def get(name: str) -> Format:
    return FORMATS[name]
