#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# make bench: memtrail against sysstat 12.6.1, side by side in one run.
# Benchmarks, not tests: they print figures and ratios memtrail/sysstat and
# never fail on a timing.  Generated archives are cached in bench/out/ (keyed
# on the binaries and the generator), so a second run is quick.
#
#   BENCH_RUNS=N         runs per command for the CPU benchmark (default 201, >= 20)
#   BENCH_REPORT_RUNS=N  runs per command for the report benchmark (default 15, >= 10)
#   BENCH_REGEN=1        ignore the cache
# bench/procs.sh and bench/incident.sh, run after, have knobs of their own
# (their heads list them).
set -eu
cd "$(dirname "$0")/.."
TOP=$(pwd)
OUT=$TOP/bench/out
SADC=/usr/lib/sysstat/sadc
SAR=/usr/bin/sar
# The system-wide benchmarks compare what sadc records: no processes (issue 2
# specifies --no-procs once they are sampled) and no NUMA nodes (not among
# sadc's activities).  bench/procs.sh, run last, measures per-process sampling.
MCOPTS="--no-procs --no-numa"
ACTS=A_NULL,A_MEMORY,A_SWAP,A_PAGE,A_HUGE
FAKELIB=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1
RUNS=${BENCH_RUNS:-201}
REPORT_RUNS=${BENCH_REPORT_RUNS:-15}
[ "$RUNS" -ge 20 ] || RUNS=20
[ "$REPORT_RUNS" -ge 10 ] || REPORT_RUNS=10
export LC_ALL=C

for f in "$SADC" "$SAR" "$FAKELIB"; do
    [ -e "$f" ] || { echo "bench: $f is missing (make deps installs sysstat and faketime)" >&2; exit 2; }
done
mkdir -p "$OUT"

# The harness, and a snapshot of the programs: other developers may relink
# ./memcollect while a benchmark runs.
HARNESS=$OUT/benchspawn
if [ ! -x "$HARNESS" ] || [ -n "$(find bench/benchspawn.c -newer "$HARNESS")" ]; then
    ${CC:-cc} -O2 -std=c11 -Wall -Wextra -o "$HARNESS" bench/benchspawn.c
fi
mkdir -p "$OUT/bin"
cp memcollect memreport "$OUT/bin/"
MC=$OUT/bin/memcollect
MR=$OUT/bin/memreport
if ! "$MC" -V > /dev/null || ! "$MR" -V > /dev/null; then
    echo "bench: the programs do not run (make all)" >&2; exit 2
fi

# Cache key: what the generated files depend on.
KEY=$( { sha256sum "$MC" "$SADC" bench/benchspawn.c bench/run.sh | cut -d' ' -f1; uname -r; id -u; } | sha256sum | cut -c1-16)

