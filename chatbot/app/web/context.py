"""What every web handler shares: the services, question preparation, the
rate limits, and answering that never raises."""
from __future__ import annotations

import logging
from collections.abc import Iterator

import gradio as gr

from ...domain.records import Answer, Hit
from ...text.normalize import Prepared, clean, prepare
from ..bootstrap import Services
from ..ratelimit import wait_text

log = logging.getLogger(__name__)

ERROR_TEXT = "抱歉，系统暂时无法回答这个问题，请稍后再试，或拨打12345政务服务便民热线咨询。"
EMPTY_TEXT = "请输入您要咨询的问题，例如：“刻章要钱吗？”"
NO_CONTENT_TEXT = "没有识别到有效的问题文字，请用文字描述您要咨询的事项，例如：“企业注销要多久？”"
MAX_HISTORY = 10  # previous answers passed to a follow-up


class WebContext:
    def __init__(self, services: Services):
        self.services = services
        self.library = services.library
        self.assistant = services.assistant
        self.retriever = services.retriever
        self.feedback = services.feedback
        self.limits = services.limits
        self.settings = services.settings

    def prepare(self, raw) -> Prepared:
        return prepare(raw, self.settings.max_question_chars)

    def wait(self, kind: str, request, cost: int = 0) -> float:
        """Seconds this client must wait for a request of ``kind`` costing
        ``cost`` characters of embedding (0 = go)."""
        return self.limits.check(kind, request, cost)

    def limit(self, kind: str, request, cost: int = 0) -> None:
        """For API calls: a client over its limit gets an error."""
        if wait := self.wait(kind, request, cost):
            raise gr.Error(wait_text(wait))

    def safe_stream(self, question: str, history: list[Answer] | None) -> Iterator[tuple[str, Answer | None]]:
        """The assistant's stream that never raises: a failure ends with an apology."""
        try:
            final = None
            for text, ans in self.assistant.stream(question, history):
                if ans is not None:
                    final = ans
                yield text, ans
            if final is None:
                raise RuntimeError("the assistant's stream ended without an Answer")
        except Exception:
            log.exception("answer failed for %r", question[:80])
            yield ERROR_TEXT, Answer(question, ERROR_TEXT, [], [], True, "error")

    def safe_answer(self, question: str, history: list[Answer] | None) -> Answer:
        final = None
        for _, ans in self.safe_stream(question, history):
            if ans is not None:
                final = ans
        return final


def input_answer(question: str, text: str, notice: str | None = None) -> Answer:
    return Answer(question, text, [], [], True, "input", notice=notice)


def _list(x) -> list:
    return x if isinstance(x, list) else []


def answer_from_dict(d, library) -> Answer | None:
    """An answer a client sends back (an API history item, or the chat saved
    in the browser): it is the client's data, so only references to existing
    records survive and every string is bounded."""
    if not isinstance(d, dict):
        return None

    def refs(key: str) -> list[str]:
        return [str(c) for c in _list(d.get(key))[:50] if isinstance(c, (str, int)) and library.get(str(c))]

    cites = refs("citations")
    hit_ids = [str(h.get("id")) for h in _list(d.get("hits"))[:50] if isinstance(h, dict)]
    hits = [Hit(library.get(i), 1.0, via="ref") for i in dict.fromkeys(cites + hit_ids) if library.get(i)]
    refused = d.get("refused") is True or str(d.get("refused")).strip().lower() == "true"
    notice = d.get("notice")
    return Answer(clean(str(d.get("question") or ""))[:2000], str(d.get("answer") or "")[:20000],
                  cites, hits, refused, str(d.get("answerer") or "api")[:40],
                  notice=str(notice)[:500] if isinstance(notice, str) and notice else None,
                  subject=refs("subject"), related=refs("related"))
