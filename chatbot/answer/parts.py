"""The later parts of a question asking several things ("逾期利息怎么算，多少天内该付"):
each is answered by the sentences already quoted, or by the best sentence of
its own hits; a figure no hit states is said to be missing. A part that asks
nothing new (a yes/no on the same topic, "条例怎么规定", who or by when) is
left to the answer as composed. Deterministic; cut-offs in ``ExtractiveTuning``."""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..domain.records import Hit, Record
from ..search.query import Query
from .lead import FIGURES

NAMED = ("duration", "money", "rate")  # "多少" alone asks for any figure: not checked


@dataclass(frozen=True)
class PartAnswer:
    asked: str  # the part's own words ("去哪反映")
    record: Record | None  # None: the documents quoted do not state it
    sentence: str = ""
    figure: str | None = None  # the kind of figure a gap is about ("duration")


def _own_words(key: tuple[tuple[str, ...], ...], text: str, titles: str) -> tuple[int, int]:
    """(words held, words held as asked) of the part's own topic words that can
    carry a topic alone: two characters or more, not a document's name ("优化营商环境
    条例怎么规定"). Each is held by a word of its own: "应缴纳税款" holds 税 once."""
    used: set[str] = set()
    held = exact = 0
    for k in key:
        if len(k[0]) < 2 or k[0] in titles:
            continue
        w = next((w for w in sorted(k, key=len, reverse=True) if len(w) >= 2 and w in text and w not in used), None)
        if w is not None:
            used.add(w)
            held += 1
            exact += w == k[0]
    return held, exact


def _share(key: tuple[tuple[str, ...], ...], text: str, weight) -> float:
    """Share of the part's own topic words (by IDF weight) that ``text`` holds,
    a word counting when it or a term it implies appears."""
    total = sum(weight(k[0]) for k in key) or 1.0
    return sum(weight(k[0]) for k in key if any(w in text for w in k)) / total


def complete(query: Query, quoted: list[tuple[Record, list[str]]], part_hits: list[list[Hit]],
             hits: list[Hit], scorer, cover: float, depth: int = 5, topic_cover: float = 0.3) -> list[PartAnswer]:
    """What each later part of ``query`` adds to an answer quoting ``quoted``
    (record, sentences): a sentence to quote, or a gap; parts already
    answered add nothing. ``depth``: how many of the whole question's hits a
    part's new topic may be answered from, by a sentence holding ``topic_cover``
    of the question's topic before the part (by IDF weight) too."""
    said = [x for _, sents in quoted for x in sents]
    quoted_text = list(said)
    out: list[PartAnswer] = []
    for sub, own in zip(query.parts, part_hits or [[] for _ in query.parts]):
        if sub.ask.kind in ("who", "when"):
            continue  # 责任单位/完成时限 follow every cited clause of the plan
        figure = FIGURES[sub.ask.figure] if sub.ask.kind == "figure" and sub.ask.figure in NAMED else None
        if not sub.key and figure is None:
            continue

        def answers(sentence: str) -> bool:
            return ((not sub.key or _share(sub.key, sentence, scorer.weight) >= cover)
                    and (figure is None or bool(figure.search(sentence))))

        if any(answers(x) for x in said):
            continue
        if sub.ask.polarity == "cost" and any(FIGURES["money"].search(x) for x in said):
            continue  # "要收费吗" beside "24小时在线免费…": answered
        pool = list({r.uid: r for r in [h.record for h in own] + [r for r, _ in quoted]
                     + [h.record for h in hits[:3]]}.values())
        if sub.key:
            # Only from a clause the whole question retrieved too, in a sentence on
            # its topic: a part's word alone ("电子化", "网上") finds court archives
            # and hospitals.
            near = {h.record.uid for h in hits[:depth]}
            pool = [r for r in pool if r.uid in near]
        mine = {h.record.uid for h in own}
        titles = " ".join({r.doc_title or "" for r in pool})

        def on_topic(x) -> bool:
            # the question's topic before the part, or, in a clause the part's own
            # retrieval found, several of the part's own words ("另外…清税有没有省事的办法")
            if _share(sub.topic, x.sentence, scorer.weight) >= topic_cover:
                return True
            if x.record.uid not in mine:
                return False
            # a figure part's words the quote holds already ("2024年底前要达到多少" beside
            # "2024年底前…达91%") frame the figure; only the others name a new topic ("好差评满意率")
            key = sub.key if sub.ask.kind != "figure" else tuple(k for k in sub.key if not any(w in q for w in k for q in quoted_text))
            held, exact = _own_words(key, x.sentence, titles)
            return held >= scorer.tuning.part_own_words and exact >= 1

        fits = [x for r in pool for x in scorer.rank(r, sub.text, set(sub.tokens))
                if answers(x.sentence) and x.score > scorer.tuning.unmatched_evidence
                and (not sub.key or on_topic(x))]
        # the sentence holding most of the part's own words as asked, not the story's
        best = max(fits, key=lambda x: (_own_words(sub.key, x.sentence, titles)[1], x.score), default=None)
        if best is not None:
            out.append(PartAnswer(sub.asked, best.record, best.sentence))
            said.append(best.sentence)
        elif figure is not None:
            # the figure asked for is in no clause near it: said, not dropped
            out.append(PartAnswer(sub.asked, None, figure=sub.ask.figure))
        # A new topic unanswered is left to the answer as composed: a word
        # missing from the quote is no proof it does not answer ("网上" beside "在线…查询").
    return out


