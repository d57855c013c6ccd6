"""The smaller hardening items of the public endpoints, each proven here:
security headers, 400 for malformed Gradio calls, 408 for a body that never
arrives, the feedback schema recreated when its file vanishes, citations
checked, vote ids bound to the caller, and ``refused: "false"`` read as false."""
from __future__ import annotations

import json
import socket
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from chatbot.app.feedback import SqliteFeedbackStore as FeedbackStore

from conftest import handlers, with_settings


class Req:
    def __init__(self, host="203.0.113.40", session="s1"):
        self.client = type("C", (), {"host": host})()
        self.headers = {}
        self.session_hash = session


@pytest.fixture
def web_tmp(services, tmp_path):
    from dataclasses import replace

    return handlers(replace(services, feedback=FeedbackStore(tmp_path / "fb.sqlite3")))


# -- in process ------------------------------------------------------------------------------
def test_feedback_schema_is_recreated_when_the_file_vanishes(tmp_path):
    store = FeedbackStore(tmp_path / "fb.sqlite3")
    store.add("刻章要钱吗", "不需要。", ["6"], "up")
    for f in tmp_path.glob("fb.sqlite3*"):
        f.unlink()
    store.add("刻章要钱吗", "不需要。", ["6"], "down")
    assert store.count() == 1 and store.recent(1)[0]["rating"] == "down"


def test_feedback_keeps_only_citations_that_exist(web_tmp):
    assert web_tmp.api.feedback("刻章要钱吗", "不需要。", ["6", "999", "S9", "obe:12", "'; --"], "up") == {"stored": True}
    assert web_tmp.ctx.feedback.recent(1)[0]["citations"] == ["6", "obe:12"]


def test_a_vote_id_is_bound_to_the_callers_session(web_tmp):
    a, b = Req(session="alice"), Req(host="203.0.113.41", session="mallory")
    web_tmp.api.vote("answer-1", "刻章要钱吗", "不需要。", ["6"], "up", request=a)
    web_tmp.api.vote("answer-1", "刻章要钱吗", "不需要。", ["6"], "down", request=b)  # the same id, elsewhere
    rows = web_tmp.ctx.feedback.recent(5)
    assert sorted(r["rating"] for r in rows) == ["down", "up"]  # alice's vote stands
    web_tmp.api.vote("answer-1", "", "", [], "none", request=b)
    assert [r["rating"] for r in web_tmp.ctx.feedback.recent(5)] == ["up"]


@pytest.mark.parametrize("value, refused", [("false", False), ("False", False), ("0", False), (False, False),
                                            ("true", True), (True, True)])
def test_refused_in_a_history_item_is_read_as_written(web, value, refused):
    got = web.api.answers_from_dicts([{"question": "刻章要钱吗", "answer": "不需要。", "citations": ["6"],
                                       "refused": value}])
    assert got[0].refused is refused


# -- over HTTP -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def url(services):
    from _webapp import live_url

    return live_url(services)


def test_security_headers_on_every_reply(url):
    for path in ("", "config", "gradio_api/info"):
        with urllib.request.urlopen(url + path, timeout=30) as r:
            h = {k.lower(): v for k, v in r.headers.items()}
        assert h["x-content-type-options"] == "nosniff"
        assert h["x-frame-options"] == "SAMEORIGIN"
        assert "frame-ancestors 'self'" in h["content-security-policy"]
        assert h["referrer-policy"] == "same-origin"


@pytest.mark.parametrize("path, body", [
    ("gradio_api/queue/join", {"data": ["x"], "fn_index": 9999, "session_hash": "abc"}),
    ("gradio_api/queue/join", {"fn_index": "not-a-number"}),
    ("gradio_api/call/ask", {"nodata": 1}),
])
def test_malformed_calls_get_4xx(url, path, body):
    req = urllib.request.Request(url + path, json.dumps(body).encode(), {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            status = r.status
    except urllib.error.HTTPError as e:
        status = e.code
    assert 400 <= status < 500


def test_a_body_that_never_arrives_gets_408(services):
    from _webapp import live_url

    slow = live_url(with_settings(services, request_read_timeout=1.0))
    u = urllib.parse.urlparse(slow)
    with socket.create_connection((u.hostname, u.port), timeout=20) as s:
        s.sendall(b"POST /gradio_api/call/ask HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  b"Content-Length: 100\r\n\r\n{\"data\": [")
        t0 = time.monotonic()
        reply = s.recv(4096).decode("utf-8", "replace")
    assert reply.startswith("HTTP/1.1 408") and time.monotonic() - t0 < 15


def test_the_dense_side_reads_a_bounded_prefix(tmp_path):
    """A 500-character question is embedded as its first max_query_chars
    characters, the question as asked and reworded in one call."""
    from chatbot.corpus.library import load_library
    from chatbot.domain.tuning import FusionTuning
    from chatbot.search.vectors import VectorIndex
    from fixtures.fake_embeddings import HashEmbeddings

    from conftest import FIXTURES, store_config
    from chatbot.app.settings import Settings

    class Recording(HashEmbeddings):
        seen: list = []

        def embed_query(self, text):
            self.seen.append([text])
            return super().embed_query(text)

        def embed_queries(self, texts):
            self.seen.append(list(texts))
            return [super(Recording, self).embed_query(t) for t in texts]

    lib = load_library(FIXTURES / "demo", "yiwu")
    s = Settings(corpus_dir=FIXTURES / "demo", index_dir=tmp_path / "index", chroma_host=None)
    tuning = FusionTuning()
    idx = VectorIndex(store_config(s), lib, Recording(), tuning).ensure()
    idx.embeddings.seen.clear()
    idx.query_vectors(["企" * 500, "业" * 500])
    assert idx.embeddings.seen == [["企" * tuning.max_query_chars, "业" * tuning.max_query_chars]]
    assert tuning.max_query_chars == 128
