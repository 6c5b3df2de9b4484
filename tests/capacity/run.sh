#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Capacity planning: memreport --summary, --trend and --format=svg on
# multi-day directories made fast by cloning one real memcollect sample with
# sqlite3 (tests/capacity/mkdays.sh), checked against python3 computations
# on the same archives, and the SVG rendered to PNG with rsvg-convert.
# Prints "ok - NAME" / "not ok - NAME" / "skip - NAME (why)".
set -u
. "$(dirname "$0")/../lib.sh"
cd "$ROOT" || exit 2
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export TZ=Europe/Berlin LC_ALL=C

check() {   # NAME STATUS [DETAILS...]
    local name=$1 st=$2; shift 2
    if [ "$st" = 0 ]; then echo "ok - $name"; else echo "not ok - $name"; printf '%s\n' "$@" | head -30 | sed 's/^/  /'; fi
}
ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }

if [ -z "$FAKETIME_LIB" ] || ! command -v python3 >/dev/null || ! command -v sqlite3 >/dev/null; then
    echo "skip - capacity reports (needs faketime, python3 and sqlite3)"
    exit 0
fi
LD_PRELOAD=$FAKETIME_LIB FAKETIME="@2026-10-01 00:00:00" FAKETIME_DONT_RESET=1 \
    "$MC" --no-procs --no-numa "$T/seed.db" 2>"$T/err" || { echo "not ok - seed sample"; cat "$T/err"; exit 1; }

# 30 days of one-minute samples, one sample's peak planted on 2026-10-17 12:34,
# and a reboot at 2026-10-20 00:00 (a new boot id, uptime from zero)
SPIKE=$(date -d '2026-10-17 12:34:00' +%s)
BOOT2=$(date -d '2026-10-20 00:00:00' +%s)
SPIKE_TS=$SPIKE tests/capacity/mkdays.sh "$T/seed.db" "$T/d30" 2026-10-01 30 60 || exit 1
for f in "$T"/d30/memtrail-202610{2,3}*.db; do
    sqlite3 "$f" "INSERT INTO boot VALUES (2, 'bbbbbbbb-2222-3333-4444-555555555555', $BOOT2);
      UPDATE sample SET boot_no = 2, uptime_cs = (ts - $BOOT2) * 100 + 1500 WHERE ts >= $BOOT2;"
done

# ---- summaries against python3 on the same archives
t=$(date +%s%N); "$MR" --summary=day -f "$T/d30" > "$T/day.txt" 2>"$T/err"; rc=$?; day_ms=$(ms $t)
"$MR" --summary=day -f "$T/d30" --format=csv > "$T/day.csv"
"$MR" --summary=week -f "$T/d30" --format=csv > "$T/week.csv"
"$MR" --summary=hour -f "$T/d30" --since 2026-10-24 --until '2026-10-25 23:59' --format=csv > "$T/hour.csv"
"$MR" --summary=day -f "$T/d30" --since 2026-10-05 --until '2026-10-06 23:59' --format=json > "$T/day.json"
cat > "$T/oracle.py" <<'EOF'
import csv, glob, json, math, sqlite3, sys
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo
tz = ZoneInfo("Europe/Berlin")
rows = []
lo, hi = (int(sys.argv[4]), int(sys.argv[5])) if len(sys.argv) > 5 else (-2**62, 2**62)
for f in sorted(glob.glob(sys.argv[1] + "/memtrail-*.db")):
    db = sqlite3.connect(f)
    rows += db.execute("SELECT ts, boot_no, uptime_cs, MemTotal, MemFree, MemAvailable, Buffers, Cached,"
                       " Slab, Committed_AS, SwapTotal, SwapFree, pswpin, pswpout, HugePages_Total,"
                       " HugePages_Free, Hugepagesize FROM sample WHERE ts BETWEEN ? AND ?"
                       " ORDER BY ts", (lo, hi)).fetchall()
def start(ts, period):
    d = datetime.fromtimestamp(ts, tz)
    if period == "hour":
        return ts - ((ts + int(d.utcoffset().total_seconds())) % 3600)
    d = d.replace(hour=0, minute=0, second=0, microsecond=0)
    if period == "week":
        d = d - timedelta(days=d.weekday())
    return int(datetime(d.year, d.month, d.day, tzinfo=tz).timestamp())
