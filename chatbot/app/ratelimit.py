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
from collections.abc import Callable

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

    def acquire(self, key: str | None) -> float:
        """Take one request for ``key``: 0.0 when allowed, otherwise the
        seconds until the next request would be allowed (nothing is taken)."""
        if not self.enabled or key is None:
            return 0.0
        now = self.clock()
        with self._lock:
            tokens, last = self._buckets.pop(key, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - last) * self.rate)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                wait = 0.0
            else:
                self._buckets[key] = (tokens, now)
                wait = (1.0 - tokens) / self.rate
            while len(self._buckets) > self.max_clients:
                self._buckets.popitem(last=False)
        return wait


def client_key(request, forwarded_for: bool = False) -> str | None:
    """The address a request is limited under, or None when it is not limited
    (no request object, loopback without a trusted proxy header)."""
    if request is None:
        return None
    host = getattr(getattr(request, "client", None), "host", None)
    if forwarded_for:
        headers = getattr(request, "headers", None) or {}
        fwd = headers.get("x-forwarded-for") if hasattr(headers, "get") else None
        if fwd:
            # The proxy appends the address it saw; the first entry is the visitor's.
            return fwd.split(",")[0].strip()[:64] or host
        return host
    if not host:
        return None
    try:
        if ipaddress.ip_address(host).is_loopback:
            return None
    except ValueError:  # a test client's name such as "testclient"
        pass
    return host


class Limits:
    """One limiter per kind of request, from the settings."""

    def __init__(self, settings: Settings, clock: Callable[[], float] = time.monotonic):
        self.forwarded_for = settings.forwarded_for
        self.limiters = {
            "answer": RateLimiter(settings.rate_answers_per_minute, settings.rate_answers_burst, clock),
            "search": RateLimiter(settings.rate_searches_per_minute, settings.rate_searches_burst, clock),
            "vote": RateLimiter(settings.rate_votes_per_minute, settings.rate_votes_burst, clock),
        }

    def check(self, kind: str, request) -> float:
        """Seconds the caller must wait before this request is allowed (0 = go)."""
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}")
        return self.limiters[kind].acquire(client_key(request, self.forwarded_for))


def wait_text(seconds: float) -> str:
    return f"请求过于频繁，请{max(1, math.ceil(seconds))}秒后再试。"
