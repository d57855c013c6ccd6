"""Two app processes (app.py, on their own ports) sharing one Chroma server,
one PostgreSQL feedback table and one Redis rate limit (eval/cluster.py):
votes sent to both land in one table with none lost, a client limited on one
process is limited on the other, and a restart of PostgreSQL or Redis
degrades answers without failing them. Real servers, the real corpus and
the default embedder; about a minute."""
from __future__ import annotations

import threading

import pytest

from eval.cluster import Cluster, http_json
from eval.servers import PG_BIN, REDIS

from _servers import require

pytestmark = pytest.mark.slow

LIMIT = 3  # answers a client may ask, shared by both processes (per 60 s)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    from pathlib import Path

    require(PG_BIN is not None, "PostgreSQL (postgresql)")
    require(Path(REDIS).exists(), "redis-server")
    env = {"YIWU_TRUSTED_PROXIES": "1", "YIWU_RATE_ANSWERS_BURST": str(LIMIT),
           "YIWU_RATE_ANSWERS_PER_MINUTE": str(LIMIT), "YIWU_RATE_VOTES_BURST": "1000",
           "YIWU_RATELIMIT_RETRY_SECONDS": "1"}
    with Cluster(tmp_path_factory.mktemp("cluster"), processes=2, env=env) as c:
        yield c


def client(url: str, visitor: str):
    """A gradio_client for one visitor (behind a trusted proxy: X-Forwarded-For)."""
    from gradio_client import Client

    return Client(url, verbose=False, headers={"X-Forwarded-For": visitor})


def count_votes(cluster) -> int:
    import psycopg

    with psycopg.connect(cluster.postgres.url) as con:
        try:
            return con.execute("SELECT COUNT(*) FROM feedback").fetchone()[0]
        except psycopg.errors.UndefinedTable:  # made by the first vote
            return 0


def test_both_processes_are_ready_on_one_index(cluster):
    assert http_json(cluster.urls[0] + "healthz")[1] == {"status": "ok", "feedback": "postgresql",
                                                         "ratelimit": "redis"}
    states = [http_json(u + "readyz") for u in cluster.urls]
    assert [code for code, _ in states] == [200, 200]
    assert states[0][1]["total"] == states[1][1]["total"] > 3000  # the same shared index


def test_votes_to_both_processes_land_in_one_table(cluster):
    before = count_votes(cluster)
    errors, per = [], 15

    def vote(url, visitor):
        try:
            c = client(url, visitor)
            for i in range(per):
                got = c.predict(f"{visitor}-{i}", "刻章要钱吗", "不需要。", ["6"], "up", api_name="/vote")
                assert got == {"stored": True}, got
            # the same vote id again replaces, never adds
            assert c.predict(f"{visitor}-0", "刻章要钱吗", "不需要。", ["6"], "down",
                             api_name="/vote") == {"stored": True}
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(repr(e))

    threads = [threading.Thread(target=vote, args=(u, f"198.51.100.{10 + 2 * k + j}"))
               for k, u in enumerate(cluster.urls) for j in range(2)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert errors == []
    assert count_votes(cluster) - before == 4 * per  # none lost, none doubled


def test_a_client_limited_on_one_process_is_limited_on_the_other(cluster):
    a, b = client(cluster.urls[0], "203.0.113.60"), client(cluster.urls[1], "203.0.113.60")
    for i in range(LIMIT):
        assert (a if i % 2 else b).predict("刻章要钱吗", api_name="/ask")["answer"]
    with pytest.raises(Exception, match="请求过于频繁"):
        a.predict("刻章要钱吗", api_name="/ask")
    with pytest.raises(Exception, match="请求过于频繁"):
        b.predict("刻章要钱吗", api_name="/ask")
    # another visitor is not affected
    assert client(cluster.urls[1], "203.0.113.61").predict("刻章要钱吗", api_name="/ask")["answer"]


def test_redis_restart_degrades_to_local_limits(cluster):
    cluster.redis.stop()
    try:
        c = client(cluster.urls[0], "203.0.113.70")
        r = c.predict("刻章要钱吗", api_name="/ask")
        assert "不需要" in r["answer"]  # answered while Redis is down
        for _ in range(LIMIT - 1):
            c.predict("刻章要钱吗", api_name="/ask")
        with pytest.raises(Exception, match="请求过于频繁"):  # still limited, by the process itself
            c.predict("刻章要钱吗", api_name="/ask")
        assert "local to this process" in cluster.log(0)
        assert "unreachable" in http_json(cluster.urls[0] + "healthz")[1]["ratelimit"]
    finally:
        cluster.redis.start()
    import time

    time.sleep(1.5)  # past YIWU_RATELIMIT_RETRY_SECONDS: shared again
    assert client(cluster.urls[1], "203.0.113.71").predict("刻章要钱吗", api_name="/ask")["answer"]


def test_postgres_restart_degrades_votes_not_answers(cluster):
    c = client(cluster.urls[1], "203.0.113.80")
    cluster.postgres.stop()
    try:
        assert "不需要" in c.predict("刻章要钱吗", api_name="/ask")["answer"]
        assert c.predict("down-1", "刻章要钱吗", "不需要。", ["6"], "up", api_name="/vote") == {"stored": False}
    finally:
        cluster.postgres.start()
    before = count_votes(cluster)
    assert c.predict("down-1", "刻章要钱吗", "不需要。", ["6"], "up", api_name="/vote") == {"stored": True}
    assert count_votes(cluster) == before + 1
    assert http_json(cluster.urls[1] + "readyz")[0] == 200
