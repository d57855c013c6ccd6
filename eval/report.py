"""The README's measured tables, from one run over every set:

    python -m eval.report [--json FILE] > /tmp/tables.md

One assistant built by ``app.bootstrap`` from the settings (so the corpus and
index are whatever YIWU_CORPUS_DIR / YIWU_INDEX_DIR say); for each set in
eval/sets: hybrid retrieval (R@1, R@5, MRR) and the extractive answers
(must_include, lead, citation hit and precision, refusal, false refusal, gap
or refusal on half-answered questions); then the answer metrics per question
type, pooled over the held-out sets (those nothing was tuned on, as
eval/sets/README.md records). A command, not a test.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from eval import answers, metrics, retrieval
from eval.common import SETS, load_qa

# Sets no rule, weight or glossary entry was written from (eval/sets/README.md).
HELD_OUT = ("qa_fresh4", "qa_fresh5", "qa_fresh8", "qa_answers2", "qa_library_holdout")

ANSWER_COLS = [("must_include_rate", "must_include"), ("lead_hit_rate", "lead"), ("citation_hit_rate", "citation hit"),
               ("citation_precision", "precision"), ("refusal_accuracy", "refusal"),
               ("false_refusal_rate", "false refusals"), ("gap_or_refusal_rate", "gap or refusal")]


def fmt(x) -> str:
    return "–" if x is None or x != x else f"{x:.3f}"


def run(svc, sets: list[Path]) -> dict:
    out = {}
    for path in sets:
        qa = load_qa(path)
        r = retrieval.evaluate(svc.retriever, qa)
        a = answers.evaluate(qa, svc.assistant.answer)
        d = a.pop("_details")
        out[path.stem] = {"n": len(qa), "retrieval": {k: r[k] for k in ("n", "recall@1", "recall@5", "mrr")},
                          "answers": a, "rows": d["rows"], "latency_ms_p50": d["latency_ms_p50"]}
        print(f"[report] {path.stem}: R@1 {r['recall@1']:.3f}", file=sys.stderr, flush=True)
    return out


def tables(res: dict) -> str:
    lines = ["| set | n | R@1 | R@5 | MRR | " + " | ".join(h for _, h in ANSWER_COLS) + " |",
             "|---" * (5 + len(ANSWER_COLS)) + "|"]
    for name, r in res.items():
        rt, a = r["retrieval"], r["answers"]
        mark = f"**{name}**" if name in HELD_OUT else name
        lines.append(f"| {mark} | {r['n']} | {fmt(rt['recall@1'])} | {fmt(rt['recall@5'])} | {fmt(rt['mrr'])} | "
                     + " | ".join(fmt(a.get(k)) for k, _ in ANSWER_COLS) + " |")
    pooled = [row for name, r in res.items() if name in HELD_OUT for row in r["rows"]]
    lines += ["", f"Per question type, pooled over the held-out sets ({', '.join(HELD_OUT)}):", "",
              "| type | n | " + " | ".join(h for _, h in ANSWER_COLS) + " |",
              "|---" * (2 + len(ANSWER_COLS)) + "|"]
    for t, rows in sorted(_by_type(pooled).items()):
        m = metrics.score(rows)
        applies = _applies(rows)
        extra = "; ".join(f"{k} {m[k]:.3f}" for k in ("list_recall", "list_precision", "meta_rate", "cross_both_rate")
                          if k in m)
        lines.append(f"| {t} | {len(rows)} | " + " | ".join(fmt(m.get(k)) if applies[k] else "–" for k, _ in ANSWER_COLS)
                     + (f" ({extra})" if extra else "") + " |")
    return "\n".join(lines)


def _applies(rows: list[dict]) -> dict[str, bool]:
    """Which metrics have any question to count in ROWS (eval.metrics scores
    an empty denominator as 0, which a per-type table must not show)."""
    inscope = [r for r in rows if r["gold"] and r["type"] not in metrics.NOT_IN_SCOPE]
    oos = [r for r in rows if not r["gold"] and r["type"] != "meta"]
    mi = any(r["must_include"] for r in inscope)
    precise = any(r["type"] != "list" and not r["refused"] for r in inscope)
    return {"must_include_rate": mi, "lead_hit_rate": mi, "citation_hit_rate": bool(inscope),
            "citation_precision": precise, "refusal_accuracy": bool(oos), "false_refusal_rate": bool(inscope),
            "gap_or_refusal_rate": any(r["type"] == "half" for r in rows)}


def _by_type(rows: list[dict]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for r in rows:
        out.setdefault(r["type"], []).append(r)
    return out


def from_json(path: Path) -> str:
    """The tables again from a --json file, without answering anything."""
    return tables(json.loads(Path(path).read_text("utf-8")))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval.report", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--qa", action="append", default=[], help="a set (default: every set in eval/sets)")
    ap.add_argument("--json", type=Path, help="also write every metric and answer here")
    ap.add_argument("--from-json", type=Path, help="print the tables of an earlier --json run")
    args = ap.parse_args(argv)
    if args.from_json:
        print(from_json(args.from_json))
        return 0
    from eval.common import services

    sets = [Path(p) for p in args.qa] or sorted(SETS.glob("*.jsonl"))
    res = run(services(), sets)
    if args.json:
        args.json.write_text(json.dumps(res, ensure_ascii=False, indent=1), "utf-8")
    print(tables(res))
    return 0


if __name__ == "__main__":
    sys.exit(main())
