"""The assistant: one question in, one grounded answer out.

The question is prepared and analysed once (``search.query``); then, in order:
1. a follow-up of the previous answer ("那要多长时间？", "这个谁负责？", "那第二条呢");
2. a list/count question (departments, deadlines, sections): the complete
   list from the metadata (``structured``);
3. exact references ("第5.3条讲什么"): the full clause(s);
4. retrieval, once → the refusal check → the optional LLM answerer (with
   the extractive answer as its fallback) or the extractive one.
Every answerer works from that one ``Query`` and ``Retrieval``.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

from ..corpus.library import Library
from ..domain.records import Answer, Hit
from ..domain.tuning import Tuning
from ..search.retriever import Retrieval, Retriever
from ..text.normalize import prepare
from . import extractive, structured
from . import llm as llm_answerer
from .extractive import SentenceScorer, lookup_answer
from .followup import FollowUps, Rewrite, previous
from .refusal import RefusalCheck, Relevance

log = logging.getLogger(__name__)

HOTLINE = "12345政务服务便民热线"
EMPTY = "问题为空，请输入要咨询的内容，例如：“刻章要钱吗？”"
ENGLISH_NOTE = "（本助手以中文回答，以下为方案原文摘录。）"


class Assistant:
    def __init__(self, library: Library, retriever: Retriever, refusal: RefusalCheck, tuning: Tuning,
                 max_question_chars: int = 500, llm_factory: Callable[[], object | None] | None = None,
                 llm_timeout: float = 20.0):
        self.library = library
        self.retriever = retriever
        self.refusal = refusal
        self.tuning = tuning
        self.max_question_chars = max_question_chars
        self.scorer = SentenceScorer(retriever.lexical.idf, tuning.extractive)
        self.followups = FollowUps(library, self.scorer, tuning.followup_max_chars)
        self._llm_factory = llm_factory
        self.llm_timeout = llm_timeout

    # -- messages that name the document -----------------------------------------
    @property
    def title(self) -> str:
        return self.library.default.title

    def refusal_text(self) -> str:
        return (f"抱歉，《{self.title}》中没有找到与这个问题直接相关的内容，"
                f"本助手只回答该方案涉及的政策措施，不作推测。如需咨询，请拨打{HOTLINE}。")

    def _refusal(self, question: str, hits: list[Hit], why: str | None = None, text: str | None = None) -> Answer:
        text = text or (self.refusal_text() if not why else f"{why}\n\n{self.refusal_text()}")
        return Answer(question, text, [], hits, True, "extractive")

    def _missing_figure_note(self, rel: Relevance, hits: list[Hit]) -> str | None:
        """The plan covers the topic but not the figure asked for: say so, and
        name the clauses on the topic so the caller can read them."""
        if not self.refusal.covers_topic(rel):
            return None
        lines = "\n".join(f"- {h.record.citation} {h.record.title}" for h in hits[:2])
        return (f"《{self.title}》涉及这个话题，但没有写明您问的具体{rel.missing}，"
                f"本助手不作推测。相关条款：\n{lines}\n\n具体{rel.missing}请咨询主管部门或拨打{HOTLINE}。")

    # -- routing -----------------------------------------------------------------
    def _route(self, q: str, history: list[Answer] | None) -> Answer | tuple[Retrieval, Relevance]:
        query = self.retriever.analyse(q)
        prev = previous(history)
        if prev is not None:
            fu = self.followups.resolve(q, query, prev, history)
            if isinstance(fu, Answer):
                return fu
            if isinstance(fu, Rewrite):  # the earlier question, about a new department
                q = prepare(fu.question, self.max_question_chars).text
                query = self.retriever.analyse(q)
        if query.listing is not None:
            comp = structured.answer(query.listing, self.library.records, self.library.sections)
            hits = [Hit(r, 1.0, via="filter") for r in comp.cited]
            return Answer(q, comp.text, comp.citations, hits, False, "structured", subject=comp.subject)
        if query.refs:
            records: list = []
            for r in (r for ref in query.refs for r in self.library.leaves_of(ref)):
                if r not in records:
                    records.append(r)
            if records:
                return lookup_answer(q, records)
            missing = "、".join(query.refs)
            return self._refusal(q, [], why=f"方案中没有编号为{missing}的条款（{self.library.numbering()}）。")
        retrieval = self.retriever.retrieve(query, k=max(5, self.tuning.top_k))
        rel = self.refusal.assess(retrieval)
        if not retrieval.hits or not self.refusal.is_relevant(rel):
            return self._refusal(q, retrieval.hits, text=self._missing_figure_note(rel, retrieval.hits))
        return retrieval, rel

    def _extractive(self, retrieval: Retrieval, rel: Relevance) -> Answer:
        q = retrieval.query.raw
        comp = extractive.compose(q, retrieval.query.tokens, retrieval.hits, self.scorer, english=rel.english)
        text = f"{ENGLISH_NOTE}\n\n{comp.text}" if rel.english else comp.text
        return Answer(q, text, comp.citations, retrieval.hits, False, "extractive", subject=comp.subject)

    # -- public ------------------------------------------------------------------
    def answer(self, question: str, history: list[Answer] | None = None, *, llm=None) -> Answer:
        """The grounded answer to QUESTION (history: earlier answers, oldest first).
        llm: a LangChain chat model for this call; by default the injected one,
        if any, else the extractive answerer."""
        final = None
        for _, a in self.stream(question, history, llm=llm):
            final = a
        return final

    def stream(self, question: str, history: list[Answer] | None = None, *, llm=None
               ) -> Iterator[tuple[str, Answer | None]]:
        """Yields (text so far, None) while generating, then (final text, Answer)."""
        p = prepare(question, self.max_question_chars)
        if p.empty:
            a = Answer(p.text, EMPTY, [], [], True, "input", notice="问题为空")
            yield a.text, a
            return
        routed = self._route(p.text, history)
        if isinstance(routed, Answer):
            a = routed.with_notice(p.notice)
            yield a.text, a
            return
        retrieval, rel = routed
        try:
            model = llm if llm is not None else (self._llm_factory() if self._llm_factory else None)
        except Exception as e:  # noqa: BLE001 - a misconfigured LLM must not break answers
            log.warning("LLM unavailable (%s); extractive answer", e)
            a = self._extractive(retrieval, rel).with_notice(p.notice).with_notice(llm_answerer.NOTICE_ERROR)
            yield a.text, a
            return
        if model is None:
            a = self._extractive(retrieval, rel).with_notice(p.notice)
            yield a.text, a
            return
        lib = self.library
        for text, a in llm_answerer.stream(retrieval.query.raw, retrieval.hits, model,
                                  lambda: self._extractive(retrieval, rel), timeout=self.llm_timeout,
                                  exists=lambda ref: bool(lib.leaves_of(ref)), title=self.title,
                                  support_min=self.tuning.llm_support_min):
            yield text, (a.with_notice(p.notice) if a is not None else None)
