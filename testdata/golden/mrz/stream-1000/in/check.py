#!/usr/bin/env python3
"""check.py TRUTH OUT - compare `dancu mrz` output with gen.py's truth.

Every truth entry must be exactly one output row, in order, with the same
stdin lines; a valid MRZ has checks_ok 1 and no findings, and its id12; the
others carry their finding.  Prints one summary line, then any mismatch.
"""
import csv
import sys

truth = list(csv.DictReader(open(sys.argv[1], encoding="utf-8")))
rows = list(csv.DictReader(open(sys.argv[2], encoding="utf-8")))
bad = []
if len(rows) != len(truth):
    bad.append("rows: %d, truth: %d" % (len(rows), len(truth)))
for t, r in zip(truth, rows):
    why = []
    if r["lines"] != t["lines"]:
        why.append("lines %s" % r["lines"])
    codes = [c for c in r["findings"].split(";") if c]
    if t["kind"] == "valid" and (codes or r["checks_ok"] != "1"):
        why.append("findings %s checks_ok %s" % (r["findings"], r["checks_ok"]))
    if t["kind"] != "valid" and t["finding"] not in codes:
        why.append("findings %s" % r["findings"])
    if t["id12"] and r["id12"] != t["id12"]:
        why.append("id12 %s" % r["id12"])
    if why:
        bad.append("%s %s: %s" % (t["lines"], t["kind"], "; ".join(why)))
kinds = {}
for t in truth:
    kinds[t["kind"]] = kinds.get(t["kind"], 0) + 1
print("%d entries (%s): %d grouped and read as planted, %d not" % (
    len(truth), ", ".join("%s %d" % kv for kv in sorted(kinds.items())),
    len(truth) - len(bad) if len(rows) == len(truth) else 0, len(bad)))
for b in bad[:20]:
    print(b)
