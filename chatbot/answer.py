"""Grounded answers: ``answer(question, history)`` and ``stream_answer``.

Routing, in order:
1. input checks (empty → clear message; too long → truncated with a notice);
2. follow-ups ("那要多长时间？", "这个谁负责？", "那第二条呢") against the
   previous turn's subject;
3. structured list/count questions (departments, deadlines, sections) —
   complete lists from the parsed metadata (chatbot.structured);
4. exact references ("第5.3条讲什么") — the full clause(s);
5. hybrid retrieval → refusal check (chatbot.relevance) → the optional LLM
   answerer (chatbot.llm, with extractive fallback) or the extractive one.
"""
from __future__ import annotations

import re
from collections.abc import Iterator

from . import extractive, relevance, structured
from .extractive import Composition, SentenceScorer, full_clause
from .models import Answer, Hit, Record
from .retrieve import get_engine
from .settings import get_settings
from .textnorm import clean, has_content, normalize

HOTLINE = "12345政务服务便民热线"
REFUSAL = ("抱歉，《伊吾县营商环境优化提升三年行动方案（2023-2025年）》中没有找到与这个问题直接相关的内容，"
           f"本助手只回答该方案涉及的政策措施，不作推测。如需咨询，请拨打{HOTLINE}。")
EMPTY = "问题为空，请输入要咨询的内容，例如：“刻章要钱吗？”"

# Follow-ups
ANAPHORA = re.compile(r"^(?:那么|那|这个|这条|这项|这些|这|该措施|该条|该项|该|它|其|上面|上述|刚才|前面|此)")
ORDINAL = re.compile(r"^(?:那么|那|还有)?\s*第\s*([一二三四五六七八九十\d]{1,3})\s*(?:条|个|项)\s*(?:呢|是什么|讲什么|说什么|说的是什么|的内容|内容)?\s*[？?。!！]*$")
DETAIL = re.compile(r"具体|详细|原文|全文|展开|内容是什么|讲的什么|说的什么")
FOLLOWUP_MAX_CHARS = 16
TRAILING = re.compile(r"[呢吗呀啊？?。！!，,\s]+$")

_scorers: dict[int, SentenceScorer] = {}


def _scorer(engine) -> SentenceScorer:
    s = _scorers.get(id(engine))
    if s is None:
        idf = dict(getattr(engine.bm25, "idf", {}) or {})
        s = SentenceScorer(idf)
        _scorers.clear()
        _scorers[id(engine)] = s
    return s


def _refusal(question: str, hits: list[Hit], notice: str | None, why: str | None = None,
             text: str | None = None) -> Answer:
    text = text or (REFUSAL if not why else f"{why}\n\n{REFUSAL}")
    return Answer(question, text, [], hits, True, "extractive", notice=notice)


def _missing_figure_note(rel, hits: list[Hit]) -> str | None:
    """The plan covers the topic but not the figure asked for: say so, and
    name the clauses on the topic so the caller can read them."""
    # The topic counts as covered when the refusal model, told the figure is
    # there after all, would answer.
    # English questions carry too little evidence to claim the topic is covered.
    if not rel.missing or rel.english:
        return None
    if relevance.p_out(rel.features | {"gap": 0.0}) >= get_settings().refusal_threshold:
        return None
    lines = "\n".join(f"- {h.record.citation} {h.record.title}" for h in hits[:2])
    return (f"《伊吾县营商环境优化提升三年行动方案（2023-2025年）》涉及这个话题，但没有写明您问的具体{rel.missing}，"
            f"本助手不作推测。相关条款：\n{lines}\n\n具体{rel.missing}请咨询主管部门或拨打{HOTLINE}。")


def _prepare(question: str | None) -> tuple[str, str | None, Answer | None]:
    q = clean(question)
    if not has_content(q):
        return q, None, Answer(q, EMPTY, [], [], True, "input", notice="问题为空")
    limit = get_settings().max_question_chars
    if len(q) > limit:
        return q[:limit], f"问题过长（{len(q)}字），只按前{limit}字回答。", None
    return q, None, None


def _with_notice(a: Answer, notice: str | None) -> Answer:
    if notice:
        a.notice = f"{notice} {a.notice}" if a.notice else notice
    return a


