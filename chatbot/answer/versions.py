"""What changed between two versions of a document: the article the question
is about, its counterpart in the other version (found by its text, since
revisions renumber articles: 2020年文本第十一条 is 2025年第十二条), and the
wording that differs, quoted from both texts. Nothing is written per
document: the family comes from the manifest's ``supersedes``."""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from ..domain.records import Record
from ..domain.tuning import VersionTuning
from ..text.sentences import split_sentences

MIN_CHANGE_CHARS = 2  # a one-character difference is punctuation or a typo, not a change
SAME_SENTENCE = 0.5  # a sentence this close to one of the other version is not new
QUOTE_CHARS = 60  # a changed passage longer than this is a rewrite: quoted by sentence
_PUNCT = re.compile(r"[\s，。；：、,.;:（）()“”\"'《》]")


def _bigrams(text: str) -> set[str]:
    t = _PUNCT.sub("", text)
    return {t[i:i + 2] for i in range(len(t) - 1)}


def similarity(a: str, b: str) -> float:
    x, y = _bigrams(a), _bigrams(b)
    return len(x & y) / len(x | y) if x and y else 0.0


def counterpart(rec: Record, others: list[Record], t: VersionTuning = VersionTuning()
                ) -> tuple[Record | None, float]:
    """The article of the other version closest in text, with its similarity;
    None when nothing is close (an article added or dropped by the revision).
    A revision that adds much to an article lowers the overlap, so a weaker
    match still counts when it is clearly ahead of every other article."""
    scored = sorted(((similarity(rec.body or rec.text, o.body or o.text), i) for i, o in enumerate(others)),
                    reverse=True)
    if not scored:
        return None, 0.0
    best, i = scored[0]
    second = scored[1][0] if len(scored) > 1 else 0.0
    ok = best >= t.min_similarity or (best >= t.weak_similarity and best >= t.lead_over_second * second)
    return (others[i], best) if ok else (None, best)


@dataclass(frozen=True)
class Change:
    old: str  # "" = inserted
    new: str  # "" = deleted


def changes(old: str, new: str, most: int = VersionTuning.max_changes) -> list[tuple[Change, int]]:
    """The passages that differ with how often each recurs, longest first,
    at most ``most``."""
    sm = difflib.SequenceMatcher(None, old, new, autojunk=False)
    out = []
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if tag == "equal":
            continue
        a, b = old[i1:i2].strip("，。；、 "), new[j1:j2].strip("，。；、 ")
        if len(_PUNCT.sub("", a + b)) >= MIN_CHANGE_CHARS:
            out.append(Change(a, b))
    seen: dict[Change, int] = {}
    for c in out:  # "新增“应收账款电子凭证”" three times is one change, said once
        seen[c] = seen.get(c, 0) + 1
    ranked = sorted(seen, key=lambda c: -(len(c.old) + len(c.new)))[:most]
    return [(c, seen[c]) for c in ranked]


def _say(c: Change, times: int) -> str:
    where = f"（{times}处）" if times > 1 else ""
    if c.old and c.new:
        return f"“{c.old}”改为“{c.new}”{where}"
    return f"新增“{c.new}”{where}" if c.new else f"删去“{c.old}”{where}"


def new_sentences(old: str, new: str, most: int) -> list[str]:
    """Sentences of ``new`` with no close sentence in ``old``: what a heavy
    revision added, in its own words."""
    olds = split_sentences(old)
    out = [x for x in split_sentences(new) if not olds or max(similarity(x, o) for o in olds) < SAME_SENTENCE]
    return out[:most]


def _quote(text: str, n: int = QUOTE_CHARS) -> str:
    return text if len(text) <= n else text[:n] + "…"


def compare(new: Record, old: Record, t: VersionTuning = VersionTuning()) -> str:
    """The comparison, from both texts: what differs first, then each
    version's article whole, each cited. Light edits are quoted passage by
    passage; a heavy revision by the sentences it added."""
    a, b = (old.body or old.text), (new.body or new.text)
    diff = changes(a, b, t.max_changes)
    heavy = similarity(a, b) < t.min_similarity or any(len(c.old) + len(c.new) > QUOTE_CHARS for c, _ in diff)
    if not diff:
        lead = f"两版文字相同：修订后的{new.citation}与修订前的{old.citation}内容一致。"
    elif heavy:
        added = new_sentences(a, b, t.max_changes)
        said = "；".join(f"“{_quote(x.rstrip('。'))}”" for x in added)
        lead = (f"现行{new.citation}对修订前的{old.citation}改动较多" +
                (f"，新增的内容有：{said}。" if added else "，两版原文如下。"))
    else:
        lead = (f"与修订前的{old.citation}相比，现行{new.citation}" + "；".join(_say(c, n) for c, n in diff) + "。")
    return (f"{lead}\n\n**现行** {new.citation}：{(new.body or new.text).strip()}\n\n"
            f"**修订前** {old.citation}：{(old.body or old.text).strip()}")
