#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# OOM kills with their victims (issue 10, part 2).
# 1. The real kernel: a process in a cgroup v1 memory cgroup of 64 MB
#    touches anonymous memory until the OOM killer kills it; memcollect
#    before and after; the stored kill names its pid, comm (a hostile one,
#    set with PR_SET_NAME), anon-rss within 10% of the RssAnon it last
#    reported, the cgroup and the constraint; memreport --events shows it,
#    --oom counts it; the next sample reads on from the stored position.
# 2. Without access to the kernel log (not root, kernel.dmesg_restrict):
#    the sample is stored all the same, exit 0, nothing said.
# 3. Reports of a fixture archive (tests/unit/oom_fixture.c, through
#    archive_append): --events text, CSV and JSON, lost records, samples
#    that could not read the log, --oom per interval, hostile names.
# Prints "ok - NAME" / "not ok - NAME" / "skip - NAME (why)".
set -u
. "$(dirname "$0")/../lib.sh"
cd "$ROOT" || exit 2
T=$(mktemp -d)
chmod 755 "$T"
CG=""
VICTIM=""
cleanup() {
    [ -n "$VICTIM" ] && kill -9 "$VICTIM" 2>/dev/null
    [ -n "$CG" ] && [ -d "$CG" ] && { sleep 0.2; rmdir "$CG" 2>/dev/null; }
    rm -rf "$T"
}
trap cleanup EXIT
export TZ=UTC LC_ALL=C

# pyck NAME SCRIPT ARGS...: a python3 check that prints "ok" when it holds
pyck() {
    local name=$1 script=$2 out; shift 2
    out=$(python3 -c "$script" "$@" 2>&1)
    check "$name" "$([ "$out" = ok ]; echo $?)" "$out"
}
if ! have python3 || ! have sqlite3; then
    echo "skip - oom (needs python3 and sqlite3)"
    exit 0
fi
OOMFIX=$ROOT/build/san/tests/oom_fixture
[ -x "$OOMFIX" ] || OOMFIX=$ROOT/build/tests/oom_fixture

# ---------------------------------------------------------------------------
# 1. A real OOM kill in a v1 memory cgroup
MEMCG=/sys/fs/cgroup/memory
COMM='mt(oom) k,1=x'
if [ "$(id -u)" -ne 0 ] || [ ! -w "$MEMCG" ] || [ ! -r /dev/kmsg ]; then
    echo "skip - real OOM kill (needs root, the v1 memory controller at $MEMCG and /dev/kmsg)"
else
    CGNAME=memtrail-oom-$$-$RANDOM
    CG=$MEMCG/$CGNAME
    mkdir "$CG" && echo $((64 << 20)) > "$CG/memory.limit_in_bytes"
    echo 0 > "$CG/memory.swappiness" 2>/dev/null   # anon stays in RAM: the kill comes sooner
    cat > "$T/hog.py" <<'PY'
import ctypes, os, sys
ctypes.CDLL(None).prctl(15, sys.argv[1].encode(), 0, 0, 0)   # PR_SET_NAME: the comm
report = os.open(sys.argv[2], os.O_WRONLY | os.O_CREAT, 0o644)
def rss_anon():
    for line in open('/proc/self/status'):
        if line.startswith('RssAnon:'):
            return int(line.split()[1])
held = []
while True:
    held.append(bytearray(b'\x01') * (1 << 20))   # written: every page touched
    os.pwrite(report, ('%-20d' % rss_anon()).encode(), 0)
