"""How cost grows with the library: python -m eval.scale [--factors 1,10,100] [--stores embedded,server] [--json]

Grows the library to N times its records (copies of every document under
distinct ids; copies share their texts, so the vectors of one copy serve all:
the embedder runs once and the build measures the store, not the model) and
reports, per store (the embedded PersistentClient, a `chroma run` server on
loopback): build time, warm start (opening the built index again), index
size on disk, peak memory of this process, and search p50/p95 over 60
questions. A command, not a test: the numbers depend on the machine.
"""
from __future__ import annotations

import argparse
import copy
import json
import os
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from langchain_core.embeddings import Embeddings

from eval.common import ROOT, load_qa, percentile


class SharedVectors(Embeddings):
    """The real embedder behind a cache keyed by text: copies cost nothing."""

    def __init__(self, inner: Embeddings):
        self.inner, self.name = inner, getattr(inner, "name", type(inner).__name__)
        self.docs: dict[str, list[float]] = {}
        self.queries: dict[str, list[float]] = {}

    def _cached(self, cache, fn, texts):
        todo = [t for t in dict.fromkeys(texts) if t not in cache]
        for t, v in zip(todo, fn(todo) if todo else []):
            cache[t] = v
        return [cache[t] for t in texts]

    def embed_documents(self, texts):
        return self._cached(self.docs, self.inner.embed_documents, list(texts))

    def embed_queries(self, texts):
        from chatbot.search.embeddings import embed_queries

        return self._cached(self.queries, lambda ts: embed_queries(self.inner, ts), list(texts))

    def embed_query(self, text):
        return self.embed_queries([text])[0]


def grown(library, factor: int):
    """The library with ``factor`` copies of every document (ids "yiwu", "yiwux1", …)."""
    from chatbot.corpus.library import Library

    corpora = []
    for i in range(factor):
        for c in library.corpora:
            d = copy.copy(c)
            d.doc_id = c.doc_id if i == 0 else f"{c.doc_id}x{i}"
            d.records = [replace(r, doc_id=d.doc_id) for r in c.records]
            d.supersedes = d.superseded_by = None if i else c.supersedes
            corpora.append(d)
    return Library(corpora, library.default_doc)


def du(path: Path) -> int:
    return sum(f.stat().st_size for f in Path(path).rglob("*") if f.is_file())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(path: Path) -> tuple[subprocess.Popen, int]:
    import urllib.request

    port = free_port()
    chroma = Path(sys.executable).with_name("chroma")
    proc = subprocess.Popen([str(chroma), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env=dict(os.environ, ANONYMIZED_TELEMETRY="False"))
    for _ in range(120):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=2)
            return proc, port
        except Exception:  # noqa: BLE001 - not up yet
            time.sleep(0.5)
    proc.kill()
    raise RuntimeError("chroma run did not start")


def measure(library, emb, store: str, questions: list[str], tuning, max_chars: int) -> dict:
    from chatbot.search.retriever import build_retriever
    from chatbot.search.store import StoreConfig
    from chatbot.search.vectors import VectorIndex

    tmp = Path(tempfile.mkdtemp(prefix=f"yiwu-scale-{store}-"))
    proc = None
    try:
        if store == "server":
            proc, port = start_server(tmp / "server")
            config = StoreConfig(tmp / "index", "127.0.0.1", port, 120.0)
            where = tmp / "server"
        else:
            config = StoreConfig(tmp / "index")
            where = tmp / "index"
        t0 = time.perf_counter()
        vectors = VectorIndex(config, library, emb, tuning).ensure()
        build = time.perf_counter() - t0
        t0 = time.perf_counter()
        VectorIndex(config, library, emb, tuning).ensure()
        warm = time.perf_counter() - t0
        retriever = build_retriever(library, vectors, tuning, max_chars)
        for q in questions[:5]:
            retriever.search(q, k=5)
        times = []
        for q in questions:
            t0 = time.perf_counter()
            retriever.search(q, k=5)
            times.append((time.perf_counter() - t0) * 1000)
        return {"records": len(library.records), "rows": len(vectors.rows), "build_s": round(build, 1),
                "warm_start_s": round(warm, 2), "index_mb": round(du(where) / 2**20, 1),
                "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 0),
                "search_ms_p50": round(statistics.median(times), 1), "search_ms_p95": round(percentile(times, 95), 1)}
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=30)
        shutil.rmtree(tmp, ignore_errors=True)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval.scale", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--factors", default="1,10,100")
    ap.add_argument("--stores", default="embedded,server")
    ap.add_argument("--n", type=int, default=60, help="questions timed")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    from chatbot.app.bootstrap import embeddings_for, load_tuning
    from chatbot.app.settings import Settings
    from chatbot.corpus.library import load_library

    s = Settings()
    base = load_library(s.corpus_dir, s.default_doc)
    tuning = load_tuning(s).fusion
    emb = SharedVectors(embeddings_for(s))
    questions = [x.question for x in load_qa(ROOT / "eval" / "sets" / "qa_fresh4.jsonl")][: args.n]
    from chatbot.search.rows import embed_rows, index_rows

    t0 = time.perf_counter()
    embed_rows(emb, index_rows(base.records, base.questions_of, base.declines))  # the one real embedding pass
    report = {"cpus": os.cpu_count(), "embed_base_s": round(time.perf_counter() - t0, 1), "runs": []}
    for factor in (int(f) for f in args.factors.split(",")):
        lib = grown(base, factor)
        for store in args.stores.split(","):
            r = {"factor": factor, "store": store, **measure(lib, emb, store, questions, tuning, s.max_question_chars)}
            report["runs"].append(r)
            print(json.dumps(r), file=sys.stderr, flush=True)
    print(json.dumps(report, indent=2) if args.json else "\n".join(json.dumps(r) for r in report["runs"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
