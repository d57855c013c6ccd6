"""Answer evaluation: python -m eval.answers --qa FILE [--json] [--by-type] [--calibrate] [--bench]

Metrics: see ``eval/metrics.py`` (must_include, lead_hit, citation hit and
precision, refusal accuracy, gap-or-refusal for half-answered questions,
false refusals, list recall/precision, questions about the document itself).
``--json`` prints the metrics and every question's answer
(``"questions": [{"id", "answer", "citations", "refused"}]``).

--calibrate prints the refusal model's fit (5-fold cross-validated) and the
trade-off table: threshold vs refusal accuracy vs false-refusal rate;
--write then stores the refit (coefficients, the neutral values, the sets it
was fitted on) in the model file the app reads (chatbot/data/refusal_model.json),
keeping its threshold unless --threshold is given.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time

from eval import metrics
from eval.common import is_hit, load_qa, services


def evaluate(qa, answer_fn) -> dict:
    rows = []
    times = []
    for item in qa:
        t0 = time.perf_counter()
        a = answer_fn(item.question)
        times.append(time.perf_counter() - t0)
        rows.append({"id": item.id, "type": item.type, "question": item.question, "gold": item.gold,
                     "must_include": item.must_include, "refused": a.refused, "citations": a.citations,
                     "answerer": a.answerer, "text": a.text})
    out = metrics.score(rows)
    details = {
        "n_in_scope": sum(1 for r in rows if r["gold"] and r["type"] not in metrics.NOT_IN_SCOPE),
        "n_must_include": sum(1 for r in rows if r["gold"] and r["must_include"]),
        "n_out_of_scope": sum(1 for r in rows if not r["gold"] and r["type"] != "meta"),
        "latency_ms_p50": round(statistics.median(times) * 1000, 1) if times else 0.0,
        "by_type": metrics.by_type(rows),
        "rows": rows,
    }
    return out | {"_details": details}


METRICS = ("must_include_rate", "lead_hit_rate", "citation_hit_rate", "citation_precision", "refusal_accuracy",
           "gap_or_refusal_rate", "false_refusal_rate", "list_recall", "list_precision", "meta_rate",
           "cross_both_rate")


def print_report(res: dict, types: bool = False) -> None:
    from collections import Counter

    d = res["_details"]
    print(f"n={res['n']}  (in scope {d['n_in_scope']}, with must_include {d['n_must_include']}, "
          f"out of scope {d['n_out_of_scope']})")
    for k in METRICS:
        if k in res:
            print(f"{k:<20}{res[k]:.3f}")
    print(f"latency p50         {d['latency_ms_p50']:.0f} ms (includes the first, cold call)")
    print("answerers           " + ", ".join(f"{k}={v}" for k, v in Counter(r["answerer"] for r in d["rows"]).most_common()))
    if types:
        print(f"\n{'type':<15}{'n':>4}  " + "  ".join(f"{k[:12]:>12}" for k in METRICS))
        for t, m in d["by_type"].items():
            print(f"{t:<15}{m['n']:>4}  " + "  ".join(f"{m[k]:>12.3f}" if k in m else f"{'':>12}" for k in METRICS))
    rows = d["rows"]
    inscope = lambda r: r["gold"] and r["type"] not in metrics.NOT_IN_SCOPE  # noqa: E731
    sections = [
        ("false refusals", lambda r: inscope(r) and r["refused"], lambda r: f"gold={r['gold']}"),
        ("no gold citation", lambda r: inscope(r) and not r["refused"] and not r["cited_gold"],
         lambda r: f"gold={r['gold']}  cited={r['citations'][:6]} ({r['answerer']})"),
        ("missing must_include", lambda r: inscope(r) and not r["refused"] and r["missing"],
         lambda r: f"missing={r['missing']}  cited={r['citations'][:4]}"),
        ("fact not in the first two sentences", lambda r: inscope(r) and not r["refused"] and r["must_include"]
         and not r["missing"] and not r["lead_hit"], lambda r: f"lead={metrics.lead(r['text'])[:60]!r}"),
        ("cited a clause outside gold", lambda r: inscope(r) and r["type"] != "list" and not r["refused"]
         and any(not any(is_hit(c, g) for g in r["gold"]) for c in r["citations"]),
         lambda r: f"gold={r['gold']}  cited={r['citations'][:6]}"),
        ("half-answered without the gap", lambda r: r["type"] == "half" and not r["refused"] and not r["gap"],
         lambda r: f"gold={r['gold']}  cited={r['citations'][:4]}"),
        ("out of scope answered", lambda r: not r["gold"] and r["type"] != "meta" and not r["refused"],
         lambda r: f"cited={r['citations'][:4]}"),
        ("document questions not answered", lambda r: r["type"] == "meta" and (r["refused"] or r["missing"]),
         lambda r: f"missing={r['missing']}"),
        ("incomplete lists", lambda r: r["type"] == "list" and set(r["gold"]) != set(r["citations"]),
         lambda r: f"missing={sorted(set(r['gold']) - set(r['citations']))[:8]}  "
                   f"extra={sorted(set(r['citations']) - set(r['gold']))[:8]}"),
    ]
    for title, keep, detail in sections:
        picked = [r for r in rows if keep(r)]
        if picked:
            print(f"\n{title} ({len(picked)}):")
            for r in picked:
                print(f"  {r['id']} [{r['type']}] {r['question']}  {detail(r)}")


def calibrate(svc, qa, thresholds=(0.3, 0.4, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.9)) -> dict:
    """Features of every question that reaches the refusal check; the current
    model's trade-off table, and a 5-fold cross-validated refit."""
    import numpy as np

    refusal, retriever = svc.assistant.refusal, svc.retriever
    features = refusal.model.features
    X, y, p_now, english, forced = [], [], [], [], []
    for item in qa:
        query = retriever.analyse(item.question)
        if query.refs:
            continue  # exact references never reach the refusal check
        rel = refusal.assess(retriever.retrieve(query, k=5))
        if rel.english:
            english.append((item, rel))
            continue
        X.append([rel.features[k] for k in features])
        y.append(not item.gold)
        p_now.append(rel.p_out)
        forced.append(bool(rel.missing))  # declined whatever P says (RefusalCheck.is_relevant)
    X, y, p_now, forced = np.array(X), np.array(y), np.array(p_now), np.array(forced, dtype=bool)

    def table(p):
        refused = (p[:, None] >= np.array(thresholds)[None, :]) | forced[:, None]
        return [{"threshold": t, "refusal_accuracy": round(float(refused[y, i].mean()), 3),
                 "false_refusal_rate": round(float(refused[~y, i].mean()), 3)} for i, t in enumerate(thresholds)]

    out = {"n_in_scope": int((~y).sum()), "n_out_of_scope": int(y.sum()), "current": table(p_now),
           "english": {"n": len(english), "refused": sum(1 for _, r in english if r.p_out >= 0.5),
                       "min_dense": round(min((r.dense for _, r in english), default=0.0), 4)}}
    try:
        from sklearn.linear_model import LogisticRegression
        from sklearn.model_selection import StratifiedKFold, cross_val_predict
    except ImportError:  # pragma: no cover
        return out
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    # Strong L2 on standardised features: the out-of-scope class is small
    # (a few dozen questions), and an unregularised fit memorises it.
    model = make_pipeline(StandardScaler(), LogisticRegression(class_weight="balanced", C=0.1, max_iter=1000))
    cv = cross_val_predict(model, X, y, cv=StratifiedKFold(5, shuffle=True, random_state=0),
                           method="predict_proba")[:, 1]
    model.fit(X, y)
    scaler, lr = model[0], model[1]
    coef = lr.coef_[0] / scaler.scale_  # back to raw features, as RefusalModel.p_out uses them
    intercept = lr.intercept_[0] - float((lr.coef_[0] * scaler.mean_ / scaler.scale_).sum())
    out["cross_validated"] = table(cv)
    out["refit"] = {"coef": {k: round(float(c), 2) for k, c in zip(features, coef)},
                    "intercept": round(float(intercept), 2)}
    return out