period = sys.argv[2]
groups, prev = {}, None
for r in rows:
    ts, boot, up, tot, free, avail, buf, cac, slab, com, swt, swf, pin, pout, ht, hf, hs = r
    nouse = min(free + buf + cac + slab, tot)
    v = {"kbmemused": tot - nouse, "kbavail": avail, "%memused": (tot - nouse) / tot * 100,
         "%commit": com / (tot + swt) * 100, "kbswpused": swt - swf, "kbhugused": (ht - hf) * hs}
    if prev and prev[1] == boot and up > prev[2]:
        secs = (up - prev[2]) / 100
        v["pswpin/s"] = (pin - prev[12]) / secs
        v["pswpout/s"] = (pout - prev[13]) / secs
    prev = r
    g = groups.setdefault(start(ts, period), {})
    for k, x in v.items():
        g.setdefault(k, []).append((x, ts))
bad = 0
got = list(csv.DictReader(open(sys.argv[3], newline="")))
want = {}
for s, g in groups.items():
    for k, vals in g.items():
        xs = sorted(x for x, _ in vals)
        mx = max(x for x, _ in vals); mn = min(x for x, _ in vals)
        want[(s, k)] = (len(xs), mn, sum(xs) / len(xs), mx, xs[math.ceil(0.95 * len(xs)) - 1],
                        next(t for x, t in vals if x == mx), next(t for x, t in vals if x == mn))
seen = 0
for r in got:
    key = (int(r["start_epoch"]), r["metric"])
    if key not in want:
        continue
    seen += 1
    n, mn, mean, mx, p95, mxt, mnt = want[key]
    ok = int(r["samples"]) == n and int(r["max_at_epoch"]) == mxt and int(r["min_at_epoch"]) == mnt
    for name, x in (("min", mn), ("mean", mean), ("max", mx), ("p95", p95)):
        ok = ok and abs(float(r[name]) - x) <= 0.0051 + (0.5 if r["unit"] == "kB" else 0)
    if not ok:
        bad += 1
        if bad < 5:
            print("mismatch", key, r, want[key])
if seen != len(want) or len(got) != len(want):
    print("rows: got", len(got), "matched", seen, "want", len(want)); bad += 1
print("checked", seen)
sys.exit(1 if bad else 0)
EOF
out=$(python3 "$T/oracle.py" "$T/d30" day "$T/day.csv" 2>&1); st=$?
check "--summary=day over 30 days: min, mean, max, nearest-rank p95, min and max times equal python3's (${day_ms} ms)" \
    $([ $rc = 0 ] && [ $st = 0 ]; echo $?) "$out" "$(cat "$T/err")"
out=$(python3 "$T/oracle.py" "$T/d30" week "$T/week.csv" 2>&1)
check "--summary=week: ISO weeks from Monday 00:00 local, values equal python3's" $? "$out"
weeks=$(cut -d, -f1,2 "$T/week.csv" | sort -u | grep -v '^period' | tr '\n' ' ')
check "--summary=week: labels and starts (2026-W40 from Monday 2026-09-28)" \
    $([ "$weeks" = "2026-W40,2026-09-28T00:00:00+02:00 2026-W41,2026-10-05T00:00:00+02:00 2026-W42,2026-10-12T00:00:00+02:00 2026-W43,2026-10-19T00:00:00+02:00 2026-W44,2026-10-26T00:00:00+01:00 " ]; echo $?) "$weeks"
out=$(python3 "$T/oracle.py" "$T/d30" hour "$T/hour.csv" "$(date -d 2026-10-24 +%s)" "$(date -d '2026-10-25 23:59' +%s)" 2>&1); st=$?
hours=$(grep -c ',kbmemused,' "$T/hour.csv")
check "--summary=hour across the end of DST: 25 hours on 2026-10-25, 49 periods, values equal python3's" \
    $([ $st = 0 ] && [ "$hours" = 49 ]; echo $?) "hours=$hours" "$out"
