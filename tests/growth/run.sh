#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The culprit ranking and the moments (issue 8): --growth ranks by each
# process's contribution to the memory that appeared in the window (born in
# the window: counted from 0; ended: down to 0), and so do the SVG's process
# panel and --trend's process part; --at worst, --at nearest in absolute time
# with the distance said, --at without a sample (exit 2); and an empty window
# in every report (one line on stderr, exit 0).
# Archives are made by the real memcollect: processes of known sizes in a
# private pid namespace, and samples at chosen instants under libfaketime.
# Prints "ok - NAME" / "not ok - NAME" / "skip - NAME (why)".
set -u
. "$(dirname "$0")/../lib.sh"
cd "$ROOT" || exit 2
T=$(mktemp -d)
PIDS=""
cleanup() {
    local p
    for p in $PIDS; do kill "$p" 2>/dev/null; done
    rm -rf "$T"
}
trap cleanup EXIT
export TZ=UTC LC_ALL=C MC MR

check() {   # NAME STATUS [DETAILS...]
    local name=$1 st=$2; shift 2
    if [ "$st" = 0 ]; then echo "ok - $name"; else echo "not ok - $name"; printf '%s\n' "$@" | head -40 | sed 's/^/  /'; fi
}
# pyck NAME SCRIPT ARGS...: a python3 check that prints "ok" when it holds
pyck() {
    local name=$1 script=$2 out; shift 2
    out=$(python3 -c "$script" "$@" 2>&1)
    check "$name" "$([ "$out" = ok ]; echo $?)" "$out"
}
if ! have python3 || ! have sqlite3 || ! have unshare; then
    echo "skip - growth and moments (needs python3, sqlite3 and unshare)"
    exit 0
fi
cd "$T" || exit 2

# ---------------------------------------------------------------------------
# 1. A real archive: in a private pid namespace, mt-steady holds 400 MB and
#    mt-ending 100 MB throughout, mt-leak grows 2 MB a second; sample; mt-born
#    starts and allocates 300 MB at once; sample; mt-ending exits; sample.
cat > hold.py <<'PY'
import ctypes, os, sys, time
def touch(b):
    for i in range(0, len(b), 4096):
        b[i] = 1
name, mb, ready = sys.argv[1], int(sys.argv[2]), sys.argv[3]
ctypes.CDLL(None).prctl(15, name.encode(), 0, 0, 0)   # PR_SET_NAME: the comm
chunks = [bytearray(mb << 20)]
touch(chunks[0])
open(ready, 'w').write(str(os.getpid()))
while True:
    time.sleep(0.5)
    if name == 'mt-leak' and len(chunks) < 64:
        chunks.append(bytearray(1 << 20)); touch(chunks[-1])
PY
cat > drive.py <<'PY'
import os, subprocess, sys, time
def start(name, mb):
    p = subprocess.Popen([sys.executable, 'hold.py', name, str(mb), name + '.ready'])
    end = time.time() + 60
    while not os.path.exists(name + '.ready') or not os.path.getsize(name + '.ready'):
        assert time.time() < end, name + ' not ready'
        time.sleep(0.05)
    return p
def sample():
    time.sleep(1.05 - time.time() % 1)     # one sample per second at most
    subprocess.run([os.environ['MC'], 'grow.db'], check=True)
kids = [start('mt-steady', 400), start('mt-leak', 4)]
ending = start('mt-ending', 100)
time.sleep(1)
sample()
kids.append(start('mt-born', 300))
sample()
ending.terminate(); ending.wait()
time.sleep(1)
sample()
for k in kids:
    k.terminate(); k.wait()
PY
if unshare -p -f --mount-proc true 2>/dev/null; then
    unshare -p -f --mount-proc python3 drive.py > drive.out 2>&1; rc=$?
    n=$(sqlite3 grow.db 'SELECT count(*) FROM sample' 2>/dev/null || echo 0)
    check "real archive: three samples around a 300 MB process born in the window" \
        "$([ $rc = 0 ] && [ "$n" = 3 ]; echo $?)" "exit $rc, $n samples" "$(cat drive.out)"
    "$MR" --growth -f grow.db > g.txt 2>&1
    "$MR" --growth -f grow.db --top 1000 --format=csv > g.csv 2>&1
    "$MR" --growth -f grow.db --top 1000 --format=json > g.json 2>&1
    pyck "--growth: the process born in the window at 300 MB ranks first (text, CSV, JSON)" '
