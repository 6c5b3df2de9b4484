#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/watch: memcollect --watch on the real kernel (issue 11).  Real memory
# pressure, made as the issue measured it: page cache dropped, then a python3
# process in a unique 48 MB v1 memory cgroup reads random pages through an
# mmap of a 200 MB file on disk.  The watcher must sleep before it (no
# samples beyond the minute timer's), sample about every second during it
# (while --maintain runs beside it), go back to sleep after it, and record
# exactly that burst, which memreport --bursts lists.  Then: a kernel whose
# /proc/pressure/memory refuses triggers (a read-only fixture bind-mounted in
# a private mount namespace) makes it poll instead, and SIGTERM in the middle
# of a burst ends it with exit 0 and a consistent archive; a real OOM kill in
# a small cgroup wakes it through /dev/kmsg.  Every cgroup, file and process
# this suite makes is removed by its trap, processes by PID.
set -u
. "$(dirname "$0")/../lib.sh"
# libfaketime preloaded, not through the faketime wrapper: the wrapper's
# named semaphore is refused when a stale one of the same pid is left in
# /dev/shm (a suite run alone, outside tests/run.sh's private /dev/shm).
fake_time() { local when=$1; shift; LD_PRELOAD=$FAKETIME_LIB FAKETIME="$when" FAKETIME_DONT_RESET=1 "$@"; }

if [ "$(id -u)" != 0 ] || [ ! -r /proc/pressure/memory ] || [ ! -d /sys/fs/cgroup/memory ] ||
   ! have python3 || ! have sqlite3; then
    skip "watch (needs root, PSI, the v1 memory controller, python3 and sqlite3)"
    exit 0
fi

# a file on disk, not tmpfs: its pages must be read back from the disk
TMP=$(mktemp -d /var/tmp/memtrail-watch.XXXXXX)
PIDS=()
CGROUPS=()
cleanup() {
    local p c
    for p in "${PIDS[@]}"; do
        kill -KILL "$p" 2>/dev/null && wait "$p" 2>/dev/null
    done
    for c in "${CGROUPS[@]}"; do
        [ -d "$c" ] && rmdir "$c" 2>/dev/null
    done
    rm -rf "$TMP"
}
trap cleanup EXIT

CG=/sys/fs/cgroup/memory/memtrail-watch-$$
mkdir "$CG" && CGROUPS+=("$CG") && echo $((48 << 20)) > "$CG/memory.limit_in_bytes" || {
    not_ok "watch: a 48 MB v1 memory cgroup" "cannot make $CG"
    exit 0
}
dd if=/dev/urandom of="$TMP/big" bs=1M count=200 status=none
# the same process in a v2 cgroup (no memory controller there, but its
# memory.pressure counts its stalls): --cgroups watches it
V2=/sys/fs/cgroup/unified
V2CG=
if [ -f "$V2/memory.pressure" ] && mkdir "$V2/memtrail-watch-$$" 2>/dev/null; then
    V2CG=$V2/memtrail-watch-$$
    CGROUPS+=("$V2CG")
fi

# some_total: /proc/pressure/memory's "some" total, µs.
some_total() { sed -n 's/^some .*total=\([0-9]*\)$/\1/p' /proc/pressure/memory; }
# samples DIR [FROM TO]: the sample times of the day files in DIR, one a line.
samples() {
    local f
    for f in "$1"/memtrail-*.db; do
        sqlite3 "$f" "SELECT ts FROM sample WHERE ts BETWEEN ${2:-0} AND ${3:-99999999999} ORDER BY ts"
    done
}
# wait_for FILE TEXT SECONDS: until FILE holds TEXT; 1 when it never did.
wait_for() {
    local i
    for ((i = 0; i < $3 * 10; i++)); do
        grep -q -- "$2" "$1" 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}
