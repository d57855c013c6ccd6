"""Per-client request limits: the limit itself (the ``limits`` library's
sliding-window counter, on a fake clock), the fallback to local counting when
a shared storage is unreachable, whose address a request counts against, and
the limits as the chat, the desk and the API endpoints apply them.
(Redis shared by two processes: tests/test_scaleout.py.)"""
from __future__ import annotations

import types

import gradio as gr
import limits.errors
import limits.storage.memory
import limits.strategies
import pytest

from chatbot.app import ratelimit
from chatbot.app.ratelimit import LimitStorage, RateLimiter, client_key

from conftest import handlers, with_settings


class Clock:
    def __init__(self):
        self.t = 1_000_000.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def clock(monkeypatch) -> Clock:
    """One fake clock for the library's windows and for our wait times."""
    c = Clock()
    fake = types.SimpleNamespace(time=c, monotonic=c)
    for mod in (limits.storage.memory, limits.strategies, ratelimit):
        monkeypatch.setattr(mod, "time", fake)
    return c


class Req:
    """The parts of gr.Request the limiter reads."""

    def __init__(self, host="203.0.113.5", headers=None, session="s"):
        self.client = type("C", (), {"host": host})()
        self.headers = headers or {}
        self.session_hash = session


# -- the limit ---------------------------------------------------------------------------------
def test_burst_then_wait(clock):
    lim = RateLimiter(per_minute=30, burst=3, storage=LimitStorage(clock=clock))
    assert lim.window == 6  # 3 per 6 s: 30 a minute in the long run
    assert [lim.acquire("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    wait = lim.acquire("a")
    assert 0 < wait <= 6
    assert lim.acquire("b") == 0.0  # another client has its own count
    clock.t += 12  # two windows later the burst is whole again
    assert [lim.acquire("a") for _ in range(4)][:3] == [0.0, 0.0, 0.0]


def test_long_run_rate_is_per_minute(clock):
    """Asking every half second for ten minutes gets per_minute a minute
    (plus at most one burst), whatever the window's phase."""
    lim = RateLimiter(per_minute=30, burst=5, storage=LimitStorage(clock=clock))
    allowed = 0
    for _ in range(1200):
        allowed += lim.acquire("a") == 0.0
        clock.t += 0.5
    # a request exactly one window after the oldest still finds it counted, so
    # at half-second steps a place frees every 10.5 s: 286, not 300
    assert 300 * 0.95 - 5 <= allowed <= 300 + 5


def test_cost_is_charged_and_capped_at_the_burst(clock):
    lim = RateLimiter(per_minute=600, burst=100, storage=LimitStorage(clock=clock))
    assert lim.acquire("a", 60) == 0.0
    assert lim.acquire("a", 60) > 0  # 120 > 100
    assert lim.acquire("a", 40) == 0.0  # nothing was taken by the refusal
    assert lim.acquire("b", 10_000) == 0.0  # one huge request costs one burst, not forever


def test_disabled_limit_and_unlimited_clients(clock):
    st = LimitStorage(clock=clock)
    off = RateLimiter(per_minute=0, burst=1, storage=st)
    assert not off.enabled and all(off.acquire("a") == 0.0 for _ in range(100))
    on = RateLimiter(per_minute=1, burst=1, storage=st, name="on")
    assert all(on.acquire(None) == 0.0 for _ in range(100))


class _Down:
    """A shared storage that is unreachable (what limits raises with wrap_exceptions)."""

    calls = 0

    def __getattr__(self, op):
        def fail(*a, **k):
            _Down.calls += 1
            raise limits.errors.StorageError(ConnectionError("Connection refused"))
        return fail


def test_unreachable_shared_storage_falls_back_to_local_counting(clock, caplog):
    st = LimitStorage(clock=clock, retry_seconds=5)
    st.shared, _Down.calls = {True: _Down(), False: _Down()}, 0
    lim = RateLimiter(per_minute=30, burst=2, storage=st)
    with caplog.at_level("WARNING", logger="chatbot.app.ratelimit"):
        results = [lim.acquire("a") for _ in range(3)]
    assert results[:2] == [0.0, 0.0] and results[2] > 0  # still limited, locally
    assert st.degraded and _Down.calls == 1  # not asked again while it is down
    assert any("local to this process" in r.getMessage() for r in caplog.records)
    clock.t += 6
    assert st.degraded  # not known to be back until a call succeeds
    lim.acquire("a")
    assert _Down.calls == 2 and st.degraded  # tried again after retry_seconds, still down


def test_storage_urls():
    assert LimitStorage().kind == "memory" and LimitStorage("memory://").shared is None
    assert LimitStorage("redis://127.0.0.1:1/0").kind == "redis"  # nothing connects yet
    with pytest.raises(Exception):
        LimitStorage("nosuch://x")


# -- whose request -----------------------------------------------------------------------------
def test_client_key():
    assert client_key(None) is None
    assert client_key(Req("127.0.0.1")) is None and client_key(Req("::1")) is None  # local tools
    assert client_key(Req("203.0.113.5")) == "203.0.113.5"
    # X-Forwarded-For is anyone's to write: ignored without a trusted proxy
    assert client_key(Req("203.0.113.5", {"x-forwarded-for": "198.51.100.1"})) == "203.0.113.5"
    # a same-host proxy that forwards for others is one client, not an exemption
    assert client_key(Req("127.0.0.1", {"x-forwarded-for": "198.51.100.1"})) == "127.0.0.1"


def test_costly_questions_are_charged_by_what_they_embed(tight):
    me = Req("203.0.113.77")
    costly = "简易注销" * 125  # 500 characters: a fifth of the burst of characters
    for _ in range(5):
        tight.api.ask(costly, request=me)
    with pytest.raises(gr.Error, match="请求过于频繁"):
        tight.api.ask(costly, request=me)
    assert tight.api.ask("刻章要钱吗", request=Req("203.0.113.78"))["answer"]


def test_client_key_behind_trusted_proxies():
    one = Req("127.0.0.1", {"x-forwarded-for": "6.6.6.6, 198.51.100.1"})  # the client wrote 6.6.6.6
    assert client_key(one, 1) == "198.51.100.1"
    two = Req("10.0.0.2", {"x-forwarded-for": "6.6.6.6, 198.51.100.1, 10.0.0.1"})
    assert client_key(two, 2) == "198.51.100.1"
    assert client_key(Req("127.0.0.1", {"x-forwarded-for": "not-an-ip"}), 1) == "127.0.0.1 (bad forwarded address)"
    assert client_key(Req("127.0.0.1"), 1) == "127.0.0.1"  # no header: the peer itself
    rotated = {client_key(Req("127.0.0.1", {"x-forwarded-for": f"9.9.9.{i}, 198.51.100.7"}), 1) for i in range(45)}
    assert rotated == {"198.51.100.7"}  # rotating the first entry does not escape the limit


# -- the limits in the web layer -----------------------------------------------------------------
@pytest.fixture
def tight(services, tmp_path, request):
    """Handlers over services with burst 2 for every kind (fresh buckets) and
    a private feedback store."""
    from dataclasses import replace

    from chatbot.app.feedback import SqliteFeedbackStore as FeedbackStore

    svc = with_settings(services, rate_answers_burst=2, rate_searches_burst=2, rate_votes_burst=2)
    if "costly" in request.node.name:
        svc = with_settings(services, rate_answers_burst=50)
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
        box, messages, turns2, _ = list(tight.chat.respond("企业用电报装要多久", turns, None, me))[-1][:4]
    assert box == "企业用电报装要多久" and len(turns2) == 2 and len(messages) == 4


def test_desk_keeps_its_table_when_limited(tight):
    me = Req()
    for _ in range(2):
        table, status, refs = tight.desk.search("简易注销", [], "不限", "不限", "all", None, me)[:3]
        assert len(table) and refs
    table, status, refs = tight.desk.search("简易注销", [], "不限", "不限", "all", None, me)[:3]
    assert "请求过于频繁" in status and table == gr.skip() and refs == gr.skip()


@pytest.mark.slow
def test_live_endpoint_limits_the_forwarded_client(services):
    """Through the real server: behind a proxy, each visitor's address has its
    own bucket, and the request object never shows in the public API."""
    from gradio_client import Client
    from gradio_client.exceptions import AppError

    from _webapp import start

    demo, url = start(with_settings(services, rate_answers_burst=2, trusted_proxies=1))
    try:
        # a proxy in front appends the visitor it saw; what the visitor wrote is ignored
        visitor = Client(url, verbose=False, headers={"X-Forwarded-For": "6.6.6.6, 198.51.100.9"})
        api = visitor.view_api(print_info=False, return_format="dict")["named_endpoints"]
        assert [p["parameter_name"] for p in api["/ask"]["parameters"]] == ["question", "history", "full_text"]
        for _ in range(2):
            assert visitor.predict("刻章要钱吗", api_name="/ask")["citations"] == ["6"]
        with pytest.raises(AppError, match="请求过于频繁"):
            visitor.predict("刻章要钱吗", api_name="/ask")
        rotated = Client(url, verbose=False, headers={"X-Forwarded-For": "7.7.7.7, 198.51.100.9"})
        with pytest.raises(AppError, match="请求过于频繁"):
            rotated.predict("刻章要钱吗", api_name="/ask")
        other = Client(url, verbose=False, headers={"X-Forwarded-For": "198.51.100.10"})
        assert other.predict("刻章要钱吗", api_name="/ask")["answer"]
    finally:
        demo.close()


def test_answers_in_progress_are_capped_per_client(services):
    """A client with max_pending answers running gets a clear message for the
    next one; another client is not affected, and the place frees up."""
    import threading

    from chatbot.app.ratelimit import BUSY_TEXT, Limits

    limits = Limits(services.settings.model_copy(update={"max_pending_per_client": 2}), ratelimit.LimitStorage())
    me, other = Req("203.0.113.90"), Req("203.0.113.91")
    release = threading.Event()
    entered = threading.Barrier(3)

    def hold():
        with limits.pending(me) as ok:
            assert ok
            entered.wait(10)
            release.wait(10)

    threads = [threading.Thread(target=hold) for _ in range(2)]
    for t in threads:
        t.start()
    entered.wait(10)
    with limits.pending(me) as ok:
        assert not ok
    with limits.pending(other) as ok:
        assert ok
    with limits.pending(Req("127.0.0.1")) as ok:
        assert ok  # local tools are not counted
    release.set()
    for t in threads:
        t.join(10)
    with limits.pending(me) as ok:
        assert ok and limits._pending == {"203.0.113.90": 1}
    assert limits._pending == {}
    assert "正在处理" in BUSY_TEXT


def test_api_refuses_a_third_answer_in_progress(services, monkeypatch):
    import threading

    web = handlers(with_settings(services, max_pending_per_client=1))
    me = Req("203.0.113.92")
    inside, release = threading.Event(), threading.Event()
    real = web.ctx.safe_answer

    def slow(q, hist):
        inside.set()
        release.wait(10)
        return real(q, hist)

    monkeypatch.setattr(web.ctx, "safe_answer", slow)
    t = threading.Thread(target=lambda: web.api.ask("刻章要钱吗", request=me))
    t.start()
    assert inside.wait(10)
    with pytest.raises(gr.Error, match="正在处理"):
        web.api.ask("刻章要钱吗", request=me)
    release.set()
    t.join(10)
    assert web.api.ask("刻章要钱吗", request=me)["citations"] == ["6"]


def test_small_limits_are_exact_across_a_window_boundary(clock):
    """Three requests straddling the turn of a window: the third is refused
    (the sliding-window counter would round 1.98 down and let it through)."""
    lim = RateLimiter(per_minute=30, burst=2, storage=LimitStorage(clock=clock))
    clock.t = 1_000_000.0 - 0.2  # just before a multiple of the 4 s window
    assert lim.acquire("a") == 0.0 and lim.acquire("a") == 0.0
    clock.t += 0.3  # the window has turned
    assert lim.acquire("a") > 0
