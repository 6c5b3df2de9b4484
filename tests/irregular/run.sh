#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Irregular intervals: the minute timer's samples and one-second burst samples
# interleaved in one day (issue 11, "Reports").
#
# 1. The same /proc snapshots (tests/irregular/gen_mixed.py: minute samples,
#    a run of 1 s samples, minute samples again; and one with a reboot inside
#    the burst) taken by Debian's sadc and by memcollect, under faketime in a
#    private mount namespace (tests/conformance/scenario.sh).  sar text,
#    sadf -d and sadf -j are the oracle for memreport's text, sadf, CSV and
#    JSON: every row with its own interval and rates, sar's Average, -i.
# 2. --summary and --trend weight samples by the time they cover: a day of
#    minute samples with a 600-sample burst (tests/unit/irregular_fixture.c,
#    through archive_append), checked against means computed here by hand.
# 3. --format=svg at the burst's true resolution in a short window.
# Prints "ok - NAME" / "not ok - NAME" / "skip - NAME (why)".
set -u
. "$(dirname "$0")/../lib.sh"
cd "$ROOT" || exit 2
HERE=$ROOT/tests/irregular
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
SADC=/usr/lib/sysstat/sadc SAR=/usr/bin/sar SADF=/usr/bin/sadf
MEMCOLLECT=$MC
FIX_IRR=${FIX%/*}/irregular_fixture
ACTS=A_NULL,A_MEMORY,A_SWAP,A_PAGE,A_HUGE
OUT=$T
BASE_ENV=(env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C TZ=UTC
          ASAN_OPTIONS=$ASAN_OPTIONS)

# ---------------------------------------------------------------- 1. sar
oracle_reason=""
if [ "$(id -u)" -ne 0 ]; then oracle_reason="needs root (unshare -m, mount --bind)"
elif ! have unshare || ! have faketime || ! have python3; then oracle_reason="needs unshare, faketime, python3"
elif [ ! -x "$SADC" ] || ! "$SAR" -V 2>&1 | grep -q 'version 12\.6\.1'; then oracle_reason="needs sysstat 12.6.1"
elif ! unshare -m true 2>/dev/null; then oracle_reason="unshare -m not permitted here"
fi

# same NAME SCENARIO ENV OPTS [POST]: sar OPTS -f SA POST == memreport OPTS -f DB POST
same() {
    local name=$1 s=$2 env=$3 opts=$4 post=${5:-} w=$T/res/$RANDOM$RANDOM
    local -a e o p
    read -r -a e <<< "$env"; read -r -a o <<< "$opts"; read -r -a p <<< "$post"
    "${BASE_ENV[@]}" "${e[@]}" "$SAR" "${o[@]}" -f "$T/data/$s.sa" "${p[@]}" > "$w.exp" 2>/dev/null
    echo "rc $?" >> "$w.exp"
    "${BASE_ENV[@]}" "${e[@]}" "$MR" "${o[@]}" -f "$T/data/$s.db" "${p[@]}" > "$w.act" 2>/dev/null
    echo "rc $?" >> "$w.act"
    check "$name: $s: $env sar $opts${post:+ [$post]}" "$(cmp -s "$w.exp" "$w.act"; echo $?)" \
        "$(diff -u --label sar --label memreport "$w.exp" "$w.act" | head -30)"
}

# same_sadf NAME SCENARIO OPTS [INTERVAL]:
#   sadf -d SA [INTERVAL] -- OPTS == memreport --format=sadf OPTS [-i INTERVAL]
same_sadf() {
    local name=$1 s=$2 opts=$3 i=${4:-} w=$T/res/$RANDOM$RANDOM
    local -a o
    read -r -a o <<< "$opts"
    "${BASE_ENV[@]}" LC_ALL=C "$SADF" -d "$T/data/$s.sa" $i -- "${o[@]}" > "$w.exp" 2>&1
    "${BASE_ENV[@]}" LC_ALL=C "$MR" --format=sadf "${o[@]}" ${i:+-i $i} -f "$T/data/$s.db" > "$w.act" 2>&1
    check "$name: $s: sadf -d ${i:+$i }-- $opts" "$(cmp -s "$w.exp" "$w.act"; echo $?)" \
        "$(diff -u --label sadf --label memreport "$w.exp" "$w.act" | head -30)"
}

if [ -n "$oracle_reason" ]; then
    skip "irregular intervals against sar, sadf (${oracle_reason})"
else
    mkdir -p "$T/fix" "$T/data" "$T/res"
    python3 "$HERE/gen_mixed.py" "$T/fix" || { not_ok "generate the mixed fixtures"; exit 1; }
    . "$ROOT/tests/conformance/scenario.sh"
    built=1
    for s in mixed mixed_boot; do
        if ! build_scenario "$s"; then
            not_ok "sadc and memcollect take the $s snapshots" "$(tail -5 "$T/data/$s.log")"
            built=0
        fi
    done
    [ $built = 1 ] || exit 1
    ok "sadc and memcollect take the same snapshots: minute samples with a 1 s burst between"
fi

if [ -z "$oracle_reason" ]; then
    for s in mixed mixed_boot; do
        for o in "-r" "-r ALL" "-S" "-W" "-B" "-H" "-A" "-t -r -W" "--human -r -S -H" \
                 "--dec=0 -W -B"; do
            same "rows with their own interval" "$s" LC_ALL=C "$o"
        done
        same "locale" "$s" LC_ALL=en_US.UTF-8 "-r -S -W -B"
        for o in "-i 1" "-i 2" "-i 3" "-i 5" "-i 10" "-i 30" "-i 60" "-i 90" "-i 120"; do
            same "-i over irregular records" "$s" LC_ALL=C "-r -S -W -B $o"
        done
        for p in "60 3" "1 5" "5 4" "30 2" "2 100"; do
            same "interval and count over irregular records" "$s" LC_ALL=C "-r -W -B" "$p"
        done
        for o in "-A" "-r -S" "-W -B -H"; do
            same_sadf "each row's interval" "$s" "$o"
        done
        for i in 2 5 30; do
            same_sadf "each row's interval" "$s" "-r -W -B" "$i"
        done
    done
    # JSON follows sadf -j; CSV carries sadf -d's interval and values per row
    for s in mixed mixed_boot; do
        for i in "" 2 5 30; do
            w=$T/res/j$s$i
            "${BASE_ENV[@]}" LC_ALL=C "$SADF" -j "$T/data/$s.sa" $i -- -r ALL -S -W -B -H > "$w.exp" 2>&1
            "${BASE_ENV[@]}" LC_ALL=C "$MR" --format=json -r ALL -S -W -B -H ${i:+-i $i} \
                -f "$T/data/$s.db" > "$w.act" 2>&1
            if [ -z "$i" ]; then
                check "each row's interval: $s: json == sadf -j" "$(cmp -s "$w.exp" "$w.act"; echo $?)" \
                    "$(diff -u --label sadf --label memreport "$w.exp" "$w.act" | head -30)"
            else
                out=$(python3 "$HERE/check.py" json "$w.exp" "$w.act" 2>&1)
                check "each row's interval: $s: json -i $i == sadf -j (without its empty elements)" $? "$out"
            fi
            "${BASE_ENV[@]}" LC_ALL=C "$SADF" -d "$T/data/$s.sa" $i -- -r ALL -S -W -B -H > "$w.d" 2>&1
            "${BASE_ENV[@]}" LC_ALL=C "$MR" --format=csv -r ALL -S -W -B -H ${i:+-i $i} \
                -f "$T/data/$s.db" > "$w.csv" 2>&1
            out=$(python3 "$HERE/check.py" csv "$w.d" "$w.csv" 2>&1)
            check "each row's interval: $s: csv ${i:+-i $i }carries sadf -d's intervals and values" $? "$out"
        done
    done
    for o in "-s 11:45:00" "-s 11:45:05 -e 11:45:15" "-s 11:44:30 -e 11:46:30" \
             "-e 11:45:10" "-s 11:45:10" "-s 11:45:20 -i 30" "-s 11:45:03 -i 4"; do
        same "window around the burst" mixed LC_ALL=C "-r -W -B $o"
    done
    for o in "-s 11:42:03" "-s 11:42:00 -e 11:42:32" "-e 11:42:31" "-s 11:42:31" \
             "-s 11:41:30 -i 20"; do
        same "window around the reboot in the burst" mixed_boot LC_ALL=C "-r -W -B $o"
    done
fi

# ---------------------------------------------------------------- 2. weights
if [ ! -x "$FIX_IRR" ]; then
    skip "--summary and --trend weigh samples by time (no $FIX_IRR: run make sanitize)"
    exit 0
fi
D=$(mktemp -d -p /dev/shm 2>/dev/null || mktemp -d -p "$T")   # every append syncs
trap 'rm -rf "$T" "$D"' EXIT
"$FIX_IRR" "$D" || { not_ok "irregular_fixture writes the day"; exit 1; }
DAY=$D/memtrail-20261126.db
export TZ=UTC LC_ALL=C
"$MR" --summary=day --format=csv -f "$DAY" > "$T/sum-day.csv" 2> "$T/err"
out=$(python3 "$HERE/weights.py" closed "$T/sum-day.csv" 2>&1)
check "--summary: a 600-sample burst does not outweigh the day (kbavail and pswpout/s means by time, closed forms)" $? "$out"
out=$(python3 "$HERE/weights.py" periods "$T/sum-day.csv" day 2>&1)
check "--summary=day: samples, min, time-weighted mean, max and p95 of every metric" $? "$out"
"$MR" --summary=hour --format=csv -f "$DAY" > "$T/sum-hour.csv" 2> "$T/err"
out=$(python3 "$HERE/weights.py" periods "$T/sum-hour.csv" hour 2>&1)
check "--summary=hour: every hour, the burst's too, by time covered" $? "$out"
"$MR" --trend --format=csv -f "$DAY" -s 11:50 -e 12:30 > "$T/trend.csv" 2> "$T/err"
out=$(python3 "$HERE/weights.py" trend "$T/trend.csv" $((11 * 3600 + 50 * 60)) $((12 * 3600 + 30 * 60)) 2>&1)
check "--trend: a process's RSS slope weighs each sampled instant by the time it covers (40 minutes, a 10-minute burst)" $? "$out"

# ---------------------------------------------------------------- 3. the chart
svg() {   # NAME FROM TO (hh:mm): the available panel of the day from FROM to TO
    local name=$1 from=$2 to=$3 f=$T/chart-${2/:/}.svg a b
    "$MR" --format=svg -f "$DAY" -s "$from" -e "$to" -o "$f" 2> "$T/err"
    a=$(( 10#${from%%:*} * 3600 + 10#${from##*:} * 60 )); b=$(( 10#${to%%:*} * 3600 + 10#${to##*:} * 60 ))
    out=$(python3 "$HERE/check.py" svg "$f" "$a" "$b" 2>&1)
    check "$name" $? "$out"
}
svg "--format=svg, 10 minutes: each 1 s burst sample in a pixel column of its own, at its value" 11:58 12:08
svg "--format=svg, 1 hour: a column's min..max keeps the burst's lowest MemAvailable" 11:30 12:30
"$MR" --format=svg -f "$DAY" -o "$T/chart-day.svg" 2> "$T/err"
out=$(python3 "$HERE/check.py" svg "$T/chart-day.svg" 0 86399 2>&1)
check "--format=svg, the whole day: a column's min..max keeps the burst's lowest MemAvailable" $? "$out"

# ---------------------------------------------------------------- 4. processes
"$MR" --growth --format=csv -f "$DAY" -s 11:00 -e 13:00 > "$T/growth.csv" 2> "$T/err"
out=$(python3 "$HERE/weights.py" growth "$T/growth.csv" $((11 * 3600)) $((13 * 3600)) 2>&1)
check "--growth: the slope weighs samples by the time they cover, GREW% is a share of time (2 hours, a 10-minute burst)" $? "$out"
# -p: the worker faults 100 times a second, 1000 in the burst (irregular_fixture.c)
"$MR" -p --format=csv -f "$DAY" -s 12:09:58 -e 12:11:00 | cut -d, -f3,4,12 > "$T/p.csv"
printf '%s\n' epoch,interval,minflt_s 1795694999,1,1000.00 1795695000,1,1000.00 \
    1795695060,60,100.00 > "$T/p.want"
check "-p: each row's interval and fault rate, 1 s rows of the burst then a 60 s row" \
    "$(cmp -s "$T/p.want" "$T/p.csv"; echo $?)" "$(diff "$T/p.want" "$T/p.csv")"
# the Average: all faults over the whole span, (1000 + 1000 + 6000) / 62 s
"$MR" -p -f "$DAY" -s 12:09:58 -e 12:11:00 > "$T/p.txt"
check "-p: the Average rate is the faults over the whole span, not the mean of the rows" \
    "$(grep -q '^Average: *0 *100 *129\.03 ' "$T/p.txt"; echo $?)" "$(tail -2 "$T/p.txt")"
# --at: "far" is measured in the sampling intervals around the sample, not
# the window's median (1 s here, with the burst in the window)
"$MR" --at 12:15:20 -s 11:58 -e 12:20 -f "$DAY" > "$T/at-near.txt" 2>&1
"$MR" --at 12:25:00 -s 11:58 -e 12:20 -f "$DAY" > "$T/at-far.txt" 2>&1
check "--at: 20 s from a minute sample is near, though a burst in the window was 1 s apart" \
    "$(grep -qx 'Sample nearest 2026-11-26T12:15:20+00:00: 2026-11-26T12:15:00+00:00' "$T/at-near.txt"; echo $?)" \
    "$(sed -n 3p "$T/at-near.txt")"
check "--at: 5 minutes past the window's last minute sample is far" \
    "$(grep -q '12:20:00+00:00 (00:05:00 before the time asked; more than 2 sampling intervals away)$' "$T/at-far.txt"; echo $?)" \
    "$(sed -n 3p "$T/at-far.txt")"

# ---------------------------------------------------------------- 5. exports
# every sample at its own time: the minute sample at 12:00:00, then one a second
"$MR" --format=openmetrics -f "$DAY" -s 11:59:50 -e 12:00:10 > "$T/om.txt" 2> "$T/err"
got=$(awk '/^memtrail_meminfo_bytes\{.*field="MemAvailable"\}/ { printf "%s/%s ", $3 - 1795694400, $2 / 1024 }' "$T/om.txt")
want=$(for s in 0 1 2 3 4 5 6 7 8 9 10; do
    if [ $s = 0 ]; then printf '0/600000 '; else printf '%s/%s ' $s $((100000 + 100 * (s - 1))); fi; done)
check "openmetrics: the minute sample and each 1 s burst sample at its own timestamp and value" \
    "$([ "$got" = "$want" ]; echo $?)" "want: $want" "got:  $got"
out=$(python3 "$HERE/check.py" stack "$T/chart-day.svg" 2>&1)
check "--format=svg, the whole day: the stacked composition's column means weigh samples by the time they cover" $? "$out"
