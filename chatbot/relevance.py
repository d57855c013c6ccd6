"""Is anything in the plan relevant enough to answer? (the refusal decision)

Dense cosine from the small e5 model is nearly flat (0.85–0.90 for both
answerable and unrelated Chinese questions), so the decision leans on
lexical evidence: how much of the question's content words the corpus knows
at all, and how much of it the top retrieved clauses contain. English
questions have no lexical signal and are judged by dense cosine alone.
Calibrated on eval/qa.jsonl (see the trade-off table in the report)."""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass

import jieba

from .models import Hit
from .tokenize import STOPWORDS

# Question-form words: they say how something is asked, not what about.
QUESTION_WORDS = set("""
怎么办 怎么样 怎么 怎样 如何 多少钱 多少 多大 多久 多长 几点 几天 几个 几 哪里 哪儿 去哪 哪个 哪些 什么样 什么
是不是 能不能 可不可以 会不会 有没有 要不要 行不行 好不好 能否 是否 可以 需要 需不需要 还要 还能 吗 呢 啊 吧
有人 有人管 谁管 管不管 一下 一点 一些 这种 那种 这样 那样 现在 以后 以前 之后 之前 已经 到底 究竟 具体
我们 我 你们 你 他们 自己 大家 人家 别人 本人 想 想要 打算 准备 希望 觉得 知道 不知道 听说 听 说 讲 问 请问
能 会 要 得 该 应该 必须 不用 不要 不能 不会 没有 没 有 办 做 弄 搞 干 用 让 给 帮 帮忙 找 找谁 去 来
意思 怎么回事 回事 情况 问题 东西 事 事情 方面 时候 时间 的话 每个 每 月 个 很多 太多 好几 一直 还有 但 但是
因为 所以 而且 如果 要是 比如 例如 还是 或者 然后 其实 真的 特别 非常 很 太 更 最 都 也 又 再 才 就 只 只是
""".split())

_HAN = re.compile(r"[\u4e00-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]{2,}")

# Decision thresholds (see calibrate in the final report / eval.answers --sweep).
KNOWN_MIN = 0.5  # share of content characters the corpus knows at all
SUPPORT_MIN = 0.5  # share of content characters the top clauses contain
ENGLISH_DENSE_MIN = 0.74  # cosine; e5-small puts English questions at 0.75–0.82


@dataclass
class Relevance:
    english: bool
    content: list[str]
    known: float
    support: float
    dense: float
    score: float  # combined, 0..1; refused when below the threshold

    def as_dict(self) -> dict:
        return {"english": self.english, "content": self.content, "known": round(self.known, 3),
                "support": round(self.support, 3), "dense": round(self.dense, 4),
                "score": round(self.score, 3)}


_corpus_cache: dict[int, str] = {}
_lock = threading.Lock()


def corpus_text(engine) -> str:
    key = id(engine)
    text = _corpus_cache.get(key)
    if text is None:
        text = "\n".join(f"{r.section.title or ''}\n{r.measure_title}\n{r.text}" for r in engine.records)
        with _lock:
            _corpus_cache.clear()
            _corpus_cache[key] = text
    return text


def content_words(text: str) -> list[str]:
    """The question's topic words: jieba's precise cut minus stopwords and
    question-form words; only tokens with a Chinese character."""
    out = []
    for w in jieba.cut(text):
        w = w.strip()
        if not w or not _HAN.search(w) or w in STOPWORDS or w in QUESTION_WORDS:
            continue
        # a question word glued to a topic ("能领", "税能"): drop the glue characters
        if len(w) == 2 and (w[0] in "能会要想还可该" or w[1] in "能会要吗呢"):
            continue
        out.append(w)
    return out


def _share(words: list[str], text: str) -> float:
    total = sum(len(w) for w in words)
    if not total:
        return 0.0
    got = 0.0
    for w in words:
        if w in text:
            got += len(w)
        elif len(w) >= 3:
            # partial credit: the word's bigrams that occur ("刻章费" ~ "印章")
            grams = [w[i:i + 2] for i in range(len(w) - 1)]
            got += len(w) * sum(g in text for g in grams) / len(grams) * 0.5
    return got / total


def assess(engine, query, hits: list[Hit]) -> Relevance:
    """query: engine.analyse(question). hits: ranked search results."""
    text = query.text
    han = len(_HAN.findall(text))
    latin = len(_LATIN.findall(text))
    english = han == 0 and latin > 0
    dense = max((h.dense or 0.0 for h in hits if h.dense is not None), default=0.0)
    if english:
        score = 1.0 if dense >= ENGLISH_DENSE_MIN else 0.0
        return Relevance(True, [], 0.0, 0.0, dense, score)
    words = content_words(text)
    if not words:
        # nothing but question words ("怎么办？"): nothing to answer about
        return Relevance(False, [], 0.0, 0.0, dense, 0.0)
    known = _share(words, corpus_text(engine))
    top_text = "\n".join(f"{h.record.section.title or ''} {h.record.measure_title} {h.record.text}"
                         for h in hits[:3])
    support = _share(words, top_text)
    score = min(known / KNOWN_MIN, support / SUPPORT_MIN, 1.0) if KNOWN_MIN and SUPPORT_MIN else 1.0
    return Relevance(False, words, known, support, dense, score)


def is_relevant(rel: Relevance, threshold: float = 1.0) -> bool:
    return rel.score >= threshold - 1e-9