PY
    "$MC" "$T/real.db" 2>"$T/mc1.err"
    rc1=$?
    # the victim joins the cgroup before it execs python3
    sh -c 'echo $$ > "$1/cgroup.procs" && exec python3 "$2" "$3" "$4"' sh "$CG" "$T/hog.py" "$COMM" \
        "$T/held" &
    VICTIM=$!
    { wait "$VICTIM"; } 2>/dev/null   # without bash's "Killed" line
    vrc=$?
    vpid=$VICTIM
    VICTIM=""
    sleep 1   # the samples are a second apart
    "$MC" "$T/real.db" 2>"$T/mc2.err"
    rc2=$?
    check "real: memcollect before and after the kill (exit 0, nothing said)" \
        "$([ $rc1 = 0 ] && [ $rc2 = 0 ] && [ ! -s "$T/mc1.err" ] && [ ! -s "$T/mc2.err" ]; echo $?)" \
        "exits $rc1 $rc2" "$(cat "$T/mc1.err" "$T/mc2.err")"
    check "real: the victim was killed by SIGKILL" "$([ $vrc = 137 ]; echo $?)" "exit $vrc"
    held=$(tr -d ' ' < "$T/held" 2>/dev/null)
    sqlite3 -separator '|' "$T/real.db" "SELECT pid, hex(comm), anon_rss_kb, oom_constraint,
        oom_memcg, task_memcg, memcg_oom, uid, kill_ts, ts, file_rss_kb, pgtables_kb, oom_score_adj
        FROM oom_kill WHERE pid = $vpid" > "$T/row" 2>&1
    pyck "real: the stored kill names the victim: pid, comm, anon-rss within 10% of what it held, memcg, constraint" '
import sys
row = open(sys.argv[1]).read().strip().split("|")
held, pid, cg, comm = int(sys.argv[2] or 0), sys.argv[3], "/" + sys.argv[4], sys.argv[5]
assert len(row) == 13, ("no single stored kill of pid", pid, row)
assert row[0] == pid, row
assert bytes.fromhex(row[1]).decode() == comm, (bytes.fromhex(row[1]), comm)
anon = int(row[2])
assert held > 32768 and abs(anon - held) <= held / 10, ("anon-rss", anon, "held", held)
assert row[3] == "CONSTRAINT_MEMCG" and row[6] == "1", row
assert row[4] == cg and row[5] == cg, (row[4], row[5], cg)
assert row[7] == "0", row
assert int(row[9]) - 5 <= int(row[8]) <= int(row[9]), ("kill time not before its sample", row)
assert row[10] != "" and row[11] != "" and row[12] == "0", row
print("ok")' "$T/row" "$held" "$vpid" "$CGNAME" "$COMM"
    "$MR" --events -f "$T/real.db" > "$T/events.txt" 2>&1
    check "real: memreport --events shows the kill (its comm made safe)" \
        "$(grep -Eq "^[0-9:]+ +$vpid +0 .* cgroup +mt\(oom\) k,1=x +/$CGNAME\$" "$T/events.txt"; echo $?)" \
        "$(cat "$T/events.txt")"
    "$MR" --oom --format=csv -f "$T/real.db" > "$T/oom.csv" 2>&1
    pyck "real: --oom counts the kill in the interval (vmstat oom_kill), with its victim" '
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert len(rows) == 1 and int(rows[0]["oom_kill"]) >= 1 and int(rows[0]["victims"]) >= 1, rows
assert rows[0]["kmsg_read"] == "1" and rows[0]["kmsg_lost"] == "0", rows
print("ok")' "$T/oom.csv"
    sleep 1
    "$MC" "$T/real.db"
    pyck "real: the next sample reads on from the stored position, and stores no kill twice" '
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
pos = [r[0] for r in db.execute("SELECT next_seq FROM kmsg_read ORDER BY ts")]
assert len(pos) == 3 and pos[0] <= pos[1] <= pos[2], pos
dup = db.execute("SELECT count(*) FROM oom_kill GROUP BY boot_no, seq HAVING count(*) > 1").fetchall()
assert not dup, dup
assert db.execute("SELECT sum(lost) FROM kmsg_read").fetchone()[0] == 0
print("ok")' "$T/real.db"
    # no kill since the last reading (the kernel's counter unchanged): the
    # position is kept without reading the log
    if have strace; then
        sleep 1
        ASAN_OPTIONS=$ASAN_OPTIONS:detect_leaks=0 strace -f -e trace=openat -o "$T/strace" "$MC" "$T/real.db"
        pyck "real: without a new kill (oom_kill unchanged) the log is not read, the position kept" '
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
(c3, c4) = [r[0] for r in db.execute("SELECT oom_kill FROM sample ORDER BY ts DESC LIMIT 2")][::-1]
rows = db.execute("SELECT next_seq, oom_kill FROM kmsg_read ORDER BY ts DESC LIMIT 2").fetchall()[::-1]
opened = "/dev/kmsg" in open(sys.argv[2]).read()
if c3 == c4:   # another test on this machine may have made a kill meanwhile
    assert not opened and rows[1] == rows[0], (opened, rows)
    assert rows[1][1] == c4, rows
