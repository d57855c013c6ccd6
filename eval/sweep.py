"""Measure tuning variants side by side on several sets, in one process:

    python -m eval.sweep --vary fusion.max_query_chars=128,256,512 --qa eval/sets/qa_dev.jsonl ...
    python -m eval.sweep --vary extractive.second_ratio=0.9,0.95 --all --json

For each value the assistant is built again by ``app.bootstrap`` with that
number changed (the index is shared: only query-side numbers can be swept)
and every set is scored for retrieval (hybrid R@1, R@5) and answers
(must_include, lead, citation hit and precision, refusal, false refusal).
Prints one row per set and value. A command, not a test.
"""
from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

from eval import report
from eval.common import SETS

COLUMNS = ("recall@1", "recall@5", "must_include_rate", "lead_hit_rate", "citation_hit_rate", "citation_precision",
           "refusal_accuracy", "false_refusal_rate")


def with_value(tuning, path: str, value: str):
    part, _, name = path.partition(".")
    sub = getattr(tuning, part)
    old = getattr(sub, name)
    typed = type(old)(value) if not isinstance(old, bool) else value.lower() in ("1", "true", "yes")
    return replace(tuning, **{part: replace(sub, **{name: typed})})


def measure(svc, sets: list[Path]) -> dict:
    """Per set: R@1, R@5 and the answer metrics, flat (one run of eval.report)."""
    return {name: {"recall@1": r["retrieval"]["recall@1"], "recall@5": r["retrieval"]["recall@5"]} | r["answers"]
            for name, r in report.run(svc, sets).items()}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval.sweep", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--vary", required=True, help="PART.NAME=V1,V2,… (PART: fusion or extractive)")
    ap.add_argument("--qa", action="append", default=[], help="a set (repeatable)")
    ap.add_argument("--all", action="store_true", help="every set in eval/sets")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    sets = sorted(SETS.glob("*.jsonl")) if args.all else [Path(p) for p in args.qa]
    if not sets:
        ap.error("give --qa FILE or --all")
    path, _, values = args.vary.partition("=")
    from chatbot.app.bootstrap import bootstrap, load_tuning
    from chatbot.app.settings import Settings

    settings = Settings()
    base = load_tuning(settings)
    results = {}
    for v in values.split(","):
        svc = bootstrap(settings, tuning=with_value(base, path, v))
        results[v] = measure(svc, sets)
        print(f"[sweep] {path}={v} done", file=sys.stderr, flush=True)
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=2))
        return 0
    print("| set | " + path + " | " + " | ".join(COLUMNS) + " |")
    print("|---" * (len(COLUMNS) + 2) + "|")
    for name in (p.stem for p in sets):
        for v, res in results.items():
            row = res[name]
            print(f"| {name} | {v} | " + " | ".join(f"{row.get(c, float('nan')):.3f}" for c in COLUMNS) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
