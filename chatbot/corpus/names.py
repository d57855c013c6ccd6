"""Which document a question names, however loosely: its title or a short
name from the manifest ("优化营商环境条例", "款项支付条例", "个体户条例": any
name ending in 条例 whose characters appear in order in a title), its
国务院令 number ("722号令", "国务院令第802号"), or its version ("2020年版",
"修订前", "老条例": the superseded one of a family). Built from the library's
own titles and header metadata; nothing is written per document."""
from __future__ import annotations

import re
from dataclasses import dataclass

from .document import Corpus

_HAN = re.compile(r"[\u4e00-\u9fff]")
_ORDER = re.compile(r"(?:国务院)?令?第?\s*(\d{3,4})\s*号(?:令)?")
_OLD = re.compile(r"(?:(20\d{2})\s*年?\s*(?:那|这)?一?(?:版|版本|的版本|的旧版|文本|的老版))|修订前|修改前|旧版|老版|老条例|(?<!新)旧条例|原条例"
                  r"|之前的版本|以前的版本|原来的条例")
# …and in English ("the old 2020 payment regulation", "the 2020 text", "before the revision").
_OLD_EN = re.compile(r"\b(?:old|previous|former|original|superseded|earlier)\s+(?:(20\d{2})\s+)?(?:[a-z-]+\s+){0,3}?"
                     r"(?:regulations?|version|text|edition|law|rules)\b"
                     r"|\b(20\d{2})\s+(?:version|text|edition)\b|\bbefore (?:the|its) (?:revision|amendment)\b", re.IGNORECASE)
# An English question naming a regulation by what it is about ("the SME payment regulation").
_EN_LAW = re.compile(r"\b(?:regulations?|ordinance)\b", re.IGNORECASE)
_NEW = re.compile(r"(?:(20\d{2})\s*年?\s*(?:修订版|新版|版|版本|修订))|修订后|新版|新条例|现行|最新")
_VERSION_TAIL = re.compile(r"(?:新|旧|老|原|现行|修订后的?|修订前的?|修改后的?|修改前的?)$")
_KIND = ("条例", "办法", "规定", "方案")
# "哈密市实施《优化营商环境条例》办法", "乌鲁木齐市优化营商环境条例": another document
# that carries this one's name.
_ANOTHER = re.compile(r"[》>]?\s*(?:实施)?(?:办法|实施细则|细则|若干规定)")
_LOCAL = re.compile(r"(?:[省市县区州]|实施[《<]?)$")
_PLACE_RUN = re.compile(r"[\u4e00-\u9fff]{1,8}?[省市县区州](?:实施)?[《<]?$")


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    doc_id: str
    how: str  # "name" | "order" | "version"


def _year(m: re.Match) -> str | None:
    """The year a version word names, if any ("2020年版", "the 2020 text")."""
    return next((g for g in m.groups() if g), None)


def _bare(title: str) -> str:
    """A title without its closing bracket ("…三年行动方案（2023-2025年）" → "…方案")."""
    return re.sub(r"[（(][^（()）]*[）)]$", "", title).strip()


def _subsequence(short: str, title: str) -> bool:
    it = iter(title)
    return all(c in it for c in short)


