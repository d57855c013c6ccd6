"""The library: every document of the corpus, bare and DOC:ID references
resolved, curated files attached."""
from __future__ import annotations

import hashlib
import logging
import re
from functools import cached_property
from pathlib import Path

from ..domain.records import ParseWarning, Record, Section
from . import formats
from .curated import load_declines, load_questions
from .document import Corpus
from .manifest import read_manifest
from .names import DocNames
from .source import CorpusError, check_lines, read_text

log = logging.getLogger(__name__)

# Whom a regulation applies to, in its own words: "本条例所称中小企业，是指…",
# "…依法登记为个体工商户的，适用本条例". Only a kind of party counts (not
# "营商环境").
_SCOPE = (re.compile(r"本(?:条例|办法|规定)所称([\u4e00-\u9fff]{2,8}?)，是指"),
          re.compile(r"为([\u4e00-\u9fff]{2,8}?)的，适用本(?:条例|办法|规定)"))
_PARTY = re.compile(r"(?:企业|工商户|合作社|经营者|单位|组织|主体)$")
_OTHER_DOC = re.compile(r"《?([\u4e00-\u9fff<>《》]{2,40}?(?:条例|办法|规定|细则|法))》?\s*第[一二三四五六七八九十百零\d]+条")


class Library:
    """All documents of the corpus; resolves bare and DOC:ID references."""

    def __init__(self, corpora: list[Corpus], default_doc: str):
        if not corpora:
            raise CorpusError("the corpus holds no documents")
        self.corpora = corpora
        ids = [c.doc_id for c in corpora]
        if default_doc not in ids:
            log.warning("default document %r is not in the corpus (%s); bare ids now mean %r",
                        default_doc, ", ".join(ids), ids[0])
        self.default_doc = default_doc if default_doc in ids else ids[0]
        by_id = {c.doc_id: c for c in corpora}
        for c in corpora:
            if c.supersedes in by_id:
                by_id[c.supersedes].superseded_by = c.doc_id
        self.names = DocNames(corpora)
        self.records: list[Record] = []
        self._by_uid: dict[str, Record] = {}
        for c in corpora:
            for r in c.records:
                r.ref = r.id if c.doc_id == self.default_doc else f"{c.doc_id}:{r.id}"
                r.doc_title = c.title
                self.records.append(r)
                self._by_uid[r.uid] = r

    @property
    def default(self) -> Corpus:
        return next(c for c in self.corpora if c.doc_id == self.default_doc)

    @property
    def doc_ids(self) -> list[str]:
        return [c.doc_id for c in self.corpora]

    @cached_property
    def text(self) -> str:
        """Everything the documents say, titles included, for "does the
        library use this word at all" tests."""
        body = "\n".join(r.measure_title + "\n" + r.text for r in self.records)
        return body + "\n" + "\n".join(s.title or "" for s in self.sections)

    def doc_text(self, doc_id: str) -> str:
        """What one document says, titles included."""
        cache = self.__dict__.setdefault("_doc_texts", {})
        if doc_id not in cache:
            c = self.doc(doc_id)
            recs = c.records if c else []
            cache[doc_id] = ("\n".join(r.measure_title + "\n" + r.text for r in recs) + "\n"
                             + "\n".join(s.title or "" for s in (c.sections if c else [])))
        return cache[doc_id]

    @cached_property
    def scopes(self) -> dict[str, tuple[str, Record]]:
        """doc id → (the kind of party it applies to, the article saying so),
        for documents with such an article."""
        out: dict[str, tuple[str, Record]] = {}
        for c in self.corpora:
            for r in c.records:
                m = next((m for p in _SCOPE if (m := p.search(r.text))), None)
                if m and _PARTY.search(m.group(1)):
                    out[c.doc_id] = (m.group(1), r)
                    break
        return out

    @cached_property
    def sections(self) -> list[Section]:
        return [s for c in self.corpora for s in c.sections]

    @cached_property
    def known_units(self) -> list[str]:
        """Every responsible and leading unit, as the documents write them."""
        return sorted({u for r in self.records for u in r.units}
                      | {u for s in self.sections for u in s.lead_units})

    @property
    def examples(self) -> list[str]:
        """Example questions to offer: the manifest's, else each document's
        first curated question."""
        listed = [q for c in self.corpora for q in c.examples]
        if listed:
            return listed
        return [qs[0] for c in self.corpora for qs in list(c.questions.values())[:3] if qs]

    @property
    def n_sections(self) -> int:
        return max((s.no or 0 for s in self.sections), default=0)

    def qualify(self, text: str, refs: list[str], terms: list[str] | None = None) -> tuple[list[str], list[str]]:
        """(refs, named document ids): bare refs of a question that names a
        document ("款项支付条例第8条", "722号令第三十七条", "2020年版第八条",
        "article 8 of the SME payment regulation": ``terms``, its translation)
        are that document's; a bare "第13条" alone stays the default's."""
        mentions = self.names.mentions(text, terms)
        docs = list(dict.fromkeys(m.doc_id for m in mentions))
        if not mentions:
            # "哈密市实施…办法第十条": a document the library does not hold is
            # named; its article numbers are not the plan's.
            if refs and (m := _OTHER_DOC.search(text)):
                return [f"《{m.group(1)}》:{r}" if ":" not in r else r for r in refs], docs
            return refs, docs
        return [ref if ":" in ref else f"{mentions[0].doc_id}:{ref}" for ref in refs], docs

    @property
    def in_force(self) -> list[str]:
        return [c.doc_id for c in self.corpora if not c.superseded_by]

    def numbering(self, doc_id: str | None = None) -> str:
        """How a document's records are numbered ("措施编号为2–140，保障措施为S1–S8")."""
        c = self.doc(doc_id or self.default_doc)
        return formats.get(c.format).numbering(c.records) if c else ""

    @property
    def warnings(self) -> list[ParseWarning]:
        return [w for c in self.corpora for w in c.warnings]

    def questions_of(self, r: Record) -> list[str]:
        """The curated example questions of a record (corpus.curated)."""
        c = self.doc(r.doc_id)
        return list(c.questions.get(r.id, ())) if c is not None else []

    @property
    def sha256(self) -> str:
        h = hashlib.sha256()
        for c in self.corpora:
            h.update(f"{c.doc_id}:{c.sha256};".encode())
            if c.questions_sha256:
                h.update(f"q:{c.questions_sha256};".encode())
            if c.declines_sha256:
                h.update(f"n:{c.declines_sha256};".encode())
        return h.hexdigest()

    @property
    def declines(self) -> list[tuple[str, str]]:
        """(doc id, question) for every out-of-scope example question."""
        return [(c.doc_id, q) for c in self.corpora for q in c.declines]

    def doc(self, doc_id: str) -> Corpus | None:
        return next((c for c in self.corpora if c.doc_id == doc_id), None)

    def _split(self, ref: str) -> tuple[str, str]:
        doc, _, rid = ref.strip().rpartition(":")
        doc = doc.strip()
        # "yiwu:5.3" and "5.3" are the same record; doc ids match case-insensitively.
        for c in self.corpora:
            if c.doc_id.lower() == doc.lower():
                return c.doc_id, rid.strip()
        return doc or self.default_doc, rid.strip()

    def get(self, ref: str) -> Record | None:
        """"5.3" (default document), "yiwu:5.3" or "demo:3"."""
        doc, rid = self._split(ref)
        return self._by_uid.get(f"{doc}:{rid}")

    def leaves_of(self, ref: str) -> list[Record]:
        """A record, or all leaves of a measure given as "22" or "demo:22"."""
        rec = self.get(ref)
        if rec is not None:
            return [rec]
        doc, rid = self._split(ref)
        return [r for r in self.records if r.doc_id == doc and r.measure_no is not None
                and str(r.measure_no) == rid]


