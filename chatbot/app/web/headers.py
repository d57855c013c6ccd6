"""Response hardening in front of Gradio: security headers on every reply,
and a client's malformed API call answered 400 instead of a server error."""
from __future__ import annotations

import json
import logging

log = logging.getLogger(__name__)

HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"SAMEORIGIN"),
    (b"content-security-policy", b"frame-ancestors 'self'"),
    (b"referrer-policy", b"same-origin"),
]
# Gradio answers a call it cannot even parse (an unknown fn_index, a body of
# the wrong shape) with 500; results and handler errors come back in the
# event stream, so a 500 here is always the client's malformed request.
CALL_ROUTES = ("/gradio_api/queue/join", "/gradio_api/run/", "/gradio_api/call/", "/gradio_api/api/")
BAD_CALL = json.dumps({"error": "请求格式有误", "detail": "malformed request"}, ensure_ascii=False).encode()


class Hardened:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        call = scope.get("method") == "POST" and scope.get("path", "").startswith(CALL_ROUTES)
        replaced = started = False

        async def bad_call():
            await send({"type": "http.response.start", "status": 400,
                        "headers": [(b"content-type", b"application/json; charset=utf-8"),
                                    (b"content-length", str(len(BAD_CALL)).encode()), *HEADERS]})
            await send({"type": "http.response.body", "body": BAD_CALL})

        async def wrapped(message):
            nonlocal replaced, started
            if message["type"] == "http.response.start":
                started = True
                if call and message["status"] >= 500:
                    replaced = True
                    await bad_call()
                    return
                names = {k.lower() for k, _ in message.get("headers", [])}
                message = dict(message, headers=list(message.get("headers", [])) + [h for h in HEADERS if h[0] not in names])
            elif replaced:
                return
            await send(message)

        try:
            await self.app(scope, receive, wrapped)
        except Exception:  # noqa: BLE001 - raised past Starlette's handlers: the 500 is ours to turn
            if not call or started:
                raise
            log.info("malformed call to %s answered 400", scope.get("path"), exc_info=True)
            await bad_call()
