"""The holding page app.py serves on its port while Gradio is imported."""
from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request

import pytest

from chatbot.app.starting import StartingPage


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, data: bytes | None = None) -> tuple[int, bytes, dict]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=data), timeout=5) as r:
            return r.status, r.read(), dict(r.headers)
    except urllib.error.HTTPError as e:
        return e.code, e.read(), dict(e.headers)


@pytest.fixture
def page():
    port = _free_port()
    p = StartingPage("127.0.0.1", port).start()
    yield p, f"http://127.0.0.1:{port}"
    p.stop()


def test_the_address_answers_while_the_app_starts(page):
    p, base = page
    assert p.serving
    status, body, headers = _get(base + "/")
    text = body.decode("utf-8")
    assert status == 200 and "正在启动" in text and "伊吾县营商环境政策问答助手" in text
    assert 'http-equiv="refresh"' in text and 'name="viewport"' in text  # reloads itself; phone width
    assert headers["Cache-Control"] == "no-store"  # the real page must replace it, not a cached copy


def test_probes_say_alive_but_not_ready(page):
    _, base = page
    status, body, _ = _get(base + "/healthz")
    assert status == 200 and json.loads(body) == {"status": "starting"}
    status, body, headers = _get(base + "/readyz")
    assert status == 503 and json.loads(body)["state"] == "starting" and headers["Retry-After"] == "2"


def test_api_calls_are_told_to_come_back(page):
    _, base = page
    assert _get(base + "/config")[0] == 503  # what clients and tests wait on stays unavailable
    assert _get(base + "/gradio_api/call/ask", data=b'{"data": ["x"]}')[0] == 503


def test_stop_frees_the_port_for_the_app():
    port = _free_port()
    p = StartingPage("127.0.0.1", port).start()
    p.stop()
    assert not p.serving
    with socket.socket() as s:  # the app can bind it now
        s.bind(("127.0.0.1", port))
    p.stop()  # twice is harmless


def test_a_taken_port_is_left_to_the_app_to_report():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        p = StartingPage("127.0.0.1", s.getsockname()[1]).start()
        assert not p.serving
        p.stop()
