"""A rule and the half that qualifies it, quoted together: "…30日内支付款项；
合同另有约定的，从其约定，但付款期限最长不得超过60日" is one rule, and quoting
either half alone misstates it."""
from __future__ import annotations

import re
from dataclasses import replace

from .lead import FIGURES


def clean_sentence(s: str) -> str:
    return s.strip().rstrip("。；;，,：:").strip()


# A rule's half after "；" that qualifies it ("…30日内支付款项；合同另有约定的，
# 从其约定，但付款期限最长不得超过60日"): quoting the rule without it misstates it.
# A half that refers back to the rule before it ("…应当有法律、法规依据；没有依据的，
# 不得作为办理行政审批的条件"): alone it does not say what has no basis.
BACKREF = re.compile(r"^(?:没有|无)[^，。；]{0,8}的，")
PROVISO = re.compile(r"^(?:合同另有约定|另有约定|另有规定|法律、行政法规另有规定|但|除|其中|超过|逾期|确有)")


def whole_rule(s, picked: list, sentences: list[tuple[str, set[str]]]):
    """``s`` (an extractive.Scored sentence) as a whole rule: with the next
    sentence of its clause appended when that one qualifies it, or, when
    ``s`` is itself the qualifying half,
    with the rule before it ("合同另有约定的…" never stands alone). A half
    quoted anyway is not repeated."""
    here = {p.index for p in picked}
    prev, nxt = s.index - 1, s.index + 1
    if ((PROVISO.match(s.sentence) or BACKREF.match(s.sentence)) and prev >= 0 and prev not in here
            and sentences[prev][0].rstrip().endswith(("；", ";"))):
        return replace(s, sentence=sentences[prev][0].rstrip().rstrip("；;") + "；" + s.sentence, index=prev)
    if (not s.sentence.rstrip().endswith(("；", ";")) or nxt >= len(sentences)
            or nxt in here or not PROVISO.match(sentences[nxt][0])):
        return s
    return replace(s, sentence=s.sentence.rstrip().rstrip("；;") + "；" + sentences[nxt][0])


# "情况复杂的，经…批准，可适当延长，但处理期限最长不得超过90日": the sentence after a
# time limit that extends it.
EXTENDS = re.compile(r"延长|延期")


def _with_extension(opening: str, s, sentences, figure: str | None) -> str:
    """"30日内。" followed in its paragraph by the sentence extending it carries
    that sentence: the limit is 30 days, or up to 90 when it is extended."""
    nxt = s.index + 1
    if figure != "duration" or nxt >= len(sentences):
        return opening
    extra = sentences[nxt][0]
    if not EXTENDS.search(extra) or not FIGURES["duration"].search(extra):
        return opening
    return f"{opening.rstrip('。')}（{clean_sentence(extra)}）。"


def with_limit(opening: str, s, picked: list, sentences, figure: str | None) -> str:
    """"30日内。" read from a rule whose qualifying half sets another figure
    ("合同另有约定的…最长不得超过60日") carries that half: the figure alone
    would be the rule without its ceiling."""
    whole = whole_rule(s, picked, sentences)
    if whole.index != s.index or whole.sentence == s.sentence:
        return _with_extension(opening, s, sentences, figure)
    extra = whole.sentence[len(s.sentence.rstrip().rstrip("；;")) + 1:].rstrip("。")
    if not FIGURES.get(figure or "", FIGURES["count"]).search(extra):
        return opening
    return f"{opening.rstrip('。')}（{clean_sentence(extra)}）。"
