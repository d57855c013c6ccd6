"""What the vector store holds: rows. Every leaf is embedded whole (with its
section and measure titles) and sentence by sentence; its curated questions
and the library's out-of-scope examples are embedded as queries (e5 matches
question to question far better than question to official prose).

A long clause's vector averages several topics, so a question about one of
them ("孩子上学要什么条件" in a clause mostly about education plans) matches its
sentence better than the whole; ``fusion.record_scores`` blends the rows
of a record into its dense score."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from langchain_core.embeddings import Embeddings

from ..domain.records import Record
from ..text.sentences import split_sentences
from .embeddings import embed_queries

# Bump when the embedded text layout changes, so old indexes go stale.
TEXT_VERSION = "5"
ROW_MARK = "#s"  # sentence row ids: "<record uid>#s<index>"
QUESTION_MARK = "#q"  # curated question row ids: "<record uid>#q<index>"
# Out-of-scope example rows: "<doc id>#n<index>". They belong to no record, are
# never search results, and only feed the refusal signal (answer.refusal).
DECLINE_MARK = "#n"


def embed_text(r: Record) -> str:
    """What is embedded for a leaf: its clause plus the measure and section
    titles, so "5.3" still means 企业简易注销 when read alone."""
    section = r.section.title or ""
    head = " / ".join(x for x in (section, r.measure_title) if x)
    return f"{head}\n{r.body}"


@dataclass(frozen=True)
class Row:
    """One vector in the collection: a whole clause, one of its sentences, or
    one of its curated questions (embedded as a query: question to question)."""

    id: str
    uid: str  # the record it belongs to ("" for a decline row)
    kind: str  # "clause" | "sentence" | "question" | "decline"
    text: str
    doc_id: str = ""


def index_rows(records: list[Record], questions_of: Callable[[Record], list[str]] | None = None,
               declines: list[tuple[str, str]] = ()) -> list[Row]:
    rows = []
    for r in records:
        rows.append(Row(r.uid, r.uid, "clause", embed_text(r)))
        for i, sent in enumerate(split_sentences(r.body)):
            rows.append(Row(f"{r.uid}{ROW_MARK}{i}", r.uid, "sentence", sent))
        for i, q in enumerate(questions_of(r) if questions_of else ()):
            rows.append(Row(f"{r.uid}{QUESTION_MARK}{i}", r.uid, "question", q))
    for i, (doc_id, q) in enumerate(declines):
        rows.append(Row(f"{doc_id}{DECLINE_MARK}{i}", "", "decline", q, doc_id))
    return rows


def record_of(row_id: str) -> str:
    # Record uids ("yiwu:5.3") never contain "#".
    return row_id.split("#", 1)[0]


EMBED_CHUNK = 256  # rows per embedder call: progress is reported between calls
ASKED = ("question", "decline")  # rows embedded as queries, the rest as passages


def row_side(row: Row) -> str:
    return "query" if row.kind in ASKED else "passage"


def embed_rows(emb: Embeddings, rows: list[Row], progress: Callable[[int, int], None] | None = None,
               cached: Callable[[Row], list[float] | None] | None = None) -> list[list[float]]:
    """Vectors in row order: clause and sentence rows as passages, curated and
    decline questions as queries (e5 compares query to query symmetrically).
    ``cached(row)``: a vector already known for the row (``vcache``), or None;
    only the others are embedded. ``progress(done, total)`` is called after
    each chunk."""
    vectors: list = [None] * len(rows)
    if cached is not None:
        for i, row in enumerate(rows):
            vectors[i] = cached(row)
    todo = [i for i, v in enumerate(vectors) if v is None]
    passages = [i for i in todo if row_side(rows[i]) == "passage"]
    questions = [i for i in todo if row_side(rows[i]) == "query"]
    done = len(rows) - len(todo)
    if progress is not None:
        progress(done, len(rows))
    for idx, embed in ((passages, emb.embed_documents), (questions, lambda t: embed_queries(emb, t))):
        for start in range(0, len(idx), EMBED_CHUNK):
            part = idx[start:start + EMBED_CHUNK]
            for i, v in zip(part, embed([rows[i].text for i in part])):
                vectors[i] = v
            done += len(part)
            if progress is not None:
                progress(done, len(rows))
    return vectors