# asleep PID: the process sleeps in poll() (its wchan), not running.
asleep() {
    local state wchan
    state=$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$1/status" 2>/dev/null)
    wchan=$(cat "/proc/$1/wchan" 2>/dev/null)
    [ "$state" = S ] && case $wchan in *poll*) true ;; *) false ;; esac
}
# make_pressure SECONDS: the issue's recipe, in the background (PRESSURE_PID).
make_pressure() {
    sync
    echo 1 > /proc/sys/vm/drop_caches
    python3 - "$TMP/big" "$1" "$CG/cgroup.procs" ${V2CG:+"$V2CG/cgroup.procs"} <<'EOF' &
import mmap, os, random, sys, time
for procs in sys.argv[3:]:
    with open(procs, "w") as f:
        f.write(str(os.getpid()))
with open(sys.argv[1], "rb") as f:
    m = mmap.mmap(f.fileno(), 0, prot=mmap.PROT_READ)
pages = len(m) // 4096
end = time.time() + float(sys.argv[2])
total = 0
while time.time() < end:
    total += m[random.randrange(pages) * 4096]
EOF
    PRESSURE_PID=$!
    PIDS+=("$PRESSURE_PID")
}

# ---- 1. a real burst
A=$TMP/archive
LOG=$TMP/watch.log
# test-friendly settings: the trigger at 2.5 % of 2 s (the pressure above
# stalls 10 to 17 %), back to sleep after 4 quiet seconds
"$MC" --watch --trigger "some 50000 2000000" --calm 4 ${V2CG:+--cgroups "$V2CG"} -D "$A" 2> "$LOG" &
WATCHER=$!
PIDS+=("$WATCHER")
if ! wait_for "$LOG" "asleep, waking on the trigger.*($([ -n "$V2CG" ] && echo 1 || echo 0) cgroups)" 20; then
    not_ok "watch: starts asleep on the PSI trigger" "$(cat "$LOG")"
    exit 0
fi
ok "watch: starts asleep on the PSI trigger"
"$MC" -D "$A" 2>> "$TMP/timer.err"   # the minute timer's sample
timer_ts=$(samples "$A")
quiet_from=$(some_total)
sleep 3
quiet_to=$(some_total)
n=$(samples "$A" | wc -l)
# pressure from elsewhere (another suite, another user) would wake the
# watcher too: the checks it would spoil are skipped, saying so, when the
# stall total rose by the trigger's stall while this suite made none
ELSEWHERE="the machine was under memory pressure from elsewhere"
if [ $((quiet_to - quiet_from)) -ge 50000 ]; then
    skip "watch: no samples without pressure ($ELSEWHERE)"
else
    check "watch: no samples without pressure, beyond the timer's" $((n != 1)) \
        "samples: $(samples "$A" | tr '\n' ' ')" "$(cat "$LOG")"
fi
asleep "$WATCHER"
check "watch: asleep in poll() before the pressure" $? "$(cat "/proc/$WATCHER/wchan" 2>/dev/null)"

# yesterday's file, for --maintain to compress while the watcher writes today's
yesterday=$(date -d yesterday +%Y%m%d)
fake_time "-1d" "$MC" -D "$A" 2>> "$TMP/timer.err"
p_start=$(date +%s)
quiet=$(($(some_total) - quiet_from < 50000))
timer_during=0
make_pressure 8
if wait_for "$LOG" "burst: woken by" 15; then
    "$MC" --maintain --keep-days 7 --compress-after 1 -D "$A" > "$TMP/maintain.out" 2>&1
    maintained=$?
    check "watch: --maintain beside a burst" $((maintained != 0)) "$(cat "$TMP/maintain.out")"
    [ -f "$A/memtrail-$yesterday.db.gz" ] && [ ! -e "$A/memtrail-$yesterday.db" ] &&
        [ -f "$A/memtrail-$(date +%Y%m%d).db" ]
    check "watch: --maintain compressed yesterday, left today's file to the watcher" $? \
        "$(ls -l "$A")"
    # the minute timer beside the burst: stored, or a duplicate second, never locked out
    "$MC" -D "$A" 2> "$TMP/timer2.err"
    rc=$?
    [ $rc = 0 ] || { [ $rc = 3 ] && grep -q "already stored" "$TMP/timer2.err"; }
    check "watch: the minute timer is not locked out during a burst" $? "rc=$rc $(cat "$TMP/timer2.err")"
    timer_during=$((rc == 0))
