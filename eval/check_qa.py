#!/usr/bin/env python3
"""Check an evaluation set against the library, with the project's own parser.

For every line: valid JSON with exactly the keys id, question, gold,
must_include, type; a unique id; a known type; gold ids that name records or
whole measures of the library (bare ids mean the default document, others
are DOC:ID); every must_include substring verbatim in a gold record's text or
its measure title. The team set must also cover every leaf; independent sets
sample the documents (--partial). Prints coverage; exit code 1 on any error.

Usage: python eval/check_qa.py FILE [--partial] [--corpus DIR] [--list-leaves]
"""
from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from chatbot.corpus.library import Library, load_library  # noqa: E402

QA = ROOT / "eval" / "sets" / "qa.jsonl"
KEYS = {"id", "question", "gold", "must_include", "type"}
# Question styles of the plan sets, then the answer and library sets' kinds.
TYPES = {"colloquial", "keyword", "lookup", "fact", "traditional", "english", "typo", "out_of_scope",
         "yesno", "figure", "who", "when", "how", "multi", "half", "meta", "list",
         "regulation", "cross_document", "version", "plan"}
# Types whose gold may be empty although they are answerable from metadata.
NO_GOLD_OK = {"out_of_scope", "meta", "half"}


def gold_texts(gold: str, library: Library) -> list[str] | None:
    """Texts a must_include may come from: the records a gold id names and
    their measure titles; None when the id names nothing."""
    recs = library.leaves_of(gold)
    if not recs:
        return None
    return [t for r in recs for t in (r.text, r.measure_title) if t]


def check(path: Path, library: Library, partial: bool) -> tuple[list[str], list[str], dict]:
    errors, warnings = [], []
    ids: set = set()
    types: Counter = Counter()
    cover: Counter = Counter()
    n = 0
    for ln, raw in enumerate(path.read_text("utf-8").splitlines(), 1):
        if not raw.strip():
            errors.append(f"line {ln}: empty line")
            continue
        try:
            q = json.loads(raw)
        except json.JSONDecodeError as e:
            errors.append(f"line {ln}: invalid JSON: {e}")
            continue
        n += 1
        where = f"line {ln} ({q.get('id')})"
        extra = set(q) - KEYS - {"unit"}  # list questions may name their department
        if KEYS - set(q) or extra:
            errors.append(f"{where}: keys {sorted(q)}")
        if q.get("id") in ids:
            errors.append(f"{where}: duplicate id")
        ids.add(q.get("id"))
        if not isinstance(q.get("question"), str) or not q["question"].strip():
            errors.append(f"{where}: empty question")
        t = q.get("type")
        if t not in TYPES:
            errors.append(f"{where}: unknown type {t!r}")
        types[t] += 1
        gold, mi = q.get("gold"), q.get("must_include")
        if not isinstance(gold, list) or not isinstance(mi, list):
            errors.append(f"{where}: gold/must_include must be lists")
            continue
        if len(set(gold)) != len(gold):
            errors.append(f"{where}: duplicate gold ids")
        if t == "out_of_scope" and (gold or mi):
            errors.append(f"{where}: out_of_scope must have gold [] and must_include []")
        elif not gold and t not in NO_GOLD_OK:
            errors.append(f"{where}: in-scope question with empty gold")
        if not gold and mi and t != "meta":
            errors.append(f"{where}: must_include without gold")
        texts: list[str] = []
        for g in gold:
            tx = gold_texts(str(g), library)
            if tx is None:
                errors.append(f"{where}: gold {g!r} is not a record or measure")
                continue
            texts += tx
            for r in library.leaves_of(str(g)):
                cover[r.ref] += 1
        for s in mi:
            if not isinstance(s, str) or not s:
                errors.append(f"{where}: bad must_include {s!r}")
            elif gold and not any(s in tx for tx in texts):
                errors.append(f"{where}: must_include {s!r} not found in gold text {gold}")
            elif t == "meta" and not gold and s not in library.text + " ".join(c.title for c in library.corpora):
                errors.append(f"{where}: must_include {s!r} not in the documents")
            if isinstance(s, str) and len(s) > 12:
                warnings.append(f"{where}: long must_include {s!r}")
    uncovered = [r.ref for r in library.records if r.doc_id == library.default_doc and not cover[r.ref]]
    if uncovered and not partial:
        errors.append(f"uncovered leaves ({len(uncovered)}): {' '.join(uncovered)}")
    stats = {"questions": n, "types": dict(types), "covered": len(cover), "uncovered": len(uncovered)}
    return errors, warnings, stats


def main(argv: list[str]) -> int:
    args = list(argv[1:])
    flags = {a for a in args if a in ("--partial", "--list-leaves")}
    args = [a for a in args if a not in flags]
    corpus = ROOT / "corpus"
    if "--corpus" in args:
        k = args.index("--corpus")
        corpus = Path(args[k + 1])
        del args[k:k + 2]
    library = load_library(corpus)
    print(f"library: {', '.join(f'{c.doc_id} ({len(c.records)} records)' for c in library.corpora)}")
    if "--list-leaves" in flags:
        for r in library.records:
            print(r.ref, r.title[:40])
        return 0
    path = Path(args[0]) if args else QA
    errors, warnings, stats = check(path, library, "--partial" in flags)
    print(f"questions: {stats['questions']}")
    print("by type: " + ", ".join(f"{k}={v}" for k, v in sorted(stats["types"].items(), key=lambda kv: str(kv[0]))))
    print(f"records covered: {stats['covered']} (default document leaves not covered: {stats['uncovered']})")
    for w in warnings:
        print("WARN", w)
    for e in errors:
        print("ERROR", e)
    print("OK" if not errors else f"FAILED: {len(errors)} error(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
