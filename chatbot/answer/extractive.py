"""Extractive answers: the sentences of the retrieved clauses that answer the
question, the one that answers what is asked first, each followed by its
citation; a lead sentence shaped by the question (``lead``); the scope gap
said first when there is one (``gaps``); then 责任单位/完成时限 of every cited
clause and a short list of related clauses to open. Deterministic, no LLM;
every cut-off is in ``domain.tuning.ExtractiveTuning``."""
from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from ..domain.records import Hit, Record
from ..domain.tuning import ExtractiveTuning
from ..search.query import Query
from ..search.rows import ROW_MARK
from ..text.lexicon import tokens
from ..text.sentences import split_sentences
from .cases import asker_case, cases
from .clauses import related, related_lines, unit_line
from .frames import Frame, doc_kind, frame
from .gaps import Gap, GapFinder
from .lead import CONDUCT, FIGURES, default_sentence, first_sentence, lead, year_sentence
from .parts import complete, head_answer, law_for_head, part_line
from .provisos import BACKREF, PROVISO, clean_sentence, whole_rule, with_limit

# What the question asks for (sentence scoring only; search.asks classifies questions).
WHEN = re.compile(r"什么时候|何时|哪个月|哪一年|哪年|完成时[间限]|时限|截止|期限是|时间表|啥时候|几月|几时")
DURATION = re.compile(r"多长时间|多久|几天|多少天|几个工作日|多少个工作日|多少小时|几个小时|几年|多少年|几个月|多长"
                      r"|时间(?:上)?(?:要求|限制)|(?:有没有|有无)(?:时限|期限)")
WHO = re.compile(r"谁负责|谁管|由谁|哪个部门|哪些部门|哪个单位|哪些单位|责任单位|牵头部门|找谁|哪个局|谁来")
NUMBER = re.compile(r"多少|几|比例|覆盖率|达到|目标|标准")
AMOUNT = re.compile(r"\d+(?:\.\d+)?\s*(?:%|％|个?工作日|天|日|小时|个月|月|年|万|个|项|人次|级|次)|[一二三四五六七八九十两]+(?:种|级|个|项|天|年)")
GARBLED = re.compile(r"原文“(.+?)”疑似语序错乱")


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
    related: list[str] = field(default_factory=list)


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


def _by_cosine(ranked: list[Scored], uid: str, rows: dict[str, float], margin: float = 0.02) -> list[Scored]:
    """A question with no Chinese words to match (English): the sentences
    the dense pass found closest, best first."""
    cos = {s.index: rows.get(f"{uid}{ROW_MARK}{s.index}", float("-inf")) for s in ranked}
    best = max(cos.values(), default=float("-inf"))
    close = [s for s in ranked if cos[s.index] >= best - margin]
    # among the close ones, the sentence holding the question's translated words ("seals" → 印章) first
    return sorted(close, key=lambda s: (-s.score, -cos[s.index]))[:2]


def _with_cosine(ranked: list[Scored], uid: str, rows: dict[str, float], weight: float) -> None:
    """Sentence scores nudged by the dense pass: a sentence this much less
    close to the question than its clause's closest one loses that much."""
    cos = {s.index: rows.get(f"{uid}{ROW_MARK}{s.index}") for s in ranked}
    known = [c for c in cos.values() if c is not None]
    if not known:
        return
    top = max(known)
    for s in ranked:
        if cos[s.index] is not None:
            s.score += weight * (cos[s.index] - top)


