#!/usr/bin/env python3
"""Check eval/qa.jsonl against the Yiwu business-environment plan.

Parses the plan into canonical leaf ids:
  - "N.M..." line                    -> sub-measure leaf "N.M"
  - "N.title" line with no N.M below  -> measure leaf "N" (its body and list items belong to it)
  - measure 1 is missing; the unnumbered line right after the document title is the
    title of measure 2
  - items (一)..(八) under "三、保障措施"   -> "S1".."S8"
Then validates qa.jsonl: JSON per line, unique ids, known types, gold ids exist,
every leaf covered, every must_include substring occurs verbatim in a gold leaf's text
(or its measure title). Prints coverage stats. Exit code 1 on any error.

Usage: python3 eval/check_qa.py [qa.jsonl] [--source PATH] [--list-leaves] [--partial]
(--partial: an independent set that need not cover every leaf)
"""
import json
import re
import sys
from collections import Counter, OrderedDict
from pathlib import Path

SOURCE = Path("/work/shared/policy/yiwu-business-environment-plan-2023-2025.txt")
QA = Path(__file__).resolve().parent / "qa.jsonl"
TYPES = {"colloquial", "keyword", "lookup", "fact", "traditional", "english",
         "typo", "out_of_scope"}
CN_NUM = "一二三四五六七八"

RE_SUB = re.compile(r"^(\d+)\.(\d+)(?!\d)")
RE_MEASURE = re.compile(r"^(\d+)\.(?!\d)(.*)$")
RE_SECTION = re.compile(r"^（[一二三四五六七八九十]+）")


def parse(source_path):
    """Return (leaves: OrderedDict id->text, measures: dict N->{'title','text','subs'})."""
    lines = [l.rstrip("\n") for l in Path(source_path).read_text(encoding="utf-8").splitlines()]
    measures = OrderedDict()  # "N" -> {"title": str, "body": [lines], "subs": OrderedDict}
    s_items = OrderedDict()
    cur = None
    in_guarantee = False
    for i, raw in enumerate(lines):
        line = raw.strip()
        if not line:
            continue
        if i == 0:
            continue  # document title
        if line.startswith("三、保障措施"):
            in_guarantee = True
            cur = None
            continue
        if in_guarantee:
            m = re.match(r"^（([一二三四五六七八])）", line)
            if m:
                s_items["S%d" % (CN_NUM.index(m.group(1)) + 1)] = line
            continue
        if i == 1 and not RE_MEASURE.match(line):
            # measure 1 missing; unnumbered title of measure 2
            cur = measures.setdefault("2", {"title": line, "body": [], "subs": OrderedDict()})
            continue
        m = RE_SUB.match(line)
        if m:
            n = m.group(1)
            mea = measures.setdefault(n, {"title": "", "body": [], "subs": OrderedDict()})
            sid = "%s.%s" % (n, m.group(2))
            if sid in mea["subs"]:
                raise SystemExit("duplicate sub-measure %s at line %d" % (sid, i + 1))
            mea["subs"][sid] = line
            cur = mea
            continue
        m = RE_MEASURE.match(line)
        if m:
            n = m.group(1)
            if n in measures:
                raise SystemExit("duplicate measure %s at line %d" % (n, i + 1))
            cur = measures[n] = {"title": m.group(2).strip(), "body": [], "subs": OrderedDict()}
            continue
        if RE_SECTION.match(line):
            cur = None  # section heading: (二)深化招标投标领域改革 ...
            continue
        if cur is not None:
            cur["body"].append(line)
    leaves = OrderedDict()
    for n, mea in measures.items():
        if mea["subs"]:
            if mea["body"]:
                print("NOTE: measure %s has sub-measures AND body lines: %r" % (n, mea["body"][:1]))
            for sid, text in mea["subs"].items():
                leaves[sid] = text
        else:
            leaves[n] = "\n".join([mea["title"]] + mea["body"])
    leaves.update(s_items)
    return leaves, measures


def gold_texts(g, leaves, measures):
    """Texts against which must_include may be matched for gold id g."""
    if g in leaves:
        texts = [leaves[g]]
        n = g.split(".")[0]
        if "." in g and n in measures:
            texts.append(measures[n]["title"])
        return texts
    if g in measures:  # whole measure with sub-measures
        return [measures[g]["title"]] + list(measures[g]["subs"].values())
    return None


