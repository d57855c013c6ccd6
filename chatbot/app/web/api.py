"""The named API endpoints (/ask, /search, /feedback, /vote), callable with
gradio_client. Parameter names and docstrings are the published API."""
from __future__ import annotations

import logging

import gradio as gr

from ...domain.records import Answer
from ...text.normalize import clean
from ..feedback import normalize_rating, record_safely, withdraw_safely
from ..ratelimit import BUSY_TEXT
from .context import EMPTY_TEXT, MAX_HISTORY, NO_CONTENT_TEXT, WebContext, answer_from_dict, input_answer
from .desk import DeskHandlers

log = logging.getLogger(__name__)

MAX_K = 300  # enough for every record of the plan


class ApiHandlers:
    def __init__(self, ctx: WebContext, desk: DeskHandlers):
        self.ctx = ctx
        self.desk = desk
        self.library = ctx.library

    def answers_from_dicts(self, items) -> list[Answer]:
        """Previous ask() results sent back by an API client, as Answers: only
        citations, hits and subjects that name existing records survive."""
        return [a for d in (items or [])[-MAX_HISTORY:] if (a := answer_from_dict(d, self.library))]

    def ask(self, question: str, history: list[dict] | None = None, full_text: bool = False,
            request: gr.Request | None = None) -> dict:
        """Answer a question about the plan and the regulations. Returns the answer as a dict: answer (Markdown),
        citations, refused, notice, hits (id, doc_id, doc_title, title, score and a snippet; full_text=True for
        every clause's whole text). Pass earlier results as `history` (oldest first) for follow-up questions."""
        p = self.ctx.prepare(question)
        full = full_text is True
        if p.blank:
            return input_answer("", EMPTY_TEXT).to_dict(full)
        if p.empty:
            return input_answer(p.text, NO_CONTENT_TEXT, p.notice).to_dict(full)
        self.ctx.limit("answer", request, cost=len(p.text))
        hist = self.answers_from_dicts(history) if isinstance(history, list) else []
        with self.ctx.limits.pending(request) as ok:
            if not ok:
                raise gr.Error(BUSY_TEXT)
            return self.ctx.safe_answer(p.text, hist).with_notice(p.notice).to_dict(full)

    def search(self, query: str = "", units: list[str] | None = None, deadline_after: str | None = None,
               deadline_before: str | None = None, section: int | None = None, doc: str | None = None,
               k: int | None = None, request: gr.Request | None = None) -> list[dict]:
        """Search the plan's measures. With an empty query but filters set, lists every matching measure.
        units: responsible departments (loose names like 税务局 work); deadlines as YYYY-MM; section 1–17, 0 = 保障措施;
        k: how many (default 10 for a search, all matches for filters only)."""
        self.ctx.limit("search", request, len(self.ctx.prepare(query).text))
        try:
            k = max(1, min(int(k), MAX_K)) if k is not None else None
        except (TypeError, ValueError):
            k = None
        if k is None:  # a search: the best 10; filters only: every match
            k = 10 if not self.ctx.prepare(query).empty else MAX_K
        filters = self.desk.make_filters(units, deadline_after, deadline_before, section, doc)
        try:
            return [h.to_dict() for h in self.desk.find(query, filters, k)[:k]]
        except gr.Error:
            raise
        except Exception:
            log.exception("search failed for %r", str(query)[:80])
            raise gr.Error("检索暂时不可用，请稍后再试") from None

    def feedback(self, question: str, answer: str, citations: list[str] | None = None, rating: str = "up",
                 request: gr.Request | None = None) -> dict:
        """Record a 👍 ("up") or 👎 ("down") on an answer. Returns {"stored": bool}.
        To change or withdraw a vote later, use /vote with an id of your own."""
        self.ctx.limit("vote", request)
        return self._store_vote(question, answer, citations, rating, None)

    def vote(self, vote_id: str, question: str, answer: str, citations: list[str] | None = None,
             rating: str = "up", request: gr.Request | None = None) -> dict:
        """Like /feedback, keyed by the client's own id for the answer (at most 120 characters):
        voting again with the same id replaces the vote; rating "none" withdraws it.
        Returns {"stored": bool} or, for "none", {"stored": false, "withdrawn": bool}."""
        vid = clean(vote_id)[:120] if isinstance(vote_id, str) else ""
        if not vid.strip():
            raise gr.Error("vote_id 不能为空")
        # The id is the client's own, inside its session: another client using
        # the same id writes its own vote, never over this one.
        owner = getattr(request, "session_hash", None) or getattr(getattr(request, "client", None), "host", None) or "-"
        key = f"api:{owner}:{vid}"
        self.ctx.limit("vote", request)
        if str(rating).strip().lower() in ("none", "withdraw"):
            return {"stored": False, "withdrawn": withdraw_safely(self.ctx.feedback, key)}
        return self._store_vote(question, answer, citations, rating, key)

    def _store_vote(self, question, answer, citations, rating, key: str | None) -> dict:
        try:
            rating = normalize_rating(rating)
        except ValueError:
            raise gr.Error("rating 应为 up 或 down") from None
        cites = [str(c) for c in (citations or []) if isinstance(c, (str, int))] if isinstance(citations, list) else []
        cites = [c for c in cites if self.library.get(c)]  # only clauses that exist
        q = clean(question if isinstance(question, str) else "")
        ok = record_safely(self.ctx.feedback, q, answer if isinstance(answer, str) else "", cites, rating,
                           "api", key=key)
        return {"stored": ok}