import csv, json, sys
rows = list(csv.DictReader(open("g.csv", newline="", errors="surrogateescape")))
assert rows and rows[0]["comm"] == "mt-born", [(r["comm"], r["change_kb"]) for r in rows[:5]]
assert int(rows[0]["change_kb"]) >= 290 * 1024, rows[0]
assert rows[0]["started"] == "1" and rows[0]["ended"] == "0", rows[0]
j = json.load(open("g.json"))["memtrail"]["rows"]
assert j[0]["comm"] == "mt-born" and j[0]["change_kb"] == int(rows[0]["change_kb"]), j[0]
text = [l.split() for l in open("g.txt", errors="surrogateescape") if l[:9].strip().isdigit()]
assert text and text[0][-1] == "mt-born", text[:3]
print("ok")'
    pyck "--growth: an ended process counts down to 0 and ranks last; one present throughout counts last - first" '
import csv
rows = list(csv.DictReader(open("g.csv", newline="", errors="surrogateescape")))
by = {r["comm"]: r for r in rows}
e, s, l = by["mt-ending"], by["mt-steady"], by["mt-leak"]
assert rows[-1]["comm"] == "mt-ending", [(r["comm"], r["change_kb"]) for r in rows[-3:]]
assert e["ended"] == "1" and int(e["change_kb"]) == -int(e["first_rss_kb"]) and int(e["change_kb"]) <= -95 * 1024, e
for r in (s, l):
    assert r["started"] == "0" and r["ended"] == "0", r
    assert int(r["change_kb"]) == int(r["last_rss_kb"]) - int(r["first_rss_kb"]), r
assert int(l["change_kb"]) > 0 and l["grew_pct"] == "100.00", l
ch = [int(r["change_kb"]) for r in rows]
assert ch == sorted(ch, reverse=True), ch
print("ok")'
    first=$(sqlite3 grow.db 'SELECT min(ts) FROM sample'); last=$(sqlite3 grow.db 'SELECT max(ts) FROM sample')
    "$MR" --at "@$first" --top 1000 -f grow.db --format=csv > at1.csv 2>&1
    "$MR" --at "@$last" --top 1000 -f grow.db --format=csv > at3.csv 2>&1
    pyck "--growth: the changes add up to the change of the processes' total RSS over the window" '
import csv
def total(f):
    return sum(int(r["rss_kb"]) for r in csv.DictReader(open(f, newline="", errors="surrogateescape")) if r["kind"] == "process" and r["pid"] != "-1")
rows = list(csv.DictReader(open("g.csv", newline="", errors="surrogateescape")))
s = sum(int(r["change_kb"]) for r in rows)
assert s == total("at3.csv") - total("at1.csv"), (s, total("at3.csv"), total("at1.csv"))
print("ok")'
    check "--growth: the header line says what CHANGE means" \
        "$(grep -qi 'CHANGE.*born.*from 0' g.txt; echo $?)" "$(head -6 g.txt)"
    "$MR" --format=svg --top 1 -f grow.db > g.svg 2>&1
    check "SVG: the process panel chooses by contribution (mt-born, not the larger mt-steady)" \
        "$(grep -q 'mt-born' g.svg && ! grep -q 'mt-steady' g.svg; echo $?)" "$(grep -o '[^>]*mt-[a-z]*[^<]*' g.svg | head)"
    "$MR" --trend --top 1 -f grow.db > t.txt 2>&1
    "$MR" --trend --top 1 -f grow.db --format=csv > t.csv 2>&1
    pyck "--trend: the process part ranks by contribution (text and CSV)" '
