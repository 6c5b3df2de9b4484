#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# make bench, part 2: per-process sampling against atop 2.8.1 and pidstat
# (sysstat 12.6.1), side by side in one run, at about 600 and about 2,500
# processes.  bench/run.sh calls it last; it also runs alone.  Benchmarks, not
# tests: it prints figures and ratios memtrail/peer and never fails on a timing.
#
# The processes are `sleep 100000` plus python3 processes holding 1-30 MB
# each, started here; their PIDs are recorded and they are killed by PID at
# the end and on any error or signal (trap), never by name.
#
# For each process count:
#   CPU   memcollect: user+sys of one sample as the timer takes it (a fresh
#         process appending to an existing archive of the same processes),
#         median of BENCH_PROC_RUNS (default 21, >= 20) runs (benchspawn);
#         atop -w FILE and pidstat -r: one steady-state sample, from
#         (cpu of `1 21` - cpu of `1 1`) / 20, user+sys from wait4.
#   bytes per process-sample: archive growth over N samples / (N x processes),
#         memcollect at 1 s (the interval atop uses here, real time) and at 60 s
#         (libfaketime); atop's raw file growth at 1 s.
#   peak memory: ru_maxrss from wait4 of one memcollect sample (max of 5) and of
#         the `atop -w FILE 1 21` run.
#
#   BENCH_PROC_COUNTS="600 2500"   the process counts
#   BENCH_PROC_RUNS=N              runs of memcollect per count (default 21)
set -eu
cd "$(dirname "$0")/.."
TOP=$(pwd)
OUT=$TOP/bench/out
P=$OUT/procs
COUNTS=${BENCH_PROC_COUNTS:-600 2500}
RUNS=${BENCH_PROC_RUNS:-21}
[ "$RUNS" -ge 20 ] || RUNS=20
NS=20                       # samples in the steady-state difference
export LC_ALL=C

[ "$(id -u)" = 0 ] || echo "bench/procs.sh: not root: atop and PSS see less; figures are indicative" >&2
for c in atop pidstat python3 sqlite3; do
    command -v "$c" > /dev/null || { echo "bench/procs.sh: $c is missing (make deps)" >&2; exit 2; }
done
mkdir -p "$OUT/bin" "$P"
. bench/lib.sh
bench_harness
# run.sh has already taken a snapshot of the programs; alone, take one.
if [ "${BENCH_SNAPSHOT_DONE:-0}" != 1 ]; then
    cp memcollect "$OUT/bin/"
fi
MC=$OUT/bin/memcollect
"$MC" -V > /dev/null || { echo "bench/procs.sh: $MC does not run (make all)" >&2; exit 2; }

trap bench_cleanup EXIT
trap 'exit 130' INT TERM HUP
stop_atop_daemons

echo "Per-process sampling: memtrail against atop $(atop -V 2>&1 | sed -n 's/^Version: \([^ ]*\).*/\1/p') and pidstat," \
     "$(date -u '+%Y-%m-%d %H:%M UTC'), $(uname -r), $(nproc) CPU"
RESULTS=$P/results
: > "$RESULTS"
for target in $COUNTS; do
    D=$P/n$target
    rm -rf "$D"; mkdir -p "$D"; chmod 755 "$P" "$D"
    grow_to "$target"
    N0=$(nprocs)
    echo
    echo "== about $target processes ($N0 in /proc: $(wc -l < "$PIDFILE") started here, $NPY of them python3 holding 1-30 MB)"

    # memtrail at 60 s (libfaketime): 70 samples, growth between the 10th and the 70th.
    E0=$(date -d '2020-01-01 00:00:00' +%s)
    "$HARNESS" gen "$E0" 60 0 10 -- "$MC" "$D/mt60.db"
    S10=$(size "$D/mt60.db")
    "$HARNESS" gen "$E0" 60 10 70 -- "$MC" "$D/mt60.db"
    S70=$(size "$D/mt60.db")
    NP60=$(sqlite3 "$D/mt60.db" 'SELECT avg(nprocs) FROM (SELECT nprocs FROM proc_sample ORDER BY ts LIMIT -1 OFFSET 10)')
    B60=$(awk -v a="$S70" -v b="$S10" -v n="$NP60" 'BEGIN { printf "%.2f", (a - b) / 60 / n }')

    # CPU of one memcollect sample: a fresh process appending to a copy of that archive.
    "$HARNESS" run "$RUNS" -- --copy "$D/mt60.db" "$D/cpu.db" "$MC" "$D/cpu.db" > "$D/mc.cpu"
    LM=$(cat "$D/mc.cpu")
    CPU_M=$(echo "$LM" | field cpu_ms)
    # peak memory of one such sample (max of 5)
    RSS_M=0
    for i in 1 2 3 4 5; do
        cp "$D/mt60.db" "$D/rss.db"
        read -r _ r _ <<EOF
