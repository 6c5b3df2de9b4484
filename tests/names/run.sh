#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Names over time and swap devices, on archives of the real memcollect:
#   - a wrapper that execs python3 (exec keeps pid and start time) shows as
#     sh before the exec and python3 after it in -p, --at, CSV and JSON;
#     --growth shows its last name; --comm matches any name it had; -l shows
#     the command line of the time; an archive of format 1 (no name history)
#     is still read, and the writer brings it forward;
#   - every /proc/swaps device is stored (a fixture of 40, bind-mounted in a
#     private mount namespace), and a list beyond the sanity limit keeps the
#     limit's worth with a warning.
# Prints "ok - NAME" / "not ok - NAME" / "skip - NAME (why)".
set -u
. "$(dirname "$0")/../lib.sh"
cd "$ROOT" || exit 2
T=$(mktemp -d)
[ -n "${NAMES_KEEP:-}" ] && echo "# temp: $T"
WRAPPER=""
cleanup() {
    [ -n "$WRAPPER" ] && kill "$WRAPPER" 2>/dev/null
    [ -n "${NAMES_KEEP:-}" ] || rm -rf "$T"
}
trap cleanup EXIT
export TZ=UTC LC_ALL=C

# pass NAME COMMAND...: ok when COMMAND succeeds, else not ok with its output.
pass() {
    local name=$1 out
    shift
    if out=$("$@" 2>&1); then ok "$name"; else not_ok "$name" "$out"; fi
}

for c in python3 sqlite3; do
    have "$c" || { skip "names over time ($c missing)"; exit 0; }
done

# ---- a wrapper that execs python3, sampled before and after the exec
A=$T/exec.db
MARK="memtrail-names-$$"
sh -c 'sleep 6; exec python3 -c "import time; time.sleep(30)" '"$MARK" &
WRAPPER=$!
"$MC" --no-numa "$A" 2> "$T/mc0.err"   # -p's reference record
sleep 1
"$MC" --no-numa "$A" 2> "$T/mc1.err"
TS1=$(sqlite3 "$A" 'SELECT max(ts) FROM sample')
BEFORE=$(cat /proc/$WRAPPER/comm 2>/dev/null)   # still sh: sample 1 saw sh
for _ in $(seq 150); do
    [ "$(cat /proc/$WRAPPER/comm 2>/dev/null)" = python3 ] && break
    sleep 0.1
done
AFTER=$(cat /proc/$WRAPPER/comm 2>/dev/null)
sleep 1   # another second: one sample per second
"$MC" --no-numa "$A" 2> "$T/mc2.err"
TS2=$(sqlite3 "$A" 'SELECT max(ts) FROM sample')
P=$WRAPPER
kill "$WRAPPER" 2>/dev/null
wait "$WRAPPER" 2>/dev/null
WRAPPER=""

