#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Charts a person reads at a glance: memreport --format=svg rendered by
# headless Chromium, read back pixel by pixel (a few lines of PNG decoding
# in python3, no extra packages).
#
# The archive: one real memcollect sample (with this machine's processes)
# cloned into a day of one-minute samples (tests/capacity/mkdays.sh), set to
# a 24 GiB machine whose MemAvailable is about 19 GiB and drops by 500 MiB
# from 12:00 to 12:10; a reboot at 18:00 brings the same processes back
# under a new boot, so their names repeat in the legend.
# Checks:
#   - the incident is visible: in the panel scaled to MemAvailable's own
#     range, its line moves by many pixel rows at 12:00 (measured beside the
#     memory panel's move, which is scaled to total RAM);
#   - that panel marks and labels MemAvailable's minimum;
#   - CommitLimit is one dashed line drawn in one direction, and shows
#     dashed on screen;
#   - every y axis speaks one unit system: tick labels carry the unit of
#     the panel's title;
#   - legend entries of processes whose names repeat are told apart.
# Prints "ok - NAME" / "not ok - NAME" / "skip - NAME (why)".
set -u
. "$(dirname "$0")/../lib.sh"
cd "$ROOT" || exit 2
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export TZ=Europe/Berlin LC_ALL=C

if [ -z "$FAKETIME_LIB" ] || ! have python3 || ! have sqlite3; then
    skip "charts (needs faketime, python3 and sqlite3)"
    exit 0
fi
LD_PRELOAD=$FAKETIME_LIB FAKETIME="@2026-10-01 00:00:00" FAKETIME_DONT_RESET=1 \
    "$MC" "$T/seed.db" 2>"$T/err"
[ -s "$T/seed.db" ] || { not_ok "seed sample" "$(cat "$T/err")"; exit 1; }
tests/capacity/mkdays.sh "$T/seed.db" "$T/day" 2026-10-01 1 60 procs || { not_ok "mkdays"; exit 1; }
DB=$(ls "$T"/day/memtrail-*.db)
D0=$(date -d '2026-10-01 00:00:00' +%s)
INC0=$(date -d '2026-10-01 12:00:00' +%s)
INC1=$(date -d '2026-10-01 12:10:00' +%s)
BOOT2=$(date -d '2026-10-01 18:00:00' +%s)
# a little noise (up to 20 MB) so that the range is not flat; the incident: -500 MiB
sqlite3 "$DB" "UPDATE sample SET MemTotal = 25165824,
    MemAvailable = 20000000 + 2000 * (((ts - $D0) / 60 * 7) % 11)
                   - CASE WHEN ts >= $INC0 AND ts < $INC1 THEN 512000 ELSE 0 END;
  UPDATE sample SET MemFree = MemAvailable - 3000000;
  INSERT INTO boot VALUES (2, 'bbbbbbbb-2222-3333-4444-555555555555', $BOOT2);
  UPDATE sample SET boot_no = 2, uptime_cs = (ts - $BOOT2) * 100 + 1500 WHERE ts >= $BOOT2;" ||
    { not_ok "archive edit"; exit 1; }
MINTS=$(sqlite3 "$DB" "SELECT ts FROM sample ORDER BY MemAvailable, ts LIMIT 1")
MINAT=$(date -d "@$MINTS" +%H:%M)

"$MR" --format=svg -f "$DB" -o "$T/chart.svg" 2>"$T/err"; rc=$?
check "--format=svg of the incident day" $rc "$(cat "$T/err")"
"$MR" --format=svg -f "$DB" --top 100000 -o "$T/all.svg" 2>"$T/err"; rc=$?
check "--format=svg --top 100000 (every process, both boots)" $rc "$(cat "$T/err")"

cat > "$T/svgcheck.py" <<'EOF'
# checks on the SVG's structure: svgcheck.py WHAT SVG [ARGS]
import re, sys
import xml.etree.ElementTree as E
NS = "{http://www.w3.org/2000/svg}"
what, svg = sys.argv[1], sys.argv[2]
root = E.parse(svg).getroot()
panels = {g.get("id"): g for g in root.iter(NS + "g") if g.get("class") == "panel"}
def texts(g, cls):
    return [t.text or "" for t in g.iter(NS + "text") if t.get("class") == cls]
