"""Chroma, the side effect: clients for the embedded store or a server, the
build lock, collection names, and the metadata rows carry.

Two stores, one behaviour:

- embedded (default): ``chromadb.PersistentClient`` under ``index_dir``.
- server (``chroma_host``/``chroma_port``): ``chromadb.HttpClient`` to a
  ``chroma run`` server that several app processes (or hosts) share.
"""
from __future__ import annotations

import fcntl
import hashlib
import logging
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..domain.records import Record
from .rows import TEXT_VERSION, Row

log = logging.getLogger(__name__)

PREFIX = "policy_"
BUILD_MARK = "__build_"  # private names of collections being built
SERVER_TIMEOUT = 30.0  # seconds per HTTP request to a Chroma server
ADD_BATCH = 1000


class IndexUnavailable(RuntimeError):
    """The vector store cannot be reached or opened. The message says where
    and what to do; front ends show it instead of a stack trace."""


@dataclass(frozen=True)
class StoreConfig:
    """Where the vectors live (app.bootstrap fills it from the settings)."""

    index_dir: Path
    chroma_host: str | None = None
    chroma_port: int = 8000
    chroma_timeout: float = SERVER_TIMEOUT
    shipped_cache: Path | None = None  # directory of committed vectors (``vcache``), read only


def chroma_settings():
    from chromadb.config import Settings as ChromaSettings

    return ChromaSettings(anonymized_telemetry=False, allow_reset=True)


def store_path(settings: StoreConfig) -> Path:
    """Where the embedded store keeps its files."""
    return Path(settings.index_dir) / "chroma"


def server_url(settings: StoreConfig) -> str:
    return f"http://{settings.chroma_host}:{settings.chroma_port}"


_CLIENT_LOCK = threading.Lock()


def open_client(settings: StoreConfig):
    """A Chroma client for the configured store. A server that does not answer
    its heartbeat raises ``IndexUnavailable`` naming the address."""
    import chromadb

    if settings.chroma_host:
        url = server_url(settings)
        try:
            client = chromadb.HttpClient(host=settings.chroma_host, port=settings.chroma_port,
                                         settings=chroma_settings())
            _bound_timeout(client, float(getattr(settings, "chroma_timeout", SERVER_TIMEOUT)))
            client.heartbeat()
        except Exception as e:  # noqa: BLE001 - ValueError, httpx errors, bad ports…
            raise IndexUnavailable(
                f"Chroma 服务器 {url} 无法连接（{type(e).__name__}: {e}）。请先启动它："
                f"chroma run --path <目录> --host {settings.chroma_host} --port {settings.chroma_port}；"
                f"或取消 YIWU_CHROMA_HOST 以使用本机内置索引。"
            ) from e
        return client
    path = store_path(settings)
    _usable_dir(path)
    # chromadb builds one shared System per path and per process; two threads
    # constructing it at once see it half-initialised ('RustBindingsAPI' has
    # no 'bindings'), which would look like a corrupt store.
    with _CLIENT_LOCK:
        return chromadb.PersistentClient(path=str(path), settings=chroma_settings())