peak=$(awk '/^kbmemused/{b=1} b && /^2026-10-17/{print; exit}' "$T/day.txt")
check "--summary text: the planted peak's time in its day's row" \
    $(echo "$peak" | grep -q ' 12:34:00$'; echo $?) "$peak" "$(head -8 "$T/day.txt")"
check "--summary text: a header line and one aligned row per period in each of 8 blocks" \
    $([ "$(grep -c '^DAY  ' "$T/day.txt")" = 8 ] && [ "$(grep -c '^2026-10-' "$T/day.txt")" = 240 ] &&
      [ "$(grep '^2026-10-' "$T/day.txt" | awk '{print length($0)}' | sort -u | wc -l)" -le 2 ]; echo $?) \
    "$(sed -n 1,8p "$T/day.txt")"
check "--summary --format=json: valid, 2 days x 8 metrics" \
    $(python3 -c "import json,sys; r=json.load(open('$T/day.json'))['memtrail']; sys.exit(not (r['report']=='summary' and len(r['rows'])==16))"; echo $?) \
    "$(head -c 600 "$T/day.json")"

# ---- trend on synthetic data with known slopes (no peak planted)
tests/capacity/mkdays.sh "$T/seed.db" "$T/lin" 2026-11-02 10 600 || exit 1
"$MR" --trend -f "$T/lin" > "$T/trend.txt" 2>"$T/err"; rc=$?
"$MR" --trend -f "$T/lin" --format=csv > "$T/trend.csv"
"$MR" --trend -f "$T/lin" --format=json > "$T/trend.json"
cat > "$T/trend.py" <<'EOF'
import csv, sys
fits = {r["metric"]: r for r in csv.DictReader(open(sys.argv[1], newline="")) if r["kind"] == "fit"}
days = [r for r in csv.DictReader(open(sys.argv[1], newline="")) if r["kind"] == "day"]
# the generator: MemAvailable falls 50 kB a minute, Committed_AS and swap used rise 40 and 10
want = {"min kbavail": -72000, "max kbcommit": 57600, "max kbswpused": 14400}
bad = []
for m, slope in want.items():
    f = fits[m]
    if abs(float(f["slope_per_day"]) - slope) > 0.01 * abs(slope) or float(f["r2"]) < 0.999:
        bad.append((m, f["slope_per_day"], f["r2"]))
