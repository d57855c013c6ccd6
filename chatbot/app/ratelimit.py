"""Per-client request limits for the public web endpoints.

An extractive answer costs ~30 ms of CPU, so one script asking in a loop can
take a core away from everyone else. Each client address gets a limit per
kind of request (answers, searches, votes): ``burst`` requests at once, and
``per_minute`` in the long run. Loopback clients are not limited unless the
app is told to read the visitor's address from X-Forwarded-For: on the same
host they are either local tools or a reverse proxy that speaks for
everybody, and throttling a proxy would throttle every visitor together.

The counting is the ``limits`` library's (a moving window for request
counts, its sliding-window counter for characters), on its in-memory storage (one process) or on Redis (``YIWU_RATELIMIT_URL``), so every
process behind a proxy shares one budget per client. When Redis cannot be
reached the limits fall back to this process's memory, with a log line, and
Redis is tried again after ``retry_seconds``: a Redis restart makes the
limits local for a while, never fails an answer.
"""
from __future__ import annotations

import ipaddress
import logging
import math
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from limits import RateLimitItemPerSecond
from limits.errors import StorageError
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import MovingWindowRateLimiter, SlidingWindowCounterRateLimiter

from .settings import Settings

log = logging.getLogger(__name__)

KINDS = ("answer", "search", "vote")
# Redis must answer fast or not at all: a limit check sits in front of every answer.
REDIS_OPTIONS = {"socket_timeout": 0.5, "socket_connect_timeout": 0.5}


# Small limits are counted exactly (a moving window keeps one entry per
# request: at most this many per client); larger ones, the characters a
# client embeds, by the sliding-window counter, which keeps two numbers but
# may let one more through just after a window turns.
EXACT_UP_TO = 100


def _strategies(storage) -> dict[bool, object]:
    return {True: MovingWindowRateLimiter(storage), False: SlidingWindowCounterRateLimiter(storage)}


class LimitStorage:
    """Where the counts live: ``memory://`` (this process) or a shared
    ``redis://`` server, with this process's memory as the fallback."""

    def __init__(self, url: str | None = None, retry_seconds: float = 5.0,
                 clock: Callable[[], float] = time.monotonic, key_prefix: str = "yiwu"):
        self.url = (url or "").strip() or "memory://"
        self.retry_seconds = retry_seconds
        self.clock = clock
        self.local = _strategies(MemoryStorage())
        if self.url.startswith("memory://"):
            self.shared = None
        else:
            options = dict(REDIS_OPTIONS) if self.url.startswith(("redis", "valkey")) else {}
            # wrap_exceptions: any failure of the server arrives as one StorageError
            self.shared = _strategies(
                storage_from_string(self.url, wrap_exceptions=True, key_prefix=key_prefix, **options))
        self._down_until = 0.0
        self._failing = False  # the last call to the shared storage failed
        self._lock = threading.Lock()

    @property
    def kind(self) -> str:
        return "memory" if self.shared is None else self.url.split(":", 1)[0]

    @property
    def degraded(self) -> bool:
        """True from a failed call to the shared storage until one succeeds:
        this process counts alone. (Not "until the retry time": /healthz read
        just after it would call a server that is still down reachable.)"""
        return self.shared is not None and self._failing

    def _call(self, op: str, item, *args, **kwargs):
        exact = item.amount <= EXACT_UP_TO
        if self.shared is not None and self.clock() >= self._down_until:
            try:
                got = getattr(self.shared[exact], op)(item, *args, **kwargs)
                self._failing = False
                return got
            except StorageError as e:
                with self._lock:
                    self._down_until = self.clock() + self.retry_seconds
                    self._failing = True
                log.warning("rate-limit storage %s unreachable (%s); limits are local to this process "
                            "for %.0f s", self.kind, e.storage_error if hasattr(e, "storage_error") else e,
                            self.retry_seconds)
        return getattr(self.local[exact], op)(item, *args, **kwargs)

    def hit(self, item, *ids: str, cost: int = 1) -> bool:
        return bool(self._call("hit", item, *ids, cost=cost))

    def reset_in(self, item, *ids: str) -> float:
        """Seconds until the window frees a place."""
        stats = self._call("get_window_stats", item, *ids)
        return max(0.0, stats.reset_time - time.time())


