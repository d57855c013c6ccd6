"""One rule stated for several kinds of case, and the case the asker is.

A clause often sets the same rule once per kind of party or project, each
with its own figure: 第九条 "机关、事业单位从中小企业采购…30日内" / "大型企业从
中小企业采购…60日内"; 第71条 "一般社会投资建设项目全流程审批时间控制在50个工作
日内" / "装饰装修项目…15个工作日内". Quoting whichever sentence scored best
answers another asker's question. The sentences are found by their shared
wording (no list of parties): what differs before it is the case."""
from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

from ..domain.tuning import ExtractiveTuning
from .lead import FIGURES

# Runs of characters and digits: "2024年" tells one year's target from another's.
_RUN = re.compile(r"[\u4e00-\u9fff0-9]+")


@dataclass(frozen=True)
class Case:
    index: int  # the sentence's position in its clause
    subject: str  # what the sentence states the rule for ("大型企业")
    frame: str  # the wording it shares with the other cases


def _figures(s: str) -> set[str]:
    return {m.group(0) for f in FIGURES.values() for m in f.finditer(s)}


def cases(sentences: list[str], i: int, t: ExtractiveTuning) -> list[Case]:
    """The sentences of a clause stating sentence ``i``'s rule for another
    case, with ``i`` itself, in text order; [] when there are none. They
    share a run of wording early on, differ before it, and set different
    figures (a list of parallel tasks shares wording but sets none)."""
    lead = sentences[i]
    mine = _figures(lead)
    if not mine:
        return []
    found: dict[int, Case] = {}
    for j, s in enumerate(sentences):
        if j == i:
            continue
        m = SequenceMatcher(None, lead, s, autojunk=False).find_longest_match(0, len(lead), 0, len(s))
        if (m.size < t.case_frame_chars or m.size < t.case_frame_share * min(len(lead), len(s))
                or not 0 < m.a <= t.case_subject_chars or not 0 < m.b <= t.case_subject_chars):
            continue
        a, b = lead[:m.a], s[:m.b]
        theirs = _figures(s)
        if a == b or not theirs or theirs == mine:
            continue
        frame = lead[m.a:m.a + m.size]
        found.setdefault(i, Case(i, a, frame))
        found[j] = Case(j, b, frame)
    return [found[k] for k in sorted(found)] if len(found) >= 2 else []


def _grams(text: str) -> set[str]:
    return {run[k:k + 2] for run in _RUN.findall(text) for k in range(len(run) - 1)}


def asker_case(question: str, group: list[Case]) -> int | None:
    """The sentence of the case the question names ("我们是大型能源企业" →
    大型企业): its subject's own two-character runs (not those of the shared
    wording, not those every case has) most found in the question, and only
    when one case leads. None when the question names none or several."""
    common = set.intersection(*(_grams(c.subject) for c in group))
    frame = set().union(*(_grams(c.frame) for c in group))
    # a number counts whole: "12345热线" does not name the case of 2023
    numbers = {n for c in group for n in re.findall(r"\d+", c.subject)}
    asked = _grams(re.sub(r"\d+", lambda m: m.group(0) if m.group(0) in numbers else "#", question))
    scored = sorted(((len((_grams(c.subject) - common - frame) & asked), c.index) for c in group), reverse=True)
    if scored[0][0] == 0 or (len(scored) > 1 and scored[1][0] == scored[0][0]):
        return None
    return scored[0][1]

