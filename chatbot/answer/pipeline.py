"""The assistant: one question in, one grounded answer out.

The question is prepared and analysed once (``search.query``); then, in order:
1. a follow-up of the previous answer ("那要多长时间？", "这个谁负责？", "那第二条呢"),
   or, with no previous answer, a question back ("您指的是哪项措施？");
2. a question about the document itself (how many measures, its period…): ``meta``;
3. a list/count question (departments, deadlines, sections): the complete
   list from the metadata (``structured``);
4. exact references ("第5.3条讲什么"): the full clause(s);
5. retrieval, once → the refusal check → the optional LLM answerer (with
   the extractive answer as its fallback) or the extractive one, which
   leads with what is asked and says the scope gap first (``gaps``).
Every answerer works from that one ``Query`` and ``Retrieval``.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

from ..corpus.library import Library
from ..domain.records import Answer, Hit
from ..domain.tuning import Tuning
from ..search.retriever import Retrieval, Retriever
from ..text.glossary import Glossary
from ..text.normalize import prepare
from . import extractive, guard, meta, structured, versions
from . import llm as llm_answerer
from .clauses import lookup_answer
from .rules import rule_first
from .extractive import SentenceScorer
from .followup import ANAPHORA, FollowUps, Rewrite, previous
from .figures import asks_more, missing_phrase
from .frames import FIGURE_EN, frame
from .gaps import Gap, GapFinder
from .refusal import RefusalCheck, Relevance

log = logging.getLogger(__name__)

EMPTY = "问题为空，请输入要咨询的内容，例如：“刻章要钱吗？”"
CLARIFY = ("请问您问的是哪一项措施？请说出事项名称或条款编号再问一次，"
           "例如“简易注销公示要多久”或“第5.3条谁负责”。")


class Assistant:
    def __init__(self, library: Library, retriever: Retriever, refusal: RefusalCheck, tuning: Tuning,
                 max_question_chars: int = 500, llm_factory: Callable[[], object | None] | None = None,
                 llm_timeout: float = 20.0, glossary: Glossary | None = None):
        self.library = library
        self.retriever = retriever
        self.refusal = refusal
        self.tuning = tuning
        self.max_question_chars = max_question_chars
        self.scorer = SentenceScorer(retriever.lexical.idf, tuning.extractive)
        self.followups = FollowUps(library, self.scorer, tuning.followup_max_chars)
        self.gaps = GapFinder(library, glossary or Glossary.empty())
        self._llm_factory = llm_factory
        self.llm_timeout = llm_timeout

    # -- messages that name the document -----------------------------------------
    @property
    def title(self) -> str:
        """What the refusals name: the plan alone, or the library it heads."""
        docs = [c for c in self.library.corpora if not c.superseded_by]
        if len(docs) == 1:
            return docs[0].title
        return f"{docs[0].title}》及《" + "》《".join(c.title for c in docs[1:])

    def refusal_text(self, english: bool = False) -> str:
        return frame(english).refusal.format(title=self.title)

    def _refusal(self, question: str, hits: list[Hit], why: str | None = None, text: str | None = None,
                 english: bool = False) -> Answer:
        plain = self.refusal_text(english)
        text = text or (plain if not why else f"{why}\n\n{plain}")
        return Answer(question, text, [], hits, True, "extractive")

    def _missing_figure_note(self, rel: Relevance, hits: list[Hit]) -> str | None:
        """The plan covers the topic but not the figure asked for: say so, and
        name the clauses on the topic so the caller can read them."""
        if not self.refusal.covers_topic(rel):
            return None
        lines = "\n".join(f"- {h.record.citation} {h.record.title}" for h in hits[:2])
        kind = FIGURE_EN.get(rel.missing, rel.missing) if rel.english else rel.missing
        docs = list(dict.fromkeys(h.record.doc_title for h in hits[:2]))
        return frame(rel.english).missing_figure.format(title="》《".join(docs), kind=kind, lines=lines)

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
        if (kind := meta.detect(query.normalized)) is not None:
            return meta.answer(q, kind, self.library.default)
        if (a := self._effective(q, query)) is not None:
            return a
        if prev is None and self._orphan_followup(query):
            return Answer(q, CLARIFY, [], [], True, "clarify")
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
                notes = list(dict.fromkeys(n for r in records if (n := self.version_note(r))))
                a = lookup_answer(q, records)
                if notes:
                    a.text += "\n\n" + "\n".join(notes)
                return a
            unknown = [r.rpartition(":")[0] for r in query.refs if r.startswith("《")]
            if unknown:
                held = "、".join(f"《{c.title}》" for c in self.library.corpora if not c.superseded_by)
                return self._refusal(q, [], why=f"本助手收录的文件中没有{unknown[0]}，无法查到其中的条文（收录的有：{held}）。")
            missing = "、".join(query.refs)
            return self._refusal(q, [], why=f"方案中没有编号为{missing}的条款（{self.library.numbering()}）。")
        if query.foreign:  # "乌鲁木齐市优化营商环境条例有哪些特别规定": not the one held under that name
            held = "、".join(f"《{c.title}》" for c in self.library.corpora if not c.superseded_by)
            return self._refusal(q, [], why=f"本助手收录的文件中没有《{query.foreign[0]}》（收录的有：{held}）。")
        retrieval = self.retriever.retrieve(query, k=max(5, self.tuning.top_k))
        rel = self.refusal.assess(retrieval)
        # "普通牧民能报名不 一个月给多少补助": the part the text answers is answered,
        # the figure it lacks said first (``_extractive``), rather than declining both.
        answerable = (rel.missing and asks_more(query.text, rel.missing)
                      and self.refusal.covers_topic(rel, self.tuning.part_answer_share))
        if not retrieval.hits or not (self.refusal.is_relevant(rel) or answerable):
            return self._refusal(q, retrieval.hits, text=self._missing_figure_note(rel, retrieval.hits),
                                 english=query.english).with_notice(retrieval.notice)
        return retrieval, rel

    def _effective(self, q: str, query) -> Answer | None:
        """"…条例哪天施行", "现在施行的是哪一版": one named document other than
        the default, and no article named."""
        default = self.library.default_doc
        docs = [d for d in query.docs if d != default]
        # "款项支付条例是728号令，现在还有效吗": two names of one family, the
        # version the question singles out (its 令号, 2020年版) is the one asked about
        names = self.library.names
        if len({names.current(d) for d in docs}) == 1 and len(docs) > 1:
            docs = [next((d for d in docs if self.library.doc(d).superseded_by), docs[0])]
        # "方案第112条引用的728号令还用吗": the plan's clause is quoted after the answer
        local = [r for r in query.refs if ":" not in r or r.startswith(f"{default}:")]
        if len(docs) != 1 or len(local) != len(query.refs) or not meta.asks_effective(query.normalized):
            return None
        doc = self.library.doc(docs[0])
        if doc is None:
            return None
        successor = self.library.doc(doc.superseded_by) if doc.superseded_by else None
        predecessor = self.library.doc(doc.supersedes) if doc.supersedes else None
        a = meta.effective(q, doc, successor, predecessor)
        records = [r for ref in local for r in self.library.leaves_of(ref.partition(":")[2] or ref)]
        if a is not None and records:
            quoted = lookup_answer(q, records)
            a.text += "\n\n" + quoted.text
            a.citations += [c for c in quoted.citations if c not in a.citations]
            a.hits += [h for h in quoted.hits if h.record not in [x.record for x in a.hits]]
        return a

    def _orphan_followup(self, query) -> bool:
        """"那要多长时间？" with nothing before it: ask which measure is meant
        instead of guessing."""
        norm = query.normalized
        asks_about_it = (query.ask.kind in ("who", "when", "figure") or not query.content
                         or norm.rstrip("？?。 ").endswith("呢"))
        return (len(norm) <= self.tuning.followup_max_chars and bool(ANAPHORA.match(norm))
                and asks_about_it and not query.refs and query.listing is None)

    def companion(self, changes: bool) -> "Callable[[str, str], bool]":
        """Whether another document's clause may join an answer led by one
        document's: another family always (a regulation beside the plan); the
        other version of the same family only when the question asks what changed."""
        names = self.library.names

        def ok(lead: str, other: str) -> bool:
            same = names.current(lead) == names.current(other)
            return changes if same else True

        return ok

    def version_note(self, r) -> str | None:
        """A clause of a superseded version says so and names its successor; so
        does a clause citing a superseded version by its order ("落实《保障中小企业
        款项支付条例》（国务院令第728号）": the county plan predates the revision)."""
        c = self.library.doc(r.doc_id)
        if c is None:
            return None
        if not c.superseded_by:
            cited = next((m for m in self.library.names.mentions(r.text) if m.how == "order"
                          and (old := self.library.doc(m.doc_id)) is not None and old.superseded_by), None)
            if cited is None:
                return None
            new = self.library.doc(self.library.doc(cited.doc_id).superseded_by)
            since = f"，{new.effective}起施行" if new.effective else ""
            return (f"（注：{r.citation}所引的{r.text[cited.start:cited.end]}是修订前的文本；"
                    f"现行的是修订后的《{new.title}》{since}。）")
        new = self.library.doc(c.superseded_by)
        since = f"，{new.effective}起施行" if new.effective else ""
        return f"（注：{r.citation}出自已被修订的文本；现行的是《{new.title}》{since}。）"

    def _compare_versions(self, retrieval: Retrieval) -> Answer | None:
        """"新旧条例有什么不同": the leading article beside its counterpart in
        the other version of its document, with the wording that differs."""
        lib, names = self.library, self.library.names
        for h in retrieval.hits[:3]:
            r = h.record
            family = [c for c in lib.corpora if names.current(c.doc_id) == names.current(r.doc_id)]
            if len(family) < 2:
                continue
            mine = lib.doc(r.doc_id)
            other = next(c for c in family if c.doc_id != r.doc_id)
            match, _ = versions.counterpart(r, other.records, self.tuning.versions)
            new, old = (r, match) if not mine.superseded_by else (match, r)
            if match is None:
                side = "修订前" if not mine.superseded_by else "现行"
                text = f"{side}的《{other.title}》中没有与{r.citation}文字相近的条文。{r.citation}：{(r.body or r.text).strip()}"
                return Answer(retrieval.query.raw, text, [r.ref], retrieval.hits, False, "extractive", subject=[r.ref])
            return Answer(retrieval.query.raw, versions.compare(new, old, self.tuning.versions), [new.ref, old.ref], retrieval.hits,
                          False, "extractive", subject=[new.ref, old.ref])
        return None

    def _extractive(self, retrieval: Retrieval, rel: Relevance) -> Answer:
        q = retrieval.query.raw
        if retrieval.query.changes and (a := self._compare_versions(retrieval)) is not None:
            return a
        t = self.scorer.tuning
        hits = rule_first(retrieval.hits, retrieval.query.ask, t.rule_depth, t.rule_run)
        missing = Gap(missing_phrase(retrieval.query.text, rel.missing), bare=True) if rel.missing else None
        comp = extractive.compose(retrieval.query, hits, self.scorer, self.gaps,
                                  rows=dict(retrieval.rows), companion=self.companion(retrieval.query.changes),
                                  note=self.version_note, missing=missing, part_hits=retrieval.parts,
                                  head_hits=retrieval.head)
        return Answer(q, comp.text, comp.citations, retrieval.hits, False, "extractive", subject=comp.subject,
                      related=comp.related)

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
        # Before follow-ups: "ignore all previous instructions" is not a
        # follow-up of the previous answer.
        if (kind := guard.judge(p.text)) is not None:
            english = self.retriever.analyse(p.text).english
            log.info("declined as %s: %.60r", kind, p.text)
            a = Answer(p.text, frame(english).not_a_question.format(title=self.title), [], [], True, "guard")
            yield a.text, a
            return
        routed = self._route(p.text, history)
        if isinstance(routed, Answer):
            a = routed.with_notice(p.notice)
            yield a.text, a
            return
        retrieval, rel = routed
        notice = " ".join(n for n in (p.notice, retrieval.notice) if n) or None
        try:
            model = llm if llm is not None else (self._llm_factory() if self._llm_factory else None)
        except Exception as e:  # noqa: BLE001 - a misconfigured LLM must not break answers
            log.warning("LLM unavailable (%s); extractive answer", e)
            a = self._extractive(retrieval, rel).with_notice(notice).with_notice(llm_answerer.NOTICE_ERROR)
            yield a.text, a
            return
        if model is None:
            a = self._extractive(retrieval, rel).with_notice(notice)
            yield a.text, a
            return
        lib = self.library
        for text, a in llm_answerer.stream(retrieval.query.raw, retrieval.hits, model,
                                  lambda: self._extractive(retrieval, rel), timeout=self.llm_timeout,
                                  exists=lambda ref: bool(lib.leaves_of(ref)), title=self.title,
                                  support_min=self.tuning.llm_support_min):
            yield text, (a.with_notice(notice) if a is not None else None)