class RateLimiter:
    """One limit: ``burst`` requests at once and ``per_minute`` in the long
    run, i.e. ``burst`` per window of 60·burst/per_minute seconds (the same
    long-run rate and the same burst as a token bucket would give);
    ``per_minute <= 0`` disables it."""

    def __init__(self, per_minute: float, burst: int, storage: LimitStorage, name: str = "limit"):
        self.burst = max(1, int(burst))
        self.enabled = per_minute > 0
        self.window = max(1, math.ceil(60.0 * self.burst / per_minute)) if self.enabled else 0
        self.item = RateLimitItemPerSecond(self.burst, self.window or 1, namespace=name)
        self.storage = storage

    def acquire(self, key: str | None, amount: float = 1.0) -> float:
        """Take ``amount`` (one request, or its cost) for ``key``: 0.0 when
        allowed, otherwise the seconds until a place frees (nothing is taken)."""
        if not self.enabled or key is None:
            return 0.0
        cost = max(1, min(math.ceil(amount), self.burst))
        if self.storage.hit(self.item, key, cost=cost):
            return 0.0
        return max(0.5, self.storage.reset_in(self.item, key))


def _ip(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


def client_key(request, trusted_proxies: int = 0) -> str | None:
    """The address a request is limited under, or None when it is not limited.

    Behind ``trusted_proxies`` reverse proxies, each appends the address it
    saw to X-Forwarded-For, so the visitor is the entry that many places from
    the right (counting the connecting peer): entries further left are the
    client's to write and are never read. A malformed entry where the visitor
    should be keys on the nearest proxy, so junk never escapes the limit.
    Without trusted proxies the header is ignored; a loopback peer with no
    such header is a local tool and is not limited, one that forwards for
    others is limited as one client (set the number of proxies to fix that)."""
    if request is None:
        return None
    peer = getattr(getattr(request, "client", None), "host", None)
    headers = getattr(request, "headers", None) or {}
    fwd = headers.get("x-forwarded-for") if hasattr(headers, "get") else None
    if trusted_proxies > 0 and peer:
        chain = [e.strip() for e in (fwd or "").split(",") if e.strip()] + [peer]
        hop = chain[-(trusted_proxies + 1)] if len(chain) > trusted_proxies else chain[0]
        return _ip(hop) or f"{peer} (bad forwarded address)"
    if not peer:
        return None
    addr = _ip(peer)
    if addr is not None and ipaddress.ip_address(addr).is_loopback and not fwd:
        return None
    return peer


class Limits:
    """One limiter per kind of request, from the settings."""

    def __init__(self, settings: Settings, storage: LimitStorage):
        self.trusted_proxies = max(settings.trusted_proxies, 1 if settings.forwarded_for else 0)
        self.storage = storage
        st = self.storage
        self.limiters = {
            "answer": RateLimiter(settings.rate_answers_per_minute, settings.rate_answers_burst, st, "answer"),
            "search": RateLimiter(settings.rate_searches_per_minute, settings.rate_searches_burst, st, "search"),
            "vote": RateLimiter(settings.rate_votes_per_minute, settings.rate_votes_burst, st, "vote"),
            # What an answer costs: the characters embedded. A 500-character
            # question costs as much as ten short ones.
            "chars": RateLimiter(settings.rate_chars_per_minute, settings.rate_chars_burst, st, "chars"),
        }
        self.max_pending = settings.max_pending_per_client
        self._pending: dict[str, int] = {}
        self._pending_lock = threading.Lock()

    def check(self, kind: str, request, cost: int = 0) -> float:
        """Seconds the caller must wait before this request is allowed (0 =
        go); ``cost``: the characters it will embed, charged as well."""
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}")
        key = client_key(request, self.trusted_proxies)
        if cost and (wait := self.limiters["chars"].acquire(key, cost)):
            return wait
        return self.limiters[kind].acquire(key)

    @contextmanager
    def pending(self, request) -> Iterator[bool]:
        """Counts one client's answers in progress; yields False when it
        already has ``max_pending`` running (a script that queues answers
        without reading them holds queue places and memory for everyone).
        Per process, not shared: it bounds what one process holds."""
        key = client_key(request, self.trusted_proxies)
        if key is None or self.max_pending <= 0:
            yield True
            return
        with self._pending_lock:
            ok = self._pending.get(key, 0) < self.max_pending
            if ok:
                self._pending[key] = self._pending.get(key, 0) + 1
        try:
            yield ok
        finally:
            if ok:
                with self._pending_lock:
                    left = self._pending[key] - 1
                    if left:
                        self._pending[key] = left
                    else:
                        del self._pending[key]


BUSY_TEXT = "您已有问题正在处理，请等上一个回答完成后再问。"


def wait_text(seconds: float) -> str:
    return f"请求过于频繁，请{max(1, math.ceil(seconds))}秒后再试。"