def _claims(question: str, qset: set[str], hits: list[Hit], scorer: SentenceScorer, english: bool,
            rows: dict[str, float] | None = None, parts: bool = False,
            companion: Callable[[str, str], bool] | None = None, figure: str | None = None,
            both: bool = False, legal: bool = False,
            figure_evidence: float | None = None) -> tuple[list[tuple[Record, list[Scored]]], float, float]:
    """The clauses an answer quotes and their sentences, best first; with the
    lead sentence's score and the question's IDF mass. ``figure``: the kind
    of figure the question asks for ("duration", "money", "rate")."""
    t = scorer.tuning
    total = sum(scorer.weight(w) for w in qset) or 1.0

    def candidate(h: Hit):
        sc = scorer.rank(h.record, question, qset)
        if rows and t.sentence_dense_weight and not english:
            _with_cosine(sc, h.record.uid, rows, t.sentence_dense_weight * total)
        best = max((s.score for s in sc), default=0.0)
        return (h.score + t.rerank_weight * best / total, h, sc, best)

    # Re-rank the top clauses by retrieval score plus sentence-level evidence.
    cands = sorted((candidate(h) for h in (hits[:t.rerank_depth] if not english else hits[:1])),
                   key=lambda c: -c[0])
    if figure in ("duration", "money", "rate") and not english:
        cands = _figure_first(cands, hits, candidate, FIGURES[figure], t,
                              t.second_evidence if figure_evidence is None else figure_evidence)
    elif legal and not english and cands and cands[0][1].record.kind == "article":
        # "may they do this": an article stating a rule of conduct (不得…) settles it, not
        # one stating the topic in general ("国家依法严格规范…评比") or a penalty's list
        cands = _figure_first(cands, hits, candidate, CONDUCT, t, t.second_evidence)
    combined, top, ranked, best_score = cands[0]
    if english and rows:
        picked = _by_cosine(ranked, top.record.uid, rows)
    # Otherwise unmatched: the clause's own leading sentences.
    elif english or best_score <= t.unmatched_evidence:
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
    if english:
        return claims, best_score, total
    # More clauses when retrieval and sentence evidence say they answer too:
    # each must add question words the clauses before it lack, or be one
    # retrieval can hardly tell from the lead.
    covered = set().union(*(st for _, st in scorer.sentences(top.record)))
    for c2, h2, sc2, b2 in cands[1:t.max_claims_parts if parts else t.max_claims]:
        top2 = max(sc2, key=lambda x: x.score, default=None)
        new = 0.0
        if top2 is not None:
            second_words = dict(scorer.sentences(h2.record)).get(top2.sentence, set())
            new = sum(scorer.weight(w) for w in (qset & second_words) - covered)
        tie = c2 >= t.second_tie * combined or new >= t.second_novelty
        another_part = parts and new >= t.parts_novelty * total and c2 >= t.parts_ratio * combined
        if ((tie and c2 >= t.second_ratio * combined or another_part) and b2 > t.unmatched_evidence
                and b2 >= t.second_evidence * best_score):
            claims.append((h2.record, _pick(sc2, t.sentence_budget // 2, False, t)[:t.second_sentences]))
            covered |= set().union(*(st for _, st in scorer.sentences(h2.record)))
    # Another document that answers too (a regulation beside the plan; the
    # other version when the question asks what changed): its best clause.
    # A question asking for both (``both``: what the law says and what the
    # county does) takes the other side's best clause whenever it matches at all.
    if companion is not None:
        quoted = {r.doc_id for r, _ in claims}
        local = ":" not in top.record.ref  # the default document's refs are bare
        # "这样合法吗" led by the plan: the law's best article joins the same way.
        relaxed = both or (legal and local)
        for h in (hits if relaxed else hits[:t.cross_depth]):
            if h.record.doc_id in quoted or not companion(top.record.doc_id, h.record.doc_id):
                continue
            if relaxed and (":" not in h.record.ref) == local:
                continue
            if not both and _echo(h.record, top.record) and not COUNTY.search(question):
                continue  # "贯彻落实好《促进个体工商户发展条例》" beside that law's own article says nothing more
            sc = scorer.rank(h.record, question, qset)
            b = max((s.score for s in sc), default=0.0)
            close = h.score + t.rerank_weight * b / total >= t.cross_ratio * combined and b >= t.second_evidence * best_score
            if b > t.unmatched_evidence and (close or relaxed):
                claims.append((h.record, _pick(sc, t.sentence_budget // 2, False, t)[:t.second_sentences]))
            break
    return claims, best_score, total


def _another_parts(sentence: str, later: tuple[Query, ...]) -> bool:
    """A figure read from a sentence on a later part's topic ("…10个工作日内…转交"
    beside "可以投诉吗") answers that part, not the first."""
    return any(any(w in sentence for w in k) for p in later for k in p.key)


def _head_first(head: Query, later: tuple[Query, ...], head_hits: list[Hit], claims, best_score: float, total: float,
                scorer: SentenceScorer, rows: dict[str, float] | None):
    """The first part of a question asking several things asks a figure
    ("…法规规定多久该付，县里有没有清欠的安排") the quoted sentences lack: the
    clause its own hits lead with, when that states the figure, leads the
    answer instead; the whole question's clauses follow it."""
    kind = head.ask.figure if head.ask.kind == "figure" else None
    has = FIGURES.get(kind or "")
    if kind not in ("duration", "money", "rate") or has is None:
        return claims, best_score, total
    if any(has.search(s.sentence) and not _another_parts(s.sentence, later) for _, sents in claims[:1] for s in sents):
        return claims, best_score, total
    # The story's words ("欠…工程款") score the clause about the debt above the
    # one stating the time limit; the part asks only the figure, so a clause
    # its own retrieval ranks as close, with the figure in a sentence holding
    # less of the story, may lead (ExtractiveTuning.head_evidence).
    own, own_best, own_total = _claims(head.raw, set(head.tokens), head_hits, scorer, False, rows, False, None, kind,
                                       figure_evidence=scorer.tuning.head_evidence)
    record, sents = own[0]
    if not any(has.search(s.sentence) for s in sents) or own_best <= scorer.tuning.unmatched_evidence:
        return claims, best_score, total
    return [own[0]] + [c for c in claims if c[0].uid != record.uid], own_best, own_total


# The question asks what the county does (not only what the law says).
COUNTY = re.compile(r"县|伊吾|当地|本地|地方上")


def _echo(r: Record, law: Record) -> bool:
    """A clause of the plan that carries out the very law quoted ("贯彻落实好
    《促进个体工商户发展条例》"): it names that law in its title."""
    return law.kind == "article" and r.kind != "article" and bool(law.doc_title) and f"《{law.doc_title}》" in r.measure_title


def _figure_first(cands: list, hits: list[Hit], candidate, has, t: ExtractiveTuning, evidence: float) -> list:
    """A question asking "how long / how much": when the lead clause states no
    such figure and a close runner-up does (the law's 30日 beside the plan's
    2023年底前), the runner-up leads. Its figure must sit in a sentence that
    matches the question, not anywhere in the clause."""
    lead_c = cands[0]
    if any(has.search(s.sentence) for s in lead_c[2]):
        return cands
    seen = {c[1].record.uid for c in cands}
    pool = cands[1:] + [candidate(h) for h in hits[t.rerank_depth:t.figure_depth] if h.record.uid not in seen]
    for c in sorted(pool, key=lambda c: -c[0]):
        if c[0] < t.figure_ratio * lead_c[0]:
            break
        stating = [s for s in c[2] if has.search(s.sentence)]
        if stating and max(s.score for s in stating) >= evidence * lead_c[3]:
            return [c] + [x for x in cands if x is not c]
    return cands


def _for_case(query: Query, r: Record, picked: list[Scored], scorer: SentenceScorer,
              lead_clause: bool = True) -> tuple[list[Scored], bool]:
    """The lead sentence as the asker's case, when the clause states its rule
    once per case (answer.cases): the sentence of the case the question names
    leads and the other cases' are dropped; a figure question naming none
    quotes every case (True: the answer says it depends). A comparison keeps
    all; "is this lawful" keeps the rule of conduct it was answered by.
    A clause quoted after the lead (``lead_clause`` False) only swaps in the
    named case: its one sentence is not the place to list every case."""
    if not picked or query.ask.kind == "compare":
        return picked, False
    sentences = [s for s, _ in scorer.sentences(r)]
    at = picked[0].index
    if PROVISO.match(picked[0].sentence) and at > 0:  # "合同另有约定的…" qualifies the rule before it
        at -= 1
    group = cases(sentences, at, scorer.tuning)
    if not group:
        return picked, False
    # An English question's tokens are glossary translations, too loose to tell cases apart.
    asked = query.normalized if query.english else query.normalized + " " + " ".join(query.tokens)
    j = asker_case(asked, group)
    if j is None and (not lead_clause or query.ask.kind != "figure" or query.ask.legal):
        return picked, False
    # every case: the one that scored best first, the others in text order
    shown = [at] + [c.index for c in group if c.index != at] if j is None else [j]
    other = {c.index for c in group} - set(shown)

    def kept(s: Scored) -> bool:  # not another case's rule, nor the proviso qualifying it
        return (s is not picked[0] and s.index not in shown and s.index not in other
                and not (PROVISO.match(s.sentence) and s.index - 1 in other))

    # the lead's own case keeps the lead as it was (the proviso "最长不得超过60日" answers "最长")
    first = [picked[0] if k == at else Scored(r, sentences[k], k, picked[0].score) for k in shown]
    return first + [s for s in picked if kept(s)], j is None


def _with_conduct(r: Record, picked: list[Scored], question: str, qset: set[str], scorer: SentenceScorer) -> list[Scored]:
    """"这样可以吗" answered by an article: its rule of conduct ("行政机关不得为市场
    主体指定…中介服务机构") is what settles it, so it is quoted first, before what
    was picked, when the article has one matching the question half as well."""
    if r.kind != "article" or any(CONDUCT.search(s.sentence) for s in picked):
        return picked
    ranked = scorer.rank(r, question, qset)
    best = max((s.score for s in ranked), default=0.0)
    rules = [s for s in ranked if CONDUCT.search(s.sentence) and s.score >= scorer.tuning.pick_floor * best]
    if not rules:
        return picked
    rule = max(rules, key=lambda s: (s.score, -s.index))
    # what was picked still answers too; the rule a half refers back to is quoted with it (_whole_rule)
    half = bool(PROVISO.match(rule.sentence) or BACKREF.match(rule.sentence))
    return [rule] + [s for s in picked if s.index != rule.index and not (half and s.index == rule.index - 1)]


def _quote(r: Record, s: Scored) -> str:
    """A quoted sentence with its citation; a sentence the source garbled says so."""
    note = ""
    for w in r.warnings:
        if (m := GARBLED.search(w)) and m.group(1) in s.sentence:
            note = "（此句原文语序有误，以正式文件为准）"
    return f"{clean_sentence(s.sentence)}{note}（{r.citation}）。"


def compose(query: Query, hits: list[Hit], scorer: SentenceScorer, gaps: GapFinder | None = None,
            question: str | None = None, rows: dict[str, float] | None = None,
            companion: Callable[[str, str], bool] | None = None,
            note: Callable[[Record], str | None] | None = None, missing: Gap | None = None,
            part_hits: list[list[Hit]] | None = None, head_hits: list[Hit] | None = None) -> Composition:
    """An extractive answer from ranked hits (already judged relevant).
    ``question``: the text to score sentences against (default: as asked);
    ``rows``: the retrieval's dense row cosines (choose English answers' sentences);
    ``companion(lead doc, other doc)``: whether another document's clause may
    join the answer; ``note(record)``: a line after a clause's quote (a
    superseded version names its successor); ``missing``: a figure the
    question asks for that the clauses lack, said first (the rest is answered);
    ``part_hits``: each later part's own hits (Query.parts), for the parts the
    quoted sentences leave unanswered; ``head_hits``: the first part's own
    hits (Query.head), for a figure it asks that the whole question's lead lacks."""
    question = question or query.raw
    english = query.english
    f: Frame = frame(english)
    qset = set(query.tokens)
    claims, best_score, total = _claims(question, qset, hits, scorer, english, rows, query.ask.parts, companion,
                                        query.ask.figure if query.ask.kind == "figure" else None, query.both,
                                        query.ask.legal)
    if query.head is not None and head_hits and not english:
        claims, best_score, total = _head_first(query.head, query.parts, head_hits, claims, best_score, total, scorer, rows)
        # …and a later part asks what the county does ("…县法院怎么落实"): the law answers the first
        county = any(COUNTY.search(p.asked) for p in query.parts)
        if county and (law := law_for_head(query.head, head_hits, claims, scorer)) is not None:
            claims = [law] + claims
        elif (own := head_answer(query.head, head_hits, claims, scorer)) is not None:
            claims = [own] + [c for c in claims if c[0].uid != own[0].uid]
    # The law first for rights and time limits, the plan for what the county
    # does: when the law's quoted sentence matches the question about as well.
    if (query.ask.kind in ("figure", "yesno", "when") or query.ask.legal) and claims[0][0].kind != "article":
        lead_best = max((x.score for x in claims[0][1]), default=0.0)
        claims.sort(key=lambda c: not (c[0].kind == "article"
                                       and max((x.score for x in c[1]), default=0.0) >= scorer.tuning.law_first * lead_best))
    if query.ask.legal and not english:
        claims = [(r, _with_conduct(r, sents, question, qset, scorer)) for r, sents in claims]
    # The sentence that answers what is asked goes first: the one naming the
    # year asked about ("2024年底前…91%" for "by the end of 2024"), else by the ask.
    lead_record, picked = claims[0]
    i = year_sentence(query.normalized, picked)
    if i is None:
        i = default_sentence(query.normalized, picked)
    if i is None:
        i = first_sentence(query.ask, [s.sentence for s in picked])
    if i:
        picked = [picked[i]] + [s for j, s in enumerate(picked) if j != i]
        claims[0] = (lead_record, picked)
    picked, split = _for_case(query, lead_record, picked, scorer)
    claims[0] = (lead_record, picked)
    # "给大型连锁超市供货" with 第九条 quoted second: its 大型企业 paragraph, not the first one
    claims[1:] = [(r, _for_case(query, r, sents, scorer, lead_clause=False)[0]) for r, sents in claims[1:]]
    if split:
        opening = f.cases.format(doc=doc_kind(lead_record.doc_title, english))
    else:
        opening = lead(query.ask, query.normalized, lead_record, picked[0].sentence if picked else "",
                       best_score / total, f)
    if opening and picked and not english and query.ask.kind == "figure" and not split:
        opening = with_limit(opening, picked[0], picked, scorer.sentences(lead_record), query.ask.figure)
    cited = [r for r, _ in claims]
    added = complete(query, [(r, [x.sentence for x in sents]) for r, sents in claims], part_hits or [], hits,
                     scorer, scorer.tuning.part_cover, scorer.tuning.part_near, scorer.tuning.part_topic) if query.parts else []
    cited += [a.record for a in added if a.record is not None and a.record not in cited]
    gap = missing or (gaps.find(query, cited, picked[0].sentence if picked else "") if gaps is not None else None)
    if gap is not None and gap.basis is not None and gap.basis not in cited:
        cited.append(gap.basis)  # the article stating whom the law covers supports the gap
    # Quoted as whole rules (the lead's figure is read from the rule's own half).
    quotes = "".join(_quote(r, whole_rule(s, sents, scorer.sentences(r))) for r, sents in claims for s in sents)
    if gap is not None and gap.basis is not None and gap.basis not in [r for r, _ in claims]:
        # whom the document covers, in its own words, before what it says for them
        defining = next((x for x, _ in scorer.sentences(gap.basis) if gap.stated and gap.stated in x), None)
        if defining:
            quotes = _quote(gap.basis, Scored(gap.basis, defining, 0, 0.0)) + quotes
    if added:
        kinds = "和".join(dict.fromkeys(doc_kind(r.doc_title) for r, _ in claims))
        quotes += "\n\n" + "\n".join(part_line(a, kinds, lambda r, x: _quote(r, Scored(r, x, 0, 0.0))) for a in added)
    notes = list(dict.fromkeys(n for r, _ in claims if note and (n := note(r))))
    if notes:
        quotes += "\n\n" + "\n".join(notes)
    parts = []
    if gap is not None:
        kind = doc_kind(lead_record.doc_title, english)
        parts.append(f.gap.format(gap=gap.phrase_en(kind) if english else gap.phrase(kind), doc=kind))
        opening = None  # the gap comes first; the quote answers what is stated
    elif not opening and f.about:  # an English reader is told what the Chinese that follows is
        quotes = f.about.format(cite=lead_record.citation, title=lead_record.title) + " " + quotes
    if opening:
        parts.append(opening)
    text = ("\n\n".join(parts) + "\n\n" if parts else "") + quotes
    if f.says:
        text += f"\n\n{f.says}"
    owned = [r for r in cited if r.units or r.deadline_raw]  # a regulation's articles have neither
    if owned:
        text += f"\n\n{f.units_heading}\n" + "\n".join(unit_line(r, True, f) for r in owned)
    more = related(hits, {r.uid for r in cited}, scorer.tuning.related, scorer.tuning.related_floor)
    if more:
        text += f"\n\n{f.related_heading}\n" + "\n".join(related_lines(more))
    refs = [r.ref for r in cited]
    # a follow-up ("那要多长时间？") is about the clause the answer led with
    return Composition(text, refs, refs[:1], cited, [r.ref for r in more])