else:
    assert opened and rows[1][1] == c4, (opened, rows, c3, c4)
print("ok")' "$T/real.db" "$T/strace"
    else
        echo "skip - real: the log is not read without a new kill (needs strace)"
    fi
fi

# ---------------------------------------------------------------------------
# 1b. Midnight: the day's first sample goes on from the position the day
#     before's file stored, and stores no kill of it again
if [ "$(id -u)" -ne 0 ] || [ ! -r /dev/kmsg ] || [ -z "$FAKETIME_LIB" ]; then
    echo "skip - the day's first sample goes on from yesterday's position (needs root, /dev/kmsg and libfaketime)"
else
    mkdir "$T/midnight"
    at() { LD_PRELOAD=$FAKETIME_LIB FAKETIME_FMT=%s FAKETIME="@$1" FAKETIME_DONT_RESET=1 "${@:2}"; }
    at 1795737590 "$MC" --no-procs -D "$T/midnight" 2>"$T/mid.err"   # 2026-11-26 23:59:50 UTC
    at 1795737610 "$MC" --no-procs -D "$T/midnight" 2>>"$T/mid.err"  # 2026-11-27 00:00:10
    pyck "midnight: the day's first sample reads on from the day before's position" '
import sqlite3, sys
d = sys.argv[1]
a = sqlite3.connect(d + "/memtrail-20261126.db")
b = sqlite3.connect(d + "/memtrail-20261127.db")
pos = a.execute("SELECT next_seq FROM kmsg_read").fetchone()[0]
assert pos > 0, pos
assert b.execute("SELECT next_seq FROM kmsg_read").fetchone()[0] >= pos
old = b.execute("SELECT count(*) FROM oom_kill WHERE seq < ?", (pos,)).fetchone()[0]
assert old == 0, ("kills of the day before stored again", old)
assert open(sys.argv[2]).read() == "", open(sys.argv[2]).read()
print("ok")' "$T/midnight" "$T/mid.err"
fi

# ---------------------------------------------------------------------------
# 2. No access to the kernel log: nobody, where kernel.dmesg_restrict keeps
#    /dev/kmsg from unprivileged readers (else a mode-000 file bound over it)
if [ "$(id -u)" -ne 0 ] || ! have setpriv || ! have unshare; then
    echo "skip - without kernel log access (needs root, setpriv and unshare)"
else
    mkdir "$T/nobody" && chown 65534 "$T/nobody"
    : > "$T/nokmsg" && chmod 000 "$T/nokmsg"
    unshare -m --propagation private sh -c '
        [ "$(cat /proc/sys/kernel/dmesg_restrict)" = 1 ] || mount --bind "$1/nokmsg" /dev/kmsg
        exec setpriv --reuid=65534 --regid=65534 --clear-groups "$2" --no-procs "$1/nobody/a.db"' \
        sh "$T" "$MC" > "$T/nobody.out" 2>&1
    rc=$?
    n=$(sqlite3 "$T/nobody/a.db" "SELECT count(*) FROM sample" 2>&1)
    k=$(sqlite3 "$T/nobody/a.db" "SELECT name FROM sqlite_master WHERE name IN ('kmsg_read', 'oom_kill')" 2>&1)
    check "no kernel log access: the sample is stored, exit 0, nothing said, no kill tables" \
        "$([ $rc = 0 ] && [ "$n" = 1 ] && [ -z "$k" ] && [ ! -s "$T/nobody.out" ]; echo $?)" \
        "exit $rc, samples $n, tables '$k'" "$(cat "$T/nobody.out")"
    "$MR" --events -f "$T/nobody/a.db" > "$T/nobody.events" 2>&1
    check "no kernel log access: --events says the log was not read" \
        "$(grep -q 'The kernel log was not read at 1 of 1 sample' "$T/nobody.events"; echo $?)" \
        "$(cat "$T/nobody.events")"
