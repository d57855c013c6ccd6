"""The rule before its penalty. A regulation's 法律责任 chapter restates its
prohibitions ("…以法定代表人或者主要负责人变更…为由，拒绝或者迟延支付…的，责令改正"),
so a question whether something is allowed can match the penalty article as
well as, or better than, the article that sets the rule. The asker needs the
rule: when the lead hit is a penalty article and a hit just below it, from the
same document, shares a run of its wording, the two change places."""
from __future__ import annotations

import re
from dataclasses import replace

from ..domain.records import Hit, Record
from ..search.asks import Ask

PENALTY_CHAPTER = "法律责任"
# Not every regulation gives its penalties a chapter of their own (优化营商环境条例
# keeps them in 法治保障, 促进个体工商户发展条例 has no chapters): the article's
# own sanction says it too.
SANCTION = re.compile(r"责令改正|追究法律责任|依法给予处分|依法予以处分|构成犯罪的")


def is_penalty(r: Record) -> bool:
    return r.kind == "article" and (PENALTY_CHAPTER in (r.section.title or "") or bool(SANCTION.search(r.text)))


def _shared_run(a: str, b: str, n: int) -> bool:
    """Whether ``a`` and ``b`` share a run of ``n`` characters."""
    grams = {a[i:i + n] for i in range(len(a) - n + 1)}
    return any(b[i:i + n] in grams for i in range(len(b) - n + 1))


def rule_first(hits: list[Hit], ask: Ask, depth: int, run: int) -> list[Hit]:
    """``hits`` with the rule a leading penalty article restates moved first,
    for a question asking whether something is allowed (yes/no or lawfulness)."""
    if not hits or not (ask.legal or ask.kind == "yesno") or not is_penalty(hits[0].record):
        return hits
    top = hits[0].record
    for i, h in enumerate(hits[1:depth], start=1):
        r = h.record
        if r.doc_id == top.doc_id and not is_penalty(r) and _shared_run(top.text, r.text, run):
            # the two swap places and scores: the answer re-ranks its top hits by score
            rule, penalty = replace(h, score=hits[0].score), replace(hits[0], score=h.score)
            return [rule] + hits[1:i] + [penalty] + hits[i + 1:]
    return hits
