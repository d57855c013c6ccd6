"""Real servers on loopback, for the tests and benchmarks that need them:
``chroma run``, PostgreSQL (a private cluster made by initdb in a temporary
directory) and Redis, each on a free port with start / stop / restart.
Only ever binds 127.0.0.1."""
from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

CHROMA = Path(sys.executable).parent / "chroma"
REDIS = shutil.which("redis-server") or "/usr/bin/redis-server"
_PG_BINS = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]))
PG_BIN = Path(_PG_BINS[-1]) if _PG_BINS else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop_process(proc: subprocess.Popen | None, timeout: float = 20.0) -> None:
    """Terminate, wait, then kill what does not stop in time."""
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)


def _port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0


class _Server:
    """A subprocess on 127.0.0.1:<port> with a log file; subclasses say how to start it."""

    def __init__(self, path: Path, port: int | None = None):
        self.path, self.port, self.proc = Path(path), port or free_port(), None
        self.path.mkdir(parents=True, exist_ok=True)
        self.log = self.path / f"{type(self).__name__}-{self.port}.log"

    def command(self) -> list[str]:
        raise NotImplementedError

    def alive(self) -> bool:
        return _port_open(self.port)

    def start(self, timeout: float = 60.0) -> float:
        t0 = time.perf_counter()
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(self.command(), stdout=log, stderr=subprocess.STDOUT,
                                         env=dict(os.environ, ANONYMIZED_TELEMETRY="False"))
        while time.perf_counter() - t0 < timeout:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.command()[0]} exited with {self.proc.returncode}: "
                                   f"{self.log.read_text(errors='replace')[-2000:]}")
            if self.alive():
                return time.perf_counter() - t0
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"{type(self).__name__} did not come up within {timeout} s")

    def stop(self) -> None:
        stop_process(self.proc, 15)
        self.proc = None

    def restart(self) -> float:
        self.stop()
        return self.start()


class ChromaServer(_Server):
    """`chroma run` with its data in <path>."""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        return [str(CHROMA), "run", "--path", str(self.path), "--host", "127.0.0.1", "--port", str(self.port)]

    def alive(self) -> bool:
        try:
            with urllib.request.urlopen(self.url + "/api/v2/heartbeat", timeout=1) as r:
                return r.status == 200
        except OSError:
            return False


class RedisServer(_Server):
    """redis-server with no persistence: a restart forgets every count."""

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def command(self) -> list[str]:
        return [REDIS, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                "--dir", str(self.path)]


class PostgresServer(_Server):
    """A private PostgreSQL cluster (initdb) in <path>, trust auth on loopback.
    PostgreSQL refuses to run as root, so as root it runs as the postgres user."""

    USER = "yiwu"

    def __init__(self, path: Path, port: int | None = None):
        super().__init__(path, port)
        self.data = self.path / "pgdata"
        self.sockets = self.path / "sock"
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if not self.data.exists():
            self.sockets.mkdir(exist_ok=True)
            if self.as_user:
                shutil.chown(self.path, "postgres")
                shutil.chown(self.sockets, "postgres")
            subprocess.run(self.as_user + [str(PG_BIN / "initdb"), "-D", str(self.data), "-U", self.USER,
                                           "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"],
                           check=True, capture_output=True)

    @property
    def url(self) -> str:
        return f"postgresql://{self.USER}@127.0.0.1:{self.port}/postgres"

    def command(self) -> list[str]:
        return self.as_user + [str(PG_BIN / "postgres"), "-D", str(self.data), "-p", str(self.port),
                               "-c", "listen_addresses=127.0.0.1", "-k", str(self.sockets),
                               "-c", "fsync=off", "-c", "max_connections=50"]

    def alive(self) -> bool:
        if not _port_open(self.port):
            return False
        import psycopg
        try:
            with psycopg.connect(self.url, connect_timeout=1):
                return True
        except psycopg.OperationalError:  # still starting up
            return False

    def stop(self) -> None:
        # pg_ctl, not a signal to runuser (which does not pass SIGINT on);
        # "fast" ends client sessions at once, as a production restart does.
        if self.proc is None:
            return
        subprocess.run(self.as_user + [str(PG_BIN / "pg_ctl"), "stop", "-D", str(self.data), "-m", "fast",
                                       "-w", "-t", "30"], capture_output=True)
        stop_process(self.proc, 20)
        self.proc = None
