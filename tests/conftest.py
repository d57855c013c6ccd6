"""Shared fixtures. Tests never touch the repository's index/ or data/:
every path points into pytest's temporary directories. Objects are built
by ``app.bootstrap`` exactly as the app builds them; nothing is installed
as a global."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_TMP = Path(tempfile.mkdtemp(prefix="yiwu-tests-"))
os.environ["YIWU_INDEX_DIR"] = str(_TMP / "index")
os.environ["YIWU_DATA_DIR"] = str(_TMP / "data")
os.environ["YIWU_CORPUS_DIR"] = str(ROOT / "corpus")
for var in ("YIWU_LLM_BASE_URL", "YIWU_CHROMA_HOST", "YIWU_EMBEDDER", "YIWU_REFUSAL_THRESHOLD"):
    os.environ.pop(var, None)

from chatbot.app.settings import Settings  # noqa: E402

REAL_CORPUS = ROOT / "corpus"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings()


@pytest.fixture(scope="session")
def library(settings):
    from chatbot.corpus.library import load_library

    return load_library(settings.corpus_dir, settings.default_doc)


@pytest.fixture(scope="session")
def services(settings):
    """The real assistant over the real corpus with the default offline
    embedder, built once per test session."""
    from chatbot.app.bootstrap import bootstrap

    return bootstrap(settings)


@pytest.fixture(scope="session")
def engine(services):
    """The retriever of the session's services (search, analyse, library)."""
    return services.retriever


@pytest.fixture(scope="session")
def assistant(services):
    return services.assistant


@pytest.fixture
def tmp_settings(tmp_path) -> Settings:
    """Settings with a private index and data dir (for build/rebuild tests)."""
    return Settings(index_dir=tmp_path / "index", data_dir=tmp_path / "data", corpus_dir=REAL_CORPUS)


def store_config(settings):
    from chatbot.app.bootstrap import store_config as make

    return make(settings)


def retriever_over(settings, library, vectors):
    """A retriever over ``library`` with ``vectors`` (or none), as the
    bootstrap builds one."""
    from chatbot.app.bootstrap import load_glossary, load_tuning
    from chatbot.search.retriever import build_retriever

    return build_retriever(library, vectors, load_tuning(settings).fusion, settings.max_question_chars,
                           load_glossary(settings))


def glossary():
    from chatbot.app.bootstrap import load_glossary
    from chatbot.app.settings import Settings

    return load_glossary(Settings())


def with_settings(services, **changes):
    """A copy of ``services`` whose settings (and the rate limits built from
    them) are changed; the corpus, index and assistant are shared."""
    from dataclasses import replace

    from chatbot.app.ratelimit import Limits, LimitStorage

    s = services.settings.model_copy(update=changes)
    return replace(services, settings=s, limits=Limits(s, LimitStorage()))


def handlers(services):
    """The web page's handlers over ``services``, as ``build_app`` wires them."""
    from types import SimpleNamespace

    from chatbot.app.web.api import ApiHandlers
    from chatbot.app.web.chat import ChatHandlers
    from chatbot.app.web.context import WebContext
    from chatbot.app.web.desk import DeskHandlers

    ctx = WebContext(services)
    desk = DeskHandlers(ctx)
    return SimpleNamespace(ctx=ctx, chat=ChatHandlers(ctx), desk=desk, api=ApiHandlers(ctx, desk))


@pytest.fixture(scope="session")
def web(services):
    return handlers(services)


@pytest.fixture
def runner(services):
    """The CLI in-process, handed the session's services (as click's ``obj``)."""
    from click.testing import CliRunner

    class Runner(CliRunner):
        def invoke(self, *args, **kw):
            return super().invoke(*args, obj=services, **kw)

    return Runner()
