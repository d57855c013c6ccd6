"""Chroma server mode: a real ``chroma run`` server on a free loopback port with
a temporary path. The index is built through chromadb.HttpClient, shared by a
second process, survives the server restarting, and two builders racing on
one server leave exactly one complete collection.

Uses the two-document fixture corpus and the hashing test embedder, so it
needs no model; marked slow because it starts a server (about 2 s)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from chatbot.corpus.library import load_library
from chatbot.search.store import BUILD_MARK, PREFIX, IndexUnavailable, open_client
from chatbot.search.vectors import VectorIndex
from chatbot.search.filters import Filters
from chatbot.app.settings import Settings
from fixtures.fake_embeddings import HashEmbeddings

from conftest import retriever_over, store_config, FIXTURES, ROOT
from _servers import CHROMA, ChromaServer, free_port

pytestmark = pytest.mark.slow

DEMO = FIXTURES / "demo"
@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if not CHROMA.exists():
        pytest.skip(f"no chroma CLI at {CHROMA}")
    tmp = tmp_path_factory.mktemp("chroma-server")
    srv = ChromaServer(tmp / "data", free_port())
    srv.startup_seconds = srv.start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def lib():
    return load_library(DEMO, "yiwu")


def server_settings(server, tmp: Path) -> Settings:
    return Settings(corpus_dir=DEMO, index_dir=tmp / "index", data_dir=tmp / "data", default_doc="yiwu",
                    chroma_host="127.0.0.1", chroma_port=server.port)


@pytest.fixture(scope="module")
def built(server, lib, tmp_path_factory):
    s = server_settings(server, tmp_path_factory.mktemp("app1"))
    emb = HashEmbeddings()
    idx = VectorIndex(store_config(s), lib, emb).ensure()
    return s, idx, emb


def test_server_starts_and_answers_heartbeat(server):
    assert server.alive()
    assert server.startup_seconds < 60


def test_index_is_built_through_the_server(built, lib, server):
    s, idx, emb = built
    assert idx.server_mode and idx.where == server.url
    assert type(idx.client).__name__ == "Client" and idx.client.heartbeat() > 0
    assert len(lib.records) == 255 and idx.collection.count() == len(idx.rows)
    assert idx.last_build_seconds is not None
    assert emb.calls == len(idx.rows)  # every clause and sentence embedded by us, once
    # the collection lives on the server, not in the local index dir
    names = {c.name for c in open_client(store_config(s)).list_collections()}
    assert idx.name in names and not any(BUILD_MARK in n for n in names)
    assert not (Path(s.index_dir) / "chroma").exists()


def test_server_collection_has_no_embedding_function(built):
    s, idx, _ = built
    col = open_client(store_config(s)).get_collection(idx.name, embedding_function=None)
    assert col.configuration.get("embedding_function") is None
    assert col.configuration["hnsw"]["space"] == "cosine"
    with pytest.raises(ValueError, match="embedding function"):
        col.query(query_texts=["供暖"], n_results=1)


def test_second_app_reuses_the_server_index(built, lib, server, tmp_path):
    s, first, _ = built
    emb = HashEmbeddings()
    again = VectorIndex(store_config(server_settings(server, tmp_path)), lib, emb).ensure()
    assert again.name == first.name and again.last_build_seconds is None
    assert emb.calls == 0  # nothing re-embedded: the shared index is used as is


def test_search_and_answer_through_the_server(built, lib):
    s, idx, _ = built
    eng = retriever_over(s, lib, idx)
    hits = eng.search("低保户的供暖费减免多少", k=3)
    assert hits[0].record.ref == "demo:2.2" and hits[0].dense is not None and hits[0].dense > 0
    assert eng.search("简易注销公示时间", k=1, filters=Filters(doc="yiwu"))[0].record.ref == "5.3"
    from chatbot.app.bootstrap import bootstrap

    a = bootstrap(s, embeddings=HashEmbeddings(), library=lib).assistant.answer("低保户的供暖费减免多少")
    assert not a.refused and "demo:2.2" in a.citations
    assert "50%" in a.text


def test_another_process_shares_the_index(built, server, tmp_path):
    """A separate OS process configured only through YIWU_CHROMA_HOST/PORT
    finds the same collection and answers from it without re-embedding."""
    s, idx, _ = built
    script = (
        "import json, sys\n"
        f"sys.path.insert(0, {str(ROOT / 'tests')!r})\n"
        "from chatbot.app.settings import Settings\n"
        "from chatbot.corpus.library import load_library\n"
        "from chatbot.app.bootstrap import load_tuning, store_config\n"
        "from chatbot.search.retriever import build_retriever\n"
        "from chatbot.search.vectors import VectorIndex\n"
        "from fixtures.fake_embeddings import HashEmbeddings\n"
        "s = Settings()\n"
        "lib = load_library(s.corpus_dir, s.default_doc)\n"
        "emb = HashEmbeddings()\n"
        "idx = VectorIndex(store_config(s), lib, emb).ensure()\n"
        "built_calls = emb.calls\n"
        "retriever = build_retriever(lib, idx, load_tuning(s).fusion, s.max_question_chars)\n"
        "hits = retriever.search('独居老人可以送餐上门吗', k=3)\n"
        "print(json.dumps({'name': idx.name, 'server': idx.server_mode, 'built_calls': built_calls,"
        " 'top': hits[0].record.ref}))\n"
    )
    env = dict(os.environ, YIWU_CHROMA_HOST="127.0.0.1", YIWU_CHROMA_PORT=str(server.port),
               YIWU_CORPUS_DIR=str(DEMO), YIWU_INDEX_DIR=str(tmp_path / "index"), PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True,
                         timeout=120, cwd=ROOT)
    assert out.returncode == 0, out.stderr[-3000:]
    got = json.loads(out.stdout.strip().splitlines()[-1])
    # 4.1 and 4.2 once came back swapped: HNSW had left rows out of an
    # all-rows query. Skipped rows are now scored exactly (search.vectors._complete).
    assert got == {"name": idx.name, "server": True, "built_calls": 0, "top": "demo:4.1"}
    assert not (tmp_path / "index" / "chroma").exists()


def test_unreachable_server_gives_a_clear_error(lib, tmp_path):
    port = free_port()
    s = Settings(corpus_dir=DEMO, index_dir=tmp_path / "index", chroma_host="127.0.0.1", chroma_port=port)
    with pytest.raises(IndexUnavailable) as e:
        VectorIndex(store_config(s), lib, HashEmbeddings()).ensure()
    msg = str(e.value)
    assert f"http://127.0.0.1:{port}" in msg and "chroma run" in msg and "YIWU_CHROMA_HOST" in msg


def test_collection_replaced_by_another_process_is_reopened(built, lib, server, tmp_path):
    """Another app force-rebuilds the shared collection (new id): this one's
    handle goes stale and the next search reopens it by name."""
    s, idx, _ = built
    old_id = idx.collection.id
    other = VectorIndex(store_config(server_settings(server, tmp_path)), lib, HashEmbeddings()).ensure(force=True)
    assert other.collection.id != old_id
    res = idx.search("供暖报修热线", n=3)
    assert res and res[0][0] == "demo:1"
    assert idx.collection.id == other.collection.id and idx.last_error is None


def test_server_restart_degrades_then_recovers(built, lib, server, caplog):
    """Server down: dense retrieval is skipped (logged, no exception) and
    answers keep coming from BM25 and references; back up: dense again."""
    s, idx, _ = built
    eng = retriever_over(s, lib, idx)
    server.stop()
    try:
        caplog.clear()
        t0 = time.perf_counter()
        assert idx.search("供暖报修热线", n=3) == []
        assert time.perf_counter() - t0 < 30
        assert idx.last_error and "unavailable" in caplog.text
        hits = eng.search("供暖报修热线", k=3)  # BM25 still answers
        assert hits and hits[0].record.ref == "demo:1"
        assert [h.record.ref for h in eng.search("demo:3", k=1)] == ["demo:3"]
    finally:
        server.start()
    deadline = time.monotonic() + 10  # failures back off for RETRY_SECONDS before retrying
    while not (res := idx.search("供暖报修热线", n=3)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert res and res[0][0] == "demo:1" and idx.last_error is None
    assert "is back" in caplog.text


def test_two_builders_racing_on_one_server(server, tmp_path):
    """Two hosts (separate index dirs, so no shared file lock) build the same
    new corpus at once: both succeed and one complete collection remains."""
    d = tmp_path / "corpus"
    shutil.copytree(DEMO, d)
    plan = (d / "demo-plan.txt").read_text("utf-8").replace("每周至少开放三天", "每周至少开放四天")
    (d / "demo-plan.txt").write_text(plan, "utf-8")
    (d / "manifest.json").write_text(json.dumps({"documents": [
        {"id": "yiwu", "file": str(ROOT / "corpus" / "yiwu-business-environment-plan-2023-2025.txt")},
        {"id": "demo", "file": "demo-plan.txt"}]}), "utf-8")
    lib2 = load_library(d, "yiwu")
    results, errors = [], []

    def build(i):
        try:
            s = Settings(corpus_dir=d, index_dir=tmp_path / f"host{i}", chroma_host="127.0.0.1",
                         chroma_port=server.port)
            results.append(VectorIndex(store_config(s), lib2, HashEmbeddings()).ensure(prune=False))
        except Exception as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=build, args=(i,)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors and len(results) == 3
    names = {c.name for c in open_client(results[0].settings).list_collections()}
    mine = [n for n in names if n.startswith(results[0].name)]
    assert mine == [results[0].name]  # no leftover private builds
    assert {r.collection.id for r in results} == {results[0].collection.id}
    assert results[0].collection.count() == len(results[0].rows)
    assert all(n.startswith(PREFIX) for n in names)


def test_server_mode_needs_no_writable_local_dir(server, lib, tmp_path):
    """In server mode the local index dir only holds a build lock: an
    unusable one (here a file) does not stop the app."""
    bad = tmp_path / "index-file"
    bad.write_text("x")
    s = Settings(corpus_dir=DEMO, index_dir=bad, chroma_host="127.0.0.1", chroma_port=server.port)
    idx = VectorIndex(store_config(s), lib, HashEmbeddings()).ensure(force=True)
    assert idx.collection.count() == len(idx.rows) and bad.read_text() == "x"