else
    not_ok "watch: woken by the pressure" "$(cat "$LOG")" "$(cat /proc/pressure/memory)"
fi
wait "$PRESSURE_PID"
p_end=$(date +%s)
if ! wait_for "$LOG" "asleep after a burst" 60; then
    not_ok "watch: back asleep after the pressure" "$(cat "$LOG")"
    exit 0
fi
ok "watch: back asleep after the pressure"
row=$(sqlite3 -separator ' ' "$A/memtrail-$(date +%Y%m%d).db" \
      "SELECT start_ts, end_ts, samples, why, open, oom_kills FROM burst")
read -r b_start b_end b_samples b_why b_open b_kills <<< "$row"
[ "$(printf '%s\n' "$row" | wc -l)" = 1 ] || [ $quiet = 1 ] || {
    skip "watch: one burst recorded ($ELSEWHERE)"
    row=$(printf '%s\n' "$row" | awk -v s="$p_start" '$2 >= s' | head -1)
}
read -r b_start b_end b_samples b_why b_open b_kills <<< "$row"
[ "$(printf '%s\n' "$row" | wc -l)" = 1 ] && [ -n "$b_start" ] &&
    [ "$b_start" -ge $((p_start - 1)) ] && [ "$b_start" -le "$p_end" ] &&
    [ "$b_end" -ge "$p_end" ] && [ "$b_open" = 0 ] && case $b_why in *psi*) true ;; *) false ;; esac
check "watch: one burst recorded, from the pressure's start to past its end, woken by psi" $? \
    "burst: $row" "pressure: $p_start to $p_end" "$(cat "$LOG")"
during=$(samples "$A" "$b_start" "$b_end")
count=$(printf '%s\n' "$during" | grep -c .)
gaps=$(printf '%s\n' "$during" | awk 'NR > 1 && $1 - prev > 2 { print prev " to " $1 } { prev = $1 }')
[ "$count" = $((b_samples + timer_during)) ] && [ "$count" -ge 6 ] && [ -z "$gaps" ]
check "watch: samples about 1 s apart during the burst" $? \
    "samples: $count, burst row: $b_samples, the timer's: $timer_during" \
    "gaps over 2 s: $gaps"
if [ -n "$V2CG" ]; then
    case $b_why in *cgroup*) true ;; *) false ;; esac
    check "watch: the v2 cgroup's memory.pressure trigger woke it too" $? "burst: $row" "$(cat "$LOG")"
fi
before=$(samples "$A" 0 $((b_start - 1)) | grep -v -x -F "$timer_ts" | grep -c .)
if [ $quiet = 1 ]; then
    check "watch: no samples before the burst beyond the timer's" "$before" "$(samples "$A" | head)"
else
    skip "watch: no samples before the burst beyond the timer's ($ELSEWHERE)"
fi
settled_from=$(some_total)
n1=$(samples "$A" | wc -l)
sleep 3
n2=$(samples "$A" | wc -l)
asleep "$WATCHER"
slept=$?
if [ $(($(some_total) - settled_from)) -ge 50000 ]; then
    skip "watch: no samples after the burst ($ELSEWHERE)"
else
    check "watch: asleep in poll() after the burst, no new samples" $((slept || n1 != n2)) \
        "samples $n1 then $n2" "wchan: $(cat "/proc/$WATCHER/wchan" 2>/dev/null)"
fi

