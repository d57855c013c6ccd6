"""corpus/manifest.json: which documents the library holds, in which
format, with which curated files. Errors name the manifest line."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from . import formats
from .source import CorpusError, read_text

# A document id is what users type before the colon in "demo:3", so it must
# match what refs.find_refs reads: a letter first, then letters, digits, - or _.
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
DOC_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,31}")


@dataclass(frozen=True)
class DocumentSpec:
    id: str
    title: str | None
    file: Path
    source: str = ""  # where it was declared: "corpus/manifest.json: document 'demo'"
    questions: Path | None = None  # curated example questions (corpus.curated)
    declines: Path | None = None  # out-of-scope example questions (corpus.curated)
    format: str | None = None  # a name in corpus.formats.FORMATS; None: detected from the file
    examples: tuple[str, ...] = ()  # example questions the web page offers
    short_names: tuple[str, ...] = ()  # what people call it ("款项支付条例")
    effective: str | None = None  # in force since, YYYY-MM-DD
    supersedes: str | None = None  # the id of the version this one replaces
    orders: tuple[int, ...] = ()  # its 国务院令 numbers, when the file's header does not carry them


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
    ``declines`` one of out-of-scope questions (corpus.curated); ``format``
    names the document's format ("plan", "regulation"; detected when absent);
    ``examples`` lists example questions for the web page; ``short_names``
    what people call it; ``effective`` the date it is in force from;
    ``supersedes`` the id of the earlier version it replaces; ``orders`` its
    国务院令 numbers where the file's header lines lack them ("755号令第13条").
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
            fmt = d.get("format")
            examples, short = d.get("examples", []), d.get("short_names", [])
            effective, supersedes = d.get("effective"), d.get("supersedes")
            orders = d.get("orders", [])
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
            if fmt is not None and fmt not in formats.FORMATS:
                raise CorpusError(f"{where}: unknown format {fmt!r} (known: {', '.join(formats.FORMATS)})")
            for key, value in (("examples", examples), ("short_names", short)):
                if not isinstance(value, list) or not all(isinstance(x, str) and x.strip() for x in value):
                    raise CorpusError(f"{where}: '{key}' must be a list of texts")
            if effective is not None and not (isinstance(effective, str) and _DAY.fullmatch(effective)):
                raise CorpusError(f"{where}: 'effective' must be a date YYYY-MM-DD")
            if not isinstance(orders, list) or not all(isinstance(n, int) and n > 0 for n in orders):
                raise CorpusError(f"{where}: 'orders' must be a list of 令 numbers")
            if supersedes is not None and not isinstance(supersedes, str):
                raise CorpusError(f"{where}: 'supersedes' must be a document id")
            if any(s.id == doc_id for s in specs):
                raise CorpusError(f"{where}: duplicate document id {doc_id!r}")
            specs.append(DocumentSpec(doc_id, title or None, corpus_dir / file,
                                      f"{where} (id {doc_id!r})",
                                      corpus_dir / questions if questions else None,
                                      corpus_dir / declines if declines else None, fmt,
                                      tuple(x.strip() for x in examples), tuple(x.strip() for x in short),
                                      effective, supersedes, tuple(orders)))
        ids = {s.id for s in specs}
        for spec in specs:
            if spec.supersedes is not None and (spec.supersedes not in ids or spec.supersedes == spec.id):
                raise CorpusError(f"{spec.source}: 'supersedes' names {spec.supersedes!r}, not another document "
                                  f"of the manifest")
        return specs
    if not corpus_dir.is_dir():
        raise CorpusError(f"{corpus_dir}: corpus directory not found")
    files = sorted([*corpus_dir.glob("*.txt"), *corpus_dir.glob("*.md")])
    if not files:
        raise CorpusError(f"{corpus_dir}: no policy files (*.txt) found")
    specs = []
    for f in files:
        doc_id = re.sub(r"[^A-Za-z0-9_-]", "-", f.stem)
        if not doc_id[:1].isalpha():
            doc_id = "doc-" + doc_id
        specs.append(DocumentSpec(doc_id[:32], None, f))
    return specs
