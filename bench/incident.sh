#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# make bench, part 3: what the incident signals (issue 10: PSI, kmsg OOM
# events, cgroups) and burst capture (issue 11: memcollect --watch) cost,
# side by side in one run with atop, sadc, and today's memcollect: the
# program built from BENCH_BASELINE (default 2229fa5, main before either
# issue) in a temporary directory.  bench/run.sh calls it after
# bench/procs.sh; it also runs alone.  Benchmarks, not tests: it prints
# figures and ratios and never fails on a timing.
#
# It starts about BENCH_INC_PROCS processes (bench/lib.sh's grow_to) and
# makes BENCH_INC_CGROUPS cgroup v1 memory cgroups under
# /sys/fs/cgroup/memory/memtrail-bench-PID/, 10 slices with their children,
# and spreads the started processes over them.  The processes are killed by
# PID and the cgroups removed at the end, also on an error or a signal.
#
#   1. CPU of one full default sample (a fresh process appending to an
#      archive of the same machine, median of BENCH_INC_RUNS runs), new and
#      today's, beside atop -w's and sadc's steady-state sample
#      ((cpu of `1 21` - cpu of `1 1`) / 20) and sadc's one-shot sample.
#   2. Bytes per sample, new and today's: (size after 130 - size after 10) / 120
#      of archives written side by side at 60 s under libfaketime.
#   3. BENCH_FIXTURE_CGROUPS (default 2,000) cgroup v2 fixture cgroups
#      (bench/cgfixture.py) bind-mounted over /sys/fs/cgroup in a private
#      mount namespace: CPU of one sample, new and today's.
#   4. Resident collection at 1 s over BENCH_WATCH_BURST seconds (default
#      60): `memcollect 1 N` and `memcollect --no-procs 1 N` (the
#      system-wide part), `sadc 1 N` and `atop -w FILE 1 N`, all four at the
#      same time, as % of one core; then, when memcollect has --watch: its
#      idle CPU over BENCH_WATCH_IDLE seconds (default 600) and its CPU in a
#      burst of real memory pressure; and RSS over BENCH_WATCH_SAMPLES
#      (default 10,000) samples under libfaketime's sped-up clock.
#
#   BENCH_INC_PROCS=600 BENCH_INC_CGROUPS=100 BENCH_INC_RUNS=21
#   BENCH_FIXTURE_CGROUPS=2000 BENCH_WATCH_IDLE=600 BENCH_WATCH_BURST=60
#   BENCH_WATCH_SAMPLES=10000 BENCH_WATCH_SPEED=50 (libfaketime's x factor)
#   BENCH_WATCH_RSS_LOADED=1 (the RSS run beside the ~600 processes: slow)
#   BENCH_BASELINE=2229fa5 (today's memcollect)
#   BENCH_ATOP_PAIRS=3 (atop's steady state: the median of this many pairs)
#   BENCH_MEMCOLLECT=PATH (the memcollect under test; default ./memcollect)
set -eu
cd "$(dirname "$0")/.."
TOP=$(pwd)
OUT=$TOP/bench/out
P=$OUT/incident
NPROCS=${BENCH_INC_PROCS:-600}
NCG=${BENCH_INC_CGROUPS:-100}
RUNS=${BENCH_INC_RUNS:-21}
[ "$RUNS" -ge 5 ] || RUNS=5
NFIX=${BENCH_FIXTURE_CGROUPS:-2000}
IDLE=${BENCH_WATCH_IDLE:-600}
BURST=${BENCH_WATCH_BURST:-60}
NRSS=${BENCH_WATCH_SAMPLES:-10000}
BASE=${BENCH_BASELINE:-2229fa5}
NS=20                       # samples in the steady-state difference
SADC=/usr/lib/sysstat/sadc
FAKELIB=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1
export LC_ALL=C

[ "$(id -u)" = 0 ] || { echo "bench/incident.sh: needs root (cgroups, unshare -m)" >&2; exit 2; }
for c in atop python3 sqlite3 git "$SADC" "$FAKELIB"; do
    command -v "$c" > /dev/null || [ -e "$c" ] || { echo "bench/incident.sh: $c is missing (make deps)" >&2; exit 2; }
done
rm -rf "$P"
mkdir -p "$OUT/bin" "$P"
. bench/lib.sh
bench_harness
if [ -n "${BENCH_MEMCOLLECT:-}" ]; then
    # another build, e.g. an integration of branches not yet on main
    cp "$BENCH_MEMCOLLECT" "$P/memcollect"
    MC=$P/memcollect
else
    [ "${BENCH_SNAPSHOT_DONE:-0}" = 1 ] || cp memcollect "$OUT/bin/"
    MC=$OUT/bin/memcollect
fi
"$MC" -V > /dev/null || { echo "bench/incident.sh: $MC does not run (make all)" >&2; exit 2; }
has_opt() { "$MC" --help 2>&1 | grep -q -- "$1"; }