$(once "$MC" "$D/rss.db")
EOF
        [ "$r" -gt "$RSS_M" ] && RSS_M=$r
    done
    # memtrail at 1 s, real time, as atop runs below
    once "$MC" 1 1 "$D/mt1.db" > /dev/null
    T1=$(size "$D/mt1.db")
    once "$MC" 1 $NS "$D/mt1.db" > /dev/null
    T21=$(size "$D/mt1.db")
    NP1=$(sqlite3 "$D/mt1.db" 'SELECT avg(nprocs) FROM (SELECT nprocs FROM proc_sample ORDER BY ts LIMIT -1 OFFSET 1)')
    B1=$(awk -v a="$T21" -v b="$T1" -v n="$NP1" -v k=$NS 'BEGIN { printf "%.2f", (a - b) / k / n }')

    # atop -w: one sample and 21 samples at 1 s
    read -r A1 _ RC1 <<EOF
$(once /usr/bin/atop -w "$D/atop1" 1 1)
EOF
    NA=$(nprocs)
    read -r A21 RSS_A RC21 <<EOF
$(once /usr/bin/atop -w "$D/atop21" 1 $((NS + 1)))
EOF
    NA=$(( (NA + $(nprocs)) / 2 ))
    CPU_A=$(awk -v a="$A21" -v b="$A1" -v k=$NS 'BEGIN { printf "%.3f", (a - b) / k }')
    BA=$(awk -v a="$(size "$D/atop21")" -v b="$(size "$D/atop1")" -v n="$NA" -v k=$NS \
        'BEGIN { printf "%.2f", (a - b) / k / n }')

    # pidstat -r: two readings and 22 readings at 1 s
    read -r Q1 _ _ <<EOF
$(once /usr/bin/pidstat -r 1 1)
EOF
    read -r Q21 RSS_Q _ <<EOF
$(once /usr/bin/pidstat -r 1 $NS)
EOF
    CPU_Q=$(awk -v a="$Q21" -v b="$Q1" -v k=$((NS - 1)) 'BEGIN { printf "%.3f", (a - b) / k }')
    N1=$(nprocs)

    printf '   %-58s %9s ms user+sys (p10 %s, p90 %s; %s runs, %s failed)\n' \
        "memcollect ARCHIVE, one sample (fresh process)" "$CPU_M" "$(echo "$LM" | field cpu_p10)" \
        "$(echo "$LM" | field cpu_p90)" "$RUNS" "$(echo "$LM" | field fails)"
    printf '   %-58s %9s ms user+sys ((%s - %s) / %d; exit %s %s)\n' \
        "atop -w FILE, one steady-state sample" "$CPU_A" "$A21" "$A1" $NS "$RC1" "$RC21"
    printf '   %-58s %9s ms user+sys ((%s - %s) / %d)\n' \
        "pidstat -r, one steady-state sample" "$CPU_Q" "$Q21" "$Q1" $((NS - 1))
    printf '   %-58s %9s B (memcollect at 60 s, %s processes), %s B (at 1 s)\n' \
        "bytes per process-sample, memtrail" "$B60" "$NP60" "$B1"
    printf '   %-58s %9s B (atop at 1 s, %s processes)\n' "bytes per process-sample, atop" "$BA" "$NA"
    printf '   %-58s %9s kB memcollect, %s kB atop, %s kB pidstat\n' "peak memory (ru_maxrss)" "$RSS_M" "$RSS_A" "$RSS_Q"
    echo "   ratios: CPU memtrail/atop $(ratio "$CPU_M" "$CPU_A") (target <= 0.35)," \
         "memtrail/pidstat $(ratio "$CPU_M" "$CPU_Q");" \
         "bytes $(ratio "$B60" "$BA") at 60 s, $(ratio "$B1" "$BA") at 1 s (target <= 0.3); peak memory $(ratio "$RSS_M" "$RSS_A") (target <= 1.0)"
    echo "$target $N0 $N1 $CPU_M $CPU_A $CPU_Q $B60 $B1 $BA $RSS_M $RSS_A $RSS_Q $NP60 $NA" >> "$RESULTS"
done

# ---- summary
echo
echo "Summary (ratio = memtrail / peer)"
printf '  %-8s %-34s %12s %12s %12s %8s %8s  %s\n' procs figure memtrail atop pidstat "/atop" "/pidstat" target
while read -r target N0 N1 CPU_M CPU_A CPU_Q B60 B1 BA RSS_M RSS_A RSS_Q NP60 NA; do
    r=$(ratio "$CPU_M" "$CPU_A")
    printf '  %-8s %-34s %12s %12s %12s %8s %8s  %s\n' "~$target" "CPU per sample (user+sys)" "$CPU_M ms" "$CPU_A ms" \
        "$CPU_Q ms" "$r" "$(ratio "$CPU_M" "$CPU_Q")" "<= 0.35: $(verdict "$r" 0.35)"
    r=$(ratio "$B60" "$BA")
    printf '  %-8s %-34s %12s %12s %12s %8s %8s  %s\n' "" "bytes/process-sample, 60 s" "$B60 B" "$BA B" "-" "$r" "" "<= 0.3: $(verdict "$r" 0.3)"
    r=$(ratio "$B1" "$BA")
    printf '  %-8s %-34s %12s %12s %12s %8s %8s  %s\n' "" "bytes/process-sample, both 1 s" "$B1 B" "$BA B" "-" "$r" "" "<= 0.3: $(verdict "$r" 0.3)"
    r=$(ratio "$RSS_M" "$RSS_A")
    printf '  %-8s %-34s %12s %12s %12s %8s %8s  %s\n' "" "peak memory (max RSS)" "$RSS_M kB" "$RSS_A kB" "$RSS_Q kB" "$r" \
        "$(ratio "$RSS_M" "$RSS_Q")" "<= 1.0: $(verdict "$r" 1.0)"