# memreport --bursts: that burst, in text, CSV and JSON
"$MR" --bursts -f "$A" > "$TMP/bursts.txt" 2> "$TMP/bursts.err"
rc=$?
lines=$(grep -c '^[0-9]' "$TMP/bursts.txt")
start_text=$(date -d "@$b_start" '+%Y-%m-%d %H:%M:%S')
end_text=$(date -d "@$b_end" '+%H:%M:%S')
[ $rc = 0 ] && { [ "$lines" = 1 ] || [ $quiet = 0 ]; } &&
    grep -q "^$start_text  *$end_text  *[0-9][0-9]*  *$b_samples .*psi" "$TMP/bursts.txt"
check "watch: memreport --bursts lists exactly that burst" $? "$(cat "$TMP/bursts.txt" "$TMP/bursts.err")"
"$MR" --bursts --format=json -f "$A" > "$TMP/bursts.json" 2>&1 &&
python3 - "$TMP/bursts.json" "$b_start" "$b_end" "$b_samples" "$quiet" <<'EOF'
import json, sys
rows = json.load(open(sys.argv[1]))["memtrail"]["rows"]
assert len(rows) == 1 or sys.argv[5] == "0", rows
r = [r for r in rows if r["start"] == int(sys.argv[2])][0]
assert (r["start"], r["end"], r["samples"]) == tuple(int(a) for a in sys.argv[2:5]), r
assert "psi" in r["woken_by"] and r["oom_kills"] == 0 and r["peak_some_avg10"] > 0, r
EOF
check "watch: memreport --bursts --format=json" $? "$(cat "$TMP/bursts.json")"
"$MR" --bursts --format=csv -f "$A" > "$TMP/bursts.csv" 2>&1
{ [ "$(grep -c . "$TMP/bursts.csv")" = 2 ] || [ $quiet = 0 ]; } &&
    head -1 "$TMP/bursts.csv" | grep -q '^start_local,start,end_local,end,' &&
    grep -q "^$(date -d "@$b_start" +%Y-%m-%dT%H:%M:%S),$b_start,.*,$b_samples," "$TMP/bursts.csv"
check "watch: memreport --bursts --format=csv" $? "$(cat "$TMP/bursts.csv")"
"$MR" --verify -f "$A" > "$TMP/verify.out" 2>&1
check "watch: the archive verifies after the burst" $? "$(cat "$TMP/verify.out")"
kill -TERM "$WATCHER"
wait "$WATCHER"
check "watch: SIGTERM while asleep exits 0" $? "$(cat "$LOG")"

# ---- 2. no triggers: a fixture /proc/pressure/memory, read-only, refuses the
# trigger write; polling it sees the stall total rise; SIGTERM mid-burst.
B=$TMP/fallback
FIXTURE=$TMP/pressure
printf 'some avg10=0.00 avg60=0.00 avg300=0.00 total=1000\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n' > "$FIXTURE"
LOG2=$TMP/fallback.log
unshare -m sh -c 'mount --bind "$1" /proc/pressure/memory &&
                  mount -o remount,bind,ro /proc/pressure/memory && shift && exec "$@"' sh \
    "$FIXTURE" "$MC" --watch --poll-interval 1 --calm 60 --no-procs -D "$B" 2> "$LOG2" &
FALLBACK=$!
PIDS+=("$FALLBACK")
if wait_for "$LOG2" "asleep, waking on polled pressure" 20; then
    grep -c "no PSI trigger" "$LOG2" | grep -qx 1
    check "watch: without triggers it says so once and polls" $? "$(cat "$LOG2")"
else
    not_ok "watch: without triggers it says so once and polls" "$(cat "$LOG2")"
