# SPDX-License-Identifier: GPL-2.0-or-later
# Helpers shared by the bench/ scripts that start processes and compare
# against atop (bench/procs.sh, bench/incident.sh); sourced, never run.
# The caller sets OUT (bench/out) and P (its own folder under it) and has
# already cd'ed to the top of the tree.  Everything started here is recorded
# by PID in $P/pids and killed by PID in bench_cleanup, which the caller
# runs from its EXIT trap.

HARNESS=$OUT/benchspawn
bench_harness() { # build bench/benchspawn.c when it changed
    if [ ! -x "$HARNESS" ] || [ -n "$(find bench/benchspawn.c -newer "$HARNESS")" ]; then
        ${CC:-cc} -O2 -std=c11 -Wall -Wextra -o "$HARNESS" bench/benchspawn.c
    fi
}

size() { stat -c %s "$1"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
field() { sed -n "s/.*$1=\([^ ]*\).*/\1/p"; }  # field NAME < line
verdict() { awk -v r="$1" -v t="$2" 'BEGIN { print (r != "n/a" && r <= t) ? "met" : "MISSED" }'; }
nprocs() { set -- /proc/[0-9]*; echo $#; }

# ---- the processes: started here, killed by PID
PIDFILE=$P/pids
: > "$PIDFILE"
ATOP_WAS_ACTIVE=""
bench_cleanup() {
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
        ATOP_WAS_ACTIVE=""
    fi
}

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
stop_atop_daemons() {
    for u in atop atopacct; do
        if svc_running "$u"; then
            echo "stopping $u for the benchmark (restarted at the end)"
            svc stop "$u"
            ATOP_WAS_ACTIVE="$ATOP_WAS_ACTIVE $u"
        fi
    done
}

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

# once CMD ARGS... -> "cpu_ms maxrss_kb rc": one run, from wait4().  In C
# and forked, not spawned from python3: the kernel counts the pre-exec image
# of the child in ru_maxrss, and python's would hide the figure.
WAIT4=$OUT/wait4
if [ ! -x "$WAIT4" ] || [ -n "$(find bench/wait4.c -newer "$WAIT4")" ]; then
    ${CC:-cc} -O2 -std=c11 -Wall -Wextra -o "$WAIT4" bench/wait4.c
fi
once() { "$WAIT4" "$@"; }
