"""Liveness and readiness for a proxy or an orchestrator, in front of Gradio:

- ``GET /healthz``: 200 while the process serves (nothing else is checked);
  the body names the feedback and rate-limit stores, and says when the
  limits have fallen back to this process because Redis is unreachable;
- ``GET /readyz``: 200 when questions get full answers (the vector index is
  open), 503 while it is being built or its server is down, so a proxy can
  hold traffic back or send it elsewhere. The body says why, with progress.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass

from ..bootstrap import Services


@dataclass(frozen=True)
class IndexStatus:
    state: str  # "ready" | "building" | "unavailable" | "keyword-only"
    done: int = 0
    total: int = 0
    detail: str = ""

    @property
    def ready(self) -> bool:
        return self.state in ("ready", "keyword-only")


def index_status(services: Services) -> IndexStatus:
    v = services.vectors
    if v is None:
        return IndexStatus("keyword-only", detail="no vector index configured")
    if v.building:
        done, total = v.progress or (0, len(v.rows))
        return IndexStatus("building", done, total)
    if v.server_mode and v.last_error:
        return IndexStatus("unavailable", detail=v.last_error[:200])
    if v.collection is None:
        return IndexStatus("unavailable", detail=(v.last_error or "index not open")[:200])
    return IndexStatus("ready", len(v.rows), len(v.rows))


def shared_status(services: Services) -> dict:
    """What /healthz says of the stores several processes may share."""
    st = services.limits.storage
    return {"feedback": services.feedback.kind,
            "ratelimit": st.kind + (" (unreachable: limits local to this process)" if st.degraded else "")}


class Probes:
    """Pure ASGI middleware answering /healthz and /readyz."""

    def __init__(self, app, status: Callable[[], IndexStatus], health: Callable[[], dict] | None = None):
        self.app = app
        self.status = status
        self.health = health or dict

    async def __call__(self, scope, receive, send):
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if path in ("/healthz", "/readyz") and scope.get("method") in ("GET", "HEAD"):
            if path == "/healthz":
                code, payload = 200, {"status": "ok", **self.health()}
            else:
                st = self.status()
                code, payload = (200 if st.ready else 503), asdict(st)
            body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
            await send({"type": "http.response.start", "status": code,
                        "headers": [(b"content-type", b"application/json; charset=utf-8"),
                                    (b"cache-control", b"no-store"),
                                    (b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": b"" if scope.get("method") == "HEAD" else body})
            return
        await self.app(scope, receive, send)
