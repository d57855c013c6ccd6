"""Fixtures for the real servers of ``eval/servers.py`` (chroma run,
PostgreSQL, Redis), one per test session.

``./run.sh test`` (and so ``.ci/run``) installs Debian's postgresql and
redis-server when missing. Elsewhere a missing binary skips the tests that
need it; under CI it fails them, so the shared-store tests cannot vanish
from a run unnoticed."""
from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from eval.servers import (CHROMA, PG_BIN, REDIS, ChromaServer, PostgresServer, RedisServer,  # noqa: E402,F401
                          free_port)


def require(ok: bool, what: str) -> None:
    """Skip (or, under CI, fail) when a server binary is missing."""
    if ok:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{what} missing under CI: ./run.sh test installs it")
    pytest.skip(f"{what} not installed (./run.sh test installs it)")


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    require(Path(REDIS).exists(), "redis-server")
    srv = RedisServer(tmp_path_factory.mktemp("redis"))
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def postgres_server():
    require(PG_BIN is not None and (PG_BIN / "initdb").exists(), "PostgreSQL (postgresql)")
    # Not under pytest's tmp dir: that is private to root, and as root the
    # server runs as the postgres user, who must reach its directory.
    tmp = Path(tempfile.mkdtemp(prefix="yiwu-pg-"))
    try:
        srv = PostgresServer(tmp)
        srv.start()
        yield srv
        srv.stop()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
