"""The lexical side: BM25 over jieba tokens of each record (titles repeated:
a measure title is the best summary of its leaves) plus its curated Chinese
questions ("刻章要花钱吗" shares words with its question, not with "首套印章免费").

The vocabulary (coverage, typo repair, the refusal signals) stays the
documents' own: an everyday word is not "in the plan" because a curated
question uses it."""
from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Callable

import numpy as np
from rank_bm25 import BM25Okapi

from ..domain.records import Record
from ..text.lexicon import tokens

_HAN = re.compile(r"[\u4e00-\u9fff]")


def bm25_text(r: Record) -> str:
    return f"{r.section.title or ''} {r.measure_title} {r.measure_title} {r.body}"


class LexicalIndex:
    def __init__(self, records: list[Record], questions_of: Callable[[Record], list[str]],
                 k1: float, b: float):
        docs = [tokens(bm25_text(r)) for r in records]
        self.bm25 = BM25Okapi([d + tokens(" ".join(q for q in questions_of(r) if _HAN.search(q)))
                               for r, d in zip(records, docs)], k1=k1, b=b)
        self.vocab = {t for d in docs for t in d}
        self.df = Counter(t for d in docs for t in set(d))  # records using each word
        self.size = len(records)
        self._lock = threading.Lock()

    @property
    def idf(self) -> dict[str, float]:
        return dict(getattr(self.bm25, "idf", {}) or {})

    def scores(self, toks: list[str]) -> np.ndarray:
        if not toks:
            return np.zeros(self.size)
        with self._lock:  # rank_bm25 is read-only, but keep numpy temporaries private
            return np.asarray(self.bm25.get_scores(toks), dtype=float)
