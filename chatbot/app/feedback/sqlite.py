"""The embedded feedback store: one SQLite file (``app.bootstrap`` puts it
under ``settings.data_dir``), for one host.

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
from pathlib import Path

from .base import KEY_INDEX, TABLE_DDL, TS_INDEX, FeedbackStore, upsert_sql

log = logging.getLogger(__name__)

DB_NAME = "feedback.sqlite3"

_SCHEMA = TABLE_DDL.format(id="INTEGER PRIMARY KEY AUTOINCREMENT") + ";\n" + TS_INDEX + ";"
# Separate: it needs the column, which databases from before keys lack
# until _ensure adds it.
_KEY_INDEX = KEY_INDEX
_UPSERT = upsert_sql("?")


class SqliteFeedbackStore(FeedbackStore):
    kind = "sqlite"

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

    # -- writes (sqlite3.Error when the database stays locked past the timeout or the disk is full)
    def _upsert(self, row: tuple) -> int:
        return int(self._write(lambda con: con.execute(_UPSERT, row).fetchone()[0]))

    def _delete(self, key: str) -> bool:
        return bool(self._write(lambda con: con.execute("DELETE FROM feedback WHERE vote_key = ?", (key,)).rowcount))

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
