"""The chat tab: streaming answers, citation chips that open the clause,
👍/👎 stored one vote per answer."""
from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field

import gradio as gr

from ...domain.records import Answer
from ...present.html import clause_html
from ...present.markdown import answer_markdown, citation_labels, md_escape, safe_markdown
from ..feedback import record_safely, withdraw_safely
from ..ratelimit import BUSY_TEXT, wait_text
from .context import EMPTY_TEXT, MAX_HISTORY, NO_CONTENT_TEXT, WebContext, answer_from_dict, input_answer

log = logging.getLogger(__name__)

MAX_TURNS = 50  # turns kept on the page per session
SAVED_TURNS = 20  # turns kept in the browser (localStorage) across reloads


@dataclass
class Turn:
    question: str  # as asked (after clean-up), shown escaped
    answer: Answer
    shown: str  # the answer's Markdown as displayed
    # stable across the conversation window sliding: the key of this answer's vote
    id: str = field(default_factory=lambda: uuid.uuid4().hex)


def messages_of(turns: list[Turn], pending: tuple[str, str] | None = None) -> list[dict]:
    msgs: list[dict] = []
    for t in turns:
        msgs.append({"role": "user", "content": md_escape(t.question)})
        msgs.append({"role": "assistant", "content": t.shown})
    if pending:
        msgs.append({"role": "user", "content": md_escape(pending[0])})
        msgs.append({"role": "assistant", "content": pending[1]})
    return msgs


def snapshot(turns: list[Turn]) -> list[dict]:
    """The conversation as the browser keeps it (plain JSON, bounded; no hits)."""
    out = []
    for t in turns[-SAVED_TURNS:]:
        a = t.answer
        out.append({"id": t.id, "question": t.question, "answer": a.text, "citations": a.citations,
                    "related": a.related, "subject": a.subject, "refused": a.refused,
                    "answerer": a.answerer, "notice": a.notice})
    return out


class ChatHandlers:
    def __init__(self, ctx: WebContext):
        self.ctx = ctx
        self.library = ctx.library

    def chip_choices(self, turns: list[Turn]) -> list[tuple[str, str]]:
        """The clauses of the latest answer (cited first, then related): the
        chips belong to the answer being read, not to the whole conversation."""
        if not turns:
            return []
        a = turns[-1].answer
        return [(label, ref) for label, ref in citation_labels(list(a.citations) + list(a.related),
                                                                self.library).items()]

    def chips_update(self, turns: list[Turn], current: str | None):
        choices = self.chip_choices(turns)
        refs = [r for _, r in choices]
        return gr.Radio(choices=choices, value=current if current in refs else None)

    def respond(self, message, turns: list[Turn] | None, current_chip: str | None = None,
                request: gr.Request | None = None):
        """Generator for the chat: yields (textbox, chatbot messages, turns, chips, saved in the browser)."""
        turns = list(turns or [])
        p = self.ctx.prepare(message)
        notices = [p.notice] if p.notice else []
        if p.blank:
            gr.Info(EMPTY_TEXT, title="提示")
            yield "", messages_of(turns), turns, self.chips_update(turns, current_chip), gr.skip()
            return
        wait = self.ctx.wait("answer", request, len(p.text))
        if wait:  # the question stays in the box, to send again
            gr.Warning(wait_text(wait), title="请稍候")
            yield message, messages_of(turns), turns, self.chips_update(turns, current_chip), gr.skip()
            return
        q = p.text
        if p.empty:
            ans = input_answer(q, NO_CONTENT_TEXT)
            turns.append(Turn(q, ans, answer_markdown(ans, self.library, notices)))
            yield "", messages_of(turns[-MAX_TURNS:]), turns[-MAX_TURNS:], self.chips_update(turns, current_chip), snapshot(turns)
            return
        history = [t.answer for t in turns if t.answer.answerer not in ("input", "error", "guard")][-MAX_HISTORY:]
        head = "".join(f"> ⚠️ {n}\n\n" for n in notices)
        yield "", messages_of(turns, (q, head + "正在查找相关条款…")), turns, self.chips_update(turns, current_chip), gr.skip()
        final = None
        with self.ctx.limits.pending(request) as ok:
            if not ok:
                gr.Warning(BUSY_TEXT, title="请稍候")
                yield message, messages_of(turns), turns, self.chips_update(turns, current_chip), gr.skip()
                return
            for text, ans in self.ctx.safe_stream(q, history):
                if ans is None:
                    yield "", messages_of(turns, (q, head + safe_markdown(text) + " ▌")), turns, gr.skip(), gr.skip()
                else:
                    final = ans
        turns.append(Turn(q, final, answer_markdown(final, self.library, notices)))
        turns = turns[-MAX_TURNS:]
        yield "", messages_of(turns), turns, self.chips_update(turns, current_chip), snapshot(turns)

    def clear(self):
        return "", [], [], gr.Radio(choices=[], value=None), clause_html(None), []

    def restore(self, saved):
        """The conversation the browser kept, shown again after a reload. It is
        the client's data: rebuilt through ``answer_from_dict`` (references to
        existing records only) and re-rendered here, never shown as sent."""
        turns = []
        for d in (saved if isinstance(saved, list) else [])[-SAVED_TURNS:]:
            ans = answer_from_dict(d, self.library)
            if ans is None or not ans.question:
                continue
            tid = d.get("id") if isinstance(d.get("id"), str) and len(d.get("id")) <= 64 else None
            t = Turn(ans.question, ans, answer_markdown(ans, self.library))
            if tid:
                t.id = tid
            turns.append(t)
        return messages_of(turns), turns, self.chips_update(turns, None)

    def show_clause(self, ref: str | None) -> str:
        if not ref:
            return clause_html(None)
        return clause_html(self.library.get(str(ref)), placeholder=f"未找到条款“{ref}”。")

    def like(self, turns: list[Turn] | None, data: gr.LikeData, request: gr.Request | None = None) -> None:
        """👍/👎 on an answer: stored, one vote per answer (changing the vote
        replaces it, clicking it off withdraws it); a storage failure is logged
        and the page carries on (the person already has the answer)."""
        turns = turns or []
        idx = data.index[0] if isinstance(data.index, (list, tuple)) else data.index
        if not isinstance(idx, int) or idx % 2 != 1 or idx // 2 >= len(turns):
            log.warning("like on unknown message %r", data.index)
            return
        t = turns[idx // 2]
        session = getattr(request, "session_hash", None)
        key = f"chat:{session or '-'}:{t.id}"
        store = self.ctx.feedback
        if data.liked not in (True, False):  # the thumb clicked off (Gradio sends "")
            withdraw_safely(store, key)
            return
        wait = self.ctx.wait("vote", request)
        if wait:
            gr.Warning(wait_text(wait), title="请稍候")
            return
        ok = record_safely(store, t.question, t.answer.text, t.answer.citations,
                           "up" if data.liked else "down", t.answer.answerer, session, key=key)
        if ok:
            gr.Info("感谢您的反馈！", title="提示")
        else:
            gr.Warning("反馈暂时未能保存，感谢您的理解。", title="提示")
