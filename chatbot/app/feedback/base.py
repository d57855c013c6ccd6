"""What every feedback store does, and the rules every store shares.

A vote may carry a key (the chat uses session + answer): voting again on the
same answer replaces the vote and clicking the thumb off withdraws it, so
the table holds what people think now, not every click they made. The web
layer calls :func:`record_safely` / :func:`withdraw_safely`, which log a
failure and never let it reach the person who asked: a vote that cannot be
stored is reported ("反馈暂时未能保存"), the answer is never lost.
"""
from __future__ import annotations

import json
import logging
from abc import ABC, abstractmethod
from datetime import datetime, timezone

log = logging.getLogger(__name__)

RATINGS = ("up", "down")
# Stored text is capped: feedback must not become a way to fill the disk.
MAX_TEXT = 20_000
# The columns, in the order vote_row() gives them; the same in every store.
COLUMNS = ("ts", "rating", "question", "answer", "citations", "answerer", "session", "vote_key")
# One table for every store; only the row id's type is the database's own.
TABLE_DDL = """CREATE TABLE IF NOT EXISTS feedback (
    id         {id},
    ts         TEXT NOT NULL,          -- UTC, ISO 8601
    rating     TEXT NOT NULL CHECK (rating IN ('up', 'down')),
    question   TEXT NOT NULL,
    answer     TEXT NOT NULL,
    citations  TEXT NOT NULL,          -- JSON list of refs: ["5.3", "S1"]
    answerer   TEXT,
    session    TEXT,
    vote_key   TEXT                    -- one vote per key; NULL: unkeyed
)"""
TS_INDEX = "CREATE INDEX IF NOT EXISTS feedback_ts ON feedback (ts)"
# NULLs are distinct in a unique index, in SQLite and in PostgreSQL alike.
KEY_INDEX = "CREATE UNIQUE INDEX IF NOT EXISTS feedback_vote ON feedback (vote_key)"


def upsert_sql(placeholder: str) -> str:
    """Insert a vote; on a repeated key the row is updated in place (its id
    is kept). ``placeholder``: the driver's parameter mark (? or %s)."""
    return (f"INSERT INTO feedback ({', '.join(COLUMNS)}) VALUES ({', '.join([placeholder] * len(COLUMNS))})"
            " ON CONFLICT (vote_key) DO UPDATE SET "
            + ", ".join(f"{c} = excluded.{c}" for c in COLUMNS if c != "vote_key")
            + " RETURNING id")


class FeedbackStore(ABC):
    """One vote per key; ``add`` returns the row id (kept when a vote is replaced)."""

    kind = "feedback"

    def add(self, question: str, answer: str, citations: list[str] | None, rating: str,
            answerer: str | None = None, session: str | None = None, key: str | None = None) -> int:
        """Store one vote. With ``key``, a vote stored earlier under the same key is
        replaced. Raises the database's error when it cannot be written."""
        return self._upsert(vote_row(question, answer, citations, rating, answerer, session, key))

    def withdraw(self, key: str) -> bool:
        """Remove the vote stored under ``key``; False when there was none."""
        return bool(key) and self._delete(key[:200])

    @abstractmethod
    def _upsert(self, row: tuple) -> int:
        """Write one row (COLUMNS order) with upsert_sql; its id."""

    @abstractmethod
    def _delete(self, key: str) -> bool: ...

    @abstractmethod
    def count(self, rating: str | None = None) -> int: ...

    @abstractmethod
    def recent(self, n: int = 20) -> list[dict]:
        """The latest votes, newest first, citations as lists."""

    def close(self) -> None:
        """Release connections (a no-op for stores that hold none)."""


def vote_row(question, answer, citations, rating, answerer=None, session=None, key=None) -> tuple:
    """One vote as the stored row (COLUMNS order), capped and validated."""
    return (
        datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
        normalize_rating(rating),
        _cap(question),
        _cap(answer),
        json.dumps([str(c)[:40] for c in (citations or [])][:50], ensure_ascii=False),
        (answerer or "")[:80] or None,
        (session or "")[:80] or None,
        (key or "")[:200] or None,
    )


def normalize_rating(rating) -> str:
    """'up' / 'down'; also accepts True/False, 👍/👎, like/dislike."""
    if rating is True:
        return "up"
    if rating is False:
        return "down"
    r = str(rating).strip().lower()
    if r in ("up", "like", "liked", "👍", "1", "true", "good"):
        return "up"
    if r in ("down", "dislike", "disliked", "👎", "-1", "0", "false", "bad"):
        return "down"
    raise ValueError(f"rating must be one of {RATINGS}")


def _cap(text) -> str:
    text = "" if text is None else str(text)
    # Lone surrogates cannot be encoded to UTF-8, and PostgreSQL text holds no NUL.
    text = text.encode("utf-8", "replace").decode("utf-8").replace("\x00", "")
    return text[:MAX_TEXT]


def record_safely(store: FeedbackStore, question: str, answer: str, citations: list[str] | None, rating,
                  answerer: str | None = None, session: str | None = None, key: str | None = None) -> bool:
    """Store a vote; on any failure log it and return False (never raise)."""
    try:
        store.add(question, answer, citations, rating, answerer, session, key)
        return True
    except Exception:  # locked, disk full, server down, bad rating…
        log.exception("feedback not stored (rating=%r, citations=%r)", rating, citations)
        return False


def withdraw_safely(store: FeedbackStore, key: str) -> bool:
    """Withdraw a keyed vote; False when it failed (logged) or there was none."""
    try:
        return store.withdraw(key)
    except Exception:
        log.exception("feedback not withdrawn (key=%r)", key[:80])
        return False
