"""The SQLite feedback store: WAL, nothing lost under concurrent clicks,
failures (locked, disk full) logged instead of raised."""
from __future__ import annotations

import logging
import sqlite3
import threading

import pytest

from chatbot.app import feedback
from chatbot.app.feedback import SqliteFeedbackStore as FeedbackStore, normalize_rating, record_safely


@pytest.fixture
def store(tmp_path) -> FeedbackStore:
    return FeedbackStore(tmp_path / "fb" / "feedback.sqlite3")


def test_add_and_read_back(store):
    rid = store.add("刻章要钱吗", "实现企业开办“零收费”（第6条）", ["6"], "up", "extractive", "sess1")
    assert rid == 1
    store.add("简易注销公示多少天", "20天（第5.3条）", ["5.3", "S1"], "down")
    assert store.count() == 2 and store.count("up") == 1 and store.count("down") == 1
    rows = store.recent()
    assert rows[0]["citations"] == ["5.3", "S1"] and rows[0]["rating"] == "down"
    assert rows[1]["question"] == "刻章要钱吗" and rows[1]["session"] == "sess1"
    assert rows[1]["ts"].endswith("+00:00")


def test_wal_mode(store):
    store.add("q", "a", [], "up")
    con = sqlite3.connect(store.path)
    try:
        assert con.execute("PRAGMA journal_mode").fetchone()[0].lower() == "wal"
    finally:
        con.close()


def test_ratings_normalised():
    assert normalize_rating(True) == "up" and normalize_rating(False) == "down"
    assert normalize_rating("👍") == "up" and normalize_rating("Dislike") == "down"
    with pytest.raises(ValueError):
        normalize_rating("maybe")


def test_odd_text_is_stored(store):
    # lone surrogate, SQL, control characters, very long text
    q = "a\ud800b'; DROP TABLE feedback; --\x00" + "长" * 50_000
    store.add(q, "<script>alert(1)</script>", ["5.3"], "up")
    row = store.recent(1)[0]
    assert "DROP TABLE" in row["question"] and len(row["question"]) == feedback.MAX_TEXT
    assert row["answer"] == "<script>alert(1)</script>"
    assert store.count() == 1


def test_many_concurrent_writers_lose_nothing(store):
    threads, per_thread = 32, 25
    errors: list[BaseException] = []
    start = threading.Barrier(threads)

    def work(i: int) -> None:
        try:
            start.wait()
            for j in range(per_thread):
                store.add(f"问题{i}-{j}", "回答", [str(j % 7 + 2)], "up" if j % 2 else "down", session=f"s{i}")
        except BaseException as e:  # noqa: BLE001
            errors.append(e)

    ts = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert not errors
    assert store.count() == threads * per_thread
    con = sqlite3.connect(store.path)
    try:
        distinct = con.execute("SELECT COUNT(DISTINCT question) FROM feedback").fetchone()[0]
    finally:
        con.close()
    assert distinct == threads * per_thread


def test_locked_store_is_logged_not_raised(tmp_path, caplog):
    store = FeedbackStore(tmp_path / "feedback.sqlite3", timeout=0.2, retries=1)
    store.add("warm up", "a", [], "up")
    blocker = sqlite3.connect(store.path, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(sqlite3.OperationalError):
            store.add("q", "a", [], "up")
        with caplog.at_level(logging.ERROR, logger="chatbot.app.feedback"):
            assert record_safely(store, "q", "a", ["5.3"], "up") is False
        assert any("feedback not stored" in r.getMessage() for r in caplog.records)
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert record_safely(store, "q", "a", ["5.3"], "up") is True
    assert store.count() == 2


class _TinyStore(FeedbackStore):
    """A store whose database may not grow: SQLite reports SQLITE_FULL,
    exactly as on a full disk."""

    def _connect(self):
        con = super()._connect()
        con.execute("PRAGMA max_page_count = 4")
        return con


def test_disk_full_is_logged_not_raised(tmp_path, caplog):
    store = _TinyStore(tmp_path / "feedback.sqlite3")
    with caplog.at_level(logging.ERROR, logger="chatbot.app.feedback"):
        results = [record_safely(store, "问" * 2000, "答" * 2000, ["6"], "down") for _ in range(20)]
    assert results[-1] is False
    assert any("database or disk is full" in (r.exc_text or "") for r in caplog.records)


def test_default_store_lives_under_data_dir(services, settings):
    s = services.feedback
    assert s.path.parent == settings.data_dir
    assert s.path.name == feedback.DB_NAME


def test_keyed_vote_is_replaced_and_withdrawn(store):
    first = store.add("刻章要钱吗", "免费（第6条）", ["6"], "up", key="chat:s:1")
    store.add("简易注销公示多少天", "20天", ["5.3"], "up")  # unkeyed votes never collide
    store.add("简易注销公示多少天", "20天", ["5.3"], "up")
    again = store.add("刻章要钱吗", "免费（第6条）", ["6"], "down", key="chat:s:1")
    assert again == first and store.count() == 3 and store.count("down") == 1
    assert store.withdraw("chat:s:1") is True and store.count() == 2
    assert store.withdraw("chat:s:1") is False and store.withdraw("") is False


def test_database_from_before_vote_keys_is_upgraded(tmp_path):
    path = tmp_path / "old.sqlite3"
    con = sqlite3.connect(path)
    con.executescript("""
        CREATE TABLE feedback (id INTEGER PRIMARY KEY AUTOINCREMENT, ts TEXT NOT NULL,
            rating TEXT NOT NULL CHECK (rating IN ('up', 'down')), question TEXT NOT NULL,
            answer TEXT NOT NULL, citations TEXT NOT NULL, answerer TEXT, session TEXT);
        INSERT INTO feedback (ts, rating, question, answer, citations) VALUES ('2024-01-01', 'up', 'q', 'a', '[]');
    """)
    con.close()
    store = FeedbackStore(path)
    store.add("q2", "a2", [], "down", key="k")
    store.add("q2", "a2", [], "up", key="k")
    assert store.count() == 2 and [r["rating"] for r in store.recent()] == ["up", "up"]


def test_withdraw_failure_is_logged_not_raised(tmp_path, caplog):
    from chatbot.app.feedback import withdraw_safely

    class Broken(FeedbackStore):
        def withdraw(self, key):
            raise sqlite3.OperationalError("disk I/O error")

    with caplog.at_level(logging.ERROR, logger="chatbot.app.feedback"):
        assert withdraw_safely(Broken(tmp_path / "x.sqlite3"), "k") is False
    assert any("not withdrawn" in r.getMessage() for r in caplog.records)
