"""The only place objects are built: one ``Settings`` in, the assistant and
everything it needs out. Tests and ``eval/`` build theirs here too (with a
fake embedder or without the dense side), instead of patching globals."""
from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path

from langchain_core.embeddings import Embeddings

from ..answer.llm import make_chat_model
from ..answer.pipeline import Assistant
from ..answer.refusal import RefusalCheck
from ..corpus.library import Library, load_library
from ..text.bilingual import load_cedict
from ..domain.tuning import RefusalModel, Tuning
from ..search.embeddings import make_embedder
from ..text.glossary import Glossary
from ..search.retriever import Retriever, build_retriever
from ..search.store import StoreConfig
from ..search.vectors import VectorIndex
from .feedback import FeedbackStore, open_feedback_store
from .ratelimit import Limits, LimitStorage
from .settings import Settings


@dataclass
class Services:
    settings: Settings
    tuning: Tuning
    library: Library
    vectors: VectorIndex | None
    retriever: Retriever
    assistant: Assistant
    feedback: FeedbackStore
    limits: Limits


def load_glossary(settings: Settings) -> Glossary:
    """The glossary file, or an empty glossary when it is switched off ("")."""
    if not str(settings.glossary).strip():
        return Glossary.empty()
    return Glossary.from_dict(json.loads(Path(settings.glossary).read_text("utf-8")))


def load_tuning(settings: Settings) -> Tuning:
    """The default weights, the fitted refusal model from its JSON file, and
    the threshold override from the settings."""
    model = RefusalModel.from_dict(json.loads(Path(settings.refusal_model).read_text("utf-8")))
    return Tuning(refusal=model).with_threshold(settings.refusal_threshold)


def store_config(settings: Settings) -> StoreConfig:
    return StoreConfig(Path(settings.index_dir), settings.chroma_host, settings.chroma_port,
                       settings.chroma_timeout, settings.vector_cache_dir)


def embeddings_for(settings: Settings) -> Embeddings:
    return make_embedder(settings.embedder, settings.embed_model, settings.embed_threads)


def llm_factory(settings: Settings):
    """A factory for the configured chat model, built on first use; None
    when no LLM is configured."""
    if not settings.llm_enabled:
        return None
    lock, made = threading.Lock(), []

    def factory():
        with lock:
            if not made:
                made.append(make_chat_model(settings.llm_base_url, settings.llm_model, settings.llm_api_key,
                                            settings.llm_timeout, settings.llm_temperature))
            return made[0]

    return factory


def bootstrap(settings: Settings | None = None, *, embeddings: Embeddings | None = None,
              dense: bool = True, force_index: bool = False, library: Library | None = None,
              wait_for_index: bool = True, tuning: Tuning | None = None, defer_build: bool = False) -> Services:
    """Build the assistant. ``embeddings``: an embedder to use instead of the
    configured one (tests); ``dense=False``: no vector index at all;
    ``wait_for_index=False`` (the web app): a missing index is built in the
    background while answers come from references and BM25, with a notice;
    ``tuning``: other numbers than the defaults (``eval.sweep``); ``defer_build``: with
    ``wait_for_index=False``, the build waits for ``vectors.start_deferred()`` (app.py calls it
    once the page is served)."""
    settings = settings or Settings()
    tuning = tuning or load_tuning(settings)
    library = library or load_library(settings.corpus_dir, settings.default_doc)
    vectors = None
    if dense:
        emb = embeddings or embeddings_for(settings)
        vectors = VectorIndex(store_config(settings), library, emb, tuning.fusion)
        if wait_for_index or force_index:
            vectors.ensure(force=force_index)
        else:
            vectors.ensure_in_background(defer=defer_build)
    glossary = load_glossary(settings)
    retriever = build_retriever(library, vectors, tuning.fusion, settings.max_question_chars, glossary,
                                load_cedict if settings.bilingual else None)
    refusal = RefusalCheck(library, tuning.refusal, vectors.embedder if vectors else None, glossary)
    assistant = Assistant(library, retriever, refusal, tuning, settings.max_question_chars,
                          llm_factory(settings), settings.llm_timeout, glossary)
    feedback = open_feedback_store(settings.feedback_url, Path(settings.data_dir))
    limits = Limits(settings, LimitStorage(settings.ratelimit_url, settings.ratelimit_retry_seconds))
    return Services(settings, tuning, library, vectors, retriever, assistant, feedback, limits)
