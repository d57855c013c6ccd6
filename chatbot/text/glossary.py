"""Query expansion: everyday Chinese and English words → the documents' own terms.

People ask "刻章要钱吗" or "company seals"; the plan says 印章 and 免服务费.
Each entry adds the documents' words to what BM25 searches for, and the dense
side also embeds the question reworded with them. The entries are data
(``chatbot/data/glossary.json``, read by ``app.bootstrap``): general domain
vocabulary of business-environment policy, not answers to particular
questions. ``Glossary.empty()`` measures what a document gets without one.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

_EN_WORD = re.compile(r"[a-z][a-z0-9\-]*")


@dataclass(frozen=True)
class Glossary:
    colloquial: dict[str, str] = field(default_factory=dict)  # everyday Chinese → terms, space-separated
    english: dict[str, str] = field(default_factory=dict)  # English word or phrase → terms
    # Words of one kind that exclude each other (简易/普通, 本科/硕士, 本地/外地):
    # a question naming one where the text names another is half answered.
    contrasts: tuple[tuple[str, ...], ...] = ()
    places: tuple[str, ...] = ()  # place names (a question about another place is half answered)

    @classmethod
    def from_dict(cls, d: dict) -> "Glossary":
        return cls(dict(d.get("colloquial", {})), dict(d.get("english", {})),
                   tuple(tuple(c) for c in d.get("contrasts", [])), tuple(d.get("places", [])))

    @classmethod
    def empty(cls) -> "Glossary":
        return cls()

    def knows(self, word: str) -> bool:
        """An everyday word the glossary lists (so it is a word, not a typo)."""
        return word in self.colloquial

    def expand(self, text: str) -> list[str]:
        """Terms implied by the question's everyday or English words."""
        low = text.lower()
        out: list[str] = []
        for k, v in self.colloquial.items():
            if k in low:
                out += v.split()
        if _EN_WORD.search(low):
            words = set(_EN_WORD.findall(low))
            for k, v in self.english.items():
                if (k in low) if " " in k else (k in words):
                    out += v.split()
        return list(dict.fromkeys(out))

    def plan_term(self, word: str, in_plan: Callable[[str], bool]) -> str | None:
        """The first of the documents' own terms for an everyday word
        ("公章" → "印章"), or None when the glossary has none they use."""
        return next((t for t in self.expand(word) if t != word and in_plan(t)), None)

    def plan_wording(self, text: str, words: Iterable[str], in_plan: Callable[[str], bool]) -> str:
        """The question reworded in the documents' vocabulary: each of ``words``
        (its content words) they never use is replaced in place by their term
        ("新注册的公司刻公章要自己掏钱吗" → "…刻印章…"). Unlike appending terms,
        this keeps the sentence a sentence, which is what a dense encoder reads."""
        for w in dict.fromkeys(words):
            if in_plan(w):
                continue
            term = self.plan_term(w, in_plan)
            if term:
                text = text.replace(w, term)
        return text
