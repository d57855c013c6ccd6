"""A question that asks several things at once ("拖欠货款半年了，这合理吗？去哪反映？",
"由哪个单位负责，啥时候完成？"): the story it tells, and each thing it asks,
so the answer can check that every part got an answer or say which did not.
Read from the wording alone; pure functions."""
from __future__ import annotations

import re
from dataclasses import dataclass

from .asks import Ask, DURATION, HOW, LEGAL, MONEY, RATE, WHAT, WHEN, WHO, YESNO, classify

_I = re.IGNORECASE
# Between sentences; a comma splits only between two halves that both ask.
_SENTENCE = re.compile(r"[？?！!。；;]+")
_COMMA = re.compile(r"[，,]")
# "好几年", "几张桌子" tell the story; "多少" or a question ending asks.
_STORY_FIGURES = re.compile(r"好几|几[张台个家间套辆]")
_ENDS_ASKING = re.compile(r"(?:吗|么|嘛|呢|不|没|撒|哩)\s*$")
# "对拖欠账款有啥措施": asks what is done, though no question form ends it ("没有什么办法" tells)
_WHAT_DONE = re.compile(r"(?<![没无])有(?:啥|什么)(?:措施|办法|政策|支持|优惠|做法|规定|要求|渠道|途径)")
_ASKS = (WHO, WHEN, DURATION, MONEY, RATE, HOW, WHAT, LEGAL, YESNO, _WHAT_DONE)


@dataclass(frozen=True)
class Part:
    text: str  # the part as asked ("去哪反映")
    ask: Ask  # what it asks for
    question: str  # the part with the story before it, to be read alone ("拖欠货款半年了，去哪反映")


def _asking(fragment: str) -> bool:
    f = _STORY_FIGURES.sub("", fragment.strip())
    if not f:
        return False
    return bool(_ENDS_ASKING.search(f)) or any(p.search(f) for p in _ASKS) or "多少" in f


def _fragments(text: str) -> list[str]:
    """Sentences cut at commas too: "拖欠货款半年了，这合理吗" is a story and a part."""
    return [f.strip() for s in _SENTENCE.split(text) for f in _COMMA.split(s) if f.strip()]


def split(text: str) -> tuple[Part, ...]:
    """Every part ``text`` asks, in order, when it asks two or more; else ().
    The story (fragments that ask nothing) is read with each part."""
    frags = _fragments(text)
    asking = [f for f in frags if _asking(f)]
    if len(asking) < 2:
        return ()
    story = "，".join(f for f in frags if not _asking(f))
    parts = []
    for f in asking:
        # the first part carries the story's subject already; a later one is read after it
        q = f"{story}，{f}" if story else f
        parts.append(Part(f, classify(f), q))
    return tuple(parts)


# Words that name a side or a kind of rule rather than a topic ("条例怎么规定",
# "县里怎么做"): a part made only of these is answered by the documents quoted.
GENERIC = frozenset("规定 条例 方案 县里 县上 国家 伊吾 伊吾县 做法 要求 办法 情况 政策 法规 上位 新版 旧版 现行 版本 "
                    "原则 表述 落实 态度 措施 支持 关系 具体 内容 方面 一下 东西 事 事情 处理 "
                    # …or the measure of a figure asked for ("最长能租多少年", "多少个工作日内完成")
                    "完成 最长 最短 最多 最少 最快 最高 最低 时间 期限 时限 天数 金额 比例 以内 之内".split())
UNIT = re.compile(r"(?:工作日|天|小时|个月|年|元)(?:内|以内)?$")  # "工作日内": the figure's unit, not a topic


def generic(word: str) -> bool:
    return word in GENERIC or bool(UNIT.search(word))