class DocNames:
    def __init__(self, corpora: list[Corpus]):
        self.corpora = corpora
        self.by_id = {c.doc_id: c for c in corpora}

    def current(self, doc_id: str) -> str:
        """The version in force of a document's family."""
        c = self.by_id[doc_id]
        while c.superseded_by:
            c = self.by_id[c.superseded_by]
        return c.doc_id

    def _year_of(self, c: Corpus) -> set[str]:
        dates = [c.effective, *(c.metadata.get(k) for k in ("promulgated", "revised", "adopted"))]
        return {d[:4] for d in dates if d}

    def _names(self, text: str) -> list[Mention]:
        return [m for m in self._candidates(text) if not _ANOTHER.match(text, m.end)
                and not _LOCAL.search(text[max(0, m.start - 6):m.start])]

    def foreign(self, text: str) -> list[str]:
        """Documents the text names that the library does not hold, though
        they carry a held one's name: "乌鲁木齐市优化营商环境条例",
        "哈密市实施优化营商环境条例办法"."""
        out: list[str] = []
        for m in self._candidates(text):
            after = _ANOTHER.match(text, m.end)
            before = _PLACE_RUN.search(text[max(0, m.start - 10):m.start]) if _LOCAL.search(text[max(0, m.start - 6):m.start]) else None
            if after or before:
                name = (before.group(0) if before else "") + text[m.start:after.end() if after else m.end]
                name = name.strip("《》<> ")
                if name and name not in out:
                    out.append(name)
        return out

    def _candidates(self, text: str) -> list[Mention]:
        out: list[Mention] = []
        for c in self.corpora:
            for name in (c.title, *c.short_names):
                for m in re.finditer(re.escape(name), text):
                    out.append(Mention(m.start(), m.end(), c.doc_id, "name"))
        for kind in _KIND:
            for m in re.finditer(kind, text):
                best = None
                for start in range(max(0, m.start() - 12), m.start() - 1):
                    # "款项支付新条例", "款项支付旧条例": the version word is not part of the name
                    short = _VERSION_TAIL.sub("", text[start:m.start()])
                    if not short or not all(_HAN.match(ch) for ch in short):
                        continue
                    docs = [c for c in self.corpora if (t := _bare(c.title)).endswith(kind) and _subsequence(short, t[:-len(kind)])]
                    if docs:
                        best = (start, docs)
                        break  # the longest run that still names a document
                if best:
                    for c in best[1]:
                        out.append(Mention(best[0], m.end(), c.doc_id, "name"))
        for m in _ORDER.finditer(text):
            n = int(m.group(1))
            for c in self.corpora:
                orders = c.metadata.get("orders", [])
                if n in orders:
                    # a revised text's header keeps the first order: that one names the old version
                    doc = c.supersedes if c.supersedes and n != max(orders) else c.doc_id
                    out.append(Mention(m.start(), m.end(), doc, "order"))
        return out

    def _english(self, text: str, terms: list[str]) -> list[Mention]:
        """The regulation an English question names by its subject ("the SME
        payment regulation", "the business environment regulation"): the
        Chinese words its English translates to (``terms``) hold at least two
        characters of that title's own (those no other regulation's title has),
        twice as many as of any other title's."""
        m = _EN_LAW.search(text)
        if not m or not terms:
            return []
        chars = set("".join(terms))
        titles = {c.doc_id: set(_bare(c.title).removesuffix("条例")) for c in self.corpora
                  if not c.superseded_by and _bare(c.title).endswith("条例")}
        scored = sorted(((len((own - set().union(*(t for d, t in titles.items() if d != doc))) & chars), doc)
                         for doc, own in titles.items()), reverse=True)
        if not scored or scored[0][0] < 2 or (len(scored) > 1 and scored[0][0] < 2 * scored[1][0]):
            return []
        return [Mention(m.start(), m.end(), scored[0][1], "name")]

    def mentions(self, text: str, terms: list[str] | None = None) -> list[Mention]:
        """Documents the text names, in order; where several versions of one
        family match, the one the text asks for (a year, 修订前, a 令号), else
        the one in force. ``terms``: an English text's Chinese translation."""
        names = self._names(text) or self._english(text, terms or [])
        old, new = _OLD.search(text) or _OLD_EN.search(text), _NEW.search(text)
        superseded = [c for c in self.corpora if c.superseded_by]
        if old and not names:  # "2020年版第八条": a version with no name says which family
            year = _year(old)
            names = [Mention(old.start(), old.end(), c.doc_id, "version") for c in superseded
                     if year is None or year in self._year_of(c)]
        out: list[Mention] = []
        for m in sorted(names, key=lambda m: (m.start, -m.end)):
            family = {m.doc_id, self.current(m.doc_id)} | {c.doc_id for c in self.corpora if c.superseded_by == m.doc_id}
            if m.how != "order" and len(family) > 1:
                chosen = self.current(m.doc_id)
                if old:
                    year = _year(old)
                    olds = [d for d in family if self.by_id[d].superseded_by and (year is None or year in self._year_of(self.by_id[d]))]
                    chosen = olds[0] if olds else chosen
                elif new and new.group(1):
                    hits = [d for d in family if new.group(1) in self._year_of(self.by_id[d])]
                    chosen = hits[0] if hits else chosen
                m = Mention(m.start, m.end, chosen, m.how)
            if not any(o.doc_id == m.doc_id and o.start <= m.start < o.end for o in out):
                out.append(m)
        return out
