"""A question analysed once, for every later step: normalised text, the
references it names, BM25 tokens, typo repairs, its wording in the plan's
terms, its topic words, whether it is a list question, and its language."""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from ..corpus.library import Library
from ..domain.citations import find_refs
from ..text.bilingual import Translator
from ..text.glossary import Glossary
from ..text.lexicon import content_words, tokens
from ..text.normalize import has_content, normalize
from ..text.typos import TypoFixer
from .asks import Ask, classify
from .intent import StructuredQuery, detect
from .parts import generic, split

_HAN = re.compile(r"[\u4e00-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]{2,}")
CHANGES = re.compile(r"变化|改了|改动|修改了|修订了|修订后|有什么不同|哪些不同|区别|新旧|新版.*旧版|旧版.*新版|前后|调整了"
                     r"|相比|比较|[跟和与].{1,16}比|(?:多|少|增加|删除|删去|新增)了(?:哪些|什么)"
                     r"|\bchanged?\b|\bdifference\b|\bnew version\b", re.IGNORECASE)


# A question asking both what the law says and what the county does
# ("国家条例和县里方案各怎么说", "法规规定多久该付，县里有没有清欠的安排"):
# its answer quotes the default document and another one.
LAW_SIDE = re.compile(r"条例|法规(?!定)|上位法|国务院令|法律(?:规定|上|怎么|咋|有没有)"
                      r"|国家(?:层面|规定|要求|的规定|和|跟|与|怎么|咋|对|有没有|是)")
# …and one asking what the law says, naming no document ("条例说银行要怎么做",
# "does the regulation…"): the laws answer it before the county's plan.
LAW_WORDS = re.compile(LAW_SIDE.pattern + r"|\bregulations?\b|\bthe law\b", re.IGNORECASE)
LOCAL_SIDE = r"县里|县上|县级|本县|我县|县方案|方案|当地|本地|县政府|县法院|县[^，,。？?]{0,3}局"


def local_side(default_title: str) -> re.Pattern:
    """The local side's words, with the place the default document is for
    ("伊吾县实施…方案": 伊吾)."""
    place = re.match(r"(.{2,6}?)(?:县|市|区|州|盟|旗)", default_title or "")
    return re.compile(LOCAL_SIDE + (f"|{re.escape(place.group(1))}" if place else ""))


def is_english(text: str) -> bool:
    """Latin words and not one Chinese character."""
    return not _HAN.search(text) and bool(_LATIN.search(text))


@dataclass(frozen=True)
class Query:
    raw: str
    normalized: str  # cleaned, NFKC, Traditional → Simplified
    text: str  # ``normalized`` with typos repaired
    refs: list[str]  # exact references named ("5.3", "S1", "demo:3")
    tokens: list[str]  # BM25 tokens, glossary expansions included
    fixes: list[tuple[str, str]]
    coverage: float  # share of tokens BM25 knows
    # ``text`` in the plan's own words (Glossary.plan_wording); equal to
    # ``text`` when the question already speaks the plan's language.
    dense_text: str = ""
    content: list[str] = field(default_factory=list)  # topic words of ``text``
    listing: StructuredQuery | None = None  # a list/count question about units, deadlines, sections
    ask: Ask = Ask("other")  # what kind of answer the question asks for
    docs: tuple[str, ...] = ()  # documents the question names ("款项支付条例", "2020年版")
    changes: bool = False  # asks what changed between a document's versions
    both: bool = False  # asks what the law says and what the county does (LAW_SIDE, local_side)
    law: bool = False  # asks what the law says, naming no document (LAW_WORDS)
    foreign: tuple[str, ...] = ()  # documents named that the library lacks ("乌鲁木齐市优化营商环境条例")
    # Several things asked at once: each later part analysed on its own, with
    # the story before it ("拖欠货款半年了，去哪反映"); the first part is the question.
    parts: tuple["Query", ...] = ()
    # …and the first part read alone the same way, for a figure it asks that
    # the whole question's words rank below another part's topic
    # ("…法规规定多久该付，县里有没有清欠的安排": 30日 under 清欠).
    head: "Query | None" = None
    asked: str = ""  # a part's own words ("去哪反映")
    key: tuple[tuple[str, ...], ...] = ()  # a part's own topic words, each with the terms it implies
    topic: tuple[tuple[str, ...], ...] = ()  # …and those of the question before it

    def __post_init__(self) -> None:
        if not self.dense_text:
            object.__setattr__(self, "dense_text", self.text)

    @property
    def english(self) -> bool:
        return is_english(self.text)

    @property
    def has_content(self) -> bool:
        return has_content(self.text)