bad = []
if what == "limit":
    # CommitLimit: polylines (one direction), dashed, never a polygon drawn forward and back
    els = [e for e in root.iter() if e.get("class") == "limit"]
    if not els:
        bad.append("no element of class limit")
    for e in els:
        tag = e.tag.replace(NS, "")
        xs = [float(p.split(",")[0]) for p in (e.get("points") or "").split()]
        if tag != "polyline":
            bad.append(("not a polyline", tag))
        if not e.get("stroke-dasharray"):
            bad.append("not dashed")
        if e.get("fill") not in ("none",):
            bad.append(("filled", e.get("fill")))
        if any(b <= a for a, b in zip(xs, xs[1:])):
            bad.append(("x goes back", xs[:6], "..."))
elif what == "units":
    # every axis in one unit: the title names it, every tick label carries it
    units = ("KiB", "MiB", "GiB", "TiB")
    for pid, g in panels.items():
        title = texts(g, "title")[0]
        ticks = texts(g, "ylab")
        m = re.search(r"\((KiB|MiB|GiB|TiB|pages/s|%)(?=\))", title)
        if not m:
            bad.append((pid, "no unit in the title", title)); continue
        u = m.group(1)
        if re.search(r"\bkB\b", title):
            bad.append((pid, "kB in the title", title))
        for t in ticks:
            if u in ("pages/s", "%"):
                ok = re.fullmatch(r"[0-9]+(\.[0-9]+)?", t)
            else:
                ok = re.fullmatch(r"[0-9]+(\.[0-9]+)? " + u, t)
            if not ok:
                bad.append((pid, "tick", t, "under", u))
        if len(ticks) < 3:
            bad.append((pid, "too few ticks", ticks))
elif what == "minimum":
    # the data-range panel marks MemAvailable's minimum and labels it with its value and time
    g = panels.get("available")
    if g is None:
        bad.append(("no available panel", sorted(panels)))
    else:
        at = sys.argv[3]
        unit = re.search(r"\((KiB|MiB|GiB|TiB)\b", texts(g, "title")[0])
        marks = [e for e in g.iter() if e.get("class") == "min-mark"]
        labels = texts(g, "min-label")
        if not marks or len(labels) != 1 or not unit or \
           not re.search(r"min [0-9.]+ " + unit.group(1) + r"\b.*" + at, labels[0]):
            bad.append(("mark", len(marks), "label", labels, "expected time", at))
elif what == "legend":
    # legend entries are all different; entries whose pid and name repeat say their boot
    g = panels["processes"]
    legend = [t.text or "" for t in g.iter(NS + "text") if t.get("class") in (None, "legend")]
    seen = {}
    for t in legend:
        seen[t] = seen.get(t, 0) + 1
    dup = [t for t, n in seen.items() if n > 1]
    if dup:
        bad.append(("the same legend text twice", dup[:5]))
    bypid = {}
    for t in legend:
        m = re.match(r"([0-9]+) (.*?)( \((boot [0-9]+)[^)]*\))?$", t)
        if m:
            bypid.setdefault((m.group(1), m.group(2)), []).append(m.group(4))
    pairs = [k for k, v in bypid.items() if len(v) > 1]
    if not pairs:
        bad.append(("no process shown in both boots", legend[:6]))
    for k in pairs:
        if sorted(b or "-" for b in bypid[k]) != ["boot 1", "boot 2"]:
            bad.append(("not told apart", k, bypid[k]))
    if len(legend) < 2:
        bad.append(("legend", legend))
print(bad or "fine")
sys.exit(1 if bad else 0)
EOF
out=$(python3 "$T/svgcheck.py" limit "$T/chart.svg" 2>&1)
check "CommitLimit: one dashed polyline per run, drawn in one direction" $? "$out"
out=$(python3 "$T/svgcheck.py" units "$T/chart.svg" 2>&1)
check "axes: every tick label carries the unit of its panel's title (KiB/MiB/GiB)" $? "$out"
out=$(python3 "$T/svgcheck.py" minimum "$T/chart.svg" "$MINAT" 2>&1)
check "the data-range panel marks MemAvailable's minimum, labelled with value and time ($MINAT)" $? "$out"
out=$(python3 "$T/svgcheck.py" legend "$T/all.svg" 2>&1)
check "legend: a process in both boots is told apart (boot 1, boot 2)" $? "$out"

# ---- rendered by headless Chromium
if [ -z "$CHROMIUM" ]; then
    skip "charts in Chromium (no chromium: apt-get install --no-install-recommends chromium)"
    exit 0
fi
if ! out=$(chromium_png "$T/chart.svg" "$T/chart.png"); then
    not_ok "Chromium renders the chart" "$out"
    exit 0
