#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""What --summary must say of tests/unit/irregular_fixture.c's day, computed
here by hand from the fixture's definition (not from the program's output).

  weights.py closed SUMMARY_DAY_CSV     the day's kbavail and pswpout/s means
                                        against closed forms
  weights.py periods SUMMARY_CSV PERIOD every row (day or hour) of the CSV:
                                        samples, min, mean, max, p95
  weights.py trend TREND_CSV FROM TO    the process's RSS slope over the
                                        samples FROM..TO seconds after T0
  weights.py growth GROWTH_CSV FROM TO  the same for --growth, and its GREW%

A sample covers the time since the previous sample (the first: the interval
after it).  Means are time-weighted; p95 is the smallest value whose samples
and those below it cover at least 95% of the period's time.
Exits 1 naming the first difference."""
import csv
import sys
from fractions import Fraction

T0 = 1795651200            # 2026-11-26 00:00:00 UTC
B = T0 + 12 * 3600         # the burst: B + 1 .. B + 600


def samples():
    """(ts, j) of the fixture, j the index in the burst or -1."""
    out = []
    for ts in range(T0, T0 + 86400, 60):
        if B < ts <= B + 600:
            continue
        out.append((ts, -1))
        if ts == B:
            out += [(B + 1 + j, j) for j in range(600)]
    return out


def values(ts, j):
    avail = 600000 if j < 0 else 100000 + 100 * j
    nouse = (avail - 50000) + 10000 + 200000 + 40000
    used = max(1000000 - nouse, 0)
    return {
        "kbmemused": used, "kbavail": avail, "%memused": used / 1000000 * 100,
        "%commit": 300000 / (1000000 + 500000) * 100,
        "kbswpused": 0 if j < 0 else 100 * j, "kbhugused": 0,
    }


def pswpout(ts):
    return (ts - T0) + 499 * min(max(ts - B, 0), 600)


def weighted_points():
    """Per metric: [(ts, value, weight in 1/100 s)], in time order."""
    s = samples()
    pts = {}
    for i, (ts, j) in enumerate(s):
        cs = (ts - s[i - 1][0]) * 100 if i else (s[1][0] - ts) * 100
        for k, v in values(ts, j).items():
            pts.setdefault(k, []).append((ts, v, cs))
        if i:
            d = (ts - s[i - 1][0]) * 100
            pts.setdefault("pswpin/s", []).append((ts, 0 / (d / 100), cs))
            pts.setdefault("pswpout/s", []).append(
                (ts, (pswpout(ts) - pswpout(s[i - 1][0])) / (d / 100), cs))
    return pts


def stats(pts):
    total = sum(w for _, _, w in pts)
    mean = sum(v * w for _, v, w in pts) / total
    below, p95 = 0, None
    for _, v, w in sorted(pts, key=lambda p: p[1]):
        below += w
        if below * 100 >= total * 95:
            p95 = v
            break
    return len(pts), min(v for _, v, _ in pts), mean, max(v for _, v, _ in pts), p95


def fmt(metric, v):
    if metric.startswith("kb"):
        return str(round(v))
    return "%.2f" % v


def periods(path, period):
    step = 3600 if period == "hour" else 86400
    pts = weighted_points()
    rows = list(csv.DictReader(open(path, newline="")))
    if len(rows) != len(pts) * 86400 // step:
        sys.exit("rows: %d, want %d" % (len(rows), len(pts) * 86400 // step))
    for r in rows:
        start = int(r["start_epoch"])
        mine = [p for p in pts[r["metric"]] if start <= p[0] < start + step]
        n, lo, mean, hi, p95 = stats(mine)
        want = {"samples": str(n), "min": fmt(r["metric"], lo), "mean": "%.2f" % mean,
                "max": fmt(r["metric"], hi), "p95": fmt(r["metric"], p95)}
        for k, v in want.items():
            if r[k] != v:
                sys.exit("%s %s %s: want %s, got %s" % (r["period"], r["metric"], k, v, r[k]))
    print("%d rows equal" % len(rows))


def closed(path):
    rows = {r["metric"]: r for r in csv.DictReader(open(path, newline=""))}
    # 1430 minute samples cover 60 s each at 600000 kB; the burst's 600
    # samples 1 s each at 100000 + 100 j: the day's 86400 s
    avail = Fraction(1430 * 60 * 600000 + sum(100000 + 100 * j for j in range(600)), 86400)
    # rates: the 1429 minute intervals at 1 page/s, the burst's 600 at 500
    out = Fraction(1429 * 60 * 1 + 600 * 500, 1429 * 60 + 600)
    for metric, want in (("kbavail", avail), ("pswpout/s", out)):
        if rows[metric]["mean"] != "%.2f" % float(want):
            sys.exit("%s mean: want %.2f (by time), got %s (by count it would be %s)"
                     % (metric, float(want), rows[metric]["mean"], by_count(metric)))
    print("kbavail %.2f, pswpout/s %.2f" % (float(avail), float(out)))


def by_count(metric):
    pts = weighted_points()[metric]
    return "%.2f" % (sum(v for _, v, _ in pts) / len(pts))

def worker(start, end):
    """The worker's (ts, RSS) over the samples in [START, END], and the time
    each covers."""
    s = [(ts, 10000 + (ts - T0) // 60 + (0 if j < 0 else 50000))
         for ts, j in samples() if start <= ts <= end]
    w = [s[1][0] - s[0][0]] + [s[i][0] - s[i - 1][0] for i in range(1, len(s))]
    return s, w


def weighted_slope(s, w):
    """Least squares of RSS over seconds, each point weighted: kB per second."""
    W = Fraction(sum(w))
    mx = sum(Fraction(wi * ts) for wi, (ts, _) in zip(w, s)) / W
    my = sum(Fraction(wi * y) for wi, (_, y) in zip(w, s)) / W
    sxy = sum(wi * (ts - mx) * (y - my) for wi, (ts, y) in zip(w, s))
    sxx = sum(wi * (ts - mx) ** 2 for wi, (ts, _) in zip(w, s))
    return sxy / sxx


def one_process(path, kind=None):
    rows = [r for r in csv.DictReader(open(path, newline=""))
            if kind is None or r["kind"] == kind]
    if len(rows) != 1:
        sys.exit("process rows: %s" % [(r["pid"], r["samples"]) for r in rows])
    return rows[0]


def trend(path, start, end):
    """--trend: the worker's RSS slope (kB/day) over [START, END]."""
    s, w = worker(start, end)
    want = float(weighted_slope(s, w) * 86400)
    row = one_process(path, "process")
    if row["samples"] != str(len(s)) or abs(float(row["slope_per_day"]) - want) > 0.01:
        sys.exit("slope: want %.2f kB/day over %d instants (weighted by time), got %s over %s"
                 % (want, len(s), row["slope_per_day"], row["samples"]))
    print("slope %.2f kB/day over %d instants" % (want, len(s)))


def growth(path, start, end):
    """--growth: the worker's slope (kB/hour) and GREW%, the share of the
    time of its intervals in which its RSS grew."""
    s, w = worker(start, end)
    slope = float(weighted_slope(s, w) * 3600)
    grew = sum(wi for wi, a, b in zip(w[1:], s, s[1:]) if b[1] > a[1])
    pct = "%.2f" % (grew * 100 / sum(w[1:]))
    row = one_process(path)
    if abs(float(row["slope_kb_per_hour"]) - slope) > 0.01 or row["grew_pct"] != pct:
        sys.exit("want slope %.2f kB/h, grew %s%%; got %s, %s"
                 % (slope, pct, row["slope_kb_per_hour"], row["grew_pct"]))
    print("slope %.2f kB/h, grew %s%% of the time" % (slope, pct))


if __name__ == "__main__":
    if sys.argv[1] == "closed":
        closed(sys.argv[2])
    elif sys.argv[1] in ("trend", "growth"):
        globals()[sys.argv[1]](sys.argv[2], T0 + int(sys.argv[3]), T0 + int(sys.argv[4]))
    else:
        periods(sys.argv[2], sys.argv[3])