fi
n=$(samples "$B" 2>/dev/null | grep -c .)
check "watch: polling sees no pressure in a still fixture" "$n" "$(cat "$LOG2")"
# written in place: the bind mount holds this inode
printf 'some avg10=52.00 avg60=10.00 avg300=2.00 total=5001000\nfull avg10=20.00 avg60=4.00 avg300=1.00 total=2000000\n' > "$FIXTURE"
wait_for "$LOG2" "burst: woken by poll" 10
check "watch: polling wakes on a rising stall total" $? "$(cat "$LOG2")"
for _ in $(seq 50); do
    [ "$(samples "$B" 2>/dev/null | grep -c .)" -ge 3 ] && break
    sleep 0.1
done
kill -TERM "$FALLBACK"
wait "$FALLBACK"
rc=$?
check "watch: SIGTERM in a burst exits 0" $rc "$(cat "$LOG2")"
n=$(samples "$B" | grep -c .)
row=$(sqlite3 -separator ' ' "$B"/memtrail-*.db "SELECT samples, open, why, peak_some_avg10 FROM burst")
[ "$row" = "$n 0 poll 5200" ] && [ "$n" -ge 3 ]
check "watch: the burst SIGTERM ended is closed and counts every sample" $? "burst: $row, samples: $n"
"$MR" --verify -f "$B" > "$TMP/verify2.out" 2>&1
check "watch: the archive verifies after SIGTERM" $? "$(cat "$TMP/verify2.out")"

# ---- 3. a real OOM kill wakes it through /dev/kmsg (a trigger that never fires)
OOMCG=/sys/fs/cgroup/memory/memtrail-watch-oom-$$
mkdir "$OOMCG" && CGROUPS+=("$OOMCG") && echo $((16 << 20)) > "$OOMCG/memory.limit_in_bytes"
C=$TMP/oom
LOG3=$TMP/oom.log
"$MC" --watch --trigger "some 1900000 2000000" --calm 2 --no-procs -D "$C" 2> "$LOG3" &
OOMWATCH=$!
PIDS+=("$OOMWATCH")
wait_for "$LOG3" "asleep, waking on" 20
python3 - "$OOMCG/cgroup.procs" <<'EOF' 2>/dev/null &
import sys, os
with open(sys.argv[1], "w") as f:
    f.write(str(os.getpid()))
hog = [bytearray(1 << 20) for _ in range(256)]
EOF
HOG=$!
PIDS+=("$HOG")
wait "$HOG" 2>/dev/null
if wait_for "$LOG3" "asleep after a burst" 30; then
    row=$(sqlite3 -separator ' ' "$C"/memtrail-*.db "SELECT why, oom_kills FROM burst")
    # the hog's stall may fire the trigger too: "psi,oom"
    case $row in *oom*" "[1-9]*) true ;; *) false ;; esac
    check "watch: an OOM kill wakes it, and the burst counts the kill" $? "burst: $row" "$(cat "$LOG3")"
else
    not_ok "watch: an OOM kill wakes it, and the burst counts the kill" "$(cat "$LOG3")"
fi
kill -TERM "$OOMWATCH"
wait "$OOMWATCH"

# ---- 4. across midnight (a fake clock): the watcher moves to the new day's
# file, and the burst, with a row in each day, is listed once
D=$TMP/midnight
fake_time "@2026-11-20 23:59:57" "$MC" --burst 6 --no-procs -D "$D" 2> "$TMP/midnight.log"
rc=$?
n20=$(sqlite3 "$D/memtrail-20261120.db" "SELECT count(*) FROM sample" 2>/dev/null)
n21=$(sqlite3 "$D/memtrail-20261121.db" "SELECT count(*) FROM sample" 2>/dev/null)
[ $rc = 0 ] && [ $((n20 + n21)) -ge 5 ] && [ "${n20:-0}" -ge 1 ] && [ "${n21:-0}" -ge 1 ]
check "watch: a burst across midnight goes on in the new day's file" $? "rc=$rc: $n20 + $n21" \
    "$(cat "$TMP/midnight.log")"