# ---- today's memcollect, built once from BENCH_BASELINE and cached
BASE_ID=$(git rev-parse --short=7 "$BASE^{commit}")
OLD=$OUT/baseline-$BASE_ID/memcollect
if [ ! -x "$OLD" ]; then
    echo "building today's memcollect from $BASE_ID in a temporary directory ..."
    BT=$(mktemp -d)
    git archive "$BASE_ID" | tar -x -C "$BT"
    if ! make -C "$BT" -j2 memcollect > "$P/baseline-build.log" 2>&1; then
        echo "bench/incident.sh: building $BASE_ID failed (bench/out/incident/baseline-build.log)" >&2
        rm -rf "$BT"; exit 2
    fi
    mkdir -p "$(dirname "$OLD")"
    cp "$BT/memcollect" "$OLD"
    rm -rf "$BT"
fi

# ---- cleanup: processes by PID, then our cgroups, the fixture, a watcher
CGTOP=/sys/fs/cgroup/memory/memtrail-bench-$$
SCRATCH=""
WATCH_PIDS=""
remove_cgroups() {
    if [ -d "$CGTOP" ]; then
        # deepest first; a cgroup can be removed once its processes are reaped
        find "$CGTOP" -depth -type d -exec rmdir {} + 2> /dev/null || true
        [ -d "$CGTOP" ] && echo "bench/incident.sh: could not remove $CGTOP" >&2
    fi
    return 0
}
cleanup() {
    local d
    for d in $WATCH_PIDS; do kill "$d" 2> /dev/null || true; wait "$d" 2> /dev/null || true; done
    bench_cleanup
    remove_cgroups
    [ -n "$SCRATCH" ] && rm -rf "$SCRATCH"
    return 0
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
stop_atop_daemons

epoch() { date -d "$1" +%s; }
pct_core() { awk -v ms="$1" -v s="$2" 'BEGIN { if (s > 0) printf "%.3f", ms / (s * 10); else print "n/a" }'; }
row() { printf '   %-64s %s\n' "$1" "$2"; }
# steady-state CPU per sample: (cpu of the 21-sample run - cpu of the 1-sample run) / 20
steady() { # CPU_MS_OF_1 CPU_MS_OF_21
    awk -v a="$2" -v b="$1" -v k=$NS 'BEGIN { printf "%.3f", (a - b) / k }'
}
cpu1() { once "$@" | cut -d' ' -f1; }   # CMD... -> its CPU in ms

echo "Incident signals and burst capture: memtrail against atop $(atop -V 2>&1 | sed -n 's/^Version: \([^ ]*\).*/\1/p')," \
     "sadc and today's memcollect ($BASE_ID), $(date -u '+%Y-%m-%d %H:%M UTC'), $(uname -r), $(nproc) CPU"
FEAT=""
has_opt --no-cgroups && FEAT="$FEAT --no-cgroups"
has_opt --no-events && FEAT="$FEAT --no-events"
has_opt --watch && FEAT="$FEAT --watch"
echo "   memcollect under test: $MC ($("$MC" -V 2>&1 | head -1)); options of issues 10/11 it has:${FEAT:- none}"

# ---- the machine: about NPROCS processes in NCG v1 memory cgroups
grow_to "$NPROCS"
mkdir "$CGTOP"
made=1
slices=$(( NCG / 10 > 0 ? 10 : 1 ))
for s in $(seq 1 "$slices"); do
    [ "$made" -lt "$NCG" ] || break
    mkdir "$CGTOP/slice$s"; made=$((made + 1))
done
c=0
while [ "$made" -lt "$NCG" ]; do
    mkdir "$CGTOP/slice$((c % slices + 1))/unit$c"; made=$((made + 1)); c=$((c + 1))
done
# every started process into a leaf (or a slice when there are no leaves)
mapfile -t LEAVES < <(find "$CGTOP" -mindepth 1 -type d | sort)
[ "${#LEAVES[@]}" -gt 0 ] || LEAVES=("$CGTOP")
i=0
while read -r pid; do
    echo "$pid" > "${LEAVES[$((i % ${#LEAVES[@]}))]}/cgroup.procs" 2> /dev/null || true
    i=$((i + 1))
done < "$PIDFILE"
NCGV1=$(find /sys/fs/cgroup/memory -type d | wc -l)
N0=$(nprocs)
echo
echo "== $N0 processes ($(wc -l < "$PIDFILE") started here, $NPY of them python3 holding 1-30 MB);" \
     "$NCGV1 v1 memory cgroups ($made made here under $CGTOP)"

# The idle watcher runs from here on, beside everything below, for IDLE
# seconds: asleep in poll(), what the others do costs it nothing unless
# memory is really under pressure (then it samples, and says how many).
samples_in() { # DIR -> samples, process samples stored in its day files
    local f n=0 np=0 a b
    for f in "$1"/*.db; do
        [ -e "$f" ] || continue
        read -r a b <<EOF
$(sqlite3 -readonly "file:$f?mode=ro" 'SELECT count(*) FROM sample' 2> /dev/null) \
$(sqlite3 -readonly "file:$f?mode=ro" 'SELECT count(*) FROM proc_sample' 2> /dev/null)
EOF
        n=$((n + ${a:-0})) np=$((np + ${b:-0}))
    done
    echo "$n $np"
}
oncpu_ms() { awk '{ printf "%.3f", $1 / 1e6 }' "/proc/$1/schedstat"; }  # time on a CPU so far
IDLE_PID=""
if has_opt --watch; then
    mkdir -p "$P/idle"
    "$MC" --watch "$P/idle" > /dev/null 2> "$P/idle.err" &
    IDLE_PID=$!
    WATCH_PIDS="$WATCH_PIDS $IDLE_PID"
    sleep 2                                   # its start-up is not idling
    IDLE_T0=$(date +%s.%N)
    IDLE_START=$(oncpu_ms "$IDLE_PID")
    # every 5 s: time, its CPU so far, samples stored so far.  Other people's
    # pressure or OOM kills on a shared machine wake it: the intervals
    # without a new sample are the ones it slept through.
    (while c=$(oncpu_ms "$IDLE_PID" 2> /dev/null); do
         read -r n _ <<EOF
$(samples_in "$P/idle")
EOF
         echo "$(date +%s.%N) $c $n"
         sleep 5
     done) > "$P/idle.log" &
    WATCH_PIDS="$WATCH_PIDS $!"
fi

# ---------------------------------------------------------------------------
# 2 first: its archives are the existing archives of 1.
D=$P/live
mkdir -p "$D"
E0=$(epoch '2020-01-01 00:00:00')
"$HARNESS" gen "$E0" 60 0 10 -- "$OLD" "$D/old.db" -- "$MC" "$D/new.db"
O10=$(size "$D/old.db"); N10=$(size "$D/new.db")
"$HARNESS" gen "$E0" 60 10 130 -- "$OLD" "$D/old.db" -- "$MC" "$D/new.db"
O130=$(size "$D/old.db"); N130=$(size "$D/new.db")
BO=$(awk -v a="$O130" -v b="$O10" 'BEGIN { printf "%.1f", (a - b) / 120 }')
BN=$(awk -v a="$N130" -v b="$N10" 'BEGIN { printf "%.1f", (a - b) / 120 }')
NPS=$(sqlite3 "$D/new.db" 'SELECT avg(nprocs) FROM (SELECT nprocs FROM proc_sample ORDER BY ts LIMIT -1 OFFSET 10)' 2> /dev/null || echo "?")
# where the two archives differ, by table (SQLite's dbstat): new bytes - today's
TABLES=$(sqlite3 "$D/new.db" "ATTACH '$D/old.db' AS o;
    SELECT n.name || ' ' || (n.s - coalesce(t.s, 0)) FROM
        (SELECT name, sum(pgsize) AS s FROM dbstat GROUP BY name) AS n
        LEFT JOIN (SELECT name, sum(pgsize) AS s FROM dbstat('o') GROUP BY name) AS t USING (name)
    WHERE n.s <> coalesce(t.s, 0) ORDER BY abs(n.s - coalesce(t.s, 0)) DESC" 2> /dev/null |
         awk '{ printf "%s%s %+.1f kB", sep, $1, $2 / 1024; sep = ", " }')

# ---------------------------------------------------------------------------
# 1. CPU of one sample: new (full default, and without each new part it can
# leave out), today's, sadc one-shot; then atop and sadc steady state.
set -- -- --copy "$D/old.db" "$D/c-old.db" "$OLD" "$D/c-old.db" \
       -- --copy "$D/new.db" "$D/c-new.db" "$MC" "$D/c-new.db" \
       -- --copy "$D/new.db" "$D/c-np.db" "$MC" --no-procs "$D/c-np.db"
LABELS=("today's memcollect ARCHIVE ($BASE_ID)" "memcollect ARCHIVE (full default sample)" "memcollect --no-procs ARCHIVE (system-wide part)")
if has_opt --no-cgroups; then
    set -- "$@" -- --copy "$D/new.db" "$D/c-ncg.db" "$MC" --no-cgroups "$D/c-ncg.db" \
        -- --copy "$D/new.db" "$D/c-sys.db" "$MC" --no-procs --no-cgroups "$D/c-sys.db" \
        -- --copy "$D/old.db" "$D/c-osys.db" "$OLD" --no-procs "$D/c-osys.db"
    LABELS+=("memcollect --no-cgroups ARCHIVE" "memcollect --no-procs --no-cgroups ARCHIVE"
             "today's memcollect --no-procs ARCHIVE")
fi
"$SADC" 1 1 "$D/sa-seed"
set -- "$@" -- --copy "$D/sa-seed" "$D/c-sa" "$SADC" 1 1 "$D/c-sa"
LABELS+=("sadc 1 1 SAFILE (default activities, one-shot, as sa1 runs it)")
# The floor under any one-shot sample of this machine: a fresh process that
# only reads the processes as memcollect does (bench/procfloor.c: libproc2,
# procs_scan once, no archive), and one that does nothing at all.
K_FLOOR=""
if ${CC:-cc} -O2 -std=c11 -Wall -Wextra -D_DEFAULT_SOURCE -Ilib -Icollector -o "$OUT/procfloor" \
       bench/procfloor.c build/collector/procs.o build/lib/*.o -lm 2> "$P/procfloor-build.log"; then
    K_FLOOR=${#LABELS[@]}
    set -- "$@" -- "$OUT/procfloor" -- /bin/true
    LABELS+=("floor: a fresh process that only reads every process (bench/procfloor.c)"
             "floor: a fresh process that does nothing (/bin/true)")
else
    echo "bench/incident.sh: bench/procfloor.c did not build (make all first): no floor rows" >&2
fi
"$HARNESS" run "$RUNS" "$@" > "$D/cpu"
# records in the kernel log: what a reader of /dev/kmsg goes through
KMSG_RECORDS=$(python3 -c 'import os
fd = os.open("/dev/kmsg", os.O_RDONLY | os.O_NONBLOCK); n = 0
while True:
    try: os.read(fd, 8192); n += 1
    except BlockingIOError: break
    except BrokenPipeError: continue
print(n)' 2> /dev/null || echo "?")
cpu_of() { grep "^cmd=$1 " "$D/cpu" | field cpu_ms; }
C_OLD=$(cpu_of 0); C_NEW=$(cpu_of 1); C_NP=$(cpu_of 2)
# atop's steady state as the median of ATOP_PAIRS pairs: one pair's figure
# moves by 5-10% with what else the machine does in its 22 seconds
ATOP_PAIRS=${BENCH_ATOP_PAIRS:-3}
ATOP_EACH=""
for k in $(seq 1 "$ATOP_PAIRS"); do
    rm -f "$D/atop1" "$D/atop21"
    ATOP_EACH="$ATOP_EACH $(steady "$(cpu1 /usr/bin/atop -w "$D/atop1" 1 1)" "$(cpu1 /usr/bin/atop -w "$D/atop21" 1 $((NS + 1)))")"
done
C_ATOP=$(echo $ATOP_EACH | tr ' ' '\n' | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
C_SADC=$(steady "$(cpu1 "$SADC" 1 1 "$D/sa-ss1")" "$(cpu1 "$SADC" 1 $((NS + 1)) "$D/sa-ss21")")
echo
echo "1. CPU per sample (user+sys from wait4; memcollect: median of $RUNS interleaved fresh runs)"
k=0
for l in "${LABELS[@]}"; do
    LN=$(grep "^cmd=$k " "$D/cpu")
    row "$l" "$(printf '%8.3f ms (p10 %s, p90 %s; %s failed)' "$(echo "$LN" | field cpu_ms)" \
        "$(echo "$LN" | field cpu_p10)" "$(echo "$LN" | field cpu_p90)" "$(echo "$LN" | field fails)")"
    k=$((k + 1))
done
row "atop -w FILE, one steady-state sample ((1 $((NS + 1)) - 1 1) / $NS)" "$(printf '%8.3f ms (median of %s pairs:%s)' "$C_ATOP" "$ATOP_PAIRS" "$ATOP_EACH")"
row "sadc FILE, one steady-state sample ((1 $((NS + 1)) - 1 1) / $NS)" "$(printf '%8.3f ms' "$C_SADC")"
R_ATOP=$(ratio "$C_NEW" "$C_ATOP")
if has_opt --no-cgroups; then
    C_NCG=$(cpu_of 3)
    echo "   cgroups: $(awk -v a="$C_NEW" -v b="$C_NCG" -v n="$NCGV1" 'BEGIN { printf "%.3f ms a sample, %.1f us a cgroup", a - b, (a - b) * 1000 / n }')" \
         "(full default - --no-cgroups, $NCGV1 cgroups)"
    echo "   the rest of issue 10's system-wide part (pressure, the kernel log):" \
         "$(awk -v a="$(cpu_of 4)" -v b="$(cpu_of 5)" 'BEGIN { printf "%.3f ms", a - b }')" \
         "(--no-procs --no-cgroups - today's --no-procs; /dev/kmsg holds $KMSG_RECORDS records now)"
fi
echo "   ratios: new/atop $R_ATOP (target <= 0.5: $(verdict "$R_ATOP" 0.5)), today's/atop $(ratio "$C_OLD" "$C_ATOP")," \
     "new/today's $(ratio "$C_NEW" "$C_OLD"), new/sadc steady $(ratio "$C_NEW" "$C_SADC")"
if [ -n "$K_FLOOR" ]; then
    C_FLOOR=$(cpu_of "$K_FLOOR")
    echo "   floor: reading the processes alone costs $C_FLOOR ms, $(ratio "$C_FLOOR" "$C_ATOP") of atop;" \
         "the full sample adds $(awk -v a="$C_NEW" -v b="$C_FLOOR" 'BEGIN { printf "%.3f", a - b }') ms to it" \
         "(system-wide values, cgroups, the durable append)"
fi
echo
echo "2. Bytes per sample at $N0 processes and $NCGV1 cgroups, 60 s apart under libfaketime ((size at 130 - size at 10) / 120)"
row "today's memcollect ($BASE_ID)" "$BO B"
row "memcollect (new)" "$BN B ($NPS processes a sample)"
R_B=$(ratio "$BN" "$BO")
echo "   ratio new/today's $R_B (target <= 1.15: $(verdict "$R_B" 1.15)); new archive - today's by table: ${TABLES:-none}"

# ---------------------------------------------------------------------------
# 3. NFIX cgroup v2 fixture cgroups over /sys/fs/cgroup (private namespace).
SCRATCH=$(mktemp -d /dev/shm/memtrail-bench-cg.XXXXXX 2> /dev/null || mktemp -d)
F=$P/fixture
mkdir -p "$F"
MADE=$(python3 bench/cgfixture.py "$SCRATCH/cg" "$NFIX")
# shellcheck disable=SC2016
in_fixture() { unshare -m sh -c 'mount --make-rprivate / && mount --bind "$0" /sys/fs/cgroup && exec "$@"' "$SCRATCH/cg" "$@"; }
in_fixture "$HARNESS" gen "$E0" 60 0 10 -- "$OLD" "$F/old.db" -- "$MC" "$F/new.db"
in_fixture "$HARNESS" run "$RUNS" -- --copy "$F/old.db" "$F/c-old.db" "$OLD" "$F/c-old.db" \
    -- --copy "$F/new.db" "$F/c-new.db" "$MC" "$F/c-new.db" \
    -- --copy "$F/new.db" "$F/c-np.db" "$MC" --no-procs "$F/c-np.db" \
    -- --copy "$F/new.db" "$F/c-ncg.db" "$MC" $(has_opt --no-cgroups && echo --no-cgroups) "$F/c-ncg.db" > "$F/cpu"
F_OLD=$(grep '^cmd=0 ' "$F/cpu" | field cpu_ms); F_NEW=$(grep '^cmd=1 ' "$F/cpu" | field cpu_ms)
F_NP=$(grep '^cmd=2 ' "$F/cpu" | field cpu_ms); F_NCG=$(grep '^cmd=3 ' "$F/cpu" | field cpu_ms)
F_NCG_TXT="memcollect --no-cgroups ARCHIVE"
has_opt --no-cgroups || F_NCG_TXT="memcollect ARCHIVE again (this build has no --no-cgroups)"
FB=$(awk -v a="$(size "$F/new.db")" -v b="$(size "$F/old.db")" 'BEGIN { printf "%.1f", (a - b) / 10 / 1024 }')
echo
echo "3. $MADE cgroup v2 fixture cgroups (bench/cgfixture.py) bind-mounted over /sys/fs/cgroup, $(nprocs) processes;" \
     "median of $RUNS interleaved fresh runs"
row "today's memcollect ARCHIVE ($BASE_ID)" "$(printf '%8.3f ms' "$F_OLD")"
row "memcollect ARCHIVE (full default sample)" "$(printf '%8.3f ms' "$F_NEW")"
row "memcollect --no-procs ARCHIVE" "$(printf '%8.3f ms' "$F_NP")"
row "$F_NCG_TXT" "$(printf '%8.3f ms' "$F_NCG")"
F_PER=$(awk -v a="$F_NEW" -v b="$F_NCG" -v n="$MADE" 'BEGIN { printf "%.1f", (a - b) * 1000 / n }')
F_ADD=$(awk -v a="$F_NEW" -v b="$F_OLD" 'BEGIN { printf "%.3f", a - b }')
echo "   new sample $F_NEW ms (target < 100 ms: $(awk -v v="$F_NEW" 'BEGIN { print (v < 100) ? "met" : "MISSED" }'));" \
     "added over today's $F_ADD ms ($(ratio "$F_NEW" "$F_OLD") x), cgroups $F_PER us each (full - --no-cgroups);" \
     "archive growth over today's $FB kB a sample"
rm -rf "$SCRATCH"; SCRATCH=""

# ---------------------------------------------------------------------------
# 4. Resident collection at 1 s.  With --watch: `--watch --burst N` (wakes at
# once, takes N samples at --burst-interval 1, exits); without it, today's
# resident loop `memcollect 1 N`.  All side by side at the same time.
W=$P/watch
mkdir -p "$W"
if has_opt --watch && "$MC" --help 2>&1 | grep -q -- '--burst <'; then
    RES=(--watch --burst "$BURST"); RES_TXT="--watch --burst $BURST"
    RSS_ARGS=(--watch --burst "$NRSS"); RSS_TXT="--watch --burst $NRSS"
else
    RES=(1 "$BURST"); RES_TXT="1 $BURST"
    RSS_ARGS=(1 "$NRSS"); RSS_TXT="1 $NRSS"
fi
LABELS=("today's memcollect 1 $BURST DIR ($BASE_ID)" "memcollect $RES_TXT DIR" "  system-wide part: memcollect --no-procs $RES_TXT DIR")
CMDS=("$OLD 1 $BURST $W/r0" "$MC ${RES[*]} $W/r1" "$MC --no-procs ${RES[*]} $W/r2")
# with a CPU budget (the default), the old default beside it: processes in
# every burst sample; before it, a fixed ratio
if [ "${RES[0]}" = --watch ] && has_opt --burst-cpu-budget; then
    LABELS+=("memcollect $RES_TXT --burst-procs-every 1 DIR (every sample)")
    CMDS+=("$MC ${RES[*]} --burst-procs-every 1 $W/r3")
elif [ "${RES[0]}" = --watch ] && has_opt --burst-procs-every; then
    LABELS+=("memcollect $RES_TXT --burst-procs-every 5 DIR")
    CMDS+=("$MC ${RES[*]} --burst-procs-every 5 $W/r3")
fi
LABELS+=("sadc 1 $BURST SAFILE" "atop -w FILE 1 $BURST")
CMDS+=("$SADC 1 $BURST $W/sa" "/usr/bin/atop -w $W/atop.raw 1 $BURST")
echo
echo "4. Resident at 1 s for $BURST s, all $((${#CMDS[@]})) side by side at the same time ($(nprocs) processes);" \
     "CPU as % of one core (user+sys from wait4)"
JOBS=()
for k in "${!CMDS[@]}"; do
    mkdir -p "$W/r$k"
    # shellcheck disable=SC2086
    once ${CMDS[$k]} > "$W/cpu$k" &
    JOBS+=($!)
done
wait "${JOBS[@]}"
declare -a LC
for k in "${!CMDS[@]}"; do read -r LC[k] _ < "$W/cpu$k"; done
NSADC=$((${#CMDS[@]} - 2)); NATOP=$((${#CMDS[@]} - 1))
L_OLD=${LC[0]} L_FULL=${LC[1]} L_NP=${LC[2]} L_SADC=${LC[$NSADC]} L_ATOP=${LC[$NATOP]}
L_PP=$(awk -v a="$L_FULL" -v b="$L_NP" 'BEGIN { printf "%.3f", a - b }')
for k in "${!CMDS[@]}"; do
    read -r _ _ rc < "$W/cpu$k"
    stored=""
    case ${CMDS[$k]} in */r[0-9]) read -r sn spn <<EOF
$(samples_in "$W/r$k")
EOF
        stored="; $sn samples stored, $spn with processes";;
    esac
    row "${LABELS[$k]}" "$(printf '%7s %% (%s ms; exit %s%s)' "$(pct_core "${LC[$k]}" "$BURST")" "${LC[$k]}" "$rc" "$stored")"
    [ "$k" = 2 ] && row "  per-process part: the difference" "$(printf '%7s %%' "$(pct_core "$L_PP" "$BURST")")"
done
R_RES=$(ratio "$L_FULL" "$L_ATOP")
echo "   ratios: memcollect/atop $R_RES, memcollect/sadc $(ratio "$L_FULL" "$L_SADC"), system-wide part/sadc $(ratio "$L_NP" "$L_SADC")," \
     "memcollect/today's $(ratio "$L_FULL" "$L_OLD"); budget while bursting <= 3 % of one core:" \
     "$(awk -v v="$(pct_core "$L_FULL" "$BURST")" 'BEGIN { print (v <= 3) ? "met" : "MISSED" }')"

# RSS over NRSS samples: one resident process, libfaketime's clock sped up
# SPEED times; VmRSS and VmHWM read from /proc as it goes.  The archive is on
# a tmpfs: what is measured is the process's memory, and each sample's four
# fdatasync calls on the disk would make 10,000 samples take half an hour.
SPEED=${BENCH_WATCH_SPEED:-50}
rss_run() { # DIR CMD...
    local dir=$1 pid n rss hwm first mid last half=$((NRSS / 2))
    shift
    mkdir -p "$dir"
    : > "$W/rss.log"
    FAKETIME="@2020-03-01 00:00:00 x$SPEED" LD_PRELOAD=$FAKELIB "$@" "$dir" > /dev/null 2> "$W/rss.err" &
    pid=$!
    WATCH_PIDS="$WATCH_PIDS $pid"
    while kill -0 "$pid" 2> /dev/null; do
        sleep 1
        rss=$(sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\).*/\1/p' "/proc/$pid/status" 2> /dev/null) || break
        hwm=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\).*/\1/p' "/proc/$pid/status" 2> /dev/null) || break
        read -r n _ <<EOF
$(samples_in "$dir")
EOF
        [ -n "$rss" ] && [ "$n" -gt 0 ] && echo "$n $rss $hwm" >> "$W/rss.log"
    done
    wait "$pid" 2> /dev/null || true
    first=$(head -1 "$W/rss.log")
    mid=$(awk -v h="$half" '$1 >= h { print; exit }' "$W/rss.log")
    last=$(tail -1 "$W/rss.log")
    read -r n _ <<EOF
$(samples_in "$dir")
EOF
    RSS_LINE="$(echo "$first" | cut -d' ' -f2) / $(echo "$mid" | cut -d' ' -f2) / $(echo "$last" | cut -d' ' -f2) kB"
    RSS_LINE="$RSS_LINE at samples $(echo "$first" | cut -d' ' -f1) / $(echo "$mid" | cut -d' ' -f1) / $(echo "$last" | cut -d' ' -f1)"
    RSS_LINE="$RSS_LINE (peak $(echo "$last" | cut -d' ' -f3) kB; $n samples stored)"
}
# At ~600 processes a sample takes 40-50 ms of CPU, and 10,000 of them
# most of an hour on a shared 2-CPU machine: unless BENCH_WATCH_RSS_LOADED=1,
# the processes and cgroups made here go first, and the run samples the
# machine as it is (its own processes come and go all the time).
if [ "${BENCH_WATCH_RSS_LOADED:-0}" != 1 ]; then
    bench_cleanup
    remove_cgroups
