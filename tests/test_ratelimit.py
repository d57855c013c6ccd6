"""Per-client request limits: the token bucket itself (on a fake clock), whose
address a request counts against, and the limits as the chat, the desk and
the API endpoints apply them."""
from __future__ import annotations

import gradio as gr
import pytest

from chatbot.app.ratelimit import RateLimiter, client_key

from conftest import handlers, with_settings


class Clock:
    def __init__(self):
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


class Req:
    """The parts of gr.Request the limiter reads."""

    def __init__(self, host="203.0.113.5", headers=None, session="s"):
        self.client = type("C", (), {"host": host})()
        self.headers = headers or {}
        self.session_hash = session


# -- the bucket ------------------------------------------------------------------------------
def test_burst_then_refill_per_minute():
    clock = Clock()
    lim = RateLimiter(per_minute=30, burst=3, clock=clock)
    assert [lim.acquire("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    wait = lim.acquire("a")
    assert wait == pytest.approx(2.0)  # 30 a minute: one every 2 s
    assert lim.acquire("b") == 0.0  # another client has its own bucket
    clock.t += 1.0
    assert lim.acquire("a") == pytest.approx(1.0)  # refused requests take nothing
    clock.t += 1.0
    assert lim.acquire("a") == 0.0 and lim.acquire("a") > 0
    clock.t += 3600
    assert [lim.acquire("a") for _ in range(4)][:3] == [0.0, 0.0, 0.0]  # refills only up to the burst


def test_disabled_limit_and_unlimited_clients():
    off = RateLimiter(per_minute=0, burst=1)
    assert not off.enabled and all(off.acquire("a") == 0.0 for _ in range(100))
    on = RateLimiter(per_minute=1, burst=1)
    assert all(on.acquire(None) == 0.0 for _ in range(100))


def test_memory_is_bounded_by_forgetting_the_oldest_clients():
    clock = Clock()
    lim = RateLimiter(per_minute=1, burst=1, clock=clock, max_clients=100)
    assert lim.acquire("first") == 0.0
    for i in range(500):
        lim.acquire(f"10.0.{i // 256}.{i % 256}")
    assert len(lim._buckets) == 100
    assert lim.acquire("first") == 0.0  # forgotten: a fresh bucket


# -- whose request -----------------------------------------------------------------------------
def test_client_key():
    s = False  # no trusted proxy
    assert client_key(None, s) is None
    assert client_key(Req("127.0.0.1"), s) is None and client_key(Req("::1"), s) is None
    assert client_key(Req("203.0.113.5"), s) == "203.0.113.5"
    # X-Forwarded-For is anyone's to write: read only behind a proxy that sets it
    spoofed = Req("203.0.113.5", {"x-forwarded-for": "198.51.100.1"})
    assert client_key(spoofed, s) == "203.0.113.5"
    proxied = True
    assert client_key(Req("127.0.0.1", {"x-forwarded-for": "198.51.100.1, 10.0.0.2"}), proxied) == "198.51.100.1"
    assert client_key(Req("127.0.0.1"), proxied) == "127.0.0.1"


# -- the limits in the web layer -----------------------------------------------------------------
@pytest.fixture
def tight(services, tmp_path):
    """Handlers over services with burst 2 for every kind (fresh buckets) and
    a private feedback store."""
    from dataclasses import replace

    from chatbot.app.feedback import FeedbackStore

    svc = with_settings(services, rate_answers_burst=2, rate_searches_burst=2, rate_votes_burst=2)
    return handlers(replace(svc, feedback=FeedbackStore(tmp_path / "fb.sqlite3")))


def test_api_ask_limited_per_client(tight):
    me, other = Req("203.0.113.5"), Req("203.0.113.6")
    for _ in range(2):
        assert tight.api.ask("刻章要钱吗", request=me)["citations"] == ["6"]
    with pytest.raises(gr.Error, match="请求过于频繁"):
        tight.api.ask("刻章要钱吗", request=me)
    assert tight.api.ask("刻章要钱吗", request=other)["answer"]
    assert tight.api.ask("刻章要钱吗", request=Req("127.0.0.1"))["answer"]  # local tools are not limited
    # an empty question is answered without counting
    assert tight.api.ask("   ", request=me)["refused"] is True


def test_search_and_votes_limited(tight):
    me = Req()
    assert tight.api.search("简易注销", request=me) and tight.api.search("简易注销", request=me)
    with pytest.raises(gr.Error, match="请求过于频繁"):
        tight.api.search("简易注销", request=me)
    assert tight.api.feedback("q", "a", [], "up", request=me) == {"stored": True}
    assert tight.api.vote("v1", "q", "a", [], "up", request=me) == {"stored": True}
    with pytest.raises(gr.Error, match="请求过于频繁"):
        tight.api.vote("v1", "q", "a", [], "down", request=me)


def test_chat_keeps_the_question_when_limited(tight):
    me = Req()
    turns = []
    for q in ("刻章要钱吗", "简易注销公示要多少天？"):
        turns = list(tight.chat.respond(q, turns, None, me))[-1][2]
    with pytest.warns(UserWarning, match="请求过于频繁"):
        box, messages, turns2, _ = list(tight.chat.respond("企业用电报装要多久", turns, None, me))[-1]
    assert box == "企业用电报装要多久" and len(turns2) == 2 and len(messages) == 4


def test_desk_keeps_its_table_when_limited(tight):
    me = Req()
    for _ in range(2):
        table, status, refs = tight.desk.search("简易注销", [], "不限", "不限", "all", None, me)
        assert len(table) and refs
    table, status, refs = tight.desk.search("简易注销", [], "不限", "不限", "all", None, me)
    assert "请求过于频繁" in status and table == gr.skip() and refs == gr.skip()


@pytest.mark.slow
def test_live_endpoint_limits_the_forwarded_client(services):
    """Through the real server: behind a proxy, each visitor's address has its
    own bucket, and the request object never shows in the public API."""
    from gradio_client import Client
    from gradio_client.exceptions import AppError

    from _webapp import start

    demo, url = start(with_settings(services, rate_answers_burst=2, forwarded_for=True))
    try:
        visitor = Client(url, verbose=False, headers={"X-Forwarded-For": "198.51.100.9"})
        api = visitor.view_api(print_info=False, return_format="dict")["named_endpoints"]
        assert [p["parameter_name"] for p in api["/ask"]["parameters"]] == ["question", "history"]
        for _ in range(2):
            assert visitor.predict("刻章要钱吗", api_name="/ask")["citations"] == ["6"]
        with pytest.raises(AppError, match="请求过于频繁"):
            visitor.predict("刻章要钱吗", api_name="/ask")
        other = Client(url, verbose=False, headers={"X-Forwarded-For": "198.51.100.10"})
        assert other.predict("刻章要钱吗", api_name="/ask")["answer"]
    finally:
        demo.close()