TZ=UTC "$MR" --bursts -f "$D" -s "2026-11-20 23:00:00" -e "2026-11-21 01:00:00" > "$TMP/midnight.txt" 2>&1
[ "$(grep -c '^2026' "$TMP/midnight.txt")" = 1 ] &&
    grep -q "^2026-11-20 23:59:5[78]  2026-11-21 00:00:0[0-9]  *[0-9]*  *$((n20 + n21)) .*asked$" \
        "$TMP/midnight.txt"
check "watch: memreport --bursts lists a burst across midnight once" $? "$(cat "$TMP/midnight.txt")"

# ---- 5. a day in a .db beside its .db.gz (the clock stepped back into a
# compressed day): readers and --maintain's merge keep both days' bursts
E=$TMP/union
fake_time "@2026-11-18 10:00:00" "$MC" --burst 2 --no-procs -D "$E" 2> /dev/null
"$MC" --maintain --keep-days 0 --compress-after 1 -D "$E" 2> /dev/null
fake_time "@2026-11-18 11:00:00" "$MC" --burst 2 --no-procs -D "$E" 2> /dev/null
ls "$E"/memtrail-20261118.db.gz "$E"/memtrail-20261118.db > /dev/null 2>&1
both=$?
bursts_of() { TZ=UTC "$MR" --bursts -f "$E" -s "2026-11-18 00:00:00" -e "2026-11-18 23:59:59" 2>&1; }
n=$(bursts_of | grep -c '^2026-11-18')
"$MC" --maintain --keep-days 0 --compress-after 1 -D "$E" 2> "$TMP/merge.err"
merged=$?
m=$(bursts_of | grep -c '^2026-11-18')
[ $both = 0 ] && [ "$n" = 2 ] && [ $merged = 0 ] && [ "$m" = 2 ] && [ ! -e "$E/memtrail-20261118.db" ]
check "watch: bursts of a day held in .db and .db.gz: read as one, merged by --maintain" $? \
    "both files: $both, bursts read $n, after the merge (exit $merged) $m" "$(ls "$E")" \
    "$(cat "$TMP/merge.err")"

# ---- 5b. archive bytes are untrusted: a burst row out of range is damage,
# said by --verify and skipped with a warning by --bursts; hostile text in
# "why" is never printed
F=$TMP/hostile.db
cp "$E/memtrail-20261118.db.gz" "$TMP/h.db.gz" && gzip -dc "$TMP/h.db.gz" > "$F"
sqlite3 "$F" "INSERT INTO burst VALUES (1794997200, 1794997199, 3, 'psi', 10, 0, 0, 0);
              INSERT INTO burst VALUES (1794997300, 1794997400, 3, 'psi,'||char(27)||'[31m,oom', 20000, 0, 0, 0);
              INSERT INTO burst VALUES (1794997500, 1794997600, 3, 'x,oom,'||char(27)||'[31m', 200, NULL, 2, 1);"
"$MR" --verify -f "$F" > "$TMP/hv.out" 2>&1
vrc=$?
"$MR" --bursts -f "$F" > "$TMP/hb.out" 2> "$TMP/hb.err"
brc=$?
[ $vrc = 2 ] && [ "$(grep -c ': burst: ' "$TMP/hv.out")" = 2 ] && [ $brc = 0 ] &&
    [ "$(grep -c 'burst.*skipped' "$TMP/hb.err")" -ge 1 ] && ! grep -q $'\033' "$TMP/hb.out" &&
    grep -q "^2026-11-18 10:25:00  10:26:40  *100  *3  *2.00  *-  *2  oom (open)$" <(TZ=UTC "$MR" --bursts -f "$F" 2>/dev/null)
check "watch: burst rows out of range are damage (--verify, skipped by --bursts), hostile text never printed" $? \
    "verify exit $vrc:" "$(cat "$TMP/hv.out")" "bursts exit $brc:" "$(cat "$TMP/hb.out" "$TMP/hb.err")"