done < "$RESULTS"

B=bench/out/bin
{
    echo "<!-- written by make bench (bench/procs.sh); quote, do not edit -->"
    echo "Measured by \`make bench\` on $(date -u '+%Y-%m-%d'), Linux $(uname -r), $(nproc) CPU, against atop"
    echo "$(atop -V 2>&1 | sed -n 's/^Version: \([^ ]*\).*/\1/p') and pidstat (sysstat 12.6.1), side by side in one run (ratio = memtrail / peer; lower is better)."
    echo
    echo "| processes | figure | memtrail | atop | pidstat -r | ratio to atop | ratio to pidstat | target |"
    echo "|---|---|---:|---:|---:|---:|---:|---|"
    while read -r target N0 N1 CPU_M CPU_A CPU_Q B60 B1 BA RSS_M RSS_A RSS_Q NP60 NA; do
        r=$(ratio "$CPU_M" "$CPU_A")
        echo "| ~$target ($N0–$N1) | CPU (user+sys) per sample | $CPU_M ms | $CPU_A ms | $CPU_Q ms | $r | $(ratio "$CPU_M" "$CPU_Q") | ≤ 0.35: $(verdict "$r" 0.35) |"
        r=$(ratio "$B60" "$BA")
        echo "| | bytes per process-sample (memtrail at 60 s, atop at 1 s) | $B60 B | $BA B | – | $r | | ≤ 0.3: $(verdict "$r" 0.3) |"
        r=$(ratio "$B1" "$BA")
        echo "| | bytes per process-sample, both at 1 s | $B1 B | $BA B | – | $r | | ≤ 0.3: $(verdict "$r" 0.3) |"
        r=$(ratio "$RSS_M" "$RSS_A")
        echo "| | peak memory (ru_maxrss) | $RSS_M kB | $RSS_A kB | $RSS_Q kB | $r | $(ratio "$RSS_M" "$RSS_Q") | ≤ 1.0: $(verdict "$r" 1.0) |"
    done < "$RESULTS"
    echo
    echo "Processes: \`sleep 100000\` and python3 processes holding 1–30 MB (every 12th, at most 40), started"
    echo "by the benchmark and killed by PID. Commands (run as $(id -un), LC_ALL=C; D is bench/out/procs/nCOUNT):"
    echo
    echo '```sh'
    echo "# memtrail archive at 60 s: 70 single-sample runs under libfaketime, bytes = (size at 70 - size at 10) / 60 / processes"
    echo "bench/out/benchspawn gen \$(date -d '2020-01-01 00:00:00' +%s) 60 0 70 -- $B/memcollect \$D/mt60.db"
    echo "# CPU: a fresh process appending one sample to a fresh copy of that archive, median of $RUNS"
    echo "bench/out/benchspawn run $RUNS -- --copy \$D/mt60.db \$D/cpu.db $B/memcollect \$D/cpu.db"
    echo "# peak memory: ru_maxrss from wait4 of \`$B/memcollect COPY\`, max of 5"
    echo "# memtrail at 1 s: bytes = (size after \`memcollect 1 $NS\` - size after \`memcollect 1 1\`) / $NS / processes"
    echo "$B/memcollect 1 1 \$D/mt1.db; $B/memcollect 1 $NS \$D/mt1.db"
    echo "# atop: CPU = (cpu(1 $((NS + 1))) - cpu(1 1)) / $NS, bytes = (size(atop21) - size(atop1)) / $NS / processes, ru_maxrss of the long run"
    echo "atop -w \$D/atop1 1 1; atop -w \$D/atop21 1 $((NS + 1))"
    echo "# pidstat: CPU = (cpu(1 $NS) - cpu(1 1)) / $((NS - 1))   (1 N reads /proc N+1 times)"
    echo "pidstat -r 1 1; pidstat -r 1 $NS"
    echo '```'
    echo
    echo "- CPU is user+sys of the child from wait4(). The atop and pidstat figures are steady-state samples"
    echo "  (start-up subtracted); memcollect's includes its whole start-up, as the timer pays it every minute."
    echo "- The 60 s archive is written under libfaketime in quick succession, so the processes change less"
    echo "  between its samples than over real minutes; the 1 s figures use the same real interval as atop."
} > "$OUT/procs-summary.md"
echo
echo "written: bench/out/procs-summary.md"