epoch() { date -d "$1" +%s; }
size() { stat -c %s "$1"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
field() { sed -n "s/.*$1=\([^ ]*\).*/\1/p"; }  # field NAME < line

echo "memtrail benchmarks against sysstat $($SAR -V 2>&1 | sed -n 's/sysstat version //p')," \
     "$(date -u '+%Y-%m-%d %H:%M UTC'), $(uname -r), $(nproc) CPU, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo

# ---------------------------------------------------------------------------
# 2 (generated first: its 1000-sample files are the existing archives of 1).
# 1,000 samples 60 s apart on the real /proc, each a fresh process under
# libfaketime at its own fixed time (2020-01-01 00:00 + 60 s * i).
SZ=$OUT/size
if [ "${BENCH_REGEN:-0}" = 1 ] || [ "$(cat "$SZ/key" 2>/dev/null)" != "$KEY" ]; then
    echo "generating 1,000 samples for memcollect and sadc (cached in bench/out/size) ..."
    rm -rf "$SZ"; mkdir -p "$SZ"
    E0=$(epoch '2020-01-01 00:00:00')
    : > "$SZ/sizes"
    prev=0
    for n in 1 100 1000; do
        "$HARNESS" gen "$E0" 60 "$prev" "$n" -- "$MC" --no-procs --no-numa "$SZ/mt.db" -- "$SADC" -S "$ACTS" 1 1 "$SZ/sa"
        echo "$n $(size "$SZ/mt.db") $(size "$SZ/sa")" >> "$SZ/sizes"
        prev=$n
    done
    echo "$KEY" > "$SZ/key"
fi
read -r _ M1 S1 <<EOF
$(sed -n 1p "$SZ/sizes")
EOF
read -r _ M100 S100 <<EOF
$(sed -n 2p "$SZ/sizes")
EOF
read -r _ M1000 S1000 <<EOF
$(sed -n 3p "$SZ/sizes")
EOF
B_M=$(awk -v s="$M1000" 'BEGIN { printf "%.1f", s / 1000 }')
B_S=$(awk -v s="$S1000" 'BEGIN { printf "%.1f", s / 1000 }')
MB_M=$(awk -v a="$M1000" -v b="$M100" 'BEGIN { printf "%.1f", (a - b) / 900 }')
MB_S=$(awk -v a="$S1000" -v b="$S100" 'BEGIN { printf "%.1f", (a - b) / 900 }')

# ---------------------------------------------------------------------------
# 1. CPU of one sample as the timer takes it: a fresh process appending one
# sample to an existing archive (a fresh, fsynced copy of the 1000-sample
# file before every run, outside the timing) on the real /proc and clock.
CPU=$OUT/cpu
rm -rf "$CPU"; mkdir -p "$CPU"
echo "1. CPU per sample: $RUNS interleaved runs each ..."
"$HARNESS" run "$RUNS" \
    -- --copy "$SZ/mt.db" "$CPU/mt.db" "$MC" --no-procs --no-numa "$CPU/mt.db" \
    -- --copy "$SZ/sa" "$CPU/sa" "$SADC" -S "$ACTS" 1 1 "$CPU/sa" \
    -- --copy "$SZ/sa" "$CPU/saf" "$SADC" -f -S "$ACTS" 1 1 "$CPU/saf" > "$CPU/result"
LM=$(grep '^cmd=0 ' "$CPU/result"); LS=$(grep '^cmd=1 ' "$CPU/result"); LF=$(grep '^cmd=2 ' "$CPU/result")
CPU_F=$(echo "$LF" | field cpu_ms); WALL_F=$(echo "$LF" | field wall_ms)
CPU_M=$(echo "$LM" | field cpu_ms); CPU_S=$(echo "$LS" | field cpu_ms)
WALL_M=$(echo "$LM" | field wall_ms); WALL_S=$(echo "$LS" | field wall_ms)
FAIL_M=$(echo "$LM" | field fails); FAIL_S=$(echo "$LS" | field fails)
printf '   %-56s user+sys median %7.3f ms (p10 %s, p90 %s)  wall median %7.3f ms  failed runs %s\n' \
    "memcollect $MCOPTS ARCHIVE" "$CPU_M" "$(echo "$LM" | field cpu_p10)" "$(echo "$LM" | field cpu_p90)" "$WALL_M" "$FAIL_M"
printf '   %-56s user+sys median %7.3f ms (p10 %s, p90 %s)  wall median %7.3f ms  failed runs %s\n' \
    "sadc -S $ACTS 1 1 SAFILE" "$CPU_S" "$(echo "$LS" | field cpu_p10)" "$(echo "$LS" | field cpu_p90)" "$WALL_S" "$FAIL_S"
printf '   %-56s user+sys median %7.3f ms (p10 %s, p90 %s)  wall median %7.3f ms  failed runs %s\n' \
    "(for reference) sadc -f ... (fdatasync per sample)" "$CPU_F" "$(echo "$LF" | field cpu_p10)" "$(echo "$LF" | field cpu_p90)" "$WALL_F" "$(echo "$LF" | field fails)"
echo "   ratio memtrail/sadc: CPU $(ratio "$CPU_M" "$CPU_S") (target <= 1.0), wall $(ratio "$WALL_M" "$WALL_S")"
echo "   memcollect syncs every sample (SQLite synchronous=FULL, decision 4), sa1's sadc never does;"
echo "   against sadc -f, which syncs once: CPU $(ratio "$CPU_M" "$CPU_F"), wall $(ratio "$WALL_M" "$WALL_F")"
echo

echo "2. Bytes per sample, 1,000 samples 60 s apart (real /proc, fake clock):"
printf '   %-12s %10s %10s %10s %14s %14s\n' "" "1 sample" "100" "1000" "size/1000" "marginal"
printf '   %-12s %10s %10s %10s %14s %14s\n' memcollect "$M1" "$M100" "$M1000" "$B_M B" "$MB_M B"
printf '   %-12s %10s %10s %10s %14s %14s\n' sadc "$S1" "$S100" "$S1000" "$B_S B" "$MB_S B"
echo "   size/1000 includes the fixed per-file overhead (sadc: its header; memtrail: the schema"
echo "   pages); marginal = (size at 1000 - size at 100) / 900.  SQLite grows in 4 KiB pages."
echo "   ratio memtrail/sadc: size/1000 $(ratio "$B_M" "$B_S"), marginal $(ratio "$MB_M" "$MB_S") (target <= 1.0)"
# Fixed part = size at 1 sample - one marginal sample; the files are the same
# size where the fixed difference is paid back by the marginal one.
BREAKEVEN=$(awk -v m1="$M1" -v s1="$S1" -v mm="$MB_M" -v ms="$MB_S" 'BEGIN {
    fm = m1 - mm; fs = s1 - ms
    if (ms > mm && fm > fs) printf "%d", (fm - fs) / (ms - mm) + 0.5
    else if (fm <= fs && mm <= ms) print "always"
    else print "never" }')
echo "   fixed per-file part: memtrail ~$(awk -v a="$M1" -v b="$MB_M" 'BEGIN { printf "%d", a - b }') B, sadc $(awk -v a="$S1" -v b="$MB_S" 'BEGIN { printf "%d", a - b }') B;" \
     "memtrail's file is the smaller one from about $BREAKEVEN samples on (a day at 60 s is 1,440)"
echo

# ---------------------------------------------------------------------------
# 3. Report speed over one day at 10 s (8,640 samples).  As root, both
# collectors read the same fixture /proc files (bind-mounted over /proc's
# in a private mount namespace, rewritten before every step) at the same fake
# times, so sar's and memreport's outputs must be identical.
DAY=$OUT/day
if [ "${BENCH_REGEN:-0}" = 1 ] || [ "$(cat "$DAY/key" 2>/dev/null)" != "$KEY" ]; then
    echo "generating one day at 10 s (8,640 samples) for memcollect and sadc (cached in bench/out/day) ..."
    rm -rf "$DAY"; mkdir -p "$DAY/fx"
    for f in meminfo vmstat uptime swaps; do
        cat "/proc/$f" > "$DAY/fx/$f.base"
        cp "$DAY/fx/$f.base" "$DAY/fx/$f"
    done
    E0=$(epoch '2020-01-02 00:00:00')
    set -- "$HARNESS" gen "$E0" 10 0 8640 --fixture "$DAY/fx" \
        -- "$MC" --no-procs --no-numa "$DAY/mt.db" -- "$SADC" -S "$ACTS" 1 1 "$DAY/sa"
    MODE=fixture
    # shellcheck disable=SC2016
    if ! unshare -m sh -c 'set -e; for f in meminfo vmstat uptime swaps; do
                               mount --bind "$0/$f" "/proc/$f"; done; exec "$@"' \
            "$DAY/fx" "$@" 2> "$DAY/unshare.err"; then
        if [ -e "$DAY/sa" ] || [ -e "$DAY/mt.db" ]; then
            cat "$DAY/unshare.err" >&2; exit 2
        fi
        echo "   (no private mount namespace: $(head -1 "$DAY/unshare.err"); sampling the real /proc)"
        MODE=live
        "$HARNESS" gen "$E0" 10 0 8640 -- "$MC" --no-procs --no-numa "$DAY/mt.db" -- "$SADC" -S "$ACTS" 1 1 "$DAY/sa"
    fi
    echo "$MODE" > "$DAY/mode"
    echo "$KEY" > "$DAY/key"
fi
MODE=$(cat "$DAY/mode")
echo "3. Report speed over 8,640 samples: $REPORT_RUNS interleaved runs each ..."
"$HARNESS" run "$REPORT_RUNS" \
    -- "$MR" -r ALL -S -W -B -H -f "$DAY/mt.db" \
    -- "$SAR" -r ALL -S -W -B -H -f "$DAY/sa" > "$DAY/result"
LM=$(grep '^cmd=0 ' "$DAY/result"); LS=$(grep '^cmd=1 ' "$DAY/result")
RW_M=$(echo "$LM" | field wall_ms); RW_S=$(echo "$LS" | field wall_ms)
RC_M=$(echo "$LM" | field cpu_ms); RC_S=$(echo "$LS" | field cpu_ms)
printf '   %-44s wall median %8.2f ms (p10 %s, p90 %s)  user+sys %8.2f ms  failed runs %s\n' \
    "memreport -r ALL -S -W -B -H -f ARCHIVE" "$RW_M" "$(echo "$LM" | field wall_p10)" \
    "$(echo "$LM" | field wall_p90)" "$RC_M" "$(echo "$LM" | field fails)"
printf '   %-44s wall median %8.2f ms (p10 %s, p90 %s)  user+sys %8.2f ms  failed runs %s\n' \
    "sar -r ALL -S -W -B -H -f SAFILE" "$RW_S" "$(echo "$LS" | field wall_p10)" \
    "$(echo "$LS" | field wall_p90)" "$RC_S" "$(echo "$LS" | field fails)"
echo "   ratio memtrail/sar: wall $(ratio "$RW_M" "$RW_S") (target <= 1.0), CPU $(ratio "$RC_M" "$RC_S")"
"$MR" -r ALL -S -W -B -H -f "$DAY/mt.db" > "$DAY/memreport.txt" 2>&1 || true
"$SAR" -r ALL -S -W -B -H -f "$DAY/sa" > "$DAY/sar.txt" 2>&1 || true
LINES=$(wc -l < "$DAY/sar.txt")
if [ "$MODE" = fixture ]; then
    if cmp -s "$DAY/memreport.txt" "$DAY/sar.txt"; then
        IDENT="identical ($LINES lines; same fixture /proc at the same fake times)"
    else
        IDENT="DIFFERENT: $(cmp "$DAY/memreport.txt" "$DAY/sar.txt" 2>&1 | head -1) (diff bench/out/day/memreport.txt bench/out/day/sar.txt)"
    fi
else
    IDENT="not an identity check (each collector read the live /proc separately)"
fi
echo "   outputs: $IDENT"
DAY_M=$(size "$DAY/mt.db"); DAY_S=$(size "$DAY/sa")
if [ "$MODE" = fixture ]; then SRC="synthetic fixture values"; else SRC="live /proc"; fi
echo "   day files: memtrail $DAY_M B, sadc $DAY_S B, ratio $(ratio "$DAY_M" "$DAY_S") ($SRC)"
echo

# ---------------------------------------------------------------------------
# 4. Summary, on the terminal and as markdown for the README.
R1=$(ratio "$CPU_M" "$CPU_S"); R1W=$(ratio "$WALL_M" "$WALL_S")
R2=$(ratio "$B_M" "$B_S"); R2M=$(ratio "$MB_M" "$MB_S")
R3=$(ratio "$RW_M" "$RW_S"); RD=$(ratio "$DAY_M" "$DAY_S")
ms() { awk -v v="$1" -v d="$2" 'BEGIN { printf "%.*f ms", d, v }'; }
verdict() { awk -v r="$1" 'BEGIN { print (r != "n/a" && r <= 1.0) ? "met" : "missed" }'; }

echo "Summary (ratio = memtrail / sysstat; targets <= 1.0)"
printf '  %-42s %12s %12s %6s  %s\n' "figure" "memtrail" "sysstat" "ratio" "target"
printf '  %-42s %12s %12s %6s  %s\n' "1. CPU per sample (user+sys median)" "$(ms "$CPU_M" 3)" "$(ms "$CPU_S" 3)" "$R1" "$(verdict "$R1")"
printf '  %-42s %12s %12s %6s\n' "   wall per sample (median)" "$(ms "$WALL_M" 3)" "$(ms "$WALL_S" 3)" "$R1W"
printf '  %-42s %12s %12s %6s  %s\n' "2. bytes/sample, size at 1000 / 1000" "$B_M B" "$B_S B" "$R2" "$(verdict "$R2")"
printf '  %-42s %12s %12s %6s  %s\n' "   bytes/sample, marginal (100..1000)" "$MB_M B" "$MB_S B" "$R2M" "$(verdict "$R2M")"
printf '  %-42s %12s %12s %6s  %s\n' "3. report of 8,640 samples (wall median)" "$(ms "$RW_M" 1)" "$(ms "$RW_S" 1)" "$R3" "$(verdict "$R3")"
echo "  report outputs: $IDENT"

B=bench/out/bin
{
    echo "<!-- written by make bench (bench/run.sh); quote, do not edit -->"
    echo "Measured by \`make bench\` on $(date -u '+%Y-%m-%d'), Linux $(uname -r), $(nproc) CPU, against sysstat 12.6.1,"
    echo "side by side in one run (ratio = memtrail / sysstat; lower is better; target <= 1.0)."
    echo
    echo "| figure | memtrail | sysstat | ratio |"
    echo "|---|---:|---:|---:|"
    echo "| 1. CPU per sample, user+sys, median of $RUNS interleaved runs | $(ms "$CPU_M" 3) | $(ms "$CPU_S" 3) | $R1 |"
    echo "| 1. wall per sample, median of the same runs | $(ms "$WALL_M" 3) | $(ms "$WALL_S" 3) | $R1W |"
    echo "| 1. for reference: against \`sadc -f\` (one fdatasync per sample, as memcollect syncs), CPU | $(ms "$CPU_M" 3) | $(ms "$CPU_F" 3) | $(ratio "$CPU_M" "$CPU_F") |"
    echo "| 2. bytes per sample: file size after 1,000 samples / 1,000 (includes the fixed per-file part) | $B_M B | $B_S B | $R2 |"
    echo "| 2. bytes per sample, marginal: (size at 1,000 - size at 100) / 900 | $MB_M B | $MB_S B | $R2M |"
    echo "| 3. report of one day at 10 s (8,640 samples), wall median of $REPORT_RUNS interleaved runs | $(ms "$RW_M" 1) | $(ms "$RW_S" 1) | $R3 |"
    echo "| 3. size of that day's file ($SRC) | $DAY_M B | $DAY_S B | $RD |"
    echo
    echo "- Report outputs: $IDENT."
    echo "- Fixed per-file part: memtrail about $(awk -v a="$M1" -v b="$MB_M" 'BEGIN { printf "%d", a - b }') B (SQLite schema pages),"
    echo "  sadc $(awk -v a="$S1" -v b="$MB_S" 'BEGIN { printf "%d", a - b }') B (header); memtrail's file is the smaller from about $BREAKEVEN samples on."
    echo
    echo "Commands (\`bench/out/benchspawn\` is built from \`bench/benchspawn.c\`; LC_ALL=C):"
    echo
    echo '```sh'
    echo "# 1. fresh process, appending one sample to a fresh fsynced copy of the 1,000-sample file, real /proc and clock"
    echo "bench/out/benchspawn run $RUNS -- --copy bench/out/size/mt.db bench/out/cpu/mt.db $B/memcollect $MCOPTS bench/out/cpu/mt.db \\"
    echo "    -- --copy bench/out/size/sa bench/out/cpu/sa $SADC -S $ACTS 1 1 bench/out/cpu/sa \\"
    echo "    -- --copy bench/out/size/sa bench/out/cpu/saf $SADC -f -S $ACTS 1 1 bench/out/cpu/saf"
    echo "# 2. 1,000 single-sample runs under libfaketime at 2020-01-01 00:00:00 + 60 s * i, real /proc (sizes after 1, 100, 1000)"
    echo "bench/out/benchspawn gen \$(date -d '2020-01-01 00:00:00' +%s) 60 0 1000 -- $B/memcollect $MCOPTS bench/out/size/mt.db \\"
    echo "    -- $SADC -S $ACTS 1 1 bench/out/size/sa"
    echo "# 3. 8,640 single-sample runs at 2020-01-02 00:00:00 + 10 s * i; as root in unshare -m with fixture"
    echo "#    meminfo, vmstat, uptime, swaps bind-mounted over /proc's, rewritten before each step (--fixture)"
    echo "bench/out/benchspawn gen \$(date -d '2020-01-02 00:00:00' +%s) 10 0 8640 --fixture bench/out/day/fx \\"
    echo "    -- $B/memcollect $MCOPTS bench/out/day/mt.db -- $SADC -S $ACTS 1 1 bench/out/day/sa"
    echo "bench/out/benchspawn run $REPORT_RUNS -- $B/memreport -r ALL -S -W -B -H -f bench/out/day/mt.db \\"
    echo "    -- $SAR -r ALL -S -W -B -H -f bench/out/day/sa"
    echo '```'
    echo
    echo "Single-sample runs are fresh processes, as the timer starts them; CPU is user+sys of the child"
    echo "from wait4(). The machine is shared and noisy: compare the ratios, not the absolute times."
} > "$OUT/summary.md"
echo
echo "written: bench/out/summary.md"

# ---------------------------------------------------------------------------
# 5. Per-process sampling against atop and pidstat (same program snapshot).
echo
BENCH_SNAPSHOT_DONE=1 bench/procs.sh

# 6. What issues 10 and 11 cost: incident signals and burst capture beside
# atop, sadc and today's memcollect (bench/incident.sh).
echo
BENCH_SNAPSHOT_DONE=1 bench/incident.sh

# 7. Capacity planning and exports over 30 days (bench/capacity.sh).
echo
bench/capacity.sh

# 8. What memcollect --textfile adds to a sample (bench/textfile.sh).
echo
bench/textfile.sh
