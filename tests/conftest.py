"""Shared fixtures. Tests never touch the repository's index/ or data/:
every path points into pytest's temporary directories."""
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
for var in ("YIWU_LLM_BASE_URL", "YIWU_CHROMA_HOST", "YIWU_EMBEDDER"):
    os.environ.pop(var, None)

from chatbot.settings import Settings, get_settings  # noqa: E402

REAL_CORPUS = ROOT / "corpus"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def settings() -> Settings:
    return get_settings()


@pytest.fixture(scope="session")
def library(settings):
    from chatbot.corpus import load_library

    return load_library(settings.corpus_dir, settings.default_doc)


@pytest.fixture(scope="session")
def engine(settings):
    """The real engine over the real corpus with the default offline embedder,
    built once per test session and shared by answer()/UI code."""
    from chatbot.retrieve import build_engine, set_engine

    eng = build_engine(settings)
    set_engine(eng)
    yield eng
    set_engine(None)


@pytest.fixture
def tmp_settings(tmp_path) -> Settings:
    """Settings with a private index and data dir (for build/rebuild tests)."""
    return Settings(index_dir=tmp_path / "index", data_dir=tmp_path / "data", corpus_dir=REAL_CORPUS)