fi
ok "Chromium renders the chart ($(sed -n 's/^<svg [^>]* width="\([0-9]*\)" height="\([0-9]*\)".*/\1x\2/p' "$T/chart.svg"))"

cat > "$T/pixels.py" <<'EOF'
# pixels.py SVG PNG INC0 INC1 BOOT2: the rendered chart's pixels
import struct, sys, zlib
import xml.etree.ElementTree as E
from pngread import read_png
svg, png, inc0, inc1, boot2 = sys.argv[1], sys.argv[2], *map(int, sys.argv[3:6])
root = E.parse(svg).getroot()
w, h, px = read_png(png)
panels = {g.get("id"): g for g in root.iter("{http://www.w3.org/2000/svg}g") if g.get("class") == "panel"}
def geometry(name):
    g = panels[name]
    x0, y0, pw, ph = (int(g.get(k)) for k in ("data-x0", "data-y0", "data-w", "data-h"))
    t0, t1 = int(g.get("data-t0")), int(g.get("data-t1"))
    ymin, ymax = float(g.get("data-ymin", 0)), float(g.get("data-ymax"))
    return x0, y0, pw, ph, lambda ts: x0 + int((ts - t0) * pw // (t1 - t0 + 1)), \
        lambda v: y0 + ph - (v - ymin) / (ymax - ymin) * ph
blue = lambda p: p[2] > 140 and p[0] < 120 and p[2] - p[0] > 60   # MemAvailable, #1f5fbf
def line_row(name, t0, t1):
    """the median over the columns from T0 to T1 of the mean pixel row of
    MemAvailable's ink (None: no ink); the minimum's mark may hide a column"""
    x0, y0, pw, ph, col, _ = geometry(name)
    rows = []
    for x in range(col(t0), col(t1) + 1):
        ys = [y for y in range(y0 + 1, y0 + ph - 1) if blue(px(x, y))]
        if ys:
            rows.append(sum(ys) / len(ys))
    return sorted(rows)[len(rows) // 2] if rows else None
bad, out = [], []
if (w, h) != (int(root.get("width")), int(root.get("height"))):
    bad.append(("size", w, h))
moves = {}
for name in ("memory", "available"):
    if name not in panels:
        bad.append(("no panel", name)); continue
    # an hour before, the incident's columns (not its edges), an hour after
    r = [line_row(name, inc0 - 3600, inc0 - 1800), line_row(name, inc0 + 60, inc1 - 120),
         line_row(name, inc1 + 1800, inc1 + 3600)]
    if None in r:
        bad.append(("no MemAvailable ink", name, r)); continue
    moves[name] = r[1] - (r[0] + r[2]) / 2
out.append("MemAvailable's -500 MiB step moves the line by " +
           ", ".join("%.1f rows in the %s panel" % (v, k) for k, v in moves.items()))
if moves.get("available", 0) < 40:
    bad.append(("the step in the available panel is not visible", moves))
# CommitLimit, dashed on screen: along its row, ink of #555 in many separate runs
x0, y0, pw, ph, col, ypos = geometry("memory")
g = panels["memory"]
limit = [e for e in root.iter() if e.get("class") == "limit"]
ylim = None
if limit:
    pts = (limit[0].get("points") or "").split()
    ylim = round(float(pts[0].split(",")[1])) if pts else None
grey = lambda p: max(p) - min(p) < 30 and max(p) < 190   # #555, antialiased over the stack
if ylim is None:
    bad.append("no CommitLimit line")
else:
    xr = col(boot2)
    ink = [any(grey(px(x, y)) for y in range(ylim - 1, ylim + 2))
           for x in range(x0 + 2, x0 + pw - 2) if abs(x - xr) > 3]
    runs = sum(1 for a, b in zip([False] + ink, ink) if b and not a)
    gaps = ink.count(False)
    out.append("CommitLimit row %d: %d dashes, %d of %d columns blank" % (ylim, runs, gaps, len(ink)))
    if runs < 40 or gaps < len(ink) // 5:
        bad.append(("CommitLimit does not show dashed", runs, gaps))
print("; ".join(out))
if bad:
    print(bad)
sys.exit(1 if bad else 0)
EOF
out=$(PYTHONPATH="$ROOT/tests" python3 "$T/pixels.py" "$T/chart.svg" "$T/chart.png" "$INC0" "$INC1" "$BOOT2" 2>&1); st=$?
check "Chromium: the 500 MiB incident on a 24 GiB machine moves the data-range panel's line, CommitLimit shows dashed" \
    $st "$out"
echo "# $(echo "$out" | head -1)"
