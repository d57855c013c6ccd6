"""Extractive answers: the sentences of the retrieved clauses that answer the
question, each followed by its citation, then 责任单位/完成时限 of every cited
measure and a short list of related clauses. Deterministic, no LLM; every
cut-off is in ``domain.tuning.ExtractiveTuning``."""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field

from ..domain.citations import measure_label
from ..domain.records import Answer, Hit, Record
from ..domain.tuning import ExtractiveTuning
from ..text.lexicon import tokens
from ..text.sentences import split_sentences, strip_id

# What the question asks for.
WHEN = re.compile(r"什么时候|何时|哪个月|哪一年|哪年|完成时[间限]|时限|截止|期限是|时间表|啥时候|几月|几时")
DURATION = re.compile(r"多长时间|多久|几天|多少天|几个工作日|多少个工作日|多少小时|几个小时|几年|多少年|几个月|多长")
WHO = re.compile(r"谁负责|谁管|由谁|哪个部门|哪些部门|哪个单位|哪些单位|责任单位|牵头部门|找谁|哪个局|谁来")
NUMBER = re.compile(r"多少|几|比例|覆盖率|达到|目标|标准")
AMOUNT = re.compile(r"\d+(?:\.\d+)?\s*(?:%|％|个?工作日|天|日|小时|个月|月|年|万|个|项|人次|级|次)|[一二三四五六七八九十两]+(?:种|级|个|项|天|年)")
DURATION_RE = re.compile(r"\d+(?:\.\d+)?\s*(?:个)?(?:工作日|天|小时|个月|年)(?:内|以内)?")

def clean_sentence(s: str) -> str:
    return s.strip().rstrip("。；;，,：:").strip()


@dataclass
class Scored:
    record: Record
    sentence: str
    index: int  # position in the body
    score: float


@dataclass
class Composition:
    text: str
    citations: list[str]
    subject: list[str]
    cited: list[Record] = field(default_factory=list)


class SentenceScorer:
    """Scores sentences by IDF-weighted token overlap with the question.
    Sentence tokens are cached per record."""

    def __init__(self, idf: dict[str, float] | None = None, tuning: ExtractiveTuning | None = None):
        self.idf = idf or {}
        self.tuning = tuning or ExtractiveTuning()
        self._cache: dict[str, list[tuple[str, set[str]]]] = {}
        self._lock = threading.Lock()

    def sentences(self, r: Record) -> list[tuple[str, set[str]]]:
        key = r.uid
        got = self._cache.get(key)
        if got is None:
            got = [(s, set(tokens(s))) for s in split_sentences(r.body)]
            with self._lock:
                self._cache[key] = got
        return got

    def weight(self, t: str) -> float:
        w = self.idf.get(t)
        if w is None:
            return self.tuning.unknown_token_weight
        return max(w, self.tuning.min_token_weight)

    def score(self, qtokens: set[str], stoks: set[str], sentence: str, question: str) -> float:
        s = sum(self.weight(t) for t in qtokens & stoks)
        asks_number = bool(NUMBER.search(question) or DURATION.search(question) or WHEN.search(question))
        if asks_number and AMOUNT.search(sentence):
            s += self.tuning.number_bonus
        return s

    def rank(self, r: Record, question: str, qtokens: set[str]) -> list[Scored]:
        return [Scored(r, s, i, self.score(qtokens, st, s, question))
                for i, (s, st) in enumerate(self.sentences(r))]


def unit_line(r: Record, titled: bool = False) -> str:
    """``titled``: name the measure too; an answer quotes sentences, and the
    title is the one-line summary a caller reads out ("第87条（…“全程网办”）")."""
    title = f"（{r.title}）" if titled and r.title else ""
    line = f"- {r.citation}{title}：责任单位：{r.units_label}；完成时限：{r.deadline_label}"
    other = [w for w in r.warnings if "完成时限" not in w and "责任单位" not in w]
    if other:
        line += f"（注意：{'；'.join(other)}）"
    return line


def durations(text: str) -> list[str]:
    seen: list[str] = []
    for m in DURATION_RE.finditer(text):
        if m.group(0) not in seen:
            seen.append(m.group(0))
    return seen


def related_lines(hits: list[Hit], exclude: set[str], limit: int = 3) -> list[str]:
    out = []
    for h in hits:
        r = h.record
        if r.uid in exclude:
            continue
        exclude.add(r.uid)
        out.append(f"- {r.citation} {r.title}")
        if len(out) >= limit:
            break
    return out


def _pick(scored: list[Scored], budget: int, whole_if_short: bool, t: ExtractiveTuning) -> list[Scored]:
    """The best sentence first, then the others that also answer, in text order."""
    if not scored:
        return []
    best = max(scored, key=lambda s: (s.score, -s.index))
    total = sum(len(s.sentence) for s in scored)
    if whole_if_short and total <= t.short_clause_chars and len(scored) <= t.short_clause_sentences:
        rest = [s for s in scored if s is not best]
    else:
        floor = max(best.score * t.pick_floor, 0.01)
        rest = [s for s in scored if s is not best and s.score >= floor]
        rest.sort(key=lambda s: -s.score)
    picked = [best]
    used = len(best.sentence)
    for s in rest:
        if len(picked) >= t.max_sentences or used + len(s.sentence) > budget:
            continue
        picked.append(s)
        used += len(s.sentence)
    head, tail = picked[0], sorted(picked[1:], key=lambda s: s.index)
    return [head] + tail