fi
echo
echo "   RSS over $NRSS samples at 1 s, one resident process (libfaketime clock x$SPEED, archive on a tmpfs," \
     "$(nprocs) processes):"
RSSDIR=$(mktemp -d /dev/shm/memtrail-bench-rss.XXXXXX 2> /dev/null || mktemp -d)
SCRATCH=$RSSDIR    # removed by cleanup() too
rss_run "$RSSDIR" "$MC" "${RSS_ARGS[@]}"
cp "$W/rss.log" "$W/rss-by-sample.log"
rm -rf "$RSSDIR"; SCRATCH=""
row "memcollect $RSS_TXT DIR" "VmRSS $RSS_LINE"
RSS_NEW=$RSS_LINE
WATCH_IDLE="not measured: this memcollect has no --watch"
if [ -n "$IDLE_PID" ]; then
    left=$(awk -v t0="$IDLE_T0" -v now="$(date +%s.%N)" -v d="$IDLE" 'BEGIN { l = t0 + d - now; printf "%d", (l > 0 ? l + 0.5 : 0) }')
    echo
    echo "   memcollect --watch DIR, idle: started before section 2, measured over $IDLE s (${left} s left to wait) ..."
    [ "$left" -gt 0 ] && sleep "$left"
    if kill -0 "$IDLE_PID" 2> /dev/null; then
        IDLE_END=$(oncpu_ms "$IDLE_PID")
        IDLE_S=$(awk -v t0="$IDLE_T0" -v now="$(date +%s.%N)" 'BEGIN { printf "%.1f", now - t0 }')
        IDLE_MS=$(awk -v a="$IDLE_END" -v b="$IDLE_START" 'BEGIN { printf "%.3f", a - b }')
        kill "$IDLE_PID"; wait "$IDLE_PID" 2> /dev/null || true
        read -r IDLE_N _ <<EOF