def _usable_dir(path: Path) -> None:
    """Create the directory; an unusable one (a file, no permission, a full
    disk) is an ``IndexUnavailable`` naming it, not a traceback."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise IndexUnavailable(f"{path}: 索引目录不可用（{e.strerror or e}）。"
                               f"请把 YIWU_INDEX_DIR 指向一个可写的目录。") from e


def _bound_timeout(client, seconds: float) -> None:
    """chromadb's HTTP client waits forever by default; a hung server must
    not hang an answer. (Private attribute: best effort.)"""
    try:
        import httpx

        client._server._session.timeout = httpx.Timeout(seconds, connect=min(5.0, seconds))
    except Exception:  # noqa: BLE001
        log.debug("could not bound the Chroma HTTP timeout")


def drop_cached_client(settings: StoreConfig) -> None:
    """Forget chromadb's per-process cached store for this path, so the next
    client reopens the files (after they were deleted or replaced)."""
    if settings.chroma_host:
        return
    try:  # private chromadb API (1.x): the per-path System cache
        from chromadb.api.shared_system_client import SharedSystemClient as S

        key = str(store_path(settings))
        system = S._identifier_to_system.pop(key, None)
        S._identifier_to_refcount.pop(key, None)
    except Exception:  # noqa: BLE001
        log.warning("could not drop chromadb's cached client; a restart may be needed", exc_info=True)
        return
    if system is not None:
        try:
            system.stop()
        except Exception:  # noqa: BLE001 - it is broken; that is why we drop it
            pass


def collection_name(embedder: str, corpus_sha: str) -> str:
    h = hashlib.sha256(f"{embedder}|{corpus_sha}|{TEXT_VERSION}".encode()).hexdigest()[:20]
    return PREFIX + h


@contextmanager
def build_lock(index_dir: Path):
    """Exclusive lock so two processes never build the same embedded store."""
    index_dir = Path(index_dir)
    _usable_dir(index_dir)
    try:
        fh = open(index_dir / ".build.lock", "w")
    except OSError as e:
        raise IndexUnavailable(f"{index_dir / '.build.lock'}: 无法创建索引锁文件（{e.strerror or e}）。"
                               f"请把 YIWU_INDEX_DIR 指向一个可写的目录。") from e
    with fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def is_not_found(e: Exception) -> bool:
    try:
        from chromadb.errors import NotFoundError

        if isinstance(e, NotFoundError):
            return True
    except ImportError:  # pragma: no cover
        pass
    return "does not exist" in str(e)


def max_batch(client) -> int:
    try:
        return max(1, int(client.get_max_batch_size()))
    except Exception:  # noqa: BLE001
        return ADD_BATCH


def delete_quietly(client, name: str) -> None:
    try:
        client.delete_collection(name)
    except Exception:  # noqa: BLE001 - already gone
        pass


def record_metadata(r: Record, row: str = "clause") -> dict:
    # Sentence rows carry their record's metadata, so filters select them too.
    return {
        "row": row,
        "record": r.uid,
        "doc_id": r.doc_id,
        "id": r.id,
        "kind": r.kind,
        "section": r.section.no if r.section.no is not None else 0,
        "measure": r.measure_no if r.measure_no is not None else 0,
        "deadline": r.deadline or "",
        "units": "、".join(r.units),
    }


def decline_metadata(row: Row) -> dict:
    # Chroma needs every key the record rows have for filters to work; the
    # values match no record filter, so filtered searches never see these rows.
    return {"row": "decline", "record": "", "doc_id": row.doc_id, "id": "", "kind": "decline",
            "section": -1, "measure": -1, "deadline": "", "units": ""}


def complete_rows(col, vec, got: list[tuple[str, float]], all_ids: list[str]) -> list[tuple[str, float]]:
    """HNSW is approximate even when asked for every row: one build in four
    of the test corpus left 1–3 of 781 rows out, and a record whose clause row
    is missing loses its dense score. Rows the query skipped are scored
    exactly from their stored vectors (cosine, as the collection's space)."""
    import numpy as np

    seen = {i for i, _ in got}
    missing = [i for i in all_ids if i not in seen]
    if not missing:
        return got
    res = col.get(ids=missing, include=["embeddings"])
    q = np.asarray(vec, dtype=float)
    q = q / (np.linalg.norm(q) or 1.0)
    for rid, emb in zip(res["ids"], res["embeddings"]):
        e = np.asarray(emb, dtype=float)
        got.append((rid, float(e @ q / (np.linalg.norm(e) or 1.0))))
    got.sort(key=lambda x: -x[1])
    return got


def prune(client, keep: str, stale_seconds: float) -> None:
    """Delete this store's other collections, except builds still in progress
    elsewhere (an unpublished build older than ``stale_seconds`` is junk)."""
    import time

    try:
        cols = [c for c in client.list_collections() if c.name.startswith(PREFIX)]
    except Exception as e:  # noqa: BLE001
        log.warning("could not list collections to prune: %s", e)
        return
    now = time.time()
    for c in cols:
        if c.name == keep:
            continue
        if BUILD_MARK in c.name:
            built = float((c.metadata or {}).get("built_at", 0) or 0)
            if now - built <= stale_seconds:
                continue
        log.info("pruning stale index %s", c.name)
        delete_quietly(client, c.name)
