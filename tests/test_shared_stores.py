"""The shared stores against real servers (tests/_servers.py): votes in one
PostgreSQL table, rate limits in one Redis, and what happens while either
server restarts. Two whole app processes sharing them: tests/test_scaleout.py."""
from __future__ import annotations

import threading
import time

import pytest

from chatbot.app.feedback import open_feedback_store, record_safely
from chatbot.app.feedback.postgres import PostgresFeedbackStore
from chatbot.app.ratelimit import LimitStorage, RateLimiter

from _servers import postgres_server, redis_server  # noqa: F401  (fixtures)

pytestmark = pytest.mark.slow


@pytest.fixture
def pg(postgres_server):
    store = open_feedback_store(postgres_server.url, data_dir=None)
    assert isinstance(store, PostgresFeedbackStore)
    store.add("q", "a", [], "up")  # creates the schema
    store._run(lambda con: con.execute("TRUNCATE feedback"))
    yield store
    store.close()


# -- PostgreSQL ----------------------------------------------------------------------------------
def test_same_rules_as_sqlite(pg):
    rid = pg.add("刻章要钱吗", "不需要。", ["6"], "up", "extractive", "s1", key="k1")
    assert pg.add("刻章要钱吗", "不需要。", ["6"], "down", "extractive", "s1", key="k1") == rid  # replaced
    pg.add("别的", "答", ["5.3"], "up")  # unkeyed votes never collide
    pg.add("别的", "答", ["5.3"], "up")
    assert pg.count() == 3 and pg.count("down") == 1
    latest = pg.recent(1)[0]
    assert latest["citations"] == ["5.3"] and latest["vote_key"] is None
    assert pg.withdraw("k1") is True and pg.withdraw("k1") is False and pg.count() == 2
    pg.add("nul\x00字符", "答\x00", [], "up")  # PostgreSQL text holds no NUL: stripped, not an error
    assert pg.recent(1)[0]["question"] == "nul字符"


def test_concurrent_writers_lose_nothing(pg, postgres_server):
    """Two stores (as two processes would hold) writing from 8 threads each,
    unkeyed and keyed votes at once: every distinct vote is one row."""
    other = PostgresFeedbackStore(postgres_server.url)
    errors = []

    def vote(store, who, n):
        try:
            for i in range(n):
                store.add(f"问{i}", "答", ["6"], "up" if i % 2 else "down", session=who)
                store.add("同一条", "答", ["6"], "up", key=f"{who}:{i % 5}")  # five keys per writer
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=vote, args=(s, f"{name}{t}", 25))
               for name, s in (("a", pg), ("b", other)) for t in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    other.close()
    assert errors == []
    assert pg.count() == 16 * 25 + 16 * 5


def test_two_processes_create_the_schema_at_once(postgres_server):
    """Both processes start on an empty database and vote at once: the
    advisory lock lets one create the table and the other wait."""
    import psycopg

    with psycopg.connect(postgres_server.url, autocommit=True) as con:
        con.execute("DROP TABLE IF EXISTS feedback")
    stores = [PostgresFeedbackStore(postgres_server.url) for _ in range(4)]
    barrier, errors = threading.Barrier(4), []

    def first_vote(s):
        barrier.wait()
        try:
            s.add("q", "a", [], "up")
        except Exception as e:  # pragma: no cover
            errors.append(e)

    threads = [threading.Thread(target=first_vote, args=(s,)) for s in stores]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert errors == [] and stores[0].count() == 4
    for s in stores:
        s.close()


def test_server_restart_is_retried_or_reported(pg, postgres_server, caplog):
    """Down: the vote is retried, then reported (record_safely → False), never
    raised into the page. Back: the same store writes again on fresh connections."""
    pg.add("before", "a", [], "up")
    postgres_server.stop()
    try:
        t0 = time.perf_counter()
        assert record_safely(pg, "while down", "a", [], "up") is False
        assert time.perf_counter() - t0 < 15  # bounded: a person is waiting on the page
        assert any("retry" in r.getMessage() for r in caplog.records)
    finally:
        postgres_server.start()
    assert record_safely(pg, "after", "a", [], "up") is True
    assert [r["question"] for r in pg.recent(5)] == ["after", "before"]


def test_unknown_scheme_is_refused():
    with pytest.raises(ValueError, match="unsupported scheme"):
        open_feedback_store("mysql://x", None)


# -- Redis ---------------------------------------------------------------------------------------
def test_limits_are_shared_through_redis(redis_server):
    """Two storages (as in two processes) count one client together."""
    a = RateLimiter(30, 3, LimitStorage(redis_server.url, key_prefix="t1"), "answer")
    b = RateLimiter(30, 3, LimitStorage(redis_server.url, key_prefix="t1"), "answer")
    assert [a.acquire("198.51.100.1"), b.acquire("198.51.100.1"), a.acquire("198.51.100.1")] == [0.0] * 3
    assert b.acquire("198.51.100.1") > 0 and a.acquire("198.51.100.1") > 0
    assert b.acquire("198.51.100.2") == 0.0  # another client


def test_redis_restart_falls_back_to_local_limits(redis_server):
    st = LimitStorage(redis_server.url, retry_seconds=0.5, key_prefix="t2")
    lim = RateLimiter(30, 2, st, "answer")
    assert lim.acquire("c") == 0.0 and not st.degraded
    redis_server.stop()
    try:
        t0 = time.perf_counter()
        results = [lim.acquire("c") for _ in range(3)]
        assert time.perf_counter() - t0 < 3  # a down Redis costs one short timeout, not one per request
        assert st.degraded
        assert results[:2] == [0.0, 0.0] and results[2] > 0  # still limited, by this process
    finally:
        redis_server.start()
    time.sleep(0.6)
    assert lim.acquire("d") == 0.0 and not st.degraded  # shared again