fi

# ---------------------------------------------------------------------------
# 3. Reports of the fixture archive
if [ ! -x "$OOMFIX" ]; then
    echo "skip - fixture reports (build tests/unit/oom_fixture: make sanitize)"
    exit 0
fi
"$OOMFIX" "$T" || { echo "not ok - fixture archive written"; exit 0; }
"$MR" --events -f "$T/oom.db" > "$T/f.txt" 2>&1
pyck "fixture: --events text lists both kills, the lost records and the unread sample" '
import sys
t = open(sys.argv[1], encoding="utf-8", errors="replace").read().splitlines()
head = [l for l in t if l.startswith("TIME")]
assert head and head[0].split()[:3] == ["TIME", "PID", "UID"], t
rows = [l.split() for l in t if l[:2].isdigit() and ":" in l[:3]]
assert len(rows) == 2, t
assert rows[0][:3] == ["13:35:00", "4242", "0"] and rows[0][3] == "190000", rows[0]
assert rows[0][-3:] == ["cgroup", "hog", "/lim/job"], rows[0]
assert rows[1][1] == "4243" and rows[1][-3] == "system" and rows[1][-1] == "-", rows[1]
assert "a,b\"=(x)??" in t[[i for i, l in enumerate(t) if " 4243 " in l][0]], t
assert any("5 kernel log record(s) were overwritten before the sample at 13:36:20" in l for l in t), t
assert any("not read at 1 of 5 sample(s)" in l for l in t), t
assert all("\x1b" not in l for l in t)
print("ok")' "$T/f.txt"
"$MR" --events -f "$T/oom.db" -s 13:35:30 > "$T/f2.txt" 2>&1
check "fixture: --events -s after the kills lists none, and says so" \
    "$(grep -q 'No OOM kill was recorded in this window' "$T/f2.txt" && ! grep -q ' 4242 ' "$T/f2.txt"; echo $?)" \
    "$(cat "$T/f2.txt")"
"$MR" --events --format=csv -f "$T/oom.db" > "$T/f.csv" 2>&1
"$MR" --events --format=json -f "$T/oom.db" > "$T/f.json" 2>&1
pyck "fixture: --events CSV and JSON: the victims (exact bytes in JSON), a lost row" '
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="", encoding="utf-8", errors="surrogateescape")))
assert [r["kind"] for r in rows] == ["kill", "kill", "lost"], rows
k = rows[0]
assert (k["pid"], k["comm"], k["anon_rss_kb"], k["constraint"], k["oom_memcg"], k["task_memcg"]) == \
    ("4242", "hog", "190000", "CONSTRAINT_MEMCG", "/lim", "/lim/job"), k