$(samples_in "$P/idle")
EOF
        WATCH_IDLE="$(pct_core "$IDLE_MS" "$IDLE_S") % ($IDLE_MS ms on a CPU in $IDLE_S s; $IDLE_N samples taken)"
        # asleep only: the 5 s intervals in which no sample was stored
        ASLEEP=$(awk 'NR > 1 && $3 == n { s += $1 - t; c += $2 - cpu } { t = $1; cpu = $2; n = $3 }
                      END { if (s > 0) printf "%.4f %% (%.3f ms in %.0f s asleep)", c / (s * 10), c, s; else print "n/a (never asleep for 5 s)" }' "$P/idle.log")
        WATCH_IDLE="$WATCH_IDLE; asleep only: $ASLEEP"
    else
        WATCH_IDLE="exited early: $(head -1 "$P/idle.err")"
    fi
    row "memcollect --watch DIR, idle (/proc/PID/schedstat)" "$WATCH_IDLE"
    echo "   target <= 0.1 % of one core; sadc and atop have no idle state (at 1 s they cost the row above)"
fi

# ---------------------------------------------------------------------------
B=bench/out/bin
[ -z "${BENCH_MEMCOLLECT:-}" ] || B="(BENCH_MEMCOLLECT=$BENCH_MEMCOLLECT)"
{
    echo "<!-- written by make bench (bench/incident.sh); quote, do not edit -->"
    echo "Measured by \`make bench\` on $(date -u '+%Y-%m-%d'), Linux $(uname -r), $(nproc) CPU, in one run: memcollect"
    echo "under test, today's memcollect (built from $BASE_ID), atop $(atop -V 2>&1 | sed -n 's/^Version: \([^ ]*\).*/\1/p') and sadc 12.6.1."
    echo "$N0 processes, $NCGV1 cgroup v1 memory cgroups (lower is better)."
    echo
    echo "| figure | memtrail | today's ($BASE_ID) | atop | sadc | ratio | target |"
    echo "|---|---:|---:|---:|---:|---:|---|"
    echo "| 1. CPU per sample (new: fresh process, median of $RUNS; atop, sadc: steady state) | $C_NEW ms | $C_OLD ms | $C_ATOP ms | $C_SADC ms | $R_ATOP of atop | ≤ 0.5: $(verdict "$R_ATOP" 0.5) |"
    echo "| 1. system-wide part (\`--no-procs\`) | $C_NP ms | | | $C_SADC ms | $(ratio "$C_NP" "$C_SADC") of sadc | |"
    if [ -n "${C_NCG:-}" ]; then
        echo "| 1. of which cgroups (full - \`--no-cgroups\`) | $(awk -v a="$C_NEW" -v b="$C_NCG" 'BEGIN { printf "%.3f", a - b }') ms | | | | | |"
        echo "| 1. of which pressure and the kernel log (\`--no-procs --no-cgroups\` - today's \`--no-procs\`; $KMSG_RECORDS kmsg records) | $(cpu_of 4) ms | $(cpu_of 5) ms | | | | |"
    fi
    if [ -n "$K_FLOOR" ]; then
        echo "| 1. floor: a fresh process that only reads every process (bench/procfloor.c) | $C_FLOOR ms | | | | $(ratio "$C_FLOOR" "$C_ATOP") of atop | |"
        echo "| 1. floor: a fresh process that does nothing (\`/bin/true\`) | $(cpu_of $((K_FLOOR + 1))) ms | | | | | |"
    fi
    echo "| 2. bytes per sample, 60 s apart | $BN B | $BO B | | | $R_B of today's | ≤ 1.15: $(verdict "$R_B" 1.15) |"
    echo "| 3. CPU per sample, $MADE v2 fixture cgroups | $F_NEW ms | $F_OLD ms | | | +$F_ADD ms | < 100 ms: $(awk -v v="$F_NEW" 'BEGIN { print (v < 100) ? "met" : "MISSED" }') |"
    echo "| 4. \`memcollect $RES_TXT\` at 1 s, % of one core | $(pct_core "$L_FULL" "$BURST") % | $(pct_core "$L_OLD" "$BURST") % (\`1 $BURST\`) | $(pct_core "$L_ATOP" "$BURST") % | $(pct_core "$L_SADC" "$BURST") % | $R_RES of atop | ≤ 3 % |"
    echo "| 4. of which system-wide (\`--no-procs $RES_TXT\`) | $(pct_core "$L_NP" "$BURST") % | | | $(pct_core "$L_SADC" "$BURST") % | $(ratio "$L_NP" "$L_SADC") of sadc | |"
    echo "| 4. RSS over $NRSS samples (\`memcollect $RSS_TXT\`, first / middle / last) | $RSS_NEW | | | | | flat |"
    echo "| 4. \`--watch\` idle, % of one core over $IDLE s | $WATCH_IDLE | | | | | ≤ 0.1 % |"
    echo
    echo "Commands (LC_ALL=C; D is bench/out/incident/live, F its fixture twin, OLD today's memcollect):"
    echo
    echo '```sh'
    echo "bench/out/benchspawn gen \$(date -d '2020-01-01 00:00:00' +%s) 60 0 130 -- OLD \$D/old.db -- $B/memcollect \$D/new.db"
    echo "bench/out/benchspawn run $RUNS -- --copy \$D/old.db \$D/c-old.db OLD \$D/c-old.db -- --copy \$D/new.db \$D/c-new.db $B/memcollect \$D/c-new.db ..."
    echo "atop -w FILE 1 1; atop -w FILE 1 $((NS + 1)); $SADC 1 1 FILE; $SADC 1 $((NS + 1)) FILE   # (21 - 1) / $NS"
    echo "bench/cgfixture.py FIX $NFIX; unshare -m sh -c 'mount --bind FIX /sys/fs/cgroup; bench/out/benchspawn run $RUNS -- ...'"
    echo "OLD 1 $BURST A & memcollect $RES_TXT B & memcollect --no-procs $RES_TXT C & $SADC 1 $BURST E & atop -w F 1 $BURST &   # at the same time"
    echo "FAKETIME='@2020-03-01 00:00:00 x$SPEED' LD_PRELOAD=$FAKELIB memcollect $RSS_TXT A   # VmRSS from /proc/PID/status"
    echo "memcollect --watch A   # idle: on-CPU time from /proc/PID/schedstat over $IDLE s, beside the rest of this run"
    echo '```'
} > "$OUT/incident-summary.md"
echo
echo "written: bench/out/incident-summary.md"