import csv
rows = [r for r in csv.DictReader(open("t.csv", newline="", errors="surrogateescape")) if r["kind"] == "process"]
assert len(rows) == 1 and rows[0]["comm"] == "mt-born", rows
assert int(rows[0]["change_kb"]) >= 290 * 1024, rows[0]
text = open("t.txt", errors="surrogateescape").read().split("growth")[-1]
assert "mt-born" in text and "mt-steady" not in text, text
print("ok")'
else
    skip "--growth on a real archive (no private pid namespace here)"
fi

# ---------------------------------------------------------------------------
# 2. Moments: samples at 09:00, 09:01, 09:02, 09:03 and 12:00 (UTC) of
#    2026-11-26, taken by the real memcollect under libfaketime.
if [ -z "$FAKETIME_LIB" ]; then
    skip "--at (faketime missing)"
    exit 0
fi
for t in 09:00:00 09:01:00 09:02:00 09:03:00 12:00:00; do
    LD_PRELOAD=$FAKETIME_LIB FAKETIME="@2026-11-26 $t" FAKETIME_DONT_RESET=1 \
        "$MC" --procs-max 20 at.db 2>>mc.err || echo "memcollect at $t failed" >> mc.err
done
check "moments archive: five samples" "$([ "$(sqlite3 at.db 'SELECT count(*) FROM sample')" = 5 ]; echo $?)" "$(cat mc.err)"
iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%S+00:00; }
E=$(date -u -d '2026-11-26 00:00:00' +%s)

"$MR" --at 23:00 -f at.db > at23.txt 2>&1
check "--at 23:00: the nearest sample in absolute time (12:00), not the day's first across midnight" \
    "$(grep -q "$(iso $((E + 12 * 3600)))" at23.txt && ! grep -q 'T09:00' at23.txt; echo $?)" "$(head -5 at23.txt)"
check "--at 23:00: the output says how far the sample is" \
    "$(grep -q '11:00:00 before' at23.txt; echo $?)" "$(head -5 at23.txt)"
"$MR" --at 10:00 -f at.db > at10.txt 2>&1
check "--at 10:00: 09:03 (57 min before) beats 12:00 (2 h after), distance said" \
    "$(grep -q "$(iso $((E + 9 * 3600 + 180)))" at10.txt && grep -q '00:57:00 before' at10.txt; echo $?)" "$(head -5 at10.txt)"
"$MR" --at 09:02:10 -f at.db > at0902.txt 2>&1
check "--at within 2 intervals: no distance note" \
    "$(grep -q "$(iso $((E + 9 * 3600 + 120)))" at0902.txt && ! grep -q 'before\|after' at0902.txt; echo $?)" "$(head -5 at0902.txt)"
"$MR" --at '2026-11-26 11:00' -f at.db --format=csv > at11.csv 2>&1
pyck "--at an instant, CSV: the rule and the signed distance in seconds" '
import csv
rows = list(csv.DictReader(open("at11.csv", newline="", errors="surrogateescape")))
assert rows and rows[0]["rule"] == "nearest" and rows[0]["distance_s"] == "3600", rows[:1]
print("ok")'
"$MR" --at worst -f at.db > worst.txt 2>&1
"$MR" --at worst -f at.db --format=json > worst.json 2>&1
want=$(sqlite3 at.db 'SELECT ts FROM sample ORDER BY MemAvailable, ts LIMIT 1')
check "--at worst: the sample with the lowest MemAvailable, the rule named" \
    "$(grep -q "$(iso "$want")" worst.txt && grep -qi 'lowest MemAvailable' worst.txt; echo $?)" "want $(iso "$want")" "$(head -5 worst.txt)"
pyck "--at worst, JSON: the rule and the sample" '
import json, sys
rows = json.load(open("worst.json"))["memtrail"]["rows"]
assert rows and all(r["rule"] == "worst" and r["epoch"] == int(sys.argv[1]) and r["distance_s"] is None for r in rows), rows[:1]
print("ok")' "$want"
"$MR" --at 09:00 -s 20:00 -f at.db > atnone.out 2> atnone.err; rc=$?
check "--at with no sample in the window: exit 2, one line on stderr, nothing on stdout" \
    "$([ $rc = 2 ] && [ "$(wc -l < atnone.err)" = 1 ] && [ ! -s atnone.out ]; echo $?)" "exit $rc" "$(cat atnone.out atnone.err)"
