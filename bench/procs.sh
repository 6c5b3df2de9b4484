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
HARNESS=$OUT/benchspawn
if [ ! -x "$HARNESS" ] || [ -n "$(find bench/benchspawn.c -newer "$HARNESS")" ]; then
    ${CC:-cc} -O2 -std=c11 -Wall -Wextra -o "$HARNESS" bench/benchspawn.c
fi
# run.sh has already taken a snapshot of the programs; alone, take one.
if [ "${BENCH_SNAPSHOT_DONE:-0}" != 1 ]; then
    cp memcollect "$OUT/bin/"
fi
MC=$OUT/bin/memcollect
"$MC" -V > /dev/null || { echo "bench/procs.sh: $MC does not run (make all)" >&2; exit 2; }

# ---- the processes: started here, killed by PID
PIDFILE=$P/pids
: > "$PIDFILE"
ATOP_WAS_ACTIVE=""
cleanup() {
    local pids
    pids=$(cat "$PIDFILE" 2>/dev/null || true)
    if [ -n "$pids" ]; then
        # shellcheck disable=SC2086
        kill $pids 2> /dev/null || true
        # shellcheck disable=SC2086
        wait $pids 2> /dev/null || true
    fi
    : > "$PIDFILE"
    if [ -n "$ATOP_WAS_ACTIVE" ]; then
        echo "restarting $ATOP_WAS_ACTIVE"
        for u in $ATOP_WAS_ACTIVE; do svc start "$u"; done
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# The Debian package's logging daemons would compete with the measurements
# (and atopacctd changes atop's costs): stop them if running, restore after.
# Without systemd (a container), "running" means a live process in the pid file.
svc_running() { # UNIT
    local pid
    if [ -d /run/systemd/system ]; then
        systemctl is-active --quiet "$1" 2> /dev/null
    else
        pid=$(cat "/run/$1.pid" 2> /dev/null || cat "/run/${1}d.pid" 2> /dev/null) || return 1
        [ -n "$pid" ] && [ -r "/proc/$pid/comm" ] && grep -q "^atop" "/proc/$pid/comm"
    fi
}
svc() { # ACTION UNIT
    if [ -d /run/systemd/system ]; then systemctl "$1" "$2"; else "/etc/init.d/$2" "$1"; fi > /dev/null 2>&1 || true
}
for u in atop atopacct; do
    if svc_running "$u"; then
        echo "stopping $u for the benchmark (restarted at the end)"
        svc stop "$u"
        ATOP_WAS_ACTIVE="$ATOP_WAS_ACTIVE $u"
    fi
done

nprocs() { set -- /proc/[0-9]*; echo $#; }
NPY=0
grow_to() { # TARGET: start sleepers (every 12th one a python3 holding memory) until about TARGET processes
    local target=$1 have i=0 mb
    have=$(nprocs)
    while [ "$have" -lt "$target" ]; do
        if [ $((i % 12)) = 0 ] && [ "$NPY" -lt 40 ]; then
            mb=$(( (NPY * 7) % 30 + 1 ))
            python3 -c 'import sys, time
b = bytearray(int(sys.argv[1]) << 20)
for i in range(0, len(b), 4096): b[i] = 1
time.sleep(100000)' "$mb" < /dev/null > /dev/null 2>&1 &
            NPY=$((NPY + 1))
        else
            sleep 100000 > /dev/null 2>&1 &
        fi
        echo $! >> "$PIDFILE"
        i=$((i + 1)) have=$((have + 1))
    done
    sleep 2    # let the python3 processes allocate
}

# Helper: run a command once, print "cpu_ms maxrss_kb rc" from wait4().  In C
# and forked, not spawned from python3: the kernel counts the pre-exec image
# of the child in ru_maxrss, and python's would hide the figure.
WAIT4=$P/wait4
if [ ! -x "$WAIT4" ]; then
    cat > "$P/wait4.c" <<'C'
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
int main(int argc, char **argv)
{
    if (argc < 2) return 2;
    pid_t pid = fork();
    if (pid == 0) {
        int fd = open("/dev/null", O_RDWR);
        dup2(fd, 0); dup2(fd, 1); dup2(fd, 2);
        execv(argv[1], argv + 1);
        _exit(127);
    }
    int st; struct rusage ru;
    if (pid < 0 || wait4(pid, &st, 0, &ru) < 0) return 2;
    printf("%.3f %ld %d\n", (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
           (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3, ru.ru_maxrss,
           WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
    return 0;
}
C
    ${CC:-cc} -O2 -o "$WAIT4" "$P/wait4.c"
fi
once() { "$WAIT4" "$@"; }   # once CMD ARGS... -> "cpu_ms maxrss_kb rc"
size() { stat -c %s "$1"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
field() { sed -n "s/.*$1=\([^ ]*\).*/\1/p"; }
verdict() { awk -v r="$1" -v t="$2" 'BEGIN { print (r != "n/a" && r <= t) ? "met" : "MISSED" }'; }

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
