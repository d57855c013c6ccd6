"""👍/👎 feedback on answers. SQLite on one host (the default); PostgreSQL,
chosen by ``YIWU_FEEDBACK_URL=postgresql://…``, when several app processes
or hosts must write into one table."""
from __future__ import annotations

from pathlib import Path

from .base import MAX_TEXT, RATINGS, FeedbackStore, normalize_rating, record_safely, withdraw_safely
from .sqlite import DB_NAME, SqliteFeedbackStore

__all__ = ["DB_NAME", "MAX_TEXT", "RATINGS", "FeedbackStore", "SqliteFeedbackStore", "normalize_rating",
           "open_feedback_store", "record_safely", "withdraw_safely"]


def open_feedback_store(url: str | None, data_dir: Path) -> FeedbackStore:
    """The store a URL names: none or ``sqlite:///path`` for a SQLite file
    (default ``<data_dir>/feedback.sqlite3``), ``postgresql://…`` for a server.
    Nothing connects until the first vote, so a server that is down does not
    stop the app from starting."""
    url = (url or "").strip()
    if not url:
        return SqliteFeedbackStore(Path(data_dir) / DB_NAME)
    if url.startswith("sqlite:///"):
        return SqliteFeedbackStore(Path(url[len("sqlite:///"):]))
    if url.startswith(("postgresql://", "postgres://")):
        from .postgres import PostgresFeedbackStore  # psycopg only when asked for
        return PostgresFeedbackStore(url)
    raise ValueError(f"YIWU_FEEDBACK_URL: unsupported scheme in {url.split('://')[0]!r} "
                     "(use sqlite:///path or postgresql://…)")
