"""👍/👎 feedback on answers, kept in SQLite (``app.bootstrap`` puts it under
``settings.data_dir``).

A vote may carry a key (the chat uses session + answer): voting again on the
same answer replaces the vote and clicking the thumb off withdraws it, so
the table holds what people think now, not every click they made.

One short-lived connection per write (SQLite connections are not shared
between threads), WAL journal so readers never block the writer, and a
busy timeout plus a few retries so that many people clicking at once queue
up instead of losing rows. A write that still fails raises; the web layer
calls :func:`record_safely`, which logs the failure and never lets it reach
the person who asked.
"""
from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

log = logging.getLogger(__name__)

DB_NAME = "feedback.sqlite3"
RATINGS = ("up", "down")
# Stored text is capped: feedback must not become a way to fill the disk.
MAX_TEXT = 20_000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    ts         TEXT    NOT NULL,          -- UTC, ISO 8601
    rating     TEXT    NOT NULL CHECK (rating IN ('up', 'down')),
    question   TEXT    NOT NULL,
    answer     TEXT    NOT NULL,
    citations  TEXT    NOT NULL,          -- JSON list of refs: ["5.3", "S1"]
    answerer   TEXT,
    session    TEXT,
    vote_key   TEXT                       -- one vote per key; NULL: unkeyed
);
CREATE INDEX IF NOT EXISTS feedback_ts ON feedback (ts);
"""
# Separate: it needs the column, which databases from before keys lack
# until _ensure adds it. NULLs never collide in a SQLite unique index.
_KEY_INDEX = "CREATE UNIQUE INDEX IF NOT EXISTS feedback_vote ON feedback (vote_key)"


class FeedbackStore:
    def __init__(self, path: Path | str, timeout: float = 10.0, retries: int = 3):
        self.path = Path(path)
        self.timeout = timeout
        self.retries = retries
        self._init_lock = threading.Lock()
        self._ready = False

    # -- connections -----------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        con = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)
        con.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")
        return con

    def _ensure(self) -> None:
        if self._ready:
            return
        with self._init_lock:
            if self._ready:
                return
            self.path.parent.mkdir(parents=True, exist_ok=True)
            con = self._connect()
            try:
                con.execute("PRAGMA journal_mode = WAL")
                con.executescript(_SCHEMA)
                cols = {r[1] for r in con.execute("PRAGMA table_info(feedback)")}
                if "vote_key" not in cols:
                    con.execute("ALTER TABLE feedback ADD COLUMN vote_key TEXT")
                con.execute(_KEY_INDEX)
            finally:
                con.close()
            self._ready = True

    # -- writes ----------------------------------------------------------------
    def add(self, question: str, answer: str, citations: list[str] | None, rating: str,
            answerer: str | None = None, session: str | None = None, key: str | None = None) -> int:
        """Store one vote; returns its row id. With ``key``, a vote stored
        earlier under the same key is replaced. Raises sqlite3.Error when the
        database stays locked past the timeout or the disk is full."""
        rating = normalize_rating(rating)
        row = (
            datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
            rating,
            _cap(question),
            _cap(answer),
            json.dumps([str(c)[:40] for c in (citations or [])][:50], ensure_ascii=False),
            (answerer or "")[:80] or None,
            (session or "")[:80] or None,
            (key or "")[:200] or None,
        )
        # On a repeated key the row is updated in place (its id is kept).
        sql = ("INSERT INTO feedback (ts, rating, question, answer, citations, answerer, session, vote_key)"
               " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
               " ON CONFLICT (vote_key) DO UPDATE SET ts = excluded.ts, rating = excluded.rating,"
               " question = excluded.question, answer = excluded.answer, citations = excluded.citations,"
               " answerer = excluded.answerer, session = excluded.session"
               " RETURNING id")
        return int(self._write(lambda con: con.execute(sql, row).fetchone()[0]))

    def withdraw(self, key: str) -> bool:
        """Remove the vote stored under ``key``; False when there was none."""
        if not key:
            return False
        return bool(self._write(lambda con: con.execute(
            "DELETE FROM feedback WHERE vote_key = ?", (key[:200],)).rowcount))

    def _write(self, op):
        """Run one write, retrying while another writer holds the lock; a
        database file deleted under the running app is created again."""
        if self._ready and not self.path.exists():
            self._ready = False
        self._ensure()
        delay = 0.05
        for attempt in range(self.retries + 1):
            con = self._connect()
            try:
                return op(con)
            except sqlite3.OperationalError as e:
                if "no such table" in str(e) and attempt < self.retries:
                    log.warning("feedback table missing (%s); creating it again", e)
                    self._ready = False
                    self._ensure()
                    continue
                transient = "locked" in str(e) or "busy" in str(e)
                if not transient or attempt == self.retries:
                    raise
                log.warning("feedback store busy (%s), retry %d", e, attempt + 1)
                time.sleep(delay)
                delay *= 2
            finally:
                con.close()
        raise AssertionError("unreachable")

    # -- reads -----------------------------------------------------------------
    def count(self, rating: str | None = None) -> int:
        if not self.path.exists():
            return 0
        self._ensure()
        con = self._connect()
        try:
            if rating:
                return con.execute("SELECT COUNT(*) FROM feedback WHERE rating = ?", (rating,)).fetchone()[0]
            return con.execute("SELECT COUNT(*) FROM feedback").fetchone()[0]
        finally:
            con.close()

    def recent(self, n: int = 20) -> list[dict]:
        if not self.path.exists():
            return []
        self._ensure()
        con = self._connect()
        con.row_factory = sqlite3.Row
        try:
            rows = con.execute("SELECT * FROM feedback ORDER BY id DESC LIMIT ?", (n,)).fetchall()
        finally:
            con.close()
        out = []
        for r in rows:
            d = dict(r)
            d["citations"] = json.loads(d["citations"])
            out.append(d)
        return out


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
    # lone surrogates cannot be encoded to UTF-8 by sqlite3
    text = text.encode("utf-8", "replace").decode("utf-8")
    return text[:MAX_TEXT]


def record_safely(store: FeedbackStore, question: str, answer: str, citations: list[str] | None, rating,
                  answerer: str | None = None, session: str | None = None, key: str | None = None) -> bool:
    """Store a vote; on any failure log it and return False (never raise)."""
    try:
        store.add(question, answer, citations, rating, answerer, session, key)
        return True
    except Exception:  # locked, disk full, read-only, bad rating…
        log.exception("feedback not stored (rating=%r, citations=%r)", rating, citations)
        return False


def withdraw_safely(store: FeedbackStore, key: str) -> bool:
    """Withdraw a keyed vote; False when it failed (logged) or there was none."""
    try:
        return store.withdraw(key)
    except Exception:
        log.exception("feedback not withdrawn (key=%r)", key[:80])
        return False
