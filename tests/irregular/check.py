#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The oracle checks of tests/irregular that are not byte comparisons.

  check.py csv SADF_D CSV   memreport --format=csv carries, for every row,
                            the interval and the values sadf -d prints (the
                            same records).
  check.py json SADF_J JSON the same document as sadf -j once sadf's empty
                            "{ }" elements are dropped: sadf -j writes one for
                            every record that -i (or -e) leaves out, a quirk
                            memreport's JSON does not copy.
Exits 1 naming the first difference."""
import csv
import json
import sys
from datetime import datetime, timezone


def sadf_rows(path):
    rows, head = {}, None
    for line in open(path):
        line = line.rstrip("\n")
        if line.startswith("# "):
            head = line[2:].split(";")
            continue
        f = line.split(";")
        if f[1] == "-1":
            continue
        t = datetime.strptime(f[2], "%Y-%m-%d %H:%M:%S UTC").replace(tzinfo=timezone.utc)
        row = rows.setdefault(int(t.timestamp()), {})
        row["interval"] = f[1]
        for k, v in zip(head[3:], f[3:]):
            row[k] = v
    return rows


def check_json(sadf, ours):
    want, got = json.load(open(sadf)), json.load(open(ours))
    for host in want["sysstat"]["hosts"]:
        host["statistics"] = [s for s in host["statistics"] if s]
    if want != got:
        sys.exit("sadf -j and memreport differ beyond sadf's empty elements")
    print("equal")


def main():
    if sys.argv[1] == "json":
        return check_json(sys.argv[2], sys.argv[3])
    want = sadf_rows(sys.argv[2])
    got = list(csv.DictReader(open(sys.argv[3], newline="")))
    if len(got) != len(want):
        sys.exit("rows: sadf %d, csv %d" % (len(want), len(got)))
    for r in got:
        w = want.get(int(r["epoch"]))
        if w is None:
            sys.exit("csv row %s: not in sadf" % r["epoch"])
        for k, v in w.items():
            if r.get(k) != v:
                sys.exit("%s %s: sadf %s, csv %s" % (r["epoch"], k, v, r.get(k)))
    print("%d rows equal" % len(got))


if __name__ == "__main__":
    main()
