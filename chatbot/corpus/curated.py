"""Curated example questions per clause (a hand-written doc2query).

A citizen asks "刻章要花钱吗"; the plan says "首套印章免费". The small e5 model
matches question to question far better than question to official prose,
so each clause may carry a few questions it answers, written from the plan
text alone (never from an evaluation set). They are embedded as extra rows
of their clause (``search.rows.index_rows``); answers still quote only the plan.

File: JSONL next to the document, one ``{"id": "5.3", "q": "…"}`` a line,
named by the manifest entry's ``questions`` key.

The opposite list, ``declines``: questions people bring to the same desk that
the document does NOT answer ("个人所得税专项附加扣除怎么填", "政务服务中心几点上班"),
one ``{"q": "…"}`` a line (other keys, e.g. "kind" and "why", are notes for
the maintainer). They are embedded like curated questions but belong to no
clause; how much closer a question is to them than to the curated questions
is a refusal signal (``answer.refusal``). With several documents,
list only questions that none of them answers.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

from ..domain.records import ParseWarning

MAX_QUESTION_CHARS = 200


def _json_lines(text: str, doc_id: str, source: str, warnings: list[ParseWarning]) -> Iterator[tuple[int, object]]:
    """(line number, parsed value) for each non-blank line; a line that is not
    JSON adds a warning to ``warnings`` and is skipped."""
    for no, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            yield no, json.loads(raw)
        except json.JSONDecodeError as e:
            warnings.append(ParseWarning(doc_id, no, f"{source}: invalid JSON ({e.msg}); line skipped"))


def parse_questions(text: str, doc_id: str, known_ids: set[str],
                    source: str = "<questions>") -> tuple[dict[str, list[str]], list[ParseWarning]]:
    """{record id: [questions]} and a warning per line that was skipped
    (bad JSON, unknown id, empty or overlong question, duplicate)."""
    out: dict[str, list[str]] = {}
    warnings: list[ParseWarning] = []
    seen: set[tuple[str, str]] = set()

    def warn(line: int, msg: str, rid: str | None = None) -> None:
        warnings.append(ParseWarning(doc_id, line, f"{source}: {msg}", rid))

    for no, item in _json_lines(text, doc_id, source, warnings):
        if not isinstance(item, dict):
            warn(no, "expected an object with 'id' and 'q'; line skipped")
            continue
        rid, q = str(item.get("id", "")).strip(), item.get("q")
        if rid not in known_ids:
            warn(no, f"no clause {rid!r} in the document; question skipped")
            continue
        if not isinstance(q, str) or not q.strip() or len(q) > MAX_QUESTION_CHARS:
            warn(no, f"question must be text of 1–{MAX_QUESTION_CHARS} characters; skipped", rid)
            continue
        q = " ".join(q.split())
        if (rid, q) in seen:
            continue
        seen.add((rid, q))
        out.setdefault(rid, []).append(q)
    return out, warnings


def load_questions(path: Path, doc_id: str, known_ids: set[str]) -> tuple[dict[str, list[str]], list[ParseWarning], str]:
    """(questions, warnings, sha256 of the file) for one document."""
    data = Path(path).read_bytes()
    questions, warnings = parse_questions(data.decode("utf-8-sig"), doc_id, known_ids, Path(path).name)
    return questions, warnings, hashlib.sha256(data).hexdigest()


def parse_declines(text: str, doc_id: str, source: str = "<declines>") -> tuple[list[str], list[ParseWarning]]:
    """Out-of-scope example questions, and a warning per skipped line."""
    out: list[str] = []
    warnings: list[ParseWarning] = []
    seen: set[str] = set()
    for no, item in _json_lines(text, doc_id, source, warnings):
        q = item.get("q") if isinstance(item, dict) else None
        if not isinstance(q, str) or not q.strip() or len(q) > MAX_QUESTION_CHARS:
            warnings.append(ParseWarning(
                doc_id, no, f"{source}: expected {{\"q\": text of 1–{MAX_QUESTION_CHARS} characters}}; line skipped"))
            continue
        q = " ".join(q.split())
        if q not in seen:
            seen.add(q)
            out.append(q)
    return out, warnings


def load_declines(path: Path, doc_id: str) -> tuple[list[str], list[ParseWarning], str]:
    """(questions, warnings, sha256 of the file)."""
    data = Path(path).read_bytes()
    declines, warnings = parse_declines(data.decode("utf-8-sig"), doc_id, Path(path).name)
    return declines, warnings, hashlib.sha256(data).hexdigest()