class QueryAnalyzer:
    def __init__(self, library: Library, vocab: set[str], typos: TypoFixer, glossary: Glossary,
                 max_chars: int, translator: Translator | None = None, parts_max_chars: int = 200,
                 max_parts: int = 4):
        self.parts_max_chars, self.max_parts = parts_max_chars, max_parts
        self.library = library
        self.translator = translator
        self.glossary = glossary
        self.vocab = vocab
        self.typos = typos
        # Front ends cut questions to max_question_chars with a notice; this
        # bound only keeps direct API callers from paying for 10,000 chars.
        self.max_chars = 4 * max_chars
        self.local = local_side(library.default.title if library.corpora else "")

    def analyse(self, question: str) -> Query:
        q = self._analyse(question)
        whole = q.english or q.refs or q.listing is not None or len(q.normalized) > self.parts_max_chars
        parts = () if whole else split(q.normalized)
        if not 2 <= len(parts) <= self.max_parts:
            return q
        # a later part's own topic words: not the story's, not an earlier part's
        seen = set(content_words(parts[0].question))
        subs = [self._part(parts[0], tuple((w,) for w in dict.fromkeys(content_words(parts[0].text)) if not generic(w)), ())]
        for p in parts[1:]:
            own = [w for w in dict.fromkeys(content_words(p.text)) if w not in seen and not generic(w)]
            before = [(w, *(t for t in self.glossary.expand(w) if t != w)) for w in seen if not generic(w)]
            topic = tuple(k for k in before if any(t in self.vocab for t in k))
            seen |= set(own)
            # a word the documents never use, nor any term it implies, cannot tell answered from not ("该付")
            implied = [(w, *(t for t in self.glossary.expand(w) if t != w)) for w in own]
            key = tuple(k for k in implied if any(t in self.vocab for t in k))
            subs.append(self._part(p, key, topic))
        return replace(q, head=subs[0], parts=tuple(subs[1:]))

    def _part(self, p, key, topic) -> Query:
        """A part read with the story before it; which side it asks (the law's,
        the county's) is read from its own words: "县里一个局欠…，法规规定多久该付"
        asks the law, though its story names the county."""
        sub = self._analyse(p.question)
        law = len(self.library.corpora) > 1 and not sub.docs and bool(LAW_WORDS.search(p.text)) and not self.local.search(p.text)
        return replace(sub, asked=p.text, key=key, topic=topic, ask=p.ask, both=False, law=law)

    def _analyse(self, question: str) -> Query:
        norm = normalize(question[: self.max_chars])
        fixed, fixes = self.typos.fix(norm)
        toks = tokens(fixed) + tokens(" ".join(self.glossary.expand(fixed)))
        translated = self.translator.terms(fixed) if self.translator is not None and is_english(fixed) else []
        # Translated words count toward coverage like the question's own: that
        # weight is what gives BM25 a say for English (half as much: library
        # English R@1 5/13 and 5/10 instead of 6/13 and 7/10). Latin tokens a
        # Chinese text cannot contain count against it.
        toks += [t for t in tokens(" ".join(translated)) if t not in toks]
        coverage = sum(1 for t in toks if t in self.vocab) / len(toks) if toks else 0.0
        words = content_words(fixed)
        text = self.library.text
        reworded = self.glossary.plan_wording(fixed, words, lambda t: t in text)
        listing = detect(norm, self.library.known_units, self.library.n_sections or 17)
        refs, docs = self.library.qualify(norm, find_refs(norm), translated)
        both = len(self.library.corpora) > 1 and bool(LAW_SIDE.search(norm)) and bool(self.local.search(norm))
        law = len(self.library.corpora) > 1 and not docs and bool(LAW_WORDS.search(norm))
        foreign = () if docs else tuple(self.library.names.foreign(norm))
        return Query(question, norm, fixed, refs, toks, fixes, coverage, reworded, words, listing,
                     classify(norm), tuple(docs), bool(CHANGES.search(norm)), both, law, foreign)
