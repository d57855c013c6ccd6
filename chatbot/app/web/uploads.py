"""Refuse file uploads and the serving of uploaded files, in front of Gradio.

The app has no file input, yet Gradio mounts ``/gradio_api/upload`` (which
accepts any number of files of any size, keeps them, and shows the server's
temp path) and serves its cache back at ``/gradio_api/file=…``. Nothing the
page or its API needs goes through these routes, so they answer 403/404
before Gradio reads a byte of the body. The page's own assets (``/assets``,
``/static``, ``/theme.css``, ``/config``, the queue) are untouched.
"""
from __future__ import annotations

import json
import re

# Route prefixes under /gradio_api that take or hand out files. Matched on the
# path with repeated slashes collapsed, so "/gradio_api//upload" is caught too.
UPLOAD_ROUTES = ("/gradio_api/upload", "/gradio_api/process_recording", "/gradio_api/stream/")
FILE_ROUTES = ("/gradio_api/file=", "/gradio_api/file/", "/gradio_api/proxy=")
_SLASHES = re.compile(r"/{2,}")

REFUSED_UPLOAD = {"error": "本应用不接受文件上传", "detail": "file uploads are disabled"}
REFUSED_FILE = {"error": "未找到", "detail": "not found"}


def refused(path: str, root_path: str = "") -> tuple[int, dict] | None:
    """(status, body) when ``path`` is a file route, else None."""
    p = _SLASHES.sub("/", path or "/")
    if root_path and p.startswith(root_path.rstrip("/") + "/"):
        p = p[len(root_path.rstrip("/")):]
    if p.startswith(UPLOAD_ROUTES):  # upload, upload_progress, …
        return 403, REFUSED_UPLOAD
    if p.startswith(FILE_ROUTES):
        return 404, REFUSED_FILE
    return None


class RefuseUploads:
    """Pure ASGI middleware: file routes never reach Gradio."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            hit = refused(scope.get("path", ""), scope.get("root_path", ""))
            if hit is not None:
                status, payload = hit
                body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
                await send({"type": "http.response.start", "status": status,
                            "headers": [(b"content-type", b"application/json; charset=utf-8"),
                                        (b"content-length", str(len(body)).encode()),
                                        (b"connection", b"close")]})
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)
