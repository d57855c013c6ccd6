"""Latency benchmark: python -m eval.bench [--qa FILE] [--n 200] [--build] [--json]

Reports index build time (with --build, into a temporary index dir), search
latency and extractive answer latency p50/p95 after warm-up. A command, not
a test: numbers depend on the machine and what else runs on it.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time


def timed(fn, items) -> list[float]:
    out = []
    for x in items:
        t0 = time.perf_counter()
        fn(x)
        out.append((time.perf_counter() - t0) * 1000)
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval.bench", description=__doc__)
    ap.add_argument("--qa", default="eval/sets/qa.jsonl")
    ap.add_argument("--n", type=int, default=200, help="questions to time")
    ap.add_argument("--build", action="store_true", help="also time a fresh index build")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)

    report: dict = {"cpus": os.cpu_count()}
    if args.build:
        tmp = tempfile.mkdtemp(prefix="yiwu-bench-")
        os.environ["YIWU_INDEX_DIR"] = tmp
    from eval.common import load_qa, percentile, services

    t0 = time.perf_counter()
    svc = services()
    report["engine_start_s"] = round(time.perf_counter() - t0, 2)
    if args.build:
        report["index_build_s"] = round(svc.vectors.last_build_seconds or 0.0, 2)
        report["index_rows"] = svc.vectors.collection.count()
    questions = [q.question for q in load_qa(args.qa)]
    questions = (questions * (args.n // max(1, len(questions)) + 1))[: args.n]

    warm = questions[:10]
    search = svc.retriever.search
    timed(lambda q: search(q, k=5), warm)
    search_ms = timed(lambda q: search(q, k=5), questions)
    report["search_ms"] = {"n": len(search_ms), "p50": round(statistics.median(search_ms), 1),
                           "p95": round(percentile(search_ms, 95), 1),
                           "mean": round(statistics.fmean(search_ms), 1)}
    answer = svc.assistant.answer
    timed(answer, warm)
    answer_ms = timed(answer, questions)
    report["answer_ms"] = {"n": len(answer_ms), "p50": round(statistics.median(answer_ms), 1),
                           "p95": round(percentile(answer_ms, 95), 1),
                           "mean": round(statistics.fmean(answer_ms), 1)}
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        for k, v in report.items():
            print(f"{k}: {v}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
