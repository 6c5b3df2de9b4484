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
  check.py svg SVG FROM TO  the "available" panel of irregular_fixture's day
                            charted from FROM to TO (seconds after its
                            midnight): with FROM..TO of 10 minutes, every burst
                            sample has a pixel column of its own holding its
                            value; over any window, the columns' envelope keeps
                            the burst's lowest MemAvailable.
  check.py stack SVG        the day's memory panel: the stacked "used" of the
                            burst's columns is their samples' mean by time.
Exits 1 naming the first difference."""
import csv
import json
import math
import xml.etree.ElementTree as ET
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


SVG = "{http://www.w3.org/2000/svg}"
T0 = 1795651200            # irregular_fixture's midnight
BURST = T0 + 12 * 3600     # its burst: BURST + 1 + j, MemAvailable 100000 + 100 j


def envelope(panel, cls="available"):
    """Per column of PANEL's band of class CLS: [lo, hi] in pixels.  The band
    is drawn in steps: a horizontal segment one pixel wide per column, left
    to right along the top, then back along the bottom."""
    x0 = int(panel.get("data-x0"))
    cols = {}
    for poly in panel.iter(SVG + "polygon"):
        if poly.get("class") != cls:
            continue
        pts = [tuple(map(float, p.split(","))) for p in poly.get("points").split()]
        for (ax, ay), (bx, by) in zip(pts, pts[1:]):
            if ay != by or abs(bx - ax) != 1:
                continue
            c = cols.setdefault(int(min(ax, bx)) - x0, [None, None])
            c[1 if bx > ax else 0] = ay
    return cols


def check_svg(path, start, end):
    panel = [g for g in ET.parse(path).getroot().iter(SVG + "g") if g.get("id") == "available"][0]
    t0, t1 = int(panel.get("data-t0")), int(panel.get("data-t1"))
    y0, h = float(panel.get("data-y0")), float(panel.get("data-h"))
    ymin, ymax = float(panel.get("data-ymin")), float(panel.get("data-ymax"))
    w = int(panel.get("data-w"))

    def ypos(v):
        return round(y0 + h - (v - ymin) / (ymax - ymin) * h, 1)

    def col(ts):
        return math.floor((ts - t0) * w / (t1 - t0 + 1))
    cols = envelope(panel)
    burst = [(BURST + 1 + j, 100000 + 100 * j) for j in range(600)
             if T0 + start <= BURST + 1 + j <= T0 + end]
    lowest = ypos(min(v for _, v in burst))
    if max(lo for lo, _ in cols.values() if lo is not None) != lowest:
        sys.exit("the envelope's lowest point is not the burst's minimum (y %.1f)" % lowest)
    if end - start > 600:
        print("%d columns; the burst's minimum at y %.1f" % (len(cols), lowest))
        return
    seen = {}
    for ts, v in burst:
        c = col(ts)
        if c in seen:
            sys.exit("%d and %d share column %d" % (seen[c], ts, c))
        seen[c] = ts
        lo, hi = cols.get(c, (None, None))
        exact = y0 + h - (v - ymin) / (ymax - ymin) * h   # the chart's 0.1 px
        if lo is None or hi is None or abs(lo - exact) > 0.051 or abs(hi - exact) > 0.051:
            sys.exit("%d (MemAvailable %d): column %d is %s, want y %.2f" % (ts, v, c, (lo, hi), exact))
    # the drop from the minute sample to the burst's first second, one column apart
    before, first = col(BURST), col(BURST + 1)
    if cols.get(before) != [ypos(600000)] * 2 or first - before > 2:
        sys.exit("the drop at the burst's start: columns %d %s, %d" % (before, cols.get(before), first))
    print("%d burst samples, each in its own column at its own value" % len(burst))


def check_stack(path):
    """The whole day's memory panel: in the columns of the burst, the height
    of "used" is the mean of the column's samples by the time each covers."""
    panel = [g for g in ET.parse(path).getroot().iter(SVG + "g") if g.get("id") == "memory"][0]
    t0, t1 = int(panel.get("data-t0")), int(panel.get("data-t1"))
    y0, h = float(panel.get("data-y0")), float(panel.get("data-h"))
    ymin, ymax = float(panel.get("data-ymin")), float(panel.get("data-ymax"))
    w = int(panel.get("data-w"))
    cols = envelope(panel, "used")
    day = [(ts, 600000) for ts in range(T0, T0 + 86400, 60) if not BURST < ts <= BURST + 600]
    day += [(BURST + 1 + j, 100000 + 100 * j) for j in range(600)]
    day.sort()
    checked = 0
    for c in range(math.floor((BURST - t0) * w / (t1 - t0 + 1)),
                   math.floor((BURST + 660 - t0) * w / (t1 - t0 + 1)) + 1):
        mine = [(i, ts, avail) for i, (ts, avail) in enumerate(day)
                if math.floor((ts - t0) * w / (t1 - t0 + 1)) == c]
        secs = [ts - day[i - 1][0] for i, ts, _ in mine]
        used = [800000 - avail for _, _, avail in mine]      # MemTotal - (avail + 200000)
        mean = sum(u * s for u, s in zip(used, secs)) / sum(secs)
        want = y0 + h - (mean - ymin) / (ymax - ymin) * h
        if cols.get(c) is None or abs(cols[c][1] - want) > 0.051:
            sys.exit("column %d (%d samples): used at y %s, want %.2f (by count it would be %.2f)"
                     % (c, len(mine), cols.get(c), want,
                        y0 + h - (sum(used) / len(used) - ymin) / (ymax - ymin) * h))
        checked += 1
    print("%d columns of the burst: used by time covered" % checked)


def main():
    if sys.argv[1] == "stack":
        return check_stack(sys.argv[2])
    if sys.argv[1] == "json":
        return check_json(sys.argv[2], sys.argv[3])
    if sys.argv[1] == "svg":
        return check_svg(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
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
