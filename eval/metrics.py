"""Answer metrics over evaluated rows (pure functions; ``eval.answers`` runs
the questions). What a reader feels, not only "is the fact somewhere":

- must_include_rate: in-scope answers containing every must_include string;
- lead_hit_rate: in-scope answers whose first two sentences contain a must_include string;
- citation_hit_rate: in-scope answers citing at least one gold id;
- citation_precision: share of the cited ids (pooled over in-scope, non-list answers) that hit a gold id;
- refusal_accuracy: out-of-scope questions refused;
- gap_or_refusal_rate: out-of-scope and half-answered questions ("half") declined or answered
  with the gap stated;
- false_refusal_rate: in-scope questions (not half-answered) refused;
- list_recall / list_precision: of list questions, mean share of the gold leaves listed and of
  the listed leaves in gold;
- meta_rate: questions about the document itself answered (not refused, facts present);
- cross_both_rate: cross-document questions citing a gold clause of every document in gold.

A half-answered question's gold is the clause on the neighbouring thing; it counts as handled
when it is refused or when the answer says what the text does not state.
"""
from __future__ import annotations

import re

from eval.common import is_hit

# How an answer says what the text does not state (Chinese and English frames).
GAP_MARKERS = ("未写明", "未规定", "没有写明", "没有规定", "未提及", "未提到", "没有提到", "未涉及", "没有涉及",
               "does not state", "does not say", "does not cover", "not stated")
_SENTENCE_END = re.compile(r"[。！？!?\n]+")
_MARKUP = re.compile(r"\*\*|__|`|^#+\s*|^>\s*|^[-*]\s+", re.M)

NOT_IN_SCOPE = {"half", "meta"}  # answerable or not, scored by their own metric


def lead(text: str, n: int = 2) -> str:
    """The first ``n`` sentences of an answer, Markdown stripped (a follow-up's
    "（承接上一问…）" header is not a sentence of the answer)."""
    plain = _MARKUP.sub("", text or "")
    plain = re.sub(r"^（承接上一问[^）]*）", "", plain.strip())
    sentences = [s.strip() for s in _SENTENCE_END.split(plain) if len(s.strip(" ：:，,")) >= 2]
    return "。".join(sentences[:n])


def states_gap(text: str) -> bool:
    """The answer opens by saying what the text does not state (a
    "完成时限：原文未写明" line further down is no such statement)."""
    opening = lead(text)
    return any(m in opening for m in GAP_MARKERS)


def _rate(num: float, den: int) -> float:
    return round(num / den, 4) if den else 0.0


def score(rows: list[dict]) -> dict:
    """rows: {"type", "gold", "must_include", "refused", "citations", "text"} per question."""
    inscope = [r for r in rows if r["gold"] and r["type"] not in NOT_IN_SCOPE]
    oos = [r for r in rows if not r["gold"] and r["type"] != "meta"]
    half = [r for r in rows if r["type"] == "half"]
    meta = [r for r in rows if r["type"] == "meta"]
    lists = [r for r in inscope if r["type"] == "list"]
    for r in rows:
        r["cited_gold"] = any(is_hit(c, g) for c in r["citations"] for g in r["gold"])
        r["missing"] = [s for s in r["must_include"] if s not in r["text"]]
        r["lead_hit"] = any(s in lead(r["text"]) for s in r["must_include"])
        r["gap"] = states_gap(r["text"])
    mi = [r for r in inscope if r["must_include"]]
    precise = [r for r in inscope if r["type"] != "list" and not r["refused"]]
    cited = [(c, r) for r in precise for c in r["citations"]]
    out = {
        "n": len(rows),
        "must_include_rate": _rate(sum(not r["missing"] for r in mi), len(mi)),
        "lead_hit_rate": _rate(sum(r["lead_hit"] for r in mi), len(mi)),
        "citation_hit_rate": _rate(sum(r["cited_gold"] for r in inscope), len(inscope)),
        "citation_precision": _rate(sum(any(is_hit(c, g) for g in r["gold"]) for c, r in cited), len(cited)),
        "refusal_accuracy": _rate(sum(r["refused"] for r in oos), len(oos)),
        "false_refusal_rate": _rate(sum(r["refused"] for r in inscope), len(inscope)),
    }
    if half:
        handled = sum(r["refused"] for r in oos) + sum(r["refused"] or r["gap"] for r in half)
        out["gap_or_refusal_rate"] = _rate(handled, len(oos) + len(half))
    if lists:
        recalls, precisions = [], []
        for r in lists:
            gold, got = set(r["gold"]), set(r["citations"])
            recalls.append(len(gold & got) / len(gold))
            precisions.append(len(gold & got) / len(got) if got else 0.0)
        out["list_recall"] = _rate(sum(recalls), len(lists))
        out["list_precision"] = _rate(sum(precisions), len(lists))
    if meta:
        out["meta_rate"] = _rate(sum(not r["refused"] and not r["missing"] for r in meta), len(meta))
    cross = [r for r in inscope if r["type"] == "cross_document"]
    if cross:
        out["cross_both_rate"] = _rate(sum(cites_every_document(r) for r in cross), len(cross))
    return out


def _doc(ref: str) -> str:
    return ref.rpartition(":")[0]


def cites_every_document(r: dict) -> bool:
    """A cross-document answer cites a gold clause of each document in gold."""
    return all(any(is_hit(c, g) for c in r["citations"] for g in r["gold"] if _doc(g) == d)
               for d in {_doc(g) for g in r["gold"]})


def by_type(rows: list[dict]) -> dict:
    """The same metrics per question type (those that apply to it)."""
    types = sorted({r["type"] for r in rows})
    return {t: score([r for r in rows if r["type"] == t]) for t in types}
