"""First start, warm start and a from-scratch build of the web app, timed
as a person starting it sees them: the app is started as ``python app.py``
(a real process), and the clock runs until the address answers HTTP 200
(the holding page, ``chatbot.app.starting``), until the chat page itself is
served (``/config``, Gradio's), and until ``/readyz`` says questions get
full answers.

    python -m eval.startup                  # a fresh clone of HEAD: cached first start, then warm
    python -m eval.startup --scratch        # also a build with no vector cache at all
    python -m eval.startup --here           # this checkout instead of a clone

Set-up (the virtualenv) is not timed: the clone runs with this Python.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            body = r.read()
            return r.status, json.loads(body) if body[:1] == b"{" else {}
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return 0, {}


def run_once(repo: Path, index_dir: Path, data_dir: Path, env_extra: dict, timeout: float) -> dict:
    port = _port()
    env = {**os.environ, "YIWU_INDEX_DIR": str(index_dir), "YIWU_DATA_DIR": str(data_dir),
           "YIWU_PORT": str(port), "YIWU_HOST": "127.0.0.1", **env_extra}
    env.pop("YIWU_CHROMA_HOST", None)
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "app.py"], cwd=repo, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    page = chat = ready = None
    last: dict = {}
    try:
        while time.perf_counter() - t0 < timeout:
            if proc.poll() is not None:
                raise RuntimeError(f"app.py exited: {proc.stderr.read()[-2000:]}")
            if page is None and _get(base + "/")[0] == 200:
                page = time.perf_counter() - t0
            if chat is None and _get(base + "/config")[0] == 200:
                chat = time.perf_counter() - t0
            code, last = _get(base + "/readyz")
            if code == 200:
                ready = time.perf_counter() - t0
                break
            time.sleep(0.2)
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
    def secs(t):
        return round(t, 1) if t else None

    return {"page_200_s": secs(page), "chat_page_s": secs(chat), "ready_s": secs(ready), "last_status": last}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--here", action="store_true", help="this checkout, not a fresh clone of HEAD")
    p.add_argument("--scratch", action="store_true", help="also time a build with no vector cache")
    p.add_argument("--timeout", type=float, default=900)
    p.add_argument("--json", type=Path)
    args = p.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="yiwu-startup-"))
    try:
        repo = ROOT
        if not args.here:
            repo = work / "clone"
            subprocess.run(["git", "clone", "-q", str(ROOT), str(repo)], check=True)
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=repo, capture_output=True,
                                text=True).stdout.strip()
        results = {"commit": commit, "where": "fresh clone" if not args.here else "this checkout",
                   "cores": os.cpu_count()}
        index, data = work / "index", work / "data"
        results["first start (cache present, empty index)"] = run_once(repo, index, data, {}, args.timeout)
        results["warm start (nothing changed)"] = run_once(repo, index, data, {}, args.timeout)
        if args.scratch:
            shutil.rmtree(index, ignore_errors=True)
            results["from scratch (no vector cache)"] = run_once(repo, index, data, {"YIWU_VECTOR_CACHE": ""},
                                                                 args.timeout)
        print(json.dumps(results, ensure_ascii=False, indent=2))
        if args.json:
            args.json.write_text(json.dumps(results, ensure_ascii=False, indent=2), "utf-8")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
