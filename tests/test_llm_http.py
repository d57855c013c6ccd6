"""The LLM path over real HTTP: a small OpenAI-compatible server on loopback,
started by the test, answering as a real endpoint would (plain and streamed
chat completions) and failing as real ones do (slow, 500, malformed JSON, a
stream cut mid-way, citations of ids that do not exist). langchain-openai's
client and httpx run for real; the fallbacks are proven where they happen."""
from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from chatbot.answer import llm
from chatbot.answer.pipeline import Assistant
from chatbot.app.bootstrap import llm_factory
from chatbot.app.settings import Settings

GOOD = "不需要。新开办企业的首套印章免服务费（第6条）。"
MODE = {"mode": "ok"}


def _chunk(text: str) -> bytes:
    return b"data: " + json.dumps({"id": "c", "object": "chat.completion.chunk", "created": 0, "model": "fake",
                                    "choices": [{"index": 0, "delta": {"content": text}, "finish_reason": None}]},
                                   ensure_ascii=False).encode() + b"\n\n"


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *a):  # quiet
        pass

    def do_POST(self):  # noqa: N802 - http.server's name
        body = json.loads(self.rfile.read(int(self.headers.get("content-length", 0))) or b"{}")
        mode, stream = MODE["mode"], bool(body.get("stream"))
        if mode == "slow":
            time.sleep(3)
        if mode == "500":
            self.send_response(500)
            self.end_headers()
            self.wfile.write(b'{"error": "boom"}')
            return
        if mode == "malformed":
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.end_headers()
            self.wfile.write(b"{not json")
            return
        text = {"badcite": "首套印章免服务费（第6条）。另有补贴（第999条）。"}.get(mode, GOOD)
        if stream:
            self.send_response(200)
            self.send_header("content-type", "text/event-stream")
            self.end_headers()
            parts = [text[:6], text[6:]]
            for i, p in enumerate(parts):
                self.wfile.write(_chunk(p))
                self.wfile.flush()
                if mode == "cut" and i == 0:
                    self.connection.shutdown(2)  # the stream ends mid-answer
                    return
            self.wfile.write(b"data: [DONE]\n\n")
            return
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.end_headers()
        self.wfile.write(json.dumps({"id": "c", "object": "chat.completion", "created": 0, "model": "fake",
                                     "choices": [{"index": 0, "finish_reason": "stop",
                                                  "message": {"role": "assistant", "content": text}}]},
                                    ensure_ascii=False).encode())


@pytest.fixture(scope="module")
def endpoint():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()


@pytest.fixture
def over_http(assistant, endpoint):
    def make(mode: str, timeout: float = 10.0) -> Assistant:
        MODE["mode"] = mode
        s = Settings(llm_base_url=endpoint, llm_model="fake", llm_timeout=timeout)
        return Assistant(assistant.library, assistant.retriever, assistant.refusal, assistant.tuning,
                         assistant.max_question_chars, llm_factory(s), s.llm_timeout)
    return make


def test_streamed_answer_over_http(over_http):
    parts = list(over_http("ok").stream("刻章要钱吗"))
    assert len([t for t, a in parts if a is None]) >= 1
    final = parts[-1][1]
    assert final.answerer == "llm:fake" and final.citations == ["6"] and final.text == GOOD


@pytest.mark.parametrize("mode, notice", [("500", llm.NOTICE_ERROR), ("malformed", llm.NOTICE_ERROR),
                                          ("cut", None)])
def test_server_failures_fall_back_to_the_extractive_answer(over_http, mode, notice):
    a = over_http(mode).answer("刻章要钱吗")
    if mode == "cut":  # half an answer is either checked and kept, or replaced; never raised
        assert a.citations and (a.answerer == "extractive" or a.answerer == "llm:fake")
    else:
        assert a.answerer == "extractive" and a.notice == notice and "6" in a.citations


def test_a_slow_server_is_cut_off_at_the_timeout(over_http):
    t0 = time.perf_counter()
    a = over_http("slow", timeout=1.0).answer("刻章要钱吗")
    assert time.perf_counter() - t0 < 2.9
    assert a.answerer == "extractive" and a.notice.startswith(llm.NOTICE_TIMEOUT)


def test_citations_of_ids_that_do_not_exist_are_removed(over_http):
    a = over_http("badcite").answer("刻章要钱吗")
    assert a.answerer == "llm:fake" and a.citations == ["6"] and "第999条" not in a.text
    assert "方案中不存在" in a.notice


def test_the_clients_own_timeout_reads_as_a_timeout():
    class APITimeoutError(Exception):
        pass

    assert llm._timed_out(APITimeoutError()) and llm._timed_out(TimeoutError())
    assert not llm._timed_out(ValueError("500"))
