"""A page to read answers as the asker would:

    python -m eval.review --qa eval/sets/qa_answers.jsonl [--out review.md] [--only failures]

For each question: the question, the answer as the assistant gives it, the
gold clauses' own text, and what the metrics say (fact in the lead, cited
outside gold, gap stated). Markdown, for reading beside the plan.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from eval import metrics
from eval.answers import evaluate
from eval.common import is_hit, load_qa, services


def _quote(text: str) -> str:
    return "\n".join("> " + line if line else ">" for line in text.splitlines())


def page(res: dict, library, only_failures: bool = False) -> str:
    rows = res["_details"]["rows"]
    out = [f"# Answers for review ({len(rows)} questions)", "",
           " · ".join(f"{k} {res[k]:.3f}" for k in ("must_include_rate", "lead_hit_rate", "citation_hit_rate",
                                                     "citation_precision", "refusal_accuracy",
                                                     "false_refusal_rate") if k in res), ""]
    for r in rows:
        notes = []
        if r["gold"] and r["must_include"] and not r["lead_hit"]:
            notes.append("fact not in the first two sentences")
        if r["missing"]:
            notes.append(f"missing {r['missing']}")
        outside = [c for c in r["citations"] if r["gold"] and not any(is_hit(c, g) for g in r["gold"])]
        if outside and r["type"] != "list":
            notes.append(f"cited outside gold: {outside[:5]}")
        if not r["gold"] and r["type"] != "meta" and not r["refused"]:
            notes.append("out of scope but answered")
        if r["type"] == "half" and not (r["refused"] or r["gap"]):
            notes.append("half-answered without the gap")
        if only_failures and not notes:
            continue
        out += [f"## {r['id']} [{r['type']}] {r['question']}", ""]
        out += [f"**Answer** ({'refused' if r['refused'] else 'answered'}; cites {', '.join(r['citations'][:12]) or '—'}):", "",
                _quote(r["text"]), ""]
        for g in r["gold"][:3]:
            for rec in library.leaves_of(g)[:3]:
                out += [f"**Gold {rec.citation}** {rec.title}：{rec.text}", ""]
        if not r["gold"]:
            out += ["**Gold:** out of scope" if r["type"] != "meta" else "**Gold:** the document itself", ""]
        if r["must_include"]:
            out += [f"must include: {', '.join(r['must_include'])}", ""]
        if notes:
            out += ["⚠️ " + "; ".join(notes), ""]
    return "\n".join(out)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval.review", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--qa", required=True, action="append")
    ap.add_argument("--out", type=Path, help="write here (default: standard output)")
    ap.add_argument("--only", choices=["failures"], help="only questions a metric flags")
    args = ap.parse_args(argv)
    qa = [item for path in args.qa for item in load_qa(path)]
    svc = services()
    res = evaluate(qa, svc.assistant.answer)
    metrics.score(res["_details"]["rows"])
    text = page(res, svc.library, args.only == "failures")
    if args.out:
        args.out.write_text(text, "utf-8")
        print(f"wrote {args.out} ({len(qa)} questions)", file=sys.stderr)
    else:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