def write_model(path, refit: dict, fitted_on: list[str], threshold: float | None = None) -> dict:
    """Store a refit in the model file, keeping what the fit does not decide
    (features, neutral values, embedder, English margins, the threshold)."""
    from pathlib import Path

    p = Path(path)
    data = json.loads(p.read_text("utf-8"))
    data.update(coef=refit["coef"], intercept=refit["intercept"], fitted_on=fitted_on)
    if threshold is not None:
        data["threshold"] = threshold
    p.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", "utf-8")
    return data


def bench(svc, qa, rounds: int = 1) -> dict:
    """Extractive answer latency after warm-up (not a test: numbers depend on the machine)."""
    answer = svc.assistant.answer
    questions = [x.question for x in qa]
    for q in questions[:5]:
        answer(q)  # warm-up: model, index, jieba, caches
    times = []
    for _ in range(rounds):
        for q in questions:
            t0 = time.perf_counter()
            answer(q)
            times.append(time.perf_counter() - t0)
    search_times = []
    for q in questions:
        t0 = time.perf_counter()
        svc.retriever.search(q, k=5)
        search_times.append(time.perf_counter() - t0)
    times.sort()
    return {"n": len(times), "p50_ms": round(statistics.median(times) * 1000, 1),
            "search_p50_ms": round(statistics.median(search_times) * 1000, 1),
            "p90_ms": round(times[int(len(times) * 0.9) - 1] * 1000, 1),
            "max_ms": round(times[-1] * 1000, 1)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval.answers", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--qa", required=True, action="append",
                    help="a QA file; repeat to pool several (e.g. to calibrate on two sets)")
    ap.add_argument("--json", action="store_true", help="metrics and every answer as JSON")
    ap.add_argument("--by-type", action="store_true", help="also print the metrics per question type")
    ap.add_argument("--calibrate", action="store_true", help="print the refusal trade-off table")
    ap.add_argument("--write", action="store_true", help="with --calibrate: store the refit in the model file")
    ap.add_argument("--threshold", type=float, help="with --write: the threshold to store")
    ap.add_argument("--bench", action="store_true", help="answer latency p50 after warm-up")
    args = ap.parse_args(argv)
    qa = [item for path in args.qa for item in load_qa(path)]
    svc = services()
    if args.bench:
        res = bench(svc, qa)
        print(json.dumps(res) if args.json else
              f"answer latency over {res['n']} questions after warm-up: p50 {res['p50_ms']} ms, "
              f"p90 {res['p90_ms']} ms, max {res['max_ms']} ms (retrieval alone: p50 {res['search_p50_ms']} ms)")
        return 0
    if args.calibrate:
        res = calibrate(svc, qa)
        if args.write and "refit" in res:
            from pathlib import Path

            written = write_model(svc.settings.refusal_model, res["refit"],
                                  [Path(p).name for p in args.qa], args.threshold)
            print(f"wrote {svc.settings.refusal_model} (threshold {written['threshold']})", file=sys.stderr)
        if args.json:
            print(json.dumps(res, ensure_ascii=False, indent=2))
        else:
            print(f"refusal check: {res['n_in_scope']} in-scope and {res['n_out_of_scope']} out-of-scope "
                  f"Chinese questions (English judged by dense cosine: {res['english']})")
            for name in ("current", "cross_validated"):
                if name in res:
                    print(f"\n{name}:  threshold on P(out of scope) | refusal_accuracy | false_refusal_rate")
                    for row in res[name]:
                        print(f"  {row['threshold']:.2f} | {row['refusal_accuracy']:.3f} | {row['false_refusal_rate']:.3f}")
            if "refit" in res:
                print(f"\nrefit on all: {res['refit']}")
        return 0
    res = evaluate(qa, svc.assistant.answer)
    if args.json:
        d = res["_details"]
        payload = {k: v for k, v in res.items() if not k.startswith("_")}
        payload["by_type"] = d["by_type"]
        payload["questions"] = [{"id": r["id"], "answer": r["text"], "citations": r["citations"],
                                 "refused": r["refused"]} for r in d["rows"]]
        print(json.dumps(payload, ensure_ascii=False))
    else:
        print_report(res, args.by_type)
    return 0


if __name__ == "__main__":
    sys.exit(main())