def compose(question: str, qtokens: list[str], hits: list[Hit], scorer: SentenceScorer,
            english: bool = False) -> Composition:
    """An extractive answer from ranked hits (already judged relevant)."""
    t = scorer.tuning
    qset = set(qtokens)
    total = sum(scorer.weight(t) for t in qset) or 1.0
    # Re-rank the top three by retrieval score plus sentence-level evidence.
    cands = []
    for h in hits[:t.rerank_depth] if not english else hits[:1]:
        sc = scorer.rank(h.record, question, qset)
        best = max((s.score for s in sc), default=0.0)
        cands.append((h.score + t.rerank_weight * best / total, h, sc, best))
    cands.sort(key=lambda c: -c[0])
    combined, top, ranked, best_score = cands[0]
    # English or otherwise unmatched: the clause's own leading sentences.
    if english or best_score <= t.unmatched_evidence:
        out, used = [], 0
        for s in sorted(ranked, key=lambda s: s.index):
            if out and used + len(s.sentence) > t.sentence_budget:
                break
            out.append(s)
            used += len(s.sentence)
        picked = out
    else:
        picked = _pick(ranked, t.sentence_budget, True, t)
    claims: list[tuple[Record, list[Scored]]] = [(top.record, picked)]
    # A second clause when retrieval and sentence evidence say it answers too.
    if len(cands) > 1 and not english:
        c2, h2, sc2, b2 = cands[1]
        lead_words = set().union(*(st for _, st in scorer.sentences(top.record)))
        top2 = max(sc2, key=lambda x: x.score, default=None)
        new = 0.0
        if top2 is not None:
            second_words = dict(scorer.sentences(h2.record)).get(top2.sentence, set())
            new = sum(scorer.weight(t) for t in (qset & second_words) - lead_words)
        adds = new >= t.second_novelty or c2 >= t.second_tie * combined
        if (adds and c2 >= t.second_ratio * combined and b2 > t.unmatched_evidence
                and b2 >= t.second_evidence * best_score):
            claims.append((h2.record, _pick(sc2, t.sentence_budget // 2, False, t)[:t.second_sentences]))

    lead_record = top.record
    lead = ""
    if WHO.search(question):
        units = "、".join(lead_record.units) or "原文未写明的单位"
        lead = f"该项工作由{units}负责（{lead_record.citation}）。"
    elif WHEN.search(question) and lead_record.deadline_raw:
        lead = f"该项工作的完成时限为{lead_record.deadline_raw}（{lead_record.citation}）。"
    claims_text = "".join(f"{clean_sentence(s.sentence)}（{r.citation}）。" for r, sents in claims for s in sents)
    text = f"{lead}\n\n{claims_text}" if lead else claims_text
    cited = [r for r, _ in claims]
    text += "\n\n**责任单位与完成时限**\n" + "\n".join(unit_line(r, titled=True) for r in cited)
    related = related_lines(hits, {r.uid for r in cited}, t.related)
    if related:
        text += "\n\n**相关条款**\n" + "\n".join(related)
    refs = [r.ref for r in cited]
    # a follow-up ("那要多长时间？") is about the clause the answer led with
    return Composition(text, refs, refs[:1], cited)


def lookup_answer(q: str, records: list[Record], text: str | None = None) -> Answer:
    """The full clause(s) a question named ("第5.3条讲什么")."""
    refs = [r.ref for r in records]
    hits = [Hit(r, 1.0, via="ref") for r in records]
    return Answer(q, text or full_clause(records), refs, hits, False, "lookup", subject=refs)


def full_clause(records: list[Record]) -> str:
    """The complete text of referenced clauses (exact-reference questions)."""
    blocks = []
    by_measure: dict[str, list[Record]] = {}
    for r in records:
        key = f"{r.doc_id}:{r.measure_no if r.measure_no is not None else r.id}"
        by_measure.setdefault(key, []).append(r)
    for recs in by_measure.values():
        first = recs[0]
        if len(recs) > 1 or first.kind == "sub":
            whole = measure_label(first.measure_no) if first.measure_no is not None else ""
            head = f"**{whole} {first.title}**" if whole else f"**{first.title}**"
            if len(recs) == 1:
                head = f"**{first.citation}**（属于{whole}“{first.title}”）"
        elif first.kind == "safeguard":
            head = f"**{first.citation} {first.title}**"
        else:
            head = f"**{first.citation} {first.title}**"
        sec = first.section.display
        lines = [head + f"\n所属部分：{sec}"]
        for r in recs:
            body = strip_id(r.body).rstrip("。") + "。"
            prefix = f"{r.id} " if len(recs) > 1 else ""
            lines.append(f"{prefix}{body}（{r.citation}）")
            lines.append(unit_line(r))
        blocks.append("\n\n".join(lines))
    return "\n\n".join(blocks)
