"""Per-client request limits for the public web endpoints.

An extractive answer costs ~30 ms of CPU, so one script asking in a loop can
take a core away from everyone else. Each client address gets a token bucket
per kind of request (answers, searches, votes): ``burst`` requests at once,
refilled at ``per_minute``. Loopback clients are not limited unless the app
is told to read the visitor's address from X-Forwarded-For: on the same host
they are either local tools or a reverse proxy that speaks for everybody, and
throttling a proxy would throttle every visitor together.
"""
from __future__ import annotations

import ipaddress
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from .settings import Settings

KINDS = ("answer", "search", "vote")
# Buckets kept at most; the least recently seen go first (a full bucket
# carries no state worth keeping, and a flood of addresses must not grow memory).
MAX_CLIENTS = 20_000


class RateLimiter:
    """Token buckets keyed by client; ``per_minute <= 0`` disables the limit."""

    def __init__(self, per_minute: float, burst: int, clock: Callable[[], float] = time.monotonic,
                 max_clients: int = MAX_CLIENTS):
        self.rate = per_minute / 60.0
        self.burst = max(1, int(burst))
        self.clock = clock
        self.max_clients = max_clients
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # key -> (tokens, time)
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self.rate > 0

    def acquire(self, key: str | None, amount: float = 1.0) -> float:
        """Take ``amount`` (one request, or its cost) for ``key``: 0.0 when
        allowed, otherwise the seconds until it would be (nothing is taken)."""
        if not self.enabled or key is None:
            return 0.0
        amount = min(float(amount), float(self.burst))
        now = self.clock()
        with self._lock:
            tokens, last = self._buckets.pop(key, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - last) * self.rate)
            if tokens >= amount:
                self._buckets[key] = (tokens - amount, now)
                wait = 0.0
            else:
                self._buckets[key] = (tokens, now)
                wait = (amount - tokens) / self.rate
            while len(self._buckets) > self.max_clients:
                self._buckets.popitem(last=False)
        return wait


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

    def __init__(self, settings: Settings, clock: Callable[[], float] = time.monotonic):
        self.trusted_proxies = max(settings.trusted_proxies, 1 if settings.forwarded_for else 0)
        self.limiters = {
            "answer": RateLimiter(settings.rate_answers_per_minute, settings.rate_answers_burst, clock),
            "search": RateLimiter(settings.rate_searches_per_minute, settings.rate_searches_burst, clock),
            "vote": RateLimiter(settings.rate_votes_per_minute, settings.rate_votes_burst, clock),
            # What an answer costs: the characters embedded. A 500-character
            # question costs as much as ten short ones.
            "chars": RateLimiter(settings.rate_chars_per_minute, settings.rate_chars_burst, clock),
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
        without reading them holds queue places and memory for everyone)."""
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
