"""The Chroma vector index: build, staleness check, rebuild, query.

Side effects live here (Chroma, files). The collection name carries a hash
of the embedder and the corpus, so a changed corpus or model simply finds no
matching collection and triggers a rebuild.
"""
from __future__ import annotations

import fcntl
import hashlib
import logging
import shutil
import time
from contextlib import contextmanager
from pathlib import Path

from langchain_core.embeddings import Embeddings

from .corpus import Library
from .embeddings import embedder_name
from .models import Record
from .settings import Settings

log = logging.getLogger(__name__)

# Bump when the embedded text layout changes, so old indexes go stale.
TEXT_VERSION = "3"
PREFIX = "policy_"


def embed_text(r: Record) -> str:
    """What is embedded for a leaf: its clause plus the measure and section
    titles, so "5.3" still means 企业简易注销 when read alone."""
    section = r.section.title or ""
    head = " / ".join(x for x in (section, r.measure_title) if x)
    return f"{head}\n{r.body}"


def chroma_settings():
    from chromadb.config import Settings as ChromaSettings

    return ChromaSettings(anonymized_telemetry=False, allow_reset=True)


def open_client(settings: Settings):
    import chromadb

    if settings.chroma_host:
        return chromadb.HttpClient(host=settings.chroma_host, port=settings.chroma_port,
                                   settings=chroma_settings())
    path = Path(settings.index_dir) / "chroma"
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings())


def collection_name(embedder: str, corpus_sha: str) -> str:
    h = hashlib.sha256(f"{embedder}|{corpus_sha}|{TEXT_VERSION}".encode()).hexdigest()[:20]
    return PREFIX + h


@contextmanager
def build_lock(index_dir: Path):
    """Exclusive lock so two processes never build the same embedded store."""
    index_dir = Path(index_dir)
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / ".build.lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


class VectorIndex:
    """Dense side of retrieval over one Chroma collection."""

    def __init__(self, settings: Settings, library: Library, embeddings: Embeddings):
        self.settings = settings
        self.library = library
        self.embeddings = embeddings
        self.embedder = embedder_name(embeddings)
        self.name = collection_name(self.embedder, library.sha256)
        self.collection = None
        self.last_build_seconds: float | None = None

    # -- lifecycle -----------------------------------------------------------
    def ensure(self, force: bool = False) -> "VectorIndex":
        """Open the collection; build it when missing, stale or unreadable."""
        try:
            self._ensure(force)
        except Exception as e:  # noqa: BLE001 - a broken store must not stop answers
            if self.settings.chroma_host:
                raise
            log.warning("index at %s unreadable (%s: %s); rebuilding from scratch",
                        self.settings.index_dir, type(e).__name__, e)
            self._wipe_local()
            self._ensure(True)
        return self

    def _ensure(self, force: bool) -> None:
        with build_lock(self.settings.index_dir):
            client = open_client(self.settings)
            names = {c.name if hasattr(c, "name") else str(c) for c in client.list_collections()}
            if not force and self.name in names:
                col = client.get_collection(self.name, embedding_function=None)
                if col.count() == len(self.library.records):
                    self.collection = col
                    return
                log.warning("index %s is incomplete (%d of %d records); rebuilding",
                            self.name, col.count(), len(self.library.records))
            elif not force:
                log.warning("no index for embedder=%s corpus=%s; building it",
                            self.embedder, self.library.sha256[:12])
            self.collection = self._build(client, names)

    def _build(self, client, names: set[str]):
        t0 = time.perf_counter()
        for old in names:
            if old.startswith(PREFIX):
                client.delete_collection(old)
        col = client.create_collection(
            self.name,
            configuration={"hnsw": {"space": "cosine"}},
            metadata={"embedder": self.embedder, "corpus_sha256": self.library.sha256,
                      "text_version": TEXT_VERSION},
            embedding_function=None,
        )
        recs = self.library.records
        vectors = self.embeddings.embed_documents([embed_text(r) for r in recs])
        col.add(
            ids=[r.uid for r in recs],
            embeddings=vectors,
            documents=[embed_text(r) for r in recs],
            metadatas=[_metadata(r) for r in recs],
        )
        self.last_build_seconds = time.perf_counter() - t0
        log.warning("built index %s: %d records in %.1f s", self.name, len(recs),
                    self.last_build_seconds)
        return col

    def _wipe_local(self) -> None:
        path = Path(self.settings.index_dir) / "chroma"
        if path.exists():
            shutil.rmtree(path, ignore_errors=True)

    # -- query ---------------------------------------------------------------
    def search(self, query: str, n: int, where: dict | None = None) -> list[tuple[str, float]]:
        """(uid, cosine similarity) best first."""
        if self.collection is None:
            self.ensure()
        vec = self.embeddings.embed_query(query)
        return self.search_vector(vec, n, where)

    def search_vector(self, vec: list[float], n: int, where: dict | None = None) -> list[tuple[str, float]]:
        n = max(1, min(n, len(self.library.records)))
        try:
            res = self.collection.query(query_embeddings=[vec], n_results=n, where=where or None,
                                        include=["distances"])
        except Exception as e:  # noqa: BLE001
            if self.settings.chroma_host:
                raise
            log.warning("index query failed (%s); rebuilding", e)
            self.ensure(force=True)
            res = self.collection.query(query_embeddings=[vec], n_results=n, where=where or None,
                                        include=["distances"])
        ids = res["ids"][0]
        dists = res["distances"][0]
        return [(i, 1.0 - float(d)) for i, d in zip(ids, dists)]


def _metadata(r: Record) -> dict:
    return {
        "doc_id": r.doc_id,
        "id": r.id,
        "kind": r.kind,
        "section": r.section.no if r.section.no is not None else 0,
        "measure": r.measure_no if r.measure_no is not None else 0,
        "deadline": r.deadline or "",
        "units": "、".join(r.units),
    }