def _records(engine, refs: list[str]) -> list[Record]:
    out: list[Record] = []
    for ref in refs:
        for r in engine.library.leaves_of(ref):
            if r not in out:
                out.append(r)
    return out


# -- follow-ups ---------------------------------------------------------------
def _previous(history: list[Answer] | None) -> Answer | None:
    for a in reversed(history or []):
        if a.subject and not a.refused:
            return a
    return None


def _followup(q: str, norm: str, prev: Answer, engine, history: list[Answer] | None = None) -> Answer | None:
    """An answer about the previous subject, or None when q stands alone."""
    subject = _records(engine, prev.subject)
    if not subject:
        return None
    m = ORDINAL.match(norm)
    if m:
        from .corpus import cn_to_int

        n = cn_to_int(m.group(1))
        marked = norm.startswith(("那", "还有")) or "呢" in norm
        if n and 1 <= n <= len(prev.subject) and (marked or len(prev.subject) > 1):
            recs = engine.library.leaves_of(prev.subject[n - 1])
            text = f"上一回答中的第{n}项是{recs[0].citation}：\n\n" + full_clause(recs)
            return _lookup_answer(q, recs, text)
        return None
    if re.search(r"[A-Za-z]{2,}", norm) or len(norm) > FOLLOWUP_MAX_CHARS:
        return None  # English or a full question: it stands on its own
    words = relevance.content_words(norm)
    anaphoric = bool(ANAPHORA.match(norm))
    asks_who = bool(extractive.WHO.search(norm) or re.search(r"谁|哪个部门|哪个单位|什么部门|哪家", norm))
    asks_when = bool(extractive.WHEN.search(norm) or extractive.DURATION.search(norm))
    if not anaphoric and words:
        return None
    if anaphoric and words and not (asks_who or asks_when):
        # "那人社局呢": the previous question with a new department / topic
        rest = ANAPHORA.sub("", TRAILING.sub("", norm))
        from . import departments

        new_units = departments.mentioned(rest, engine.known_units)
        if new_units and len(rest) <= 12:
            # the latest earlier question about a department
            for old in reversed(history or []):
                pq = normalize(old.question)
                spans = structured._unit_spans(pq, engine.known_units)
                if spans and departments.mentioned(pq, engine.known_units):
                    a, b = spans[0]
                    return answer(pq[:a] + rest + pq[b:])
        return None
    main = subject[:5]
    cites = [r.ref for r in main]
    lines = []
    if asks_who:
        for r in main:
            units = "、".join(r.units) or "原文未写明"
            lines.append(f"- {r.citation}（{r.title}）的责任单位：{units}（{r.citation}）")
        lead = "上一问所说措施的责任单位如下：" if len(main) > 1 else ""
        text = (lead + "\n" if lead else "") + "\n".join(lines)
        if len(main) == 1:
            r = main[0]
            text = f"{r.citation}（{r.title}）由{'、'.join(r.units) or '原文未写明的单位'}负责（{r.citation}）。"
            if r.section.lead_units:
                text += f"\n\n该措施所属领域“{r.section.title or r.section.label}”的牵头单位是{'、'.join(r.section.lead_units)}。"
    elif asks_when:
        for r in main:
            d = r.deadline_raw or "原文未写明"
            if r.deadline_raw and not r.deadline:
                d += "（原文如此，无法识别为有效日期）"
            durs = extractive.durations(r.body)
            extra = f"；文中的时间要求：{'、'.join(durs)}" if durs else ""
            lines.append(f"- {r.citation}（{r.title}）：完成时限{d}{extra}（{r.citation}）")
        text = "\n".join(lines)
        if len(main) == 1:
            text = text[2:]
    else:
        # anything else about the same subject ("具体说说", "要什么材料"): its clauses
        if DETAIL.search(norm) or not words:
            text = full_clause(main)
        else:
            hits = [Hit(r, 1.0 - i * 0.01, via="followup") for i, r in enumerate(main)]
            comp = extractive.compose(norm, engine.analyse(norm).tokens, hits, _scorer(engine))
            text, cites = comp.text, comp.citations
    head = f"（承接上一问：{'、'.join(r.citation for r in main)}）\n\n"
    hits = [Hit(r, 1.0, via="followup") for r in main]
    return Answer(q, head + text, cites, hits, False, "extractive", subject=[r.ref for r in main])


