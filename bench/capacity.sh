#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Capacity-planning speed (issue 5, section 5), called at the end of make bench
# (bench/run.sh).  Builds once, and caches in bench/out/cap30/, a 30-day
# directory of one-minute samples (43,200 samples, 600 processes each) with
# bench/gen30.c, which writes synthetic samples through archive_append() on a
# tmpfs (each append syncs) and copies the days here.  Then times, wall clock,
# median of 5:
#   memreport --summary=day, --trend and --format=svg over the 30 days,
#   memreport --format=openmetrics (and influx, csv-long) of one day,
# against the 2 s target, and writes bench/out/capacity-summary.md.
# It never fails on a timing.  The archives' time zone is UTC (TZ=UTC).
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 2
OUT=bench/out
DIR=$OUT/cap30
MR=$ROOT/memreport
RUNS=5
export TZ=UTC LC_ALL=C
START=$(date -u -d '2026-10-01 00:00:00' +%s)
DAYS=30
END=$((START + DAYS * 86400 - 60))
DAY0=$((START + 14 * 86400))        # the one-day export: day 15
DAY1=$((DAY0 + 86400 - 60))
mkdir -p "$OUT"
[ -x "$MR" ] || { echo "capacity.sh: build first (make)"; exit 2; }

# ---- the 30-day directory
if [ "$(ls "$DIR"/memtrail-*.db 2>/dev/null | wc -l)" -ne $DAYS ] || [ ! -f "$DIR/.complete" ]; then
    echo "building $DIR: $DAYS days x 1,440 one-minute samples x 600 processes (bench/gen30.c) ..."
    cc -Ilib -Iarchive -O2 -std=c11 -D_DEFAULT_SOURCE -D_FILE_OFFSET_BITS=64 -o "$OUT/gen30" bench/gen30.c \
        build/archive/*.o build/schema_sql.o build/lib/*.o -Wl,-Bstatic -lsqlite3 -lz -Wl,-Bdynamic -lm || exit 2
    TMPD=$(mktemp -d /dev/shm/memtrail-cap30.XXXXXX 2>/dev/null || mktemp -d)
    t0=$(date +%s.%N)
    "$OUT/gen30" "$TMPD" "$START" $((DAYS * 1440)) 60 600 || { rm -rf "$TMPD"; exit 2; }
    t1=$(date +%s.%N)
    rm -rf "$DIR"
    mkdir -p "$DIR"
    cp "$TMPD"/memtrail-*.db "$DIR"/ && rm -rf "$TMPD"
    touch "$DIR/.complete"
    echo "built in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", b - a }') s (generation), $(du -sh "$DIR" | cut -f1)"
fi
SIZE=$(du -sh "$DIR" | cut -f1)

# median wall seconds of RUNS runs of a command (its output discarded)
median() {
    local times=() i s e
    for ((i = 0; i < RUNS; i++)); do
        s=$(date +%s.%N)
        "$@" > /dev/null 2> "$OUT/capacity.err" || { echo "failed"; return; }
        e=$(date +%s.%N)
        times+=("$(awk -v a="$s" -v b="$e" 'BEGIN { printf "%.3f", b - a }')")
    done
    printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (RUNS + 1) / 2 ))p"
}

have() {   # whether memreport knows OPTION
    "$MR" --help 2>&1 | grep -q -- "$1"
}

WIN=(-f "$DIR" --since "@$START" --until "@$END")
DAYWIN=(-f "$DIR" --since "@$DAY0" --until "@$DAY1")
rows=()
row() {   # LABEL COMMAND...
    local label=$1; shift
    local t
    t=$(median "$@")
    local verdict
    if [ "$t" = failed ]; then
        verdict="failed: $(head -1 "$OUT/capacity.err")"
        t="–"
    else
        verdict=$(awk -v t="$t" 'BEGIN { print (t < 2.0 ? "met" : "**missed**") }')
        t="$t s"
    fi
    rows+=("| $label | $t | < 2 s: $verdict |")
    printf '  %-58s %10s  %s\n' "$label" "$t" "$verdict"
}
skip() {
    rows+=("| $1 | – | skipped: $2 |")
    printf '  %-58s %10s  %s\n' "$1" "–" "skipped: $2"
}

echo "capacity planning over $DIR ($DAYS days, $((DAYS * 1440)) samples, 600 processes each, $SIZE); wall, median of $RUNS:"
if have --summary; then row "--summary=day, 30 days" "$MR" --summary=day "${WIN[@]}"
else skip "--summary=day, 30 days" "memreport has no --summary yet"; fi
if have --trend; then row "--trend, 30 days" "$MR" --trend "${WIN[@]}"
else skip "--trend, 30 days" "memreport has no --trend yet"; fi
if have svg; then row "--format=svg, 30 days" "$MR" --format=svg "${WIN[@]}" -o "$OUT/cap30.svg"
else skip "--format=svg, 30 days" "memreport has no --format=svg yet"; fi
row "--format=openmetrics, one day (day 15)" "$MR" --format=openmetrics "${DAYWIN[@]}" -o "$OUT/cap30-day.om"
row "--format=openmetrics --names=node, one day" "$MR" --format=openmetrics --names=node "${DAYWIN[@]}" -o "$OUT/cap30-node.om"
row "--format=influx, one day" "$MR" --format=influx "${DAYWIN[@]}" -o "$OUT/cap30-day.lp"
row "--format=csv-long, one day" "$MR" --format=csv-long "${DAYWIN[@]}" -o "$OUT/cap30-day.csv"
OMLINES=$(grep -vc '^#' "$OUT/cap30-day.om" 2>/dev/null || echo 0)
OMSIZE=$(du -h "$OUT/cap30-day.om" 2>/dev/null | cut -f1)
PROMTOOL=""
if command -v promtool > /dev/null; then
    rm -rf "$OUT/cap30-blocks"
    s=$(date +%s.%N)
    if promtool tsdb create-blocks-from openmetrics --max-block-duration=24h "$OUT/cap30-day.om" \
            "$OUT/cap30-blocks" > "$OUT/cap30-promtool.txt" 2>&1; then
        e=$(date +%s.%N)
        n=$(awk 'length($1) == 26 && $5 ~ /^[0-9]+$/ { s += $5 } END { print s + 0 }' "$OUT/cap30-promtool.txt")
        PROMTOOL="promtool tsdb create-blocks-from openmetrics --max-block-duration=24h imported $n of the $OMLINES samples in $(awk -v a="$s" -v b="$e" 'BEGIN { printf "%.2f", b - a }') s (one run)."
    else
        PROMTOOL="promtool failed: $(tail -1 "$OUT/cap30-promtool.txt")"
    fi
    rm -rf "$OUT/cap30-blocks"
    echo "  $PROMTOOL"
fi

{
    echo "# Capacity planning speed"
    echo
    echo "$(date -u '+%Y-%m-%d'), $(nproc) CPUs, $(uname -r). Directory: $DAYS daily files of one-minute samples"
    echo "($((DAYS * 1440)) samples, 600 processes each, two NUMA nodes; $SIZE), written by bench/gen30.c."
    echo "Wall clock, median of $RUNS runs, output to /dev/null or a file."
    echo
    echo "| command | time | target |"
    echo "| --- | ---: | --- |"
    printf '%s\n' "${rows[@]}"
    echo
    echo "The one-day OpenMetrics file: $OMLINES samples, $OMSIZE. $PROMTOOL"
    echo
    echo "Commands (DIR=$DIR, TZ=UTC):"
    echo
    echo '```sh'
    echo "memreport --summary=day -f DIR --since @$START --until @$END"
    echo "memreport --trend -f DIR --since @$START --until @$END"
    echo "memreport --format=svg -f DIR --since @$START --until @$END -o cap30.svg"
    echo "memreport --format=openmetrics -f DIR --since @$DAY0 --until @$DAY1 -o day.om"
    echo "memreport --format=openmetrics --names=node -f DIR --since @$DAY0 --until @$DAY1 -o node.om"
    echo "memreport --format=influx -f DIR --since @$DAY0 --until @$DAY1 -o day.lp"
    echo "memreport --format=csv-long -f DIR --since @$DAY0 --until @$DAY1 -o day.csv"
    echo '```'
} > "$OUT/capacity-summary.md"
echo "written: bench/out/capacity-summary.md"
