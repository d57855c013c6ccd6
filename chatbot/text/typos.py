"""Repair of pinyin input-method typos against a document's vocabulary
(注消 → 注销, 破惨 → 破产), without touching correctly spelled everyday
words (工伤 is not 工商) or cutting through a word (开公司 is not 开工司)."""
from __future__ import annotations

import re
from functools import lru_cache

import jieba

from .glossary import Glossary
from .lexicon import QUESTION_CHARS

_HAN = re.compile(r"[\u4e00-\u9fff]")
_HAN_RUN = re.compile(r"[\u4e00-\u9fff]+")


def _cuts_a_word(start: int, end: int, words: list[tuple[int, int]]) -> bool:
    """The span [start, end) takes part of a word: 公司 in 开公司 is no typo
    window for 开公 → 开工, nor 登记 in 登记需要 for 记需 → 急需."""
    return any(a < end and start < b and not (start <= a and b <= end) for a, b in words)


_FUZZY = [("zh", "z"), ("ch", "c"), ("sh", "s"), ("ang", "an"), ("eng", "en"), ("ing", "in"),
          ("l", "n"), ("h", "f")]


@lru_cache(maxsize=20000)
def _char_key(ch: str) -> str:
    from pypinyin import Style, lazy_pinyin

    p = lazy_pinyin(ch, style=Style.NORMAL, errors="ignore")
    if not p:
        return ch
    s = p[0]
    for a, b in _FUZZY:
        if s.startswith(a) or s.endswith(a):
            s = s.replace(a, b)
    return s


def pinyin_key(word: str) -> str:
    return " ".join(_char_key(c) for c in word)


class TypoFixer:
    """Replace a 2–4 character run that never occurs in the corpus by a
    corpus word that sounds the same (fuzzy pinyin), e.g. 注消 → 注销."""

    def __init__(self, corpus_text: str, vocabulary: set[str], glossary: Glossary | None = None):
        self.corpus_text = corpus_text
        # Every 2–4 character run of the corpus's Chinese text: a set lookup
        # per window instead of a scan of the corpus (a 500-character question
        # has ~1,500 windows; scanning made its analysis cost 0.15 s).
        self._grams = {run[i:i + n] for run in _HAN_RUN.findall(corpus_text)
                       for n in (2, 3, 4) for i in range(len(run) - n + 1)}
        self.glossary = glossary or Glossary.empty()
        self.by_key: dict[str, list[str]] = {}
        for w in vocabulary:
            if 2 <= len(w) <= 4 and all(_HAN.match(c) for c in w):
                self.by_key.setdefault(pinyin_key(w), []).append(w)
        for ws in self.by_key.values():
            ws.sort(key=lambda w: -corpus_text.count(w))
        # Everyday words the glossary maps to the documents' terms (个体户 →
        # 个体工商户) are what people mistype most (个题户); they come after the
        # documents' own words that sound the same.
        for w in self.glossary.colloquial:
            if 2 <= len(w) <= 4 and all(_HAN.match(c) for c in w):
                ws = self.by_key.setdefault(pinyin_key(w), [])
                if w not in ws:
                    ws.append(w)

    def _is_word(self, frag: str) -> bool:
        """A correctly spelled everyday word (工伤, 网店) is not a typo of a
        plan term that sounds alike (工商, 网点): jieba knows it as a common
        word, or the glossary lists it. Typos like 注消 are rare in jieba's
        dictionary (frequency 3)."""
        return jieba.dt.FREQ.get(frag, 0) >= 10 or self.glossary.knows(frag)

    def _in_corpus(self, frag: str) -> bool:
        return frag in self._grams if len(frag) <= 4 else frag in self.corpus_text

    def _words(self, run: str) -> list[tuple[int, int]]:
        """Spans of the dictionary words in a run of Chinese text (jieba's cut
        without its guesser for unknown words)."""
        return [(a, b) for w, a, b in jieba.tokenize(run, HMM=False)
                if b - a >= 2 and (jieba.dt.FREQ.get(w, 0) > 0 or self._in_corpus(w))]

    def fix(self, text: str) -> tuple[str, list[tuple[str, str]]]:
        fixes: list[tuple[str, str]] = []
        out = text
        for run in re.findall(r"[\u4e00-\u9fff]+", text):
            words = self._words(run)
            i = 0
            while i < len(run) - 1:
                done = False
                for n in (4, 3, 2):
                    frag = run[i:i + n]
                    if (len(frag) < n or self._in_corpus(frag)
                            or (n < 3 and QUESTION_CHARS & set(frag))
                            or self._is_word(frag) or _cuts_a_word(i, i + n, words)):
                        continue
                    cands = self.by_key.get(pinyin_key(frag))
                    if cands:
                        best = cands[0]
                        changed = [a for a, b in zip(frag, best) if a != b]
                        # One character off at most: a typo, not a different
                        # word. A question word (多少, 是否) may sit inside a
                        # longer term (多测合一) but is never itself rewritten.
                        if len(changed) <= max(1, n // 2) and not QUESTION_CHARS & set(changed):
                            fixes.append((frag, best))
                            out = out.replace(frag, best, 1)
                            i += n
                            done = True
                            break
                if not done:
                    i += 1
        return out, fixes
