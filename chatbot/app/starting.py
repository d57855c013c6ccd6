"""A holding page on the app's port from the first second of ``app.py``.

Importing Gradio and building the page take several seconds on two cores;
without this, a visitor (or a proxy's health check) meanwhile gets
"connection refused". Standard library only, so it is up before any of the
heavy imports; stopped just before Gradio binds the same port."""
from __future__ import annotations

import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

log = logging.getLogger(__name__)

PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="{refresh}">
<title>{title}</title>
<style>body{{font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:0;display:flex;
min-height:100vh;align-items:center;justify-content:center;background:#f7f8fa;color:#1f2937}}
main{{max-width:28rem;padding:1.5rem;text-align:center}}h1{{font-size:1.25rem}}p{{line-height:1.6}}</style>
</head><body><main id="starting"><h1>{title}</h1>
<p>正在启动，请稍候…本页会自动刷新，通常不超过十几秒。</p></main></body></html>"""


class _Handler(BaseHTTPRequestHandler):
    page: bytes = b""

    def _send(self, status: int, body: bytes, kind: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        if status == 503:
            self.send_header("Retry-After", "2")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
        path = self.path.split("?", 1)[0]
        if path == "/healthz":  # the process is alive: a proxy may route to it
            self._send(200, json.dumps({"status": "starting"}).encode(), "application/json")
        elif path == "/readyz":  # …but it cannot answer yet
            self._send(503, json.dumps({"state": "starting"}).encode(), "application/json")
        elif path == "/":
            self._send(200, self.page, "text/html; charset=utf-8")
        else:  # an API call or an asset: come back shortly
            self._send(503, json.dumps({"state": "starting"}).encode(), "application/json")

    do_HEAD = do_GET

    def do_POST(self) -> None:  # noqa: N802
        self._send(503, json.dumps({"state": "starting"}).encode(), "application/json")

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the stdlib's signature
        log.debug("starting page: " + format, *args)


class StartingPage:
    """``start()`` serves the holding page in a thread; ``stop()`` frees the port."""

    def __init__(self, host: str, port: int, title: str = "伊吾县营商环境政策问答助手", refresh: int = 2):
        self.host, self.port = host, port
        self.page = PAGE.format(title=title, refresh=refresh).encode("utf-8")
        self._server: ThreadingHTTPServer | None = None

    def start(self) -> "StartingPage":
        handler = type("Handler", (_Handler,), {"page": self.page})
        try:
            self._server = ThreadingHTTPServer((self.host, self.port), handler)
        except OSError as e:  # the port is taken: the app's own start will say so
            log.info("no starting page on %s:%s (%s)", self.host, self.port, e)
            return self
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, name="starting-page", daemon=True).start()
        return self

    @property
    def serving(self) -> bool:
        return self._server is not None

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
