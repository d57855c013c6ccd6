"""A live copy of the web app for tests: started once per test session,
in this process, on a free loopback port; stopped at exit."""
from __future__ import annotations

import atexit
import socket
import threading
import time
import urllib.request

_lock = threading.Lock()
_live: dict = {}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(url: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "config", timeout=5) as r:
                if r.status == 200:
                    return
        except Exception as e:  # not up yet
            last = e
        time.sleep(0.2)
    raise TimeoutError(f"app at {url} not ready: {last}")


def live_url() -> str:
    """URL of the running app (needs the `engine` fixture to have run)."""
    with _lock:
        if "url" not in _live:
            from chatbot.ui import build_app, launch

            demo = build_app()
            for attempt in range(3):
                try:
                    demo, url = launch(demo, host="127.0.0.1", port=free_port())
                    break
                except OSError:  # the port was taken in between
                    if attempt == 2:
                        raise
            wait_ready(url)
            _live.update(url=url, demo=demo)
            atexit.register(demo.close)
        return _live["url"]