def main(argv):
    qa_path, src = QA, SOURCE
    args = list(argv[1:])
    list_leaves = "--list-leaves" in args
    if list_leaves:
        args.remove("--list-leaves")
    # Independent sets sample the plan; only the team set must cover every leaf.
    partial = "--partial" in args
    if partial:
        args.remove("--partial")
    if "--source" in args:
        k = args.index("--source")
        src = Path(args[k + 1])
        del args[k:k + 2]
    if args:
        qa_path = Path(args[0])

    leaves, measures = parse(src)
    nums = sorted(int(n) for n in measures)
    missing_measures = [n for n in range(1, max(nums) + 1) if n not in nums]
    print("source: %s" % src)
    print("measures parsed: %d (%d..%d), missing numbers: %s"
          % (len(nums), nums[0], nums[-1], missing_measures))
    print("leaves: %d (measure-leaves %d, sub-measures %d, S items %d)" % (
        len(leaves),
        sum(1 for k in leaves if "." not in k and not k.startswith("S")),
        sum(1 for k in leaves if "." in k),
        sum(1 for k in leaves if k.startswith("S"))))
    if list_leaves:
        for k, v in leaves.items():
            print(k, v.split("\n")[0][:40])
        return 0

    errors, warnings = [], []
    ids = set()
    type_count = Counter()
    cover = Counter()
    whole_measure_gold = Counter()
    n_lines = 0
    multi = 0
    for ln, raw in enumerate(qa_path.read_text(encoding="utf-8").splitlines(), 1):
        if not raw.strip():
            errors.append("line %d: empty line" % ln)
            continue
        try:
            q = json.loads(raw)
        except json.JSONDecodeError as e:
            errors.append("line %d: invalid JSON: %s" % (ln, e))
            continue
        n_lines += 1
        where = "line %d (%s)" % (ln, q.get("id"))
        keys = set(q)
        if keys != {"id", "question", "gold", "must_include", "type"}:
            errors.append("%s: keys %s" % (where, sorted(keys)))
        if q.get("id") in ids:
            errors.append("%s: duplicate id" % where)
        ids.add(q.get("id"))
        if not isinstance(q.get("question"), str) or not q["question"].strip():
            errors.append("%s: empty question" % where)
        t = q.get("type")
        if t not in TYPES:
            errors.append("%s: unknown type %r" % (where, t))
        type_count[t] += 1
        gold = q.get("gold")
        mi = q.get("must_include")
        if not isinstance(gold, list) or not isinstance(mi, list):
            errors.append("%s: gold/must_include must be lists" % where)
            continue
        if len(set(gold)) != len(gold):
            errors.append("%s: duplicate gold ids" % where)
        if t == "out_of_scope":
            if gold or mi:
                errors.append("%s: out_of_scope must have gold [] and must_include []" % where)
        elif not gold:
            errors.append("%s: in-scope question with empty gold" % where)
        if not gold and mi:
            errors.append("%s: must_include without gold" % where)
        if len(mi) > 2:
            warnings.append("%s: more than 2 must_include" % where)
        if len(gold) > 1:
            multi += 1
        texts = []
        for g in gold:
            tx = gold_texts(g, leaves, measures)
            if tx is None:
                errors.append("%s: gold %r is not a leaf or measure" % (where, g))
                continue
            texts.extend(tx)
            if g in leaves:
                cover[g] += 1
            else:
                whole_measure_gold[g] += 1
        for s in mi:
            if not isinstance(s, str) or not s:
                errors.append("%s: bad must_include %r" % (where, s))
                continue
            if not any(s in tx for tx in texts):
                errors.append("%s: must_include %r not found in gold text %s" % (where, s, gold))
            if len(s) > 12:
                warnings.append("%s: long must_include %r" % (where, s))

    uncovered = [k for k in leaves if cover[k] == 0]
    print("questions: %d" % n_lines)
    print("by type: " + ", ".join("%s=%d" % (k, type_count[k]) for k in sorted(type_count, key=str)))
    print("leaves covered explicitly: %d/%d" % (len(leaves) - len(uncovered), len(leaves)))
    if whole_measure_gold:
        print("whole-measure golds: " + ", ".join(sorted(whole_measure_gold, key=int)))
    hist = Counter(min(cover[k], 5) for k in leaves)
    print("coverage histogram (times a leaf is gold; 5 = 5+): " +
          ", ".join("%d:%d" % (k, hist[k]) for k in sorted(hist)))
    print("questions with >1 gold: %d" % multi)
    if uncovered and not partial:
        errors.append("uncovered leaves (%d): %s" % (len(uncovered), " ".join(uncovered)))
    for w in warnings:
        print("WARN", w)
    for e in errors:
        print("ERROR", e)
    print("OK" if not errors else "FAILED: %d error(s)" % len(errors))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
