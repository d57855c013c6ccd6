"""Every fusion step in one place, each weight from ``domain.tuning``:

1. rows → a record's dense score (clause, best sentence, best curated question);
2. the question as asked and reworded in the plan's terms, averaged row by row;
3. dense and BM25 fused linearly, BM25 weighted by how much of the question its
   vocabulary can see (an English question: none; a keyword search: most).
"""
from __future__ import annotations

import numpy as np

from ..domain.tuning import FusionTuning
from .rows import DECLINE_MARK, QUESTION_MARK, record_of

Rows = list[tuple[str, float]]  # (row id, cosine), best first


def record_scores(row_sims: Rows, tuning: FusionTuning) -> list[tuple[str, float]]:
    """Per-record dense scores from row similarities, best first:
    text = (1 - sentence_weight) * clause + sentence_weight * best sentence,
    then (1 - question_weight) * text + question_weight * best curated question.
    A record whose sentence or question rows did not come back scores without them."""
    weight, q_weight = tuning.sentence_weight, tuning.question_weight
    clause: dict[str, float] = {}
    best: dict[str, float] = {}
    best_q: dict[str, float] = {}
    for row_id, sim in row_sims:
        if DECLINE_MARK in row_id:
            continue
        uid = record_of(row_id)
        if row_id == uid:
            clause[uid] = sim
        elif QUESTION_MARK in row_id:
            if sim > best_q.get(uid, float("-inf")):
                best_q[uid] = sim
        elif sim > best.get(uid, float("-inf")):
            best[uid] = sim
    text = {uid: c if uid not in best else (1 - weight) * c + weight * best[uid] for uid, c in clause.items()}
    asked = {uid: (1 - q_weight) * text[uid] + q_weight * best_q[uid] for uid in text if uid in best_q}
    lift = unasked_lift(text, asked, tuning)
    out = [(uid, asked[uid] if uid in asked else t + lift) for uid, t in text.items()]
    out.sort(key=lambda x: -x[1])
    return out


def unasked_lift(text: dict[str, float], asked: dict[str, float], tuning: FusionTuning) -> float:
    """What a record without curated questions (a document nobody wrote any
    for) gets added to its text score. A question's cosine to a curated
    question runs higher than to a clause, so the records that have them would
    outrank the others on scale alone: the lift is a share of what curated
    questions gave this question's best-scoring records, measured per
    question rather than fixed, since it varies with the question's wording
    and language."""
    top = sorted(asked, key=asked.__getitem__, reverse=True)[:tuning.unasked_lift_top]
    if not top:
        return 0.0
    return tuning.unasked_lift_share * sum(asked[u] - text[u] for u in top) / len(top)


def mix_reworded(asked: Rows, reworded: Rows, tuning: FusionTuning) -> Rows:
    """Row cosines of the question as asked and reworded in the plan's terms,
    averaged: the reworded one matches the plan's wording, the original keeps
    what the glossary does not know."""
    w = tuning.reworded_weight
    other = dict(reworded)
    mixed = [(rid, (1 - w) * sim + w * other.get(rid, sim)) for rid, sim in asked]
    return sorted(mixed, key=lambda x: -x[1])


def fuse(dense: np.ndarray, bm25: np.ndarray, coverage: float, allowed: np.ndarray, mode: str,
         tuning: FusionTuning) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(fused score, dense score with NaN as 0, normalised BM25) per record."""
    n = len(dense)
    dense = np.nan_to_num(dense, nan=0.0)
    d_norm = _minmax(dense, allowed)
    b_max = bm25[allowed].max() if allowed.any() else 0.0
    b_norm = bm25 / b_max if b_max > 0 else np.zeros(n)
    if mode == "dense":
        score = dense.copy()
    elif mode == "bm25":
        score = b_norm
    else:
        w_b = tuning.bm25_share * coverage
        score = (1 - w_b) * d_norm + w_b * b_norm
    return score, dense, b_norm


def _minmax(x: np.ndarray, mask: np.ndarray) -> np.ndarray:
    if not mask.any():
        return np.zeros_like(x)
    lo, hi = x[mask].min(), x[mask].max()
    if hi - lo < 1e-9:
        return np.zeros_like(x)
    return (x - lo) / (hi - lo)
