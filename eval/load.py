"""Load benchmark for the web API (a command, not a unit test).

    python -m eval.load                      # 500 questions, 25 concurrent clients
    python -m eval.load -n 200 -c 10 --json
    python -m eval.load --mix                # soak: one client in five sends costly questions

Starts the app (``app.py``) as a subprocess on a free 127.0.0.1 port with a
private data directory and a private copy of the index, then sends a bounded
burst of questions (cycled from eval/qa.jsonl) through gradio_client's
``/ask`` endpoint from concurrent clients. Every second answer also gets a
``/feedback`` vote, written concurrently to SQLite; the rows are counted at
the end (none may be lost). Reports errors, throughput and p50/p95/p99
latency, then stops the app. Only ever talks to 127.0.0.1.

``--processes N`` runs N app processes behind nginx on loopback, sharing a
Chroma server, PostgreSQL and Redis (eval/cluster.py, the README's
*Deployment*); each client then says who it is in X-Forwarded-For (the proxy
is sticky by it) and the votes are counted in PostgreSQL. Compare
``--processes 1`` (the same stack with one process) with ``--processes 2``.

``--mix`` is the soak run: one client in five sends costly questions (500
random plan characters, as ``eval.bench`` times them) and every client votes
through ``/vote`` (replacing its vote once) as well as ``/feedback``; normal
and costly latencies are reported apart, so the normal p95 is the one a
person sees while the costly ones run.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from eval.common import percentile
from eval.servers import stop_process

ROOT = Path(__file__).resolve().parent.parent
QA = ROOT / "eval" / "sets" / "qa.jsonl"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def questions(path: Path = QA) -> list[str]:
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line:
                out.append(json.loads(line)["question"])
    return out


def wait_ready(url: str, proc: subprocess.Popen | None, timeout: float) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"app exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(url + "config", timeout=5) as r:
                if r.status == 200:
                    return
        except Exception:
            pass
        time.sleep(0.5)
    raise TimeoutError(f"app at {url} not ready after {timeout:.0f} s")


def start_app(port: int, data_dir: Path, index_dir: Path, log_path: Path) -> subprocess.Popen:
    env = dict(os.environ, YIWU_HOST="127.0.0.1", YIWU_PORT=str(port), YIWU_DATA_DIR=str(data_dir),
               YIWU_INDEX_DIR=str(index_dir), GRADIO_ANALYTICS_ENABLED="False")
    log = open(log_path, "w")
    return subprocess.Popen([sys.executable, str(ROOT / "app.py"), "--host", "127.0.0.1", "--port", str(port)],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def count_feedback(db: Path) -> int:
    if not db.exists():
        return 0
    con = sqlite3.connect(db, timeout=30)
    try:
        return con.execute("SELECT COUNT(*) FROM feedback").fetchone()[0]
    finally:
        con.close()


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a running process (Linux /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return round((int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"), 1)
    except (OSError, IndexError, ValueError):
        return None


def count_postgres(url: str) -> int:
    import psycopg

    with psycopg.connect(url) as con:
        try:
            return con.execute("SELECT COUNT(*) FROM feedback").fetchone()[0]
        except psycopg.errors.UndefinedTable:  # made by the first vote
            return 0


def run_burst(url: str, qs: list[str], n: int, clients: int, feedback_every: int, max_seconds: float,
              request_timeout: float = 120.0, costly: list[str] | None = None, costly_every: int = 5,
              visitors: bool = False) -> dict:
    """``visitors``: each client sends its own X-Forwarded-For (198.51.100.<w>), as
    distinct visitors behind a front proxy would arrive."""
    from gradio_client import Client

    lock = threading.Lock()
    state = {"next": 0}
    latencies: list[float] = []
    costly_latencies: list[float] = []
    fb_latencies: list[float] = []
    votes = {"ok": 0, "replaced": 0}
    errors: list[str] = []
    fb_ok = fb_fail = 0
    stop_at = time.monotonic() + max_seconds

    def take() -> int | None:
        with lock:
            i = state["next"]
            if i >= n or time.monotonic() > stop_at:
                return None
            state["next"] += 1
            return i

    def worker(w: int) -> None:
        nonlocal fb_ok, fb_fail
        try:
            headers = {"X-Forwarded-For": f"198.51.100.{w % 250 + 1}"} if visitors else None
            client = Client(url, verbose=False, headers=headers)
        except Exception as e:  # noqa: BLE001
            with lock:
                errors.append(f"client {w}: {type(e).__name__}: {e}")
            return
        heavy = bool(costly) and w % costly_every == 0
        while (i := take()) is not None:
            q = costly[i % len(costly)] if heavy else qs[i % len(qs)]
            t0 = time.perf_counter()
            try:
                r = client.submit(q, api_name="/ask").result(timeout=request_timeout)
                dt = time.perf_counter() - t0
                if not isinstance(r, dict) or not r.get("answer"):
                    raise ValueError(f"bad reply {str(r)[:80]}")
                with lock:
                    (costly_latencies if heavy else latencies).append(dt)
            except Exception as e:  # noqa: BLE001
                with lock:
                    errors.append(f"ask {i}: {type(e).__name__}: {str(e)[:120]}")
                continue
            if feedback_every and i % feedback_every == 0:
                t1 = time.perf_counter()
                try:
                    ok = client.submit(q, r["answer"], r.get("citations") or [], "up" if i % 4 else "down",
                                       api_name="/feedback").result(timeout=request_timeout)
                    with lock:
                        fb_latencies.append(time.perf_counter() - t1)
                        if ok == {"stored": True}:
                            fb_ok += 1
                        else:
                            fb_fail += 1
                except Exception as e:  # noqa: BLE001
                    with lock:
                        fb_fail += 1
                        errors.append(f"feedback {i}: {type(e).__name__}: {str(e)[:120]}")
            if costly is not None and i % 3 == 0:  # the soak also votes, and changes its mind once
                try:
                    for rating in ("up", "down"):
                        got = client.submit(f"load-{i}", q, r["answer"], r.get("citations") or [], rating,
                                            api_name="/vote").result(timeout=request_timeout)
                        if got != {"stored": True}:
                            raise ValueError(f"vote not stored: {got}")
                    with lock:
                        votes["ok"] += 1
                        votes["replaced"] += 1
                except Exception as e:  # noqa: BLE001
                    with lock:
                        errors.append(f"vote {i}: {type(e).__name__}: {str(e)[:120]}")

    t_start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(worker, range(clients)))
    wall = time.perf_counter() - t_start
    done = len(latencies) + len(costly_latencies)

    def lat(xs: list[float]) -> dict:
        return {"n": len(xs), "p50": round(percentile(xs, 50), 3), "p95": round(percentile(xs, 95), 3),
                "p99": round(percentile(xs, 99), 3), "mean": round(statistics.fmean(xs), 3) if xs else None,
                "max": round(max(xs), 3) if xs else None}

    return {
        "questions_sent": state["next"],
        "answered": done,
        "errors": len(errors),
        "error_samples": errors[:5],
        "wall_s": round(wall, 2),
        "throughput_qps": round(done / wall, 2) if wall else 0.0,
        "latency_s": lat(latencies),  # normal questions
        "costly_latency_s": lat(costly_latencies) if costly else None,
        "votes": votes if costly is not None else None,
        "feedback": {
            "sent_ok": fb_ok,
            "failed": fb_fail,
            "latency_p95_s": round(percentile(fb_latencies, 95), 3) if fb_latencies else None,
        },
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Load benchmark: a bounded burst of questions through /ask.")
    p.add_argument("-n", "--questions", type=int, default=500)
    p.add_argument("-c", "--clients", type=int, default=25)
    p.add_argument("--feedback-every", type=int, default=2, help="vote on every k-th answer (0 = never)")
    p.add_argument("--max-seconds", type=float, default=900, help="stop sending after this long")
    p.add_argument("--startup-timeout", type=float, default=600)
    p.add_argument("--request-timeout", type=float, default=120, help="a request slower than this counts as an error")
    p.add_argument("--url", help="use a running app on 127.0.0.1 instead of starting one "
                                 "(feedback rows are then not counted unless --data-dir is given)")
    p.add_argument("--data-dir", type=Path, help="with --url: the app's data directory")
    p.add_argument("--mix", action="store_true", help="soak: costly questions and /vote mixed in")
    p.add_argument("--processes", type=int, default=0,
                   help="N app processes behind nginx with shared Chroma, PostgreSQL and Redis (0 = one plain app)")
    p.add_argument("--json", action="store_true", help="print JSON")
    args = p.parse_args(argv)
    if not 1 <= args.questions <= 100_000 or not 1 <= args.clients <= 200:
        p.error("questions must be 1–100000 and clients 1–200")

    sys.path.insert(0, str(ROOT))
    from chatbot.app.settings import Settings

    tmp = Path(tempfile.mkdtemp(prefix="yiwu-load-"))
    proc = cluster = None
    result: dict | None = None
    count = count_feedback
    try:
        if args.processes:
            from eval.cluster import Cluster

            # Limits stay on (every request goes through Redis) but never bind:
            # the benchmark measures throughput, not the limits.
            big = "1000000"
            env = {"YIWU_TRUSTED_PROXIES": "2", **{f"YIWU_RATE_{k}_{x}": big for k in
                                                   ("ANSWERS", "SEARCHES", "VOTES", "CHARS")
                                                   for x in ("PER_MINUTE", "BURST")}}
            t_up = time.perf_counter()
            cluster = Cluster(tmp / "cluster", processes=args.processes, proxy=True, env=env).__enter__()
            print(f"[load] {args.processes} process(es) behind nginx ready in {time.perf_counter() - t_up:.1f} s",
                  file=sys.stderr, flush=True)
            url, db = cluster.proxy_url, cluster.postgres.url
            count = count_postgres
        elif args.url:
            host = urllib.parse.urlparse(args.url).hostname
            if host not in ("127.0.0.1", "localhost"):
                p.error("--url must be a loopback address (127.0.0.1)")
            url = args.url if args.url.endswith("/") else args.url + "/"
            db = args.data_dir / "feedback.sqlite3" if args.data_dir else None
        else:
            index_dir = tmp / "index"
            src = Settings().index_dir
            if src.exists():  # a private copy: never write into the shared store
                shutil.copytree(src, index_dir)
            port = free_port()
            url = f"http://127.0.0.1:{port}/"
            proc = start_app(port, tmp / "data", index_dir, tmp / "app.log")
            db = tmp / "data" / "feedback.sqlite3"
        t0 = time.perf_counter()
        print(f"[load] waiting for the app at {url}…", file=sys.stderr, flush=True)
        wait_ready(url, proc, args.startup_timeout)
        startup = time.perf_counter() - t0
        before = count(db) if db else 0
        from gradio_client import Client

        Client(url, verbose=False).submit("刻章要钱吗", api_name="/ask").result(timeout=args.request_timeout)  # warm-up
        print(f"[load] {args.questions} questions from {args.clients} clients…", file=sys.stderr, flush=True)
        heavy = None
        if args.mix:
            from eval.bench import costly_questions

            plan = (ROOT / "corpus" / "yiwu-business-environment-plan-2023-2025.txt").read_text(encoding="utf-8")
            heavy = costly_questions(plan, Settings().max_question_chars, 20)["random_plan_chars"]
        result = run_burst(url, questions(), args.questions, args.clients, args.feedback_every, args.max_seconds,
                           args.request_timeout, costly=heavy, visitors=bool(args.processes))
        result["processes"] = args.processes or 1
        result["behind_proxy"] = bool(args.processes)
        if cluster is not None:  # did the proxy spread the visitors? CPU seconds each process spent
            result["cpu_s_per_process"] = [cpu_seconds(p.pid) for p in cluster.apps]
        result["startup_s"] = round(startup, 1)
        result["clients"] = args.clients
        result["cpu_count"] = os.cpu_count()
        if db:
            stored = count(db) - before
            result["feedback"]["rows_stored"] = stored
            # one row per /feedback call and one per vote id (a replaced vote stays one row)
            expected = result["feedback"]["sent_ok"] + ((result["votes"] or {}).get("ok") or 0)
            result["feedback"]["lost"] = expected - stored
    finally:
        if cluster is not None:
            cluster.__exit__(None, None, None)
        stop_process(proc)
        if proc is not None and (result is None or result["errors"]):
            print((tmp / "app.log").read_text(errors="replace")[-3000:], file=sys.stderr)
        shutil.rmtree(tmp, ignore_errors=True)

    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        lat, fb = result["latency_s"], result["feedback"]
        print(f"answered {result['answered']}/{result['questions_sent']} questions from {args.clients} clients "
              f"in {result['wall_s']} s: {result['throughput_qps']} questions/s, {result['errors']} errors")
        print(f"normal questions ({lat['n']}): latency p50 {lat['p50']} s, p95 {lat['p95']} s, "
              f"p99 {lat['p99']} s (max {lat['max']} s)")
        if result["costly_latency_s"]:
            c = result["costly_latency_s"]
            print(f"costly questions ({c['n']}): p50 {c['p50']} s, p95 {c['p95']} s (max {c['max']} s); "
                  f"votes {result['votes']['ok']} stored and replaced")
        where = "PostgreSQL" if args.processes else "SQLite"
        print(f"feedback: {fb['sent_ok']} votes sent, {fb.get('rows_stored', '?')} rows in {where}, "
              f"lost {fb.get('lost', '?')}")
        for e in result["error_samples"]:
            print("  error:", e)
    ok = result["errors"] == 0 and result["feedback"].get("lost", 0) == 0
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
