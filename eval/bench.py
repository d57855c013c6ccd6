"""Latency benchmark: python -m eval.bench [--qa FILE] [--n 200] [--build] [--json]

Reports index build time (with --build, into a temporary index dir), search
latency and extractive answer latency p50/p95 after warm-up, and, in the same
run, costly input beside normal input: questions at the length cap made of
random plan characters, of random Latin letters and of one phrase repeated,
with their p50 as a multiple of the normal questions' p50. A command, not a
test: numbers depend on the machine and what else runs on it.
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


def costly_questions(plan_text: str, limit: int, n: int, seed: int = 7) -> dict[str, list[str]]:
    """Input that costs the most per request: as long as the cap allows and
    unlike anything indexed."""
    import random

    rnd = random.Random(seed)
    han = [c for c in plan_text if "\u4e00" <= c <= "\u9fff"]
    return {
        "random_plan_chars": ["".join(rnd.choice(han) for _ in range(limit)) for _ in range(n)],
        "random_latin": [" ".join("".join(rnd.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rnd.randint(2, 9)))
                                  for _ in range(limit // 5))[:limit] for _ in range(n)],
        "repeated_phrase": [("企业开办需要多长时间" + str(i)) * (limit // 11) for i in range(n)],
    }


def costly(svc, normal_ms: list[float], n: int) -> dict:
    limit = svc.settings.max_question_chars
    kinds = costly_questions(svc.library.doc_text(svc.library.default_doc), limit, n)
    normal = statistics.median(normal_ms)
    out = {"question_chars": limit, "dense_prefix_chars": svc.tuning.fusion.max_query_chars,
           "normal_p50_ms": round(normal, 1)}
    for kind, qs in kinds.items():
        ms = timed(svc.assistant.answer, qs)
        out[kind] = {"n": len(ms), "p50": round(statistics.median(ms), 1), "max": round(max(ms), 1),
                     "x_normal": round(statistics.median(ms) / normal, 1)}
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval.bench", description=__doc__)
    ap.add_argument("--qa", default="eval/sets/qa.jsonl")
    ap.add_argument("--n", type=int, default=200, help="questions to time")
    ap.add_argument("--build", action="store_true", help="also time a fresh index build")
    ap.add_argument("--costly", type=int, default=10, help="costly questions of each kind to time")
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
    report["costly"] = costly(svc, answer_ms, args.costly)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        for k, v in report.items():
            print(f"{k}: {v}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
