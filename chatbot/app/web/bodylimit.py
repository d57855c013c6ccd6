"""A cap on request body size, in front of Gradio.

Gradio reads and parses whatever JSON a client posts; a 200 MB ``history``
would be held in memory before any handler could cut it. Nothing this app
accepts legitimately comes near the cap: a question is at most
``max_question_chars`` and a follow-up carries a few earlier answers.
"""
from __future__ import annotations

import asyncio
import json

TOO_LARGE = {"error": "请求内容过大", "detail": "request body too large"}
TOO_SLOW = {"error": "请求发送过慢", "detail": "request body timed out"}


class BodyLimit:
    """Pure ASGI middleware: 413 for a declared Content-Length over the cap,
    and for a streamed body that grows past it."""

    def __init__(self, app, max_bytes: int, read_timeout: float = 30.0):
        self.app = app
        self.max_bytes = int(max_bytes)
        self.read_timeout = float(read_timeout)  # seconds a body part may take to arrive

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or self.max_bytes <= 0:
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None:
            try:
                too_big = int(declared) > self.max_bytes
            except ValueError:
                too_big = False  # the server rejects a malformed length itself
            if too_big:
                await _reject(send)
                return

        seen = 0
        exceeded = False
        slow = False
        started = False

        async def counting_receive():
            nonlocal seen, exceeded, slow
            try:
                message = await asyncio.wait_for(receive(), self.read_timeout) if self.read_timeout > 0 else await receive()
            except asyncio.TimeoutError:
                # a body dribbled in to hold a worker: give up on it
                slow = exceeded = True
                return {"type": "http.disconnect"}
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    exceeded = True
                    # The app sees the client gone and stops reading.
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message):
            nonlocal started
            if exceeded and not started:
                return  # the 413 below replaces whatever the app answers
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except Exception:
            if not exceeded:
                raise
        if exceeded and not started:
            await _reject(send, 408 if slow else 413)


async def _reject(send, status: int = 413) -> None:
    body = json.dumps(TOO_SLOW if status == 408 else TOO_LARGE, ensure_ascii=False).encode("utf-8")
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json; charset=utf-8"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