# least squares over the daily peaks, extrapolated to the limit, in python
xs = list(range(len(days))); ys = [float(d["available_min_kb"]) for d in days]
n = len(xs); mx = sum(xs) / n; my = sum(ys) / n
b = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs); a = my - b * mx
import datetime
first = datetime.date.fromisoformat(days[0]["day"])
when = first + datetime.timedelta(days=int(-a / b // 1))
f = fits["min kbavail"]
if f["status"] != "ok" or f["reaches_day"] != when.isoformat():
    bad.append(("reaches", f["status"], f["reaches_day"], when.isoformat()))
if fits["max kbcommit"]["status"] != "past_limit" and fits["max kbcommit"]["status"] != "ok":
    bad.append(("commit", fits["max kbcommit"]["status"]))
print(bad or "fine", len(days), "days")
sys.exit(1 if bad else 0)
EOF
out=$(python3 "$T/trend.py" "$T/trend.csv" 2>&1); st=$?
check "--trend: slopes per day (-72000, +57600, +14400 kB), R² 1, the day MemAvailable reaches 0 as python3 extrapolates it" \
    $([ $rc = 0 ] && [ $st = 0 ]; echo $?) "$out" "$(cat "$T/trend.txt")"
check "--trend text: words and numbers for each line" \
    $(grep -q '^min kbavail .*reaches 0 on 20[0-9-]* (in [0-9]* days)$' "$T/trend.txt" &&
      grep -q '^max kbswpused .*fills swap on ' "$T/trend.txt"; echo $?) "$(cat "$T/trend.txt")"
check "--trend --format=json is valid JSON with day, fit rows" \
    $(python3 -c "import json,sys; r=json.load(open('$T/trend.json'))['memtrail']['rows']; sys.exit(not (sum(x['kind']=='day' for x in r)==10 and sum(x['kind']=='fit' for x in r)==4))"; echo $?)

# honest when the data cannot tell
"$MR" --trend -f "$T/lin" --since 2026-11-02 --until '2026-11-03 23:59' > "$T/two.txt"
check "--trend with 2 days: not enough data, in words" \
    $(grep -q 'not enough data: 2 days, need at least 3' "$T/two.txt"; echo $?) "$(cat "$T/two.txt")"
tests/capacity/mkdays.sh "$T/seed.db" "$T/noisy" 2026-11-02 6 3600 || exit 1
k=0
for off in 0 -900000 700000 -600000 800000 -300000; do
    f=$(ls "$T"/noisy/*.db | sed -n "$((k + 1))p")
    sqlite3 "$f" "UPDATE sample SET MemAvailable = MemAvailable + $off, SwapFree = SwapTotal - 100000 * (7 - $k);"
    k=$((k + 1))
done
"$MR" --trend -f "$T/noisy" > "$T/noisy.txt"
"$MR" --trend -f "$T/noisy" --format=csv > "$T/noisy.csv"
check "--trend: a poor fit is not extrapolated (R² in the words)" \
    $(grep -q '^min kbavail .*fit too poor to extrapolate (R² 0\.[0-9][0-9], need 0.50)$' "$T/noisy.txt" &&
      grep -q '^fit,.*min kbavail,6,.*,poor_fit,,,' "$T/noisy.csv"; echo $?) "$(cat "$T/noisy.txt")"
check "--trend: a slope away from the limit says so" \
    $(grep -q '^max kbswpused .*no upward trend (slope -100000 kB/day)$' "$T/noisy.txt"; echo $?) "$(cat "$T/noisy.txt")"

# ---- the chart
t=$(date +%s%N); "$MR" --format=svg -f "$T/d30" -o "$T/d30.svg" 2>"$T/err"; rc=$?; svg_ms=$(ms $t)
t=$(date +%s%N); "$MR" --trend -f "$T/d30" > /dev/null; trend_ms=$(ms $t)
check "--format=svg -o FILE: well-formed XML (${svg_ms} ms for 30 days; --trend ${trend_ms} ms)" \
    $([ $rc = 0 ] && python3 -c "import xml.etree.ElementTree as E; E.parse('$T/d30.svg')"; echo $?) "$(cat "$T/err")"
"$MR" --format=svg -f "$T/d30" --since 2026-10-17 --until '2026-10-17 23:59' > "$T/stdout.svg"
check "--format=svg writes to stdout without -o" \
    $(head -1 "$T/stdout.svg" | grep -q '^<?xml'; echo $?)
check "the SVG is self-contained: no external references, scripts or fonts" \
    $(! grep -Eiq '<script|href=|@import|@font-face|url\(' "$T/d30.svg"; echo $?)

cat > "$T/png.py" <<'EOF'
# a tiny PNG reader (8-bit RGB/RGBA, non-interlaced) and the checks on a rendered chart
import struct, sys, zlib
import xml.etree.ElementTree as E
from pngread import read_png
svg, png, spike, boot2 = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
root = E.parse(svg).getroot()
W, H = int(root.get("width")), int(root.get("height"))
w, h, px = read_png(png)
bad = []
if (w, h) != (W, H):
    bad.append(("size", w, h, W, H))
panels = {g.get("id"): g for g in root.iter("{http://www.w3.org/2000/svg}g") if g.get("class") == "panel"}
for name in ("memory", "swap", "swapping"):
    if name not in panels:
        bad.append(("no panel", name)); continue
    g = panels[name]
    x0, y0, pw, ph = (int(g.get(k)) for k in ("data-x0", "data-y0", "data-w", "data-h"))
    ink = sum(1 for x in range(x0 + 2, x0 + pw - 2, 7) for y in range(y0 + 2, y0 + ph - 2, 5)
              if px(x, y) != (255, 255, 255))
    if ink < 50:
        bad.append(("empty panel", name, ink))
g = panels["memory"]
x0, y0, pw, ph = (int(g.get(k)) for k in ("data-x0", "data-y0", "data-w", "data-h"))
t0, t1, ymax = int(g.get("data-t0")), int(g.get("data-t1")), float(g.get("data-ymax"))
col = lambda ts: x0 + int((ts - t0) * pw // (t1 - t0 + 1))
# the planted sample: kbmemused 16777216 - (100000 + 200000 + 2500000 + 300000)
yspike = round(y0 + ph - 13677216 / ymax * ph)
dark = lambda p: 110 < p[0] < 190 and p[1] < 70 and p[2] < 70   # the used envelope, #9e1b12
hit = [x for x in range(col(spike) - 1, col(spike) + 3) if any(dark(px(x, y)) for y in range(yspike - 2, yspike + 3))]
far = [x for x in range(x0 + 5, x0 + pw - 5, 3) if abs(x - col(spike)) > 6 and abs(x - col(boot2)) > 2 and any(dark(px(x, y)) for y in range(yspike - 2, yspike + 3))]
if not hit or far:
    bad.append(("spike", col(spike), yspike, hit, far[:10]))
red = lambda p: p[0] > 180 and p[1] < 60 and p[2] < 60           # the restart line, #c00
xr = col(boot2)
if not any(red(px(x, y0 + ph // 2 + d)) for x in range(xr - 1, xr + 2) for d in range(-6, 6)):
    bad.append(("restart line", xr))
print(bad or "fine", (w, h))
sys.exit(1 if bad else 0)
EOF
if ! command -v rsvg-convert >/dev/null; then
    echo "skip - the SVG rendered to PNG (no rsvg-convert: apt-get install librsvg2-bin)"
else
    rsvg-convert "$T/d30.svg" -o "$T/d30.png" 2>"$T/err"; rc=$?
    out=$(PYTHONPATH="$ROOT/tests" python3 "$T/png.py" "$T/d30.svg" "$T/d30.png" "$SPIKE" "$BOOT2" 2>&1); st=$?
    check "the SVG renders (rsvg-convert): its size, ink in each panel, the one-sample peak among 30 days at its x, the restart line" \
        $([ $rc = 0 ] && [ $st = 0 ]; echo $?) "$out" "$(cat "$T/err")"
fi
check "the SVG marks the restart and labels a local-date axis" \
    $(grep -q 'class="restart"' "$T/d30.svg" && grep -q '>restart</text>' "$T/d30.svg" &&
      grep -q 'class="xlab"[^>]*>Mon 10-05<' "$T/d30.svg"; echo $?)

# processes, NUMA nodes and odd names: the per-process fixture archive
if [ -x "$FIX" ] && mkdir -p "$T/fx" && "$FIX" "$T/fx" >/dev/null 2>&1; then
    "$MR" --format=svg -f "$T/fx/procs.db" -o "$T/fx.svg" 2>"$T/err"; rc=$?
    out=$(python3 - "$T/fx.svg" <<'EOF' 2>&1
import sys, xml.etree.ElementTree as E
root = E.parse(sys.argv[1]).getroot()
ns = "{http://www.w3.org/2000/svg}"
ids = [g.get("id") for g in root.iter(ns + "g") if g.get("class") == "panel"]
texts = [t.text or "" for t in root.iter(ns + "text")]
odd = 'a b,c"d;(e)\u240af\u00ff'
ok = "processes" in ids and "node0" in ids and "node2" in ids and any(odd in t for t in texts) \
     and any(t.endswith(" leaker") for t in texts)
print(ids, [t for t in texts if "a b" in t])
sys.exit(0 if ok else 1)
EOF
); st=$?
    check "--format=svg: a panel per NUMA node, the largest processes, names escaped for XML" \
        $([ $rc = 0 ] && [ $st = 0 ]; echo $?) "$out" "$(cat "$T/err")"
    "$MR" --trend -f "$T/fx/procs.db" > "$T/fxt.txt"
    check "--trend: the largest processes' growth, steepest first" \
        $(grep -A1 '^      PID' "$T/fxt.txt" | tail -1 | grep -q ' leaker$'; echo $?) "$(cat "$T/fxt.txt")"
else
    echo "skip - SVG and trend with processes (no procs_fixture: run make sanitize)"
fi
echo "# timings on 30 days of one-minute samples (no processes): --summary=day ${day_ms} ms, --trend ${trend_ms} ms, --format=svg ${svg_ms} ms"
exit 0