def parse_file(path: Path, doc_id: str, format: str | None = None) -> Corpus:
    text = read_text(path)
    check_lines(text, path)
    fmt = formats.get(format or formats.detect(Path(path), text))
    corpus = fmt.parse(text, doc_id, path)
    if not corpus.records:
        raise CorpusError(f"{path}: no policy measures found ({fmt.empty_hint})")
    return corpus


def load_library(corpus_dir: Path, default_doc: str = "yiwu") -> Library:
    corpora = []
    for spec in read_manifest(corpus_dir):
        if spec.source and not spec.file.exists():
            raise CorpusError(f"{spec.file}: corpus file not found (listed in {spec.source})")
        c = parse_file(spec.file, spec.id, spec.format)
        if spec.title:
            c.title = spec.title
        c.examples, c.short_names, c.supersedes = spec.examples, spec.short_names, spec.supersedes
        c.effective = spec.effective or c.metadata.get("effective")
        if spec.orders:
            c.metadata["orders"] = sorted({*c.metadata.get("orders", []), *spec.orders})
        if spec.questions is not None:
            if not spec.questions.is_file():
                raise CorpusError(f"{spec.questions}: questions file not found (listed in {spec.source})")
            c.questions, warns, c.questions_sha256 = load_questions(
                spec.questions, c.doc_id, {r.id for r in c.records})
            c.warnings.extend(warns)
        if spec.declines is not None:
            if not spec.declines.is_file():
                raise CorpusError(f"{spec.declines}: declines file not found (listed in {spec.source})")
            c.declines, warns, c.declines_sha256 = load_declines(spec.declines, c.doc_id)
            c.warnings.extend(warns)
        corpora.append(c)
    return Library(corpora, default_doc)
