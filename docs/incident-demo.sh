#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# docs/incident-demo.sh: makes one real, harmless memory incident on this
# machine and records it, for the README's "After an incident" and the man
# pages' EXAMPLES.  Run as root, on a kernel with PSI and the cgroup v1
# memory controller at /sys/fs/cgroup/memory (as tests/watch needs).
#
# In a new archive directory (kept, and printed at the end): the minute
# timer's sample before; `memcollect --watch` running; a python3 process
# named "report-builder" in a unique v1 memory cgroup with a 64 MB limit,
# which reads random pages of a 200 MB file on disk through an mmap after the
# page cache was dropped (real memory pressure, as tests/watch makes it) and
# grows by 4 MB a second until the cgroup's OOM killer kills it (at 512 MB
# without a kill it gives up, so that it never burdens the machine); the watcher
# back asleep; the cgroup removed; the timer's sample after.  Everything else
# it makes (the file, the cgroup, its processes) is removed by its trap,
# processes by PID.
#
# MEMCOLLECT: the memcollect to run (default: the source tree's, else
# the one on PATH).  WATCH_OPTIONS: more options for the watcher (the
# trigger is the default one, `some 150000 2000000`).
set -u

die() { echo "incident-demo: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "run it as root (it makes a memory cgroup and drops the page cache)"
[ -r /proc/pressure/memory ] || die "no /proc/pressure/memory: this kernel has no PSI"
[ -d /sys/fs/cgroup/memory ] || die "no cgroup v1 memory controller at /sys/fs/cgroup/memory"
command -v python3 > /dev/null || die "python3 is not installed"

HERE=$(cd "$(dirname "$0")" && pwd)
MC=${MEMCOLLECT:-}
if [ -z "$MC" ]; then
    MC=$HERE/../memcollect
    [ -x "$MC" ] || MC=$(command -v memcollect) || die "no memcollect: make all, or install it"
fi

# the archive is what this script is for: it stays; the rest goes
ARCHIVE=$(mktemp -d /var/tmp/memtrail-incident.XXXXXX) || die "cannot make an archive directory"
# a file on disk, not tmpfs: its pages must be read back from the disk
SCRATCH=$(mktemp -d /var/tmp/memtrail-incident-scratch.XXXXXX) || die "cannot make a scratch directory"
CG=/sys/fs/cgroup/memory/memtrail-incident-$$
WATCHER=
GROWER=
cleanup() {
    [ -n "$GROWER" ] && kill -KILL "$GROWER" 2>/dev/null && wait "$GROWER" 2>/dev/null
    [ -n "$WATCHER" ] && kill -TERM "$WATCHER" 2>/dev/null && wait "$WATCHER" 2>/dev/null
    [ -d "$CG" ] && rmdir "$CG" 2>/dev/null
    rm -rf "$SCRATCH"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# wait_for FILE TEXT SECONDS: until FILE holds TEXT; 1 when it never did.
wait_for() {
    local i
    for ((i = 0; i < $3 * 10; i++)); do
        grep -q -- "$2" "$1" 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}

echo "incident-demo: archive $ARCHIVE"
dd if=/dev/urandom of="$SCRATCH/big" bs=1M count=200 status=none || die "cannot write $SCRATCH/big"
mkdir "$CG" || die "cannot make $CG"
echo $((64 << 20)) > "$CG/memory.limit_in_bytes" || die "cannot limit $CG"

"$MC" -D "$ARCHIVE" || die "the sample before failed"
echo "incident-demo: sample before at $(date +%T)"

LOG=$SCRATCH/watch.log
# shellcheck disable=SC2086 # WATCH_OPTIONS: words
"$MC" --watch --calm 10 ${WATCH_OPTIONS:-} -D "$ARCHIVE" 2> "$LOG" &
WATCHER=$!
wait_for "$LOG" "asleep, waking on" 20 || die "the watcher did not start: $(cat "$LOG")"
sleep 5    # a few quiet seconds: asleep, the watcher takes no samples

sync
echo 1 > /proc/sys/vm/drop_caches
echo "incident-demo: report-builder starts at $(date +%T)"
python3 - "$SCRATCH/big" "$CG/cgroup.procs" <<'EOF' &
import mmap, os, random, sys, time
with open(sys.argv[2], "w") as f:
    f.write(str(os.getpid()))
with open("/proc/self/comm", "w") as f:
    f.write("report-builder")
with open(sys.argv[1], "rb") as f:
    m = mmap.mmap(f.fileno(), 0, prot=mmap.PROT_READ)
pages = len(m) // 4096
held = []
total = 0
while True:
    # a quarter of a second of random reads (the cgroup's page cache is
    # reclaimed as the process grows), then 1 MB more, written
    end = time.time() + 0.25
    while time.time() < end:
        total += m[random.randrange(pages) * 4096]
    held.append(b"\x5a" * (1 << 20))
    if len(held) > 512:
        sys.exit("report-builder: 512 MB and no OOM kill: is the cgroup's limit not enforced?")
EOF
GROWER=$!
wait "$GROWER" 2>/dev/null
status=$?
GROWER=
echo "incident-demo: report-builder ended at $(date +%T), exit $status (137: SIGKILL, the OOM killer)"
sleep 3    # the cgroup outlives its task, as a service's does: a sample sees its oom_kill
rmdir "$CG" || die "cannot remove $CG"

wait_for "$LOG" "asleep after a burst" 120 || die "the watcher did not go back to sleep: $(cat "$LOG")"
kill -TERM "$WATCHER" && wait "$WATCHER"
WATCHER=
sed 's/^/incident-demo: /' "$LOG"

sleep 2
"$MC" -D "$ARCHIVE" || die "the sample after failed"
echo "incident-demo: sample after at $(date +%T)"
echo "incident-demo: the archive of the incident is $ARCHIVE"