assert k["epoch"] == "1795700100" and k["sample_epoch"] == "1795700120" and k["limit"] == "cgroup", k
assert rows[1]["pgtables_kb"] == "" and rows[1]["oom_score_adj"] == "" and rows[1]["uid"] == "1000", rows[1]
assert rows[2]["records_lost"] == "5" and rows[2]["epoch"] == "1795700180", rows[2]
j = json.load(open(sys.argv[2]))["memtrail"]
assert j["report"] == "events" and len(j["rows"]) == 3, j
assert j["rows"][1]["comm"] == "a,b\"=(x)\n\x1b", repr(j["rows"][1]["comm"])
assert j["rows"][1]["pgtables_kb"] is None and j["rows"][0]["seq"] == 1015, j["rows"]
print("ok")' "$T/f.csv" "$T/f.json"
"$MR" --oom -f "$T/oom.db" > "$T/o.txt" 2>&1
"$MR" --oom --format=csv -f "$T/oom.db" > "$T/o.csv" 2>&1
pyck "fixture: --oom per interval: the counter deltas, the victims, the Average line" '
import csv, sys
t = [l.split() for l in open(sys.argv[1]).read().splitlines()]
rows = [l for l in t if l and l[0][:2].isdigit()]
assert rows[0][1:] == ["oomkill/s", "kills", "victims"], rows
assert [r[2:] for r in rows[1:]] == [["0", "0"], ["2", "2"], ["0", "0"], ["1", "0"]], rows
assert rows[2][1] == "0.03", rows[2]
avg = [l for l in t if l and l[0] == "Average:"]
assert avg and avg[0][1:] == ["0.01", "0.75", "0.50"], avg
c = list(csv.DictReader(open(sys.argv[2])))
assert [r["oom_kill"] for r in c] == ["0", "2", "0", "1"], c
assert [r["kmsg_read"] for r in c] == ["1", "1", "1", "0"] and c[2]["kmsg_lost"] == "5", c
assert c[3]["kmsg_lost"] == "" and c[1]["oom_kill_per_s"] == "0.03", c
print("ok")' "$T/o.txt" "$T/o.csv"
"$MR" --growth -f "$T/oom.db" > "$T/g.txt" 2>&1
"$MR" --growth --format=csv -f "$T/oom.db" > "$T/g.csv" 2>&1
"$MR" -p -f "$T/oom.db" > "$T/p.txt" 2>&1
"$MR" -p --format=json -f "$T/oom.db" > "$T/p.json" 2>&1
"$MR" --at 13:34:20 -f "$T/oom.db" > "$T/a.txt" 2>&1
"$MR" --at 13:34:20 --format=csv -f "$T/oom.db" > "$T/a.csv" 2>&1
pyck "fixture: -p, --growth and --at mark the victim, not the later process that reused its pid" '
import csv, json, sys
g = [l.split() for l in open(sys.argv[1]).read().splitlines() if " 4242 " in l]
assert len(g) == 2 and sorted(l[-2] for l in g) == ["+", "-K"], g
assert "MARK K: killed by the OOM killer" in open(sys.argv[1]).read()
gc = [r for r in csv.DictReader(open(sys.argv[2])) if r["pid"] == "4242"]
assert sorted(r["oom_killed"] for r in gc) == ["", "1795700100"], gc
p = open(sys.argv[3]).read().splitlines()
marked = [l for l in p if l.endswith("[oom-killed]")]
assert len(marked) == 1 and marked[0].split()[:3] == ["13:34:20", "0", "4242"], p
pj = [r for r in json.load(open(sys.argv[4]))["memtrail"]["rows"] if r["pid"] == 4242]
assert [r["oom_killed"] for r in pj] == [1795700100, None, None], pj
a = open(sys.argv[5]).read()
assert "4242      0.00      0.00  380000  190000  19.00  hog [oom-killed]" in a, a
ac = [r for r in csv.DictReader(open(sys.argv[6])) if r["pid"] == "4242"]
assert len(ac) == 1 and ac[0]["oom_killed"] == "1795700100", ac
print("ok")' "$T/g.txt" "$T/g.csv" "$T/p.txt" "$T/p.json" "$T/a.txt" "$T/a.csv"
# a day held in two files whose same sample differs only in its kills:
# --maintain keeps both rather than drop the kills
mkdir "$T/days" && cp "$T/oom.db" "$T/days/memtrail-20261126.db" && cp "$T/oom.db" "$T/nokills.db"
sqlite3 "$T/nokills.db" "DELETE FROM oom_kill" && gzip -c "$T/nokills.db" > "$T/days/memtrail-20261126.db.gz"
"$MC" --maintain --keep-days 100000 -D "$T/days" > "$T/maint.out" 2>&1
check "fixture: --maintain never drops a day file whose kills the .gz lacks" \
    "$([ -f "$T/days/memtrail-20261126.db" ] && grep -q 'both kept' "$T/maint.out"; echo $?)" \
    "$(ls "$T/days")" "$(cat "$T/maint.out")"
"$MR" --format=openmetrics --names=node -f "$T/oom.db" > "$T/om.txt" 2>&1
check "fixture: the exports carry the oom_kill counter (node_exporter's name)" \
    "$(grep -q '^node_vmstat_oom_kill{.*} 2 1795700120$' "$T/om.txt"; echo $?)" "$(grep oom "$T/om.txt")"