# The checks, when the samples fell before and after the exec (a machine too
# slow for the wrapper's 6 s skips them: no timing fails a test).
exec_checks() {
if [ -z "$(sqlite3 "$A" "SELECT pid FROM proc WHERE pid = $P")" ]; then
    not_ok "exec: the wrapper was recorded" "$(cat "$T/mc1.err" "$T/mc2.err")"
else
    ok "exec: the wrapper was recorded"
fi
"$MR" -p -f "$A" --pid "$P" > "$T/p.txt" 2>&1
"$MR" -p -f "$A" --comm python3 --top 100000 > "$T/comm_py.txt" 2>&1   # other python3 may be larger
"$MR" -p -f "$A" --comm sh --pid "$P" > "$T/comm_sh.txt" 2>&1
"$MR" -p -l -f "$A" --pid "$P" > "$T/l.txt" 2>&1
"$MR" --growth -f "$A" --pid "$P" > "$T/g.txt" 2>&1
"$MR" --growth -l -f "$A" --pid "$P" > "$T/gl.txt" 2>&1
"$MR" --at "@$TS1" -f "$A" --pid "$P" > "$T/at1.txt" 2>&1
"$MR" --at "@$TS2" -f "$A" --pid "$P" > "$T/at2.txt" 2>&1
"$MR" --at "@$TS2" -l -f "$A" --pid "$P" > "$T/atl.txt" 2>&1
"$MR" -p -f "$A" --pid "$P" --format=csv > "$T/p.csv" 2>&1
"$MR" -p -f "$A" --pid "$P" --format=json > "$T/p.json" 2>&1

# has NAME FILE ERE: ok when a line of FILE matches ERE, else not ok showing FILE.
has() {
    if grep -qE -- "$3" "$2"; then ok "$1"; else not_ok "$1" "no line matches: $3" "$(head -c 3000 "$2")"; fi
}
T1=$(date -u -d "@$TS1" +%H:%M:%S)
T2=$(date -u -d "@$TS2" +%H:%M:%S)
has "exec: -p shows sh before the exec" "$T/p.txt" "^$T1 +[0-9]+ +$P .*  sh\$"
has "exec: -p shows python3 after the exec" "$T/p.txt" "^$T2 +[0-9]+ +$P .*  python3\$"
has "exec: --comm python3 finds the wrapper" "$T/comm_py.txt" "^[0-9:]+ +[0-9]+ +$P "
pass "exec: --comm sh finds it too, with both names" bash -c \
    "grep -qE '  sh\$' '$T/comm_sh.txt' && grep -qE '  python3\$' '$T/comm_sh.txt'"
pass "exec: -l shows each time's command line" bash -c \
    "grep -E '^$T1 .*  sh -c sleep 6; exec python3' '$T/l.txt' &&
     grep -E '^$T2 .*  [^ ]*python3 -c import time; time.sleep\\(30\\) $MARK\$' '$T/l.txt'"
has "exec: --growth shows the last name" "$T/g.txt" "^ +[0-9]+ +$P .*  python3\$"
has "exec: --growth -l shows the last command line" "$T/gl.txt" "^ +[0-9]+ +$P .*  [^ ]*python3 -c .*$MARK\$"
has "exec: --at before the exec shows sh" "$T/at1.txt" "^$T1 +[0-9]+ +$P .*  sh\$"
has "exec: --at after the exec shows python3" "$T/at2.txt" "^$T2 +[0-9]+ +$P .*  python3\$"
has "exec: --at -l shows the command line" "$T/atl.txt" "^$T2 .*  [^ ]*python3 -c .*$MARK\$"
pass "exec: CSV and JSON carry each row's name and command line" python3 - "$T" "$TS1" "$TS2" "$MARK" <<'PY'
import csv, json, sys, os
T, ts1, ts2, mark = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
with open(os.path.join(T, 'p.csv'), newline='') as f:
    rows = {r['epoch']: r for r in csv.DictReader(f)}
assert rows[ts1]['comm'] == 'sh' and rows[ts1]['cmdline'].startswith('sh -c sleep 6'), rows[ts1]
assert rows[ts2]['comm'] == 'python3' and rows[ts2]['cmdline'].endswith(mark), rows[ts2]
j = {str(r['epoch']): r for r in json.load(open(os.path.join(T, 'p.json')))['memtrail']['rows']}
assert j[ts1]['comm'] == 'sh' and j[ts2]['comm'] == 'python3', j
assert j[ts2]['cmdline'].endswith(mark), j[ts2]
PY
"$MR" --format=svg -f "$A" --top 100000 -o "$T/chart.svg" 2> "$T/svg.err"
has "exec: the SVG legend shows the last name" "$T/chart.svg" ">$P python3<"
"$MR" --format=openmetrics -f "$A" --comm python3 --top 100000 > "$T/om.txt" 2>&1
has "exec: openmetrics --comm python3 exports it, under each time's name" "$T/om.txt" \
    "^memtrail_process_rss_bytes\\{.*comm=\"sh\",pid=\"$P\""
has "exec: openmetrics --comm python3 exports it after the exec" "$T/om.txt" \
    "^memtrail_process_rss_bytes\\{.*comm=\"python3\",pid=\"$P\""
pass "exec: the archive stores the name once more, not every sample" bash -c \
    "[ \$(sqlite3 '$A' \"SELECT count(*) FROM proc_name n JOIN proc p USING (pi) WHERE p.pid = $P\") = 1 ]"

# An archive of format 1 (no name history) reads as before, and a writer
# brings it forward to the current format.
OLD=$T/old.db
cp "$A" "$OLD"
sqlite3 "$OLD" 'DROP TABLE IF EXISTS proc_name; PRAGMA user_version=1;'
"$MR" -p -f "$OLD" --pid "$P" > "$T/old.txt" 2>&1; old_rc=$?
pass "format 1: read, each identity under its first name" bash -c \
    "[ $old_rc = 0 ] && grep -qE '^$T2 +[0-9]+ +$P .*  sh\$' '$T/old.txt'"
sleep 1
"$MC" --no-numa "$OLD" 2> "$T/old.err"; old_rc=$?
pass "format 1: memcollect appends and migrates it forward" bash -c \
    "[ $old_rc = 0 ] && [ \$(sqlite3 '$OLD' 'PRAGMA user_version') -ge 2 ] &&
     sqlite3 '$OLD' 'SELECT count(*) FROM proc_name' >/dev/null &&
     '$MR' -p -f '$OLD' --top 1 >/dev/null"
}
if [ "$BEFORE" = sh ] && [ "$AFTER" = python3 ]; then
    exec_checks