# -- answer kinds ------------------------------------------------------------
def _lookup_answer(q: str, records: list[Record], text: str | None = None) -> Answer:
    refs = [r.ref for r in records]
    hits = [Hit(r, 1.0, via="ref") for r in records]
    return Answer(q, text or full_clause(records), refs, hits, False, "lookup", subject=refs)


def _structured_answer(q: str, sq: structured.StructuredQuery, engine) -> Answer:
    sections = [s for c in engine.library.corpora for s in c.sections]
    comp = structured.answer(sq, engine.records, sections)
    hits = [Hit(r, 1.0, via="filter") for r in comp.cited]
    return Answer(q, comp.text, comp.citations, hits, False, "structured", subject=comp.subject)


def _extractive(q: str, query, hits: list[Hit], engine, rel: relevance.Relevance) -> Answer:
    comp: Composition = extractive.compose(q, query.tokens, hits, _scorer(engine), english=rel.english)
    text = comp.text
    if rel.english:
        text = "（本助手以中文回答，以下为方案原文摘录。）\n\n" + text
    return Answer(q, text, comp.citations, hits, False, "extractive", subject=comp.subject)


def _route(q: str, history: list[Answer] | None, engine):
    """Either ("done", Answer) or ("retrieved", (query, hits, rel))."""
    norm = normalize(q)
    prev = _previous(history)
    if prev is not None:
        fu = _followup(q, norm, prev, engine, history)
        if fu is not None:
            return "done", fu
    n_sections = max((s.no or 0 for c in engine.library.corpora for s in c.sections), default=17)
    sq = structured.detect(norm, engine.known_units, n_sections)
    if sq is not None:
        return "done", _structured_answer(q, sq, engine)
    query = engine.analyse(q)
    if query.refs:
        records = _records(engine, query.refs)
        if records:
            return "done", _lookup_answer(q, records)
        missing = "、".join(query.refs)
        return "done", _refusal(q, [], None, why=f"方案中没有编号为{missing}的条款（措施编号为2–140，保障措施为S1–S8）。")
    hits = engine.search(q, k=max(5, get_settings().top_k))
    rel = relevance.assess(engine, query, hits)
    if not hits or not relevance.is_relevant(rel):
        return "done", _refusal(q, hits, None, text=_missing_figure_note(rel, hits))
    return "retrieved", (query, hits, rel)


def answer(question: str, history: list[Answer] | None = None, *, llm=None) -> Answer:
    """The grounded answer to QUESTION (history: earlier answers, oldest first).
    llm: an optional LangChain chat model; by default one is built from the
    settings when llm_base_url is set, else the extractive answerer is used."""
    final = None
    for _, a in stream_answer(question, history, llm=llm):
        final = a
    return final


def stream_answer(question: str, history: list[Answer] | None = None, *, llm=None
                  ) -> Iterator[tuple[str, Answer | None]]:
    """Yields (text so far, None) while generating, then (final text, Answer)."""
    q, notice, early = _prepare(question)
    if early is not None:
        yield early.text, early
        return
    engine = get_engine()
    kind, payload = _route(q, history, engine)
    if kind == "done":
        a = _with_notice(payload, notice)
        yield a.text, a
        return
    query, hits, rel = payload
    from . import llm as llm_mod

    try:
        model = llm if llm is not None else llm_mod.default_model()
    except Exception as e:  # noqa: BLE001 - a misconfigured LLM must not break answers
        import logging

        logging.getLogger(__name__).warning("LLM unavailable (%s); extractive answer", e)
        a = _with_notice(_extractive(q, query, hits, engine, rel), notice)
        a.notice = f"{llm_mod.NOTICE_ERROR} {a.notice}" if a.notice else llm_mod.NOTICE_ERROR
        yield a.text, a
        return
    if model is None:
        a = _with_notice(_extractive(q, query, hits, engine, rel), notice)
        yield a.text, a
        return
    fallback = lambda: _extractive(q, query, hits, engine, rel)  # noqa: E731
    for text, a in llm_mod.stream(q, hits, model, fallback):
        if a is not None:
            a = _with_notice(a, notice)
        yield text, a
