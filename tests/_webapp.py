"""A live copy of the web app for tests: started once per test session (per
services object), in this process, on a free loopback port; stopped at exit."""
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


def start(services):
    """Launch the app over ``services`` on a free loopback port: (demo, url)."""
    from chatbot.app.web import build_app, launch

    demo = build_app(services)
    for attempt in range(3):
        try:
            demo, url = launch(services, demo, host="127.0.0.1", port=free_port())
            break
        except OSError:  # the port was taken in between
            if attempt == 2:
                raise
    wait_ready(url)
    return demo, url


def live_url(services) -> str:
    """URL of the app over ``services``, started once per test session."""
    with _lock:
        if id(services) not in _live:
            demo, url = start(services)
            _live[id(services)] = (url, demo, services)
            atexit.register(demo.close)
        return _live[id(services)][0]


class Watched:
    """A page that may only talk to the loopback app and must run no script
    of the user's: ``close()`` fails the test otherwise."""

    def __init__(self, browser, url: str, viewport: dict | None = None):
        from eval.screenshots import new_page, open_app

        self.blocked: list[str] = []
        self.dialogs: list[str] = []
        self.page = new_page(browser, self.blocked, viewport)
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        open_app(self.page, url)

    def close(self, shot=None) -> None:
        if shot is not None:
            self.page.screenshot(path=shot, full_page=True)
        self.page.evaluate("() => localStorage.clear()")
        self.page.close()
        assert not self.blocked, f"the page tried to reach {self.blocked}"
        assert not self.dialogs, f"a script ran: {self.dialogs}"


def wait_until(cond, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(0.1)
    return cond()