else
    skip "exec: names over time (the samples missed the exec: comm was '$BEFORE' then '$AFTER')"
fi

# ---- swap devices: a fixture /proc/swaps in a private mount namespace
swaps_fixture() {   # COUNT FILE
    {
        printf 'Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n'
        for i in $(seq 0 $(($1 - 1))); do
            printf '/dev/zram%d                              partition\t%d\t\t%d\t\t%d\n' \
                "$i" $((1048572 + i)) $((i * 4)) 100
        done
    } > "$2"
}
collect_with_swaps() {   # FIXTURE ARCHIVE ERRFILE
    unshare -m /bin/sh -ec 'mount --bind "$1" /proc/swaps; "$2" --no-procs --no-numa "$3"' \
        sh "$1" "$MC" "$2" 2> "$3"
}
if [ "$(id -u)" -ne 0 ] || ! unshare -m true 2>/dev/null; then
    skip "swap devices (needs root and unshare -m)"
    exit 0
fi
swaps_fixture 40 "$T/swaps40"
collect_with_swaps "$T/swaps40" "$T/sw.db" "$T/sw.err"
pass "swaps: all 40 devices stored" bash -c \
    "[ \$(sqlite3 '$T/sw.db' 'SELECT count(DISTINCT device) FROM swap') = 40 ] ||
     { cat '$T/sw.err'; sqlite3 '$T/sw.db' 'SELECT count(*) FROM swap'; exit 1; }"
"$MR" --format=csv-long -f "$T/sw.db" > "$T/sw.csv" 2>&1
pass "swaps: all 40 devices reported (csv-long)" bash -c \
    "[ \$(grep ',swap.used_kb,' '$T/sw.csv' | cut -d, -f7 | sort -u | wc -l) = 40 ] || { head -c 2000 '$T/sw.csv'; exit 1; }"
pass "swaps: the 40th device's values" bash -c \
    "[ \"\$(sqlite3 '$T/sw.db' \"SELECT size_kb, used_kb FROM swap WHERE device = '/dev/zram39'\")\" = '1048611|156' ]"
swaps_fixture 4100 "$T/swaps4100"
collect_with_swaps "$T/swaps4100" "$T/big.db" "$T/big.err"
pass "swaps: beyond the sanity limit, 4096 stored and a warning" bash -c \
    "[ \$(sqlite3 '$T/big.db' 'SELECT count(*) FROM swap') = 4096 ] &&
     grep -q 'warning: .*4096' '$T/big.err' || { cat '$T/big.err'; exit 1; }"
exit 0