"$MR" --at worst --since '2027-01-01' -f at.db > atnone.out 2> atnone.err; rc=$?
check "--at worst with no sample: exit 2" "$([ $rc = 2 ] && [ "$(wc -l < atnone.err)" = 1 ]; echo $?)" "exit $rc" "$(cat atnone.err)"

# ---------------------------------------------------------------------------
# 3. Empty windows: -s/-e between samples, and --since/--until past them.
#    sar prints its banner and nothing else, exit 0 (Debian's sar does);
#    memtrail's own reports print nothing on stdout.  Every report says so in
#    one line on stderr and exits 0.
empty_case() {   # NAME STDOUT-RULE ARGS...  (rule: sar | none | doc)
    local name=$1 rule=$2 rc; shift 2
    "$MR" "$@" > e.out 2> e.err; rc=$?
    local okk=0 why=""
    [ $rc = 0 ] || { okk=1; why="exit $rc"; }
    [ "$(wc -l < e.err)" = 1 ] && grep -q 'no sample' e.err || { okk=1; why="$why; stderr not one line"; }
    ! grep -q '01/01/70\|__\|1970\|from \(.*\) to \1\|+0\.0 kB' e.out || { okk=1; why="$why; bogus output"; }
    case $rule in
        sar) [ "$(grep -c . e.out)" -le 1 ] && ! grep -q '^[0-9]' e.out || { okk=1; why="$why; rows on stdout"; } ;;
        none) [ ! -s e.out ] || { okk=1; why="$why; stdout not empty"; } ;;
        doc) ;;   # an empty but valid document (CSV header, JSON, SVG, # EOF)
    esac
    check "empty window: $name" $okk "$why" "stdout: $(head -5 e.out)" "stderr: $(cat e.err)"
}
for w in "-s 20:00 -e 20:10" "--since 2027-01-01 --until 2027-01-02"; do
    for a in -r -S -W -B -H -A; do empty_case "$a ($w)" sar $a -f at.db $w; done
    empty_case "sadf ($w)" none --format=sadf -f at.db $w
    empty_case "csv ($w)" doc --format=csv -f at.db $w
    empty_case "json ($w)" doc --format=json -f at.db $w
    for a in -p --growth --numa; do
        empty_case "$a ($w)" none $a -f at.db $w
        empty_case "$a csv ($w)" doc $a --format=csv -f at.db $w
        empty_case "$a json ($w)" doc $a --format=json -f at.db $w
    done
    empty_case "--summary ($w)" none --summary=day -f at.db $w
    empty_case "--trend ($w)" none --trend -f at.db $w
    empty_case "--trend csv ($w)" doc --trend --format=csv -f at.db $w
    empty_case "svg ($w)" doc --format=svg -f at.db $w
    for f in openmetrics influx csv-long; do empty_case "$f ($w)" doc --format=$f -f at.db $w; done
done
"$MR" --growth -f at.db -s 09:03:00 -e 09:03:00 > e.out 2> e.err
check "empty window: --growth over only the -s reference record says so" \
    "$([ ! -s e.out ] && grep -q 'no sample' e.err; echo $?)" "$(cat e.out e.err)"

# --trend with too little data says how much it needs, and shows no slope
"$MR" --trend -f at.db > tr.txt 2>&1
check "--trend with too little data: what it needs, no +0.0 slope" \
    "$(grep -q 'need at least 3' tr.txt && ! grep -q '^m[ai][xn] kb.*+0\.0 ' tr.txt; echo $?)" "$(cat tr.txt)"
"$MR" --trend -f at.db -s 09:00 -e 09:00:30 --since '2026-11-26 09:00' --until '2026-11-26 09:00:30' > tr1.txt 2>&1
check "--trend with one sample: the process part says what it needs" \
    "$(grep -qi 'need.*2 sampled instants\|need at least 2' tr1.txt; echo $?)" "$(cat tr1.txt)"
exit 0
