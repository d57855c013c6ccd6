"""Shared pieces of the evaluation commands."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SETS = ROOT / "eval" / "sets"


@dataclass
class QA:
    id: str
    question: str
    gold: list[str]
    must_include: list[str] = field(default_factory=list)
    type: str = "other"


def load_qa(path: Path | str) -> list[QA]:
    out = []
    for n, line in enumerate(Path(path).read_text("utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            d = json.loads(line)
        except json.JSONDecodeError as e:
            raise SystemExit(f"{path}:{n}: invalid JSON ({e.msg})")
        out.append(QA(str(d["id"]), d["question"], [str(g) for g in d.get("gold", [])],
                      list(d.get("must_include", [])), d.get("type", "other")))
    return out


def is_hit(retrieved: str, gold: str) -> bool:
    """retrieved equals gold, or is a sub-measure of it ("5.3" for gold "5";
    "demo:3.1" for gold "demo:3")."""
    if retrieved == gold:
        return True
    r_doc, _, r_id = retrieved.rpartition(":")
    g_doc, _, g_id = gold.rpartition(":")
    return r_doc == g_doc and r_id.startswith(g_id + ".")


def first_hit_rank(retrieved: list[str], gold: list[str]) -> int | None:
    for rank, rid in enumerate(retrieved, start=1):
        if any(is_hit(rid, g) for g in gold):
            return rank
    return None


def retrieval_metrics(ranks: list[int | None], ks=(1, 3, 5)) -> dict:
    n = len(ranks)
    out = {"n": n}
    for k in ks:
        out[f"recall@{k}"] = round(sum(1 for r in ranks if r and r <= k) / n, 4) if n else 0.0
    out["mrr"] = round(sum(1.0 / r for r in ranks if r) / n, 4) if n else 0.0
    return out


def percentile(xs: list[float], p: float) -> float:
    """Linear-interpolated percentile (NaN for no data)."""
    if not xs:
        return float("nan")
    xs = sorted(xs)
    k = (len(xs) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def services(**kw):
    """The assistant, built the way the app builds it (``app.bootstrap``)."""
    from chatbot.app.bootstrap import bootstrap

    return bootstrap(**kw)
