#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Issue 8's features where they meet each other, on archives of the real
# memcollect (under faketime, TZ=Europe/Berlin where dates matter):
#   - --at with a time of day on a DST day: the instant that local time
#     names on the other side of the change too, the gap an error naming it,
#     the ambiguous hour its first occurrence (as -s takes it); --at with a
#     date in the gap; --at worst over a directory of several days;
#   - -p --comm of a process renamed over midnight: day banners and the
#     name of each row's time;
#   - --verify's report checks its writes like every other output
#     (> /dev/full says why and exits 2; -o FILE gets the report);
#   - --trend's process slope over a burst of samples a second apart, and
#     --growth's slope of a flat RSS (0.0, never -0.0);
#   - --human in --trend and --summary.
# Prints "ok - NAME" / "not ok - NAME" (details indented) / "skip - NAME (why)".
set -u
. "$(dirname "$0")/../lib.sh"
cd "$ROOT" || exit 2
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export TZ=Europe/Berlin LC_ALL=C

if [ -z "$FAKETIME_LIB" ]; then
    skip "issue 8 interactions (needs libfaketime)"
    exit 0
fi
# collect DIR @EPOCH [OPTIONS...]: one real sample into DIR's daily file
collect() {
    local dir=$1 epoch=${2#@}
    shift 2
    LD_PRELOAD=$FAKETIME_LIB FAKETIME_FMT=%s FAKETIME="@$epoch" FAKETIME_DONT_RESET=1 \
        "$MC" "$@" -D "$dir/" 2>>"$T/collect.err"
}

# ---------------------------------------------------------------- --at on DST days
# 2026-03-29: 01:30 .. 01:50 CET, then 03:00 .. 03:40 CEST
# 2026-10-25: 01:50 CEST, 02:00 .. 02:50 CEST, 02:00 .. 02:50 CET, 03:00 CET
Z=$T/dst
for ((e = $(date -d '2026-03-29 01:30' +%s); e <= $(date -d '2026-03-29 03:40' +%s); e += 600)); do
    collect "$Z" "@$e" || { not_ok "DST archive" "$(cat "$T/collect.err")"; exit 1; }
done
for ((e = $(date -d '2026-10-25 01:50 CEST' +%s); e <= $(date -d '2026-10-25 03:00 CET' +%s); e += 600)); do
    collect "$Z" "@$e" || { not_ok "DST archive" "$(cat "$T/collect.err")"; exit 1; }
done
SPRING=$Z/memtrail-20260329.db FALL=$Z/memtrail-20261025.db

# at_shows NAME FILE TIME WANT: --at TIME on FILE picks the sample at WANT
# (ISO local with offset), exactly on it, in text, CSV and JSON alike
at_shows() {
    local name=$1 file=$2 when=$3 want=$4
    "$MR" --at "$when" -f "$file" > "$T/at.txt" 2>&1
    "$MR" --at "$when" --format=csv -f "$file" > "$T/at.csv" 2>&1
    "$MR" --at "$when" --format=json -f "$file" > "$T/at.json" 2>&1
    local csv json
    csv=$(tr -d '\r' < "$T/at.csv" | awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i }
          NR == 2 { print $c["timestamp"], $c["distance_s"] }')
    json=$(python3 -c 'import json, sys; r = json.load(open(sys.argv[1]))["memtrail"]["rows"][0]
print(r["timestamp"], r["distance_s"])' "$T/at.json" 2>&1)
    check "$name" $(grep -q "^Sample nearest $want: $want\$" "$T/at.txt" &&
                    [ "$csv" = "$want 0" ] && [ "$json" = "$want 0" ]; echo $?) \
        "$(sed -n 3p "$T/at.txt")" "csv: $csv" "json: $json"
}
at_shows "--at 01:40 on the spring DST day: 01:40 CET" "$SPRING" 01:40 2026-03-29T01:40:00+01:00
at_shows "--at 03:10 on the spring DST day: 03:10 CEST, not an hour off" "$SPRING" 03:10 \
    2026-03-29T03:10:00+02:00
at_shows "--at 02:30 on the autumn DST day: its first occurrence (CEST), as -s" "$FALL" 02:30 \
    2026-10-25T02:30:00+02:00
at_shows "--at 03:00 on the autumn DST day: 03:00 CET, not an hour off" "$FALL" 03:00 \
    2026-10-25T03:00:00+01:00
"$MR" --at 02:30 -f "$SPRING" > "$T/gap.txt" 2> "$T/gap.err"
rc=$?
check "--at 02:30 on the spring DST day: an error naming the gap, as --since" \
    $([ $rc = 1 ] && [ ! -s "$T/gap.txt" ] && [ "$(wc -l < "$T/gap.err")" = 1 ] &&
      grep -q '02:00 CET' "$T/gap.err" && grep -q '03:00 CEST' "$T/gap.err"; echo $?) \
    "exit $rc" "$(cat "$T/gap.err" "$T/gap.txt")"

"$MR" --at '2026-03-29 02:30' -f "$Z" > "$T/gap.txt" 2> "$T/gap.err"
rc=$?
check "--at '2026-03-29 02:30' (a date and time): an error naming the gap" \
    $([ $rc = 1 ] && [ ! -s "$T/gap.txt" ] && grep -q '02:00 CET' "$T/gap.err" &&
      grep -q '03:00 CEST' "$T/gap.err"; echo $?) "exit $rc" "$(cat "$T/gap.err" "$T/gap.txt")"

# --at worst over a directory of several days: the lowest MemAvailable of
# them all (sqlite3 says which), under a banner with that sample's date
if have sqlite3; then
    for f in "$SPRING" "$FALL"; do
        sqlite3 "$f" 'SELECT MemAvailable, ts FROM sample'
    done | sort -n | head -1 > "$T/worst"
    wts=$(cut -d'|' -f2 "$T/worst")
    want=$(date -d "@$wts" +%Y-%m-%dT%H:%M:%S%:z) wdate=$(date -d "@$wts" +%m/%d/%y)
    "$MR" --at worst -f "$Z" --since 2026-03-28 --until 2026-10-26 > "$T/worst.txt" 2>&1
    check "--at worst over several days: the lowest MemAvailable of all, its date in the banner" \
        $(grep -q "(--at worst): $want\$" "$T/worst.txt" && head -1 "$T/worst.txt" | grep -q "	$wdate "
          echo $?) "want $want ($wdate)" "$(head -4 "$T/worst.txt")"
else
    skip "--at worst over several days (needs sqlite3)"
fi

# -p --comm NEW over midnight, for a process renamed between the days: both
# rows (the first under its old name), each under a banner of its own date
R=$T/renamed
mkdir "$R"
python3 -c '
import sys, time
open("/proc/self/comm", "w").write("mtwrap8")
open(sys.argv[1], "w").close()
for _ in range(1200):
    try:
        name = open(sys.argv[2]).read().strip()
        if name:
            open("/proc/self/comm", "w").write(name)
            open(sys.argv[1] + ".renamed", "w").close()
            break
    except FileNotFoundError:
        pass
    time.sleep(0.05)
time.sleep(60)
' "$R/ready" "$R/name" &
KID=$!
for _ in $(seq 200); do [ -e "$R/ready" ] && break; sleep 0.05; done
collect "$R/d" "@$(date -d '2026-11-27 23:40' +%s)"
collect "$R/d" "@$(date -d '2026-11-27 23:50' +%s)"
echo mtpy8 > "$R/name"
for _ in $(seq 200); do [ -e "$R/ready.renamed" ] && break; sleep 0.05; done
collect "$R/d" "@$(date -d '2026-11-28 00:10' +%s)"
kill $KID 2>/dev/null
wait $KID 2>/dev/null
"$MR" -p --comm mtpy8 -f "$R/d" --since '2026-11-27 00:00' --until '2026-11-29 00:00' > "$T/ren.txt" 2>&1
got=$(awk -v pid=$KID '/CPU\)$/ { split($0, f, "\t"); d = f[2]; gsub(/ /, "", d) }
      $3 == pid && $1 ~ /^[0-9]/ { print d, $1, $NF }' "$T/ren.txt" | tr '\n' ' ')
check "-p --comm NEW over midnight: each row under its date's banner, with its name then" \
    $([ "$got" = "11/27/26 23:50:00 mtwrap8 11/28/26 00:10:00 mtpy8 " ]; echo $?) \
    "got: $got" "$(cat "$T/ren.txt")"

# ---------------------------------------------------------------- --verify's output
"$MR" --verify -f "$Z" > /dev/full 2> "$T/full.err"
rc=$?
check "--verify > /dev/full: exit 2 and says why" \
    $([ $rc = 2 ] && grep -q '^memreport: standard output: No space left on device$' "$T/full.err"; echo $?) \
    "exit $rc" "$(cat "$T/full.err")"
"$MR" --verify -f "$Z" -o "$T/verify.txt" > "$T/verify.out" 2>&1
rc=$?
check "--verify -o FILE: the report in FILE, nothing on standard output" \
    $([ $rc = 0 ] && grep -q '^2 checked, 0 damaged, 0 could not be read$' "$T/verify.txt" &&
      [ ! -s "$T/verify.out" ]; echo $?) "exit $rc" "$(cat "$T/verify.out" "$T/verify.txt" 2>&1)"

# ---------------------------------------------------------------- --trend over a burst
# Three samples a second apart (memcollect 1 3, as --watch takes them) while
# a process grows by 16 MB a second: its KB/DAY is that growth, not +0.0.
B=$T/burst
mkdir "$B"
python3 -c '
import sys, time
open("/proc/self/comm", "w").write("mtburst8")
held = []
open(sys.argv[1], "w").close()
for _ in range(40):
    held.append(bytearray(16 << 19))   # 8 MB, touched
    for i in range(0, len(held[-1]), 4096):
        held[-1][i] = 1
    time.sleep(0.5)
' "$B/ready" &
KID=$!
for _ in $(seq 100); do [ -e "$B/ready" ] && break; sleep 0.05; done
"$MC" 1 3 "$B/b.db" 2>> "$T/collect.err"
kill $KID 2>/dev/null
wait $KID 2>/dev/null
"$MR" --trend --top 100000 -f "$B/b.db" > "$T/trend.txt" 2>&1
"$MR" --trend --top 100000 --format=csv -f "$B/b.db" > "$T/trend.csv" 2>&1
row=$(awk -v pid=$KID '$1 == pid && $NF == "mtburst8"' "$T/trend.txt")
slope=$(echo "$row" | awk '{ print $6 }')
csv=$(tr -d '\r' < "$T/trend.csv" | awk -F, -v pid=$KID 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i }
      $c["pid"] == pid { print $c["slope_per_day"] }')
check "--trend over a 2 s burst: a growing process's KB/DAY is its growth, not +0.0" \
    $(awk -v s="$slope" -v c="$csv" 'BEGIN { exit !(s + 0 > 1e8 && c + 0 > 1e8) }'; echo $?) \
    "row: $row" "csv slope_per_day: $csv" "$(head -30 "$T/trend.txt")"

# --growth over three samples of 30 idle processes of different sizes: an
# RSS that never changed has the flat slope 0.0, not -0.0 (rounding noise
# of the fit read as shrinking; about one flat process in seven showed it)
pids=()
for i in $(seq 30); do
    perl -e '$x = "a" x shift; sleep 60' $((i * 40000)) &
    pids+=($!)
done
sleep 0.3
"$MC" 1 3 "$B/flat.db" 2>> "$T/collect.err"
kill "${pids[@]}" 2>/dev/null
wait "${pids[@]}" 2>/dev/null
# an uptime (1475.14 s, a second apart) at which the fit's rounding shows
# for about one RSS value in seven (the noise depends on the uptimes)
sqlite3 "$B/flat.db" 'UPDATE sample SET uptime_cs = 147514 + 100 * (SELECT count(*) FROM sample s
                      WHERE s.ts < sample.ts)'
"$MR" --growth --top 100000 -f "$B/flat.db" > "$T/growth.txt" 2>&1
"$MR" --growth --top 100000 --format=csv -f "$B/flat.db" > "$T/growth.csv" 2>&1
flat=$(python3 -c '
import csv, sys
rows = [r for r in csv.DictReader(open(sys.argv[1], newline=""))
        if r["first_rss_kb"] == r["last_rss_kb"] == r["peak_rss_kb"]]
print("%d flat;" % len(rows), " ".join("%s=%s" % (r["pid"], r["slope_kb_per_hour"])
                                      for r in rows if r["slope_kb_per_hour"] != "0.00"))
' "$T/growth.csv" 2>&1)
check "--growth: a flat RSS has KB/HOUR 0.0, never -0.0 (text and CSV)" \
    $(case $flat in 0\ *|*=*) echo 1 ;; *) ! grep -q ' -0\.0 ' "$T/growth.txt"; echo $? ;; esac) \
    "$flat" "$(grep -- ' -0\.0 ' "$T/growth.txt" | head -5)"

# --human in the other text reports with kB figures: --trend's daily peaks,
# LIMIT and processes, --summary's kB metrics (min, mean, max, p95)
"$MR" --trend --human --top 3 -f "$B/b.db" > "$T/trend_h.txt" 2>&1
"$MR" --summary=hour --human -f "$B/b.db" > "$T/summary_h.txt" 2>&1
out=$(python3 - "$T/trend_h.txt" "$T/summary_h.txt" <<'PY'
import re, sys
unit = re.compile(r"^-?\d+(\.\d)?[kMGTP]$")
bad, seen = [], 0
trend = open(sys.argv[1]).read().splitlines()
peaks = False   # in the "Daily peaks" table (the pressure peaks' rows are no kB)
for i, line in enumerate(trend):
    f = line.split()
    peaks = line.startswith("Daily peaks") or (peaks and bool(f))
    if peaks and re.fullmatch(r"\d{4}-\d\d-\d\d", f[0]):   # a daily peak: kB in 2, 3, 5, 6, 8, 9
        cells = [f[j] for j in (1, 2, 4, 5, 7, 8)]
    elif line.startswith("max kbcommit"):                  # its LIMIT, CommitLimit
        cells = f[4:5]
    elif len(f) > 5 and f[0].isdigit() and "PID" in " ".join(trend[max(0, i - 4):i]):
        cells = f[1:5]                                      # a process: FIRST, LAST, PEAK, CHANGE
    else:
        continue
    seen += 1
    bad += ["trend: " + line for c in cells if not unit.match(c)][:1]
kb = False
for line in open(sys.argv[2]):
    if line.strip().endswith("(kB)"):
        kb = True
    elif line.strip().endswith(")"):
        kb = False
    f = line.split()
    if kb and len(f) > 6 and re.fullmatch(r"\d{4}-\d\d-\d\d", f[0]):
        seen += 1
        bad += ["summary: " + line.rstrip() for c in f[2:6] if not unit.match(c)][:1]
if seen < 5 or bad:
    print("%d rows read" % seen, *bad[:8], sep="\n")
    sys.exit(1)
PY
)
check "--human: --trend and --summary show their kB figures in sar's units" $? "$out"
