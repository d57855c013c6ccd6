"""Several app processes sharing one index, one feedback store and one rate
limit, on loopback: a ``chroma run`` server, PostgreSQL, Redis, N copies of
``app.py`` on their own ports and, optionally, nginx in front of them, as
the README's *Deployment* section describes. Used by the two-process tests
(tests/test_scaleout.py) and the load benchmark (``eval.load --processes``).

    with Cluster(tmp, processes=2, proxy=True) as c:
        c.urls       # each process
        c.proxy_url  # nginx, sticky by client address
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from eval.servers import ChromaServer, PostgresServer, RedisServer, free_port, stop_process

ROOT = Path(__file__).resolve().parent.parent
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"

# Gradio keeps a queued answer's events in the process that took the
# question, so one visitor must stay on one process: hash on the visitor's
# address. (On loopback every client is 127.0.0.1, so the benchmark's
# clients say who they are in X-Forwarded-For, as a front proxy would.)
NGINX_CONF = """
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    upstream yiwu {{
        hash {sticky} consistent;
{servers}
        keepalive 32;
    }}
    server {{
        listen 127.0.0.1:{port};
        client_max_body_size 1m;
        location / {{
            proxy_pass http://yiwu;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_buffering off;          # answers stream (server-sent events)
            proxy_read_timeout 300s;
        }}
        location = /readyz {{ proxy_pass http://yiwu; }}
    }}
}}
"""


def http_json(url: str, timeout: float = 3.0) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, json.loads(r.read() or b"{}")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")
    except OSError:
        return 0, {}


class Cluster:
    """Start everything in ``__enter__``, stop it in ``__exit__``.
    ``env``: extra YIWU_ settings for every app process."""

    def __init__(self, tmp: Path | None = None, processes: int = 2, proxy: bool = False,
                 env: dict[str, str] | None = None, ready_timeout: float = 300.0):
        self.tmp = Path(tmp or tempfile.mkdtemp(prefix="yiwu-cluster-"))
        self.n, self.proxy, self.extra = processes, proxy, dict(env or {})
        self.ready_timeout = ready_timeout
        self.apps: list[subprocess.Popen] = []
        self.ports: list[int] = []
        self.proxy_port: int | None = None
        self._nginx: subprocess.Popen | None = None
        # PostgreSQL runs as the postgres user when we are root: its directory
        # must not be inside a root-only temporary directory.
        self.pg_dir = Path(tempfile.mkdtemp(prefix="yiwu-pg-"))
        self.chroma = ChromaServer(self.tmp / "chroma")
        self.postgres = PostgresServer(self.pg_dir)
        self.redis = RedisServer(self.tmp / "redis")

    # -- the app processes ---------------------------------------------------------------------
    def app_env(self, i: int) -> dict[str, str]:
        env = dict(os.environ, GRADIO_ANALYTICS_ENABLED="False", ANONYMIZED_TELEMETRY="False",
                   YIWU_HOST="127.0.0.1", YIWU_PORT=str(self.ports[i]),
                   YIWU_CHROMA_HOST="127.0.0.1", YIWU_CHROMA_PORT=str(self.chroma.port),
                   YIWU_FEEDBACK_URL=self.postgres.url, YIWU_RATELIMIT_URL=self.redis.url,
                   YIWU_DATA_DIR=str(self.tmp / f"data{i}"), YIWU_INDEX_DIR=str(self.tmp / f"index{i}"))
        env.update(self.extra)
        return env

    def start_app(self, i: int) -> None:
        log = open(self.tmp / f"app{i}.log", "ab")
        self.apps[i] = subprocess.Popen([sys.executable, str(ROOT / "app.py")], cwd=ROOT, env=self.app_env(i),
                                        stdout=log, stderr=subprocess.STDOUT)

    def stop_app(self, i: int) -> None:
        stop_process(self.apps[i])

    @property
    def urls(self) -> list[str]:
        return [f"http://127.0.0.1:{p}/" for p in self.ports]

    @property
    def proxy_url(self) -> str | None:
        return f"http://127.0.0.1:{self.proxy_port}/" if self.proxy_port else None

    def wait_ready(self, urls: list[str] | None = None) -> float:
        t0 = time.perf_counter()
        pending = list(urls or self.urls)
        while pending and time.perf_counter() - t0 < self.ready_timeout:
            for i, p in enumerate(self.apps):
                if p is not None and p.poll() is not None:
                    raise RuntimeError(f"app {i} exited with {p.returncode}: {self.log(i)[-2000:]}")
            pending = [u for u in pending if http_json(u + "readyz")[0] != 200]
            time.sleep(0.3)
        if pending:
            raise TimeoutError(f"not ready within {self.ready_timeout:.0f} s: {pending}")
        return time.perf_counter() - t0

    def log(self, i: int) -> str:
        path = self.tmp / f"app{i}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    # -- nginx ---------------------------------------------------------------------------------
    def start_proxy(self) -> None:
        self.proxy_port = free_port()
        conf = self.tmp / "nginx.conf"
        servers = "\n".join(f"        server 127.0.0.1:{p} max_fails=0;" for p in self.ports)
        conf.write_text(NGINX_CONF.format(tmp=self.tmp, port=self.proxy_port, servers=servers,
                                          sticky="$http_x_forwarded_for$remote_addr"))
        self._nginx = subprocess.Popen([NGINX, "-c", str(conf), "-p", str(self.tmp), "-g", "daemon off;"],
                                       stdout=open(self.tmp / "nginx.out", "ab"), stderr=subprocess.STDOUT)
        t0 = time.perf_counter()
        while http_json(self.proxy_url + "healthz")[0] != 200:
            if self._nginx.poll() is not None or time.perf_counter() - t0 > 30:
                raise RuntimeError("nginx did not start: " + (self.tmp / "nginx-error.log").read_text(errors="replace"))
            time.sleep(0.2)

    # -- lifecycle -----------------------------------------------------------------------------
    def __enter__(self) -> "Cluster":
        try:
            self.chroma.start()
            self.postgres.start()
            self.redis.start()
            self.ports = [free_port() for _ in range(self.n)]
            self.apps = [None] * self.n
            self.start_app(0)  # the first builds the shared index; the others open it
            self.wait_ready(self.urls[:1])
            for i in range(1, self.n):
                self.start_app(i)
            self.wait_ready()
            if self.proxy:
                self.start_proxy()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc) -> None:
        stop_process(self._nginx, 10)
        for i in range(len(self.apps)):
            self.stop_app(i)
        for srv in (self.redis, self.postgres, self.chroma):
            try:
                srv.stop()
            except Exception:  # noqa: BLE001 - best effort on the way out
                pass
        shutil.rmtree(self.pg_dir, ignore_errors=True)