# ---- 6. the kernel's rule without CAP_SYS_RESOURCE: a 1 s window is refused,
# said with the reason, and the watcher polls instead
capeff=$(sed -n 's/^CapEff:[[:space:]]*//p' /proc/self/status)
if (( (16#$capeff >> 24) & 1 )); then
    skip "watch: a 1 s window refused without CAP_SYS_RESOURCE (this root has it)"
else
    LOG4=$TMP/window.log
    "$MC" --watch --trigger "some 70000 1000000" --no-procs -D "$TMP/window" 2> "$LOG4" &
    W4=$!
    PIDS+=("$W4")
    wait_for "$LOG4" "asleep, waking on polled pressure" 20
    grep -q "trigger refused: Invalid argument (without CAP_SYS_RESOURCE the window must be a multiple of 2 s)" "$LOG4"
    check "watch: a 1 s window refused without CAP_SYS_RESOURCE: said, and polled instead" $? "$(cat "$LOG4")"
    kill -TERM "$W4"
    wait "$W4"
fi

# ---- 6b. the CPU budget of a burst (libfaketime's clock x10, so that 25
# one-second samples take 2.5 s): a tiny budget takes processes at the
# burst's first sample and every 10 s only, the system-wide part at every
# sample; a generous one takes them at every sample; an explicit
# --burst-procs-every overrides the budget
budget_run() {   # NAME OPTIONS...: "samples with-processes offsets"
    local dir=$TMP/budget-$1
    shift
    fake_time "@2026-11-18 10:00:00 x10" "$MC" --burst 25 --no-kmsg "$@" -D "$dir" \
        2> "$dir.err"
    sqlite3 -separator ' ' "$dir"/memtrail-*.db "SELECT (SELECT count(*) FROM sample),
        (SELECT count(*) FROM proc_sample), (SELECT group_concat(p.ts - s0, ',') FROM
        (SELECT ts FROM proc_sample ORDER BY ts) p, (SELECT min(ts) s0 FROM sample))" 2>&1
}
tiny=$(budget_run tiny --burst-cpu-budget 0.01)
generous=$(budget_run generous --burst-cpu-budget 100)
every=$(budget_run every --burst-cpu-budget 0.01 --burst-procs-every 2)
# (a busy machine may slow the samples and skip a second: counts, not times)
gaps_at_least() {   # OFFSETS MIN: every gap between the comma-separated offsets >= MIN
    awk -v m="$2" -F, '{ for (i = 2; i <= NF; i++) if ($i - $(i - 1) < m) exit 1 }' <<< "$1"
}
read -r n_tiny p_tiny at_tiny <<< "$tiny"
[ "$n_tiny" -ge 12 ] 2>/dev/null && [ "$p_tiny" -lt "$n_tiny" ] && [ "$p_tiny" -ge 2 ] &&
    [ "${at_tiny%%,*}" = 0 ] && gaps_at_least "$at_tiny" 9
check "watch: a tiny --burst-cpu-budget: processes at the burst's first sample and every 10 s, fewer than the samples" $? \
    "samples, with processes, at: $tiny" "$(cat "$TMP/budget-tiny.err")"
read -r n_gen p_gen _ <<< "$generous"
[ "$n_gen" -ge 12 ] 2>/dev/null && [ "$p_gen" = "$n_gen" ]
check "watch: a generous --burst-cpu-budget: processes in every burst sample" $? \
    "samples, with processes, at: $generous" "$(cat "$TMP/budget-generous.err")"
read -r n_ev p_ev _ <<< "$every"
[ "$n_ev" -ge 12 ] 2>/dev/null && [ "$p_ev" = $(((n_ev + 1) / 2)) ]
check "watch: --burst-procs-every overrides the budget" $? "samples, with processes, at: $every"
"$MC" --watch --burst-cpu-budget 0.001 2> "$TMP/badbudget.err"
rc=$?
[ $rc = 1 ] && [ "$(head -1 "$TMP/badbudget.err")" = "memcollect: --burst-cpu-budget: invalid value: 0.001" ]
check "watch: a --burst-cpu-budget out of range: usage, exit 1" $? "exit $rc: $(head -2 "$TMP/badbudget.err")"

# ---- 7. the settings: the @reboot line of the cron file starts the watcher
# with them; MEMTRAIL_WATCH=no starts nothing; the defaults agree everywhere
line=$(sed -n 's/^@reboot root //p' "$ROOT/cron/memtrail.cron.in")
mkdir -p "$TMP/etc/default"
cronrun() {   # SETTINGS: the @reboot line with SETTINGS as /etc/default/memtrail
    printf '%s\n' "$1" > "$TMP/etc/default/memtrail"
    sh -c "$(printf '%s' "$line" | sed -e "s|@sbindir@|$BIN|g" -e "s|@sysconfdir@|$TMP/etc|g" \
                                     -e 's/| logger -t memtrail-watch//')"
}
cronrun "MEMTRAIL_DIR=$TMP/cron1 WATCH_OPTIONS='--burst 2 --no-kmsg' WATCH_PROCS_EVERY=2" > "$TMP/cron.out" 2>&1
rc=$?
n=$(samples "$TMP/cron1" 2>/dev/null | grep -c .)
procs=$(sqlite3 "$TMP"/cron1/memtrail-*.db "SELECT count(*) FROM proc_sample" 2>/dev/null)
[ $rc = 0 ] && [ "$n" = 2 ] && [ "$procs" = 1 ] && grep -q "woken by asked" "$TMP/cron.out"
check "watch: the cron file's @reboot line starts the watcher with the settings" $? \
    "rc=$rc samples=$n with processes=$procs" "$(cat "$TMP/cron.out")"
cronrun "MEMTRAIL_DIR=$TMP/cron2 MEMTRAIL_WATCH=no WATCH_OPTIONS='--burst 2'" > "$TMP/cron2.out" 2>&1
check "watch: MEMTRAIL_WATCH=no: the @reboot line starts nothing" $([ ! -e "$TMP/cron2" ]; echo $?) \
    "$(cat "$TMP/cron2.out")"
"$MC" --watch --trigger "some 0 2000000" 2> "$TMP/bad.err"
rc=$?
"$MC" --watch 60 2> "$TMP/bad2.err"
rc2=$?
[ $rc = 1 ] && [ "$(head -1 "$TMP/bad.err")" = "memcollect: --trigger: invalid value: some 0 2000000" ] &&
    [ $rc2 = 1 ] && grep -q "^memcollect: --watch takes no <interval>" "$TMP/bad2.err"
check "watch: a trigger out of the kernel's range, or --watch with an interval: usage, exit 1" $? \
    "$(cat "$TMP/bad.err" "$TMP/bad2.err" | head -4)"
trigger='some 150000 2000000'
grep -q "^WATCH_TRIGGER=\"$trigger\"$" "$ROOT/cron/memtrail.default" &&
    grep -q "\"WATCH_TRIGGER=$trigger\"" "$ROOT/cron/memtrail-watch.service.in" &&
    grep -q "WATCH_TRIGGER=\"$trigger\"" "$ROOT/cron/memtrail.cron.in" &&
    "$MC" --help | grep -q "default \"$trigger\""
check "watch: the default trigger is the same in memcollect, the settings, the unit and cron" $?
grep -q '^WATCH_CPU_BUDGET=3$' "$ROOT/cron/memtrail.default" &&
    grep -q ' WATCH_CPU_BUDGET=3 ' "$ROOT/cron/memtrail-watch.service.in" &&
    grep -q ' WATCH_CPU_BUDGET=3 ' "$ROOT/cron/memtrail.cron.in" &&
    "$MC" --help | grep -q -- "--burst-cpu-budget (default 3) percent"
check "watch: the default CPU budget is the same in memcollect, the settings, the unit and cron" $?
exit 0
