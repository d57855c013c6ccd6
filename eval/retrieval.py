"""Retrieval evaluation: python -m eval.retrieval --qa FILE [--k 5] [--retriever hybrid|dense|bm25] [--json]"""
from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict

from eval.common import first_hit_rank, load_qa, retrieval_metrics, services


def evaluate(retriever, qa, k: int = 5, mode: str = "hybrid") -> dict:
    ranks_all, by_type, failures = [], defaultdict(list), []
    for item in qa:
        if not item.gold:
            continue
        hits = retriever.search(item.question, k=max(k, 5), mode=mode)
        got = [h.record.ref for h in hits][:max(k, 5)]
        rank = first_hit_rank(got, item.gold)
        ranks_all.append(rank)
        by_type[item.type].append(rank)
        if not rank or rank > 1:
            failures.append({"id": item.id, "type": item.type, "question": item.question,
                             "gold": item.gold, "rank": rank, "retrieved": got[:k]})
    out = retrieval_metrics(ranks_all)
    out["k"] = k
    out["retriever"] = mode
    out["by_type"] = {}
    for t, ranks in sorted(by_type.items()):
        m = retrieval_metrics(ranks)
        out["by_type"][t] = {key: m[key] for key in ("n", "recall@1", "recall@3", "recall@5", "mrr")}
    out["failures"] = failures
    return out


def print_table(res: dict) -> None:
    print(f"retriever={res['retriever']}  n={res['n']}  recall@1={res['recall@1']:.3f}  "
          f"recall@3={res['recall@3']:.3f}  recall@5={res['recall@5']:.3f}  MRR={res['mrr']:.3f}")
    print(f"{'type':<14}{'n':>5}{'R@1':>8}{'R@3':>8}{'R@5':>8}{'MRR':>8}")
    for t, m in res["by_type"].items():
        print(f"{t:<14}{m['n']:>5}{m['recall@1']:>8.3f}{m['recall@3']:>8.3f}{m['recall@5']:>8.3f}{m['mrr']:>8.3f}")
    misses = [f for f in res["failures"] if not f["rank"] or f["rank"] > 5]
    low = [f for f in res["failures"] if f["rank"] and 1 < f["rank"] <= 5]
    print(f"\nmissed in top 5 ({len(misses)}):")
    for f in misses:
        print(f"  {f['id']} [{f['type']}] {f['question']}  gold={f['gold']}  got={f['retrieved']}")
    print(f"\nfound at rank 2–5 ({len(low)}):")
    for f in low:
        print(f"  {f['id']} [{f['type']}] rank {f['rank']}: {f['question']}  gold={f['gold']}  got={f['retrieved'][:f['rank']]}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval.retrieval", description=__doc__)
    ap.add_argument("--qa", required=True)
    ap.add_argument("--k", type=int, default=5)
    ap.add_argument("--retriever", choices=["hybrid", "dense", "bm25", "all"], default="hybrid")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    qa = load_qa(args.qa)
    retriever = services().retriever
    modes = ["hybrid", "dense", "bm25"] if args.retriever == "all" else [args.retriever]
    results = [evaluate(retriever, qa, args.k, m) for m in modes]
    if args.json:
        payload = [{k: v for k, v in r.items() if k != "failures"} for r in results]
        print(json.dumps(payload[0] if len(payload) == 1 else payload, ensure_ascii=False, indent=2))
    else:
        for r in results:
            print_table(r)
            print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
