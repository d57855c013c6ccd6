"""Is anything in the documents relevant enough to answer? (the refusal decision)

Dense cosine from the small e5 model is nearly flat (0.85–0.90 for both
answerable and unrelated Chinese questions), so the decision leans on
lexical evidence too. A logistic model (``domain.tuning.RefusalModel``, its
coefficients a data file written by ``eval.answers --calibrate --write``)
over these signals:

  known  share of the question's content characters the corpus knows at all
  g1     share of the question's content bigrams found in the top clause
  cov    share of the question's BM25 tokens in the corpus vocabulary
  dz     top dense score as a z-score over all clauses (a peaked vs flat profile)
  sent   cosine of the best-matching single sentence (dense index rows)
  gap    1 when the question asks for a figure the top clauses lack (figures.py)
  faq    cosine of the best-matching curated example question
  kq     share of the question's content words used by the top clauses' curated questions
  nm     faq minus the cosine of the closest out-of-scope example

English questions have no lexical signal and are judged by the dense margin.
Everything comes from the ``Retrieval``: nothing here queries the index again.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from ..corpus.library import Library
from ..domain.records import Hit
from ..domain.tuning import RefusalModel
from ..search.retriever import Retrieval
from ..search.rows import DECLINE_MARK, QUESTION_MARK, ROW_MARK
from ..text.glossary import Glossary
from ..text.lexicon import FORM_CHARS
from .figures import amount_gap, best_text, missing_figure, top_text

_HAN = re.compile(r"[\u4e00-\u9fff]")


def _where(retrieval: Retrieval) -> str:
    """Where a figure asked for would have to be: the top clauses, and those of
    the part asking it ("逾期利息怎么算，多少天内该付")."""
    return " ".join([top_text(retrieval.hits)] + [top_text(p) for p in retrieval.parts])


@dataclass
class Relevance:
    english: bool
    content: list[str]
    features: dict
    p_out: float  # estimated probability that the documents do not cover the question
    dense: float
    # The kind of figure the question asks for that the best clauses lack
    # ("金额", "比例", "天数或日期"): the plan covers the topic, not the answer.
    missing: str | None = None

    @property
    def score(self) -> float:
        return 1.0 - self.p_out

    def as_dict(self) -> dict:
        return {"english": self.english, "content": self.content,
                "features": {k: round(v, 4) if isinstance(v, float) else v for k, v in self.features.items()},
                "p_out": round(self.p_out, 4), "dense": round(self.dense, 4), "missing": self.missing}


def _bigrams(text: str) -> list[str]:
    han = _HAN.findall(text)
    return [a + b for a, b in zip(han, han[1:]) if a not in FORM_CHARS and b not in FORM_CHARS]


class RefusalCheck:
    """The refusal model over one library; ``embedder`` names the vectors'
    model (the cosines mean something only on the scale they were fitted on)."""

    def __init__(self, library: Library, model: RefusalModel, embedder: str | None,
                 glossary: Glossary | None = None):
        self.library = library
        self.glossary = glossary or Glossary.empty()
        self.model = model
        self.calibrated = embedder is not None and embedder == model.embedder

    def dense_signals(self, retrieval: Retrieval) -> tuple[float, float, float, float | None]:
        """(dz, sent, faq, nm) from the retrieval's dense pass; neutral values
        without one or under an embedder the model was not fitted on. ``nm``
        is None without out-of-scope examples."""
        neutral = self.model.neutral
        rows = retrieval.rows
        d = np.asarray(retrieval.dense if retrieval.dense is not None else [], dtype=float)
        d = d[~np.isnan(d)]
        dz = float((d.max() - d.mean()) / d.std()) if d.size >= 3 and d.std() >= 1e-9 else neutral["dz"]
        sent = max((sim for row, sim in rows if ROW_MARK in row), default=None)
        faq = max((sim for row, sim in rows if QUESTION_MARK in row), default=None)
        neg = max((sim for row, sim in rows if DECLINE_MARK in row), default=None)
        if not self.calibrated:
            sent = faq = neg = None
        nm = None if faq is None or neg is None else float(faq) - float(neg)
        return (dz, neutral["sent"] if sent is None else float(sent),
                neutral["faq"] if faq is None else float(faq), nm)

    def asked_before(self, words: list[str], hits: list[Hit]) -> float:
        """Share of the question's content words (by characters) that the curated
        questions of the top three clauses use: everyday wording ("窗口", "跑腿")
        that the plan never uses but a citizen's question about that clause does."""
        asked = " ".join(q for h in hits[:3] for q in self.library.questions_of(h.record))
        total = sum(len(w) for w in words)
        if not asked or not total:
            return self.model.neutral["kq"]
        return sum(len(w) for w in words if w in asked) / total

    def features(self, retrieval: Retrieval) -> tuple[list[str], dict]:
        query, hits = retrieval.query, retrieval.hits
        # Known to the documents that answer (the top clauses'), not to the
        # whole library: a regulation's words do not make a plan question known.
        docs = list(dict.fromkeys(h.record.doc_id for h in hits[:3])) or [self.library.default_doc]
        corpus = "\n".join(self.library.doc_text(d) for d in docs)
        words = query.content

        def in_plan(t: str) -> bool:
            return t in corpus

        # An everyday word the plan says differently (刻章 → 印章) counts as its plan term.
        known_words = [w for w in words if in_plan(w) or self.glossary.plan_term(w, in_plan)]
        text = self.glossary.plan_wording(query.text, words, in_plan)
        top1 = ""
        if hits:
            r = hits[0].record
            top1 = f"{r.section.title or ''} {r.measure_title} {r.text}"
        grams = _bigrams(text)
        g1 = sum(g in top1 for g in grams) / len(grams) if grams else 0.0
        total = sum(len(w) for w in words)
        known = sum(len(w) for w in known_words) / total if total else 0.0
        dz, sent, faq, nm = self.dense_signals(retrieval)
        if hits and not self.library.questions_of(hits[0].record):
            # The curated-question signals measure likeness to questions written
            # for another document: for one that has none they say nothing.
            faq, nm = self.model.neutral["faq"], None
        return words, {"known": known, "g1": g1, "cov": float(query.coverage), "dz": dz, "sent": sent,
                       "gap": amount_gap(query.text, _where(retrieval), best_text(hits)), "faq": faq,
                       "kq": self.asked_before(words, hits),
                       "nm": self.model.neutral["nm"] if nm is None else nm}

    def assess(self, retrieval: Retrieval) -> Relevance:
        query, hits = retrieval.query, retrieval.hits
        text = query.text
        dense = max((h.dense or 0.0 for h in hits if h.dense is not None), default=0.0)
        missing = missing_figure(text, _where(retrieval), best_text(hits))
        if query.english:
            # With out-of-scope examples the margin decides: closer to a curated
            # question (each clause has English ones) than to any decline
            # example. Without them the glossary is the lexical signal: a
            # question none of whose words name a policy topic is out of scope.
            terms = self.glossary.expand(text)
            _, _, faq, nm = self.dense_signals(retrieval)
            m = self.model
            if nm is not None:
                inside = dense >= m.english_dense_min and nm >= m.english_margin
            else:
                inside = dense >= m.english_dense_min and bool(terms)
            return Relevance(True, terms, {"dense": dense, "terms": len(terms), "faq": faq, "nm": nm},
                             0.0 if inside else 1.0, dense, missing)
        words, feats = self.features(retrieval)
        if not words and not hits:
            return Relevance(False, [], feats, 1.0, dense)
        return Relevance(False, words, feats, self.model.p_out(feats), dense, missing)

    def is_relevant(self, rel: Relevance) -> bool:
        # A figure the documents do not give is declined even when the topic
        # matches well ("人才引进生活补助具体给多少钱"): quoting the clause would
        # not answer it.
        return rel.p_out < self.model.threshold and not rel.missing

    def covers_topic(self, rel: Relevance, share: float = 1.0) -> bool:
        """The topic is covered though the figure is missing: the model, told
        the figure is there after all, would answer (``share``: well below the
        threshold, for answering the rest). English questions carry
        too little evidence to claim that."""
        if not rel.missing or rel.english:
            return False
        return self.model.p_out(rel.features | {"gap": 0.0}) < share * self.model.threshold