# "二是县里…目标是多少": the asker's numbering, not part of what is asked
_ORDINAL = re.compile(r"^(?:[一二三四五]是(?![不否])|(?:第[一二三四五](?:个问题|件事|点)?|其[一二三四五])[，、：:])")
_MISSING = {"duration": "具体时限", "money": "具体金额", "rate": "具体比例"}


def part_line(a: PartAnswer, kinds: str, quote) -> str:
    """A later part, answered in its sentence's words (``quote(record, sentence)``)
    or with the gap said in the words of the documents quoted (``kinds``:
    "条例和方案"), e.g. "多少天内该付：条例和方案没有写明具体时限。"
    """
    asked = _ORDINAL.sub("", a.asked) or a.asked
    if a.record is not None:
        return f"{asked}：{quote(a.record, a.sentence)}"
    return f"{asked}：{kinds}没有写明{_MISSING.get(a.figure or '', '')}。"


def law_for_head(head: Query, head_hits: list[Hit], claims: list, scorer):
    """"公司专利被侵权，能要惩罚性赔偿吗？县法院怎么落实": the first part asks a yes/no,
    its own retrieval finds an article of a law, and the answer, led by the plan,
    quotes nothing of that law: the article's best sentence for the part leads (the
    law first for rights, the plan for what the county does), when it matches the
    part about as well as the plan's lead clause does (``law_first``). None otherwise."""
    if head.ask.kind != "yesno" or not head_hits or not claims or claims[0][0].kind == "article":
        return None
    r = next((h.record for h in head_hits if h.record.kind == "article"), None)
    if r is None or any(c.doc_id == r.doc_id for c, _ in claims):
        return None
    words = set(head.tokens)

    def best(rec):
        return max(scorer.rank(rec, head.raw, words), key=lambda s: (s.score, -s.index), default=None)

    law, plan = best(r), best(claims[0][0])
    if law is None or law.score <= scorer.tuning.unmatched_evidence:
        return None
    if plan is not None and law.score < scorer.tuning.law_first * plan.score:
        return None
    return r, [law]


def head_answer(head: Query, head_hits: list[Hit], claims: list, scorer):
    """"…欠我们货款，利息怎么算？伊吾县对拖欠账款有啥措施": the first part asks how, and
    no quoted sentence holds its own words (利息), the story of the debt having led
    retrieval: the best sentence of its own hits that does (``part_cover`` of them)
    leads. None when a quoted sentence answers it already or no hit does."""
    if head.ask.kind != "how" or not claims:
        return None
    # a document's name asked by ("优化营商环境条例是怎么规定的") is no word of the answer
    titles = " ".join({r.doc_title or "" for r in [h.record for h in head_hits] + [r for r, _ in claims]})
    key = tuple(k for k in head.key if k[0] not in titles)
    if not key or any(_share(key, s.sentence, scorer.weight) >= scorer.tuning.part_cover for _, sents in claims for s in sents):
        return None
    words = set(head.tokens)
    for h in head_hits:
        s = max(scorer.rank(h.record, head.raw, words), key=lambda x: (x.score, -x.index), default=None)
        if (s is not None and s.score > scorer.tuning.unmatched_evidence
                and _share(key, s.sentence, scorer.weight) >= scorer.tuning.part_cover):
            return h.record, [s]
    return None
