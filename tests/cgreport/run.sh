#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# memreport's memory cgroup reports (--cgroup, --growth --cgroup,
# -p --cgroup PATH, the cgroups of --at) on synthetic archives written
# through archive_append() by build/san/tests/cgroups_fixture (its comment
# lists the cgroups and their values), checked to the byte; an empty
# window; an archive without cgroups; a hostile cgroup path in text, CSV
# and JSON.  Prints "ok - NAME" / "not ok - NAME" / "skip - NAME (why)".
set -u
. "$(dirname "$0")/../lib.sh"
cd "$ROOT" || exit 2
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export TZ=UTC LC_ALL=C
CGFIX=${FIX%/*}/cgroups_fixture

# check_py NAME ARGS... <<'PY': the Python script on stdin passes (it asserts).
check_py() {
    local name=$1 out
    shift
    out=$(python3 - "$@" 2>&1)
    check "$name" $? "$out"
}
# has NAME FILE LINE...: every LINE is a whole line of FILE.
has() {
    local name=$1 file=$2 line missing=()
    shift 2
    for line in "$@"; do grep -qxF -- "$line" "$file" || missing+=("$line"); done
    check "$name" ${#missing[@]} "missing:" "${missing[@]}" "in:" "$(cat "$file")"
}

if [ ! -x "$CGFIX" ]; then
    skip "cgroup reports (no $CGFIX: run make sanitize)"
    exit 0
fi
"$CGFIX" "$T" || { not_ok "fixture archives"; exit 1; }
A=$T/cg.db

# ---- memreport --cgroup: text in -p's layout
"$MR" --cgroup -f "$A" > "$T/cg.txt" 2> "$T/cg.err"; rc=$?
check "--cgroup: exit 0, nothing on stderr" $([ $rc -eq 0 ] && [ ! -s "$T/cg.err" ]; echo $?) \
    "rc=$rc" "$(cat "$T/cg.err")"
has "--cgroup: header with the previous sample's time, then rows in kB" "$T/cg.txt" \
    "13:33:20     kbcurrent     kbanon     kbfile    kbshmem     kbswap    kblimit  %limit oomkill   %smem  Cgroup" \
    "13:34:20        110592      82944      27648       1024       1024     204800   54.00       0    1.00  /system.slice/web.service"
has "--cgroup: no limit is max, values the kernel did not give are -" "$T/cg.txt" \
    "13:34:20        307200     307200          0          0          0        max       -       0    0.00  /system.slice/db.service" \
    "13:34:20             -          -          -          -          -          -       -       -    1.67  /"
has "--cgroup: the OOM kill counted in the interval it happened" "$T/cg.txt" \
    "13:36:20        126976      95232      31744       1024       3072     204800   62.00       1    1.00  /system.slice/web.service" \
    "13:37:20        135168     101376      33792       1024       4096     204800   66.00       0    1.00  /system.slice/web.service"
has "--cgroup: Average: mean sizes, the window's kills, %smem over all intervals" "$T/cg.txt" \
    "Average:        122880      92160      30720       1024       2560     204800   60.00       1    1.00  /system.slice/web.service"
# the Cgroup column starts at the 104th character (the header's widths)
order=$(grep '^13:34:20  *[0-9-]' "$T/cg.txt" | cut -c104- | tr '\n' '|')
check "--cgroup: largest first, the cgroups beyond the bound last as (others)" \
    $([ "$order" = "/system.slice|/system.slice/db.service|/system.slice/web.service|/system.slice/evil??[31m=cmd|' /C calc'!A0,\"x\";?.service|/system.slice/old.service|/|(others)|" ]; echo $?) \
    "order: $order"
check "--cgroup: a cgroup new beside cgroups left out has no interval figures (-)" \
    $(grep -q '^13:35:20  *20480  *20480  *0  *0  *0  *max  *-  *-  *-  /system.slice/batch.service$' "$T/cg.txt"; echo $?) \
    "$(grep batch "$T/cg.txt")"
"$MR" --cgroup /system.slice/web.service -f "$A" > "$T/sub.txt"
"$MR" --cgroup /system.slice/web -f "$A" > "$T/prefix.txt" 2>&1
"$MR" --cgroup -f "$A" --top 2 > "$T/top.txt"
check "--cgroup PATH: that subtree only; a path prefix is not a subtree" \
    $([ "$(grep -c '^13:3.:20 .*/system.slice/web.service$' "$T/sub.txt")" = 4 ] &&
      ! grep -q 'db.service\|others' "$T/sub.txt" && ! grep -q '^13:3' "$T/prefix.txt"; echo $?) \
    "$(cat "$T/sub.txt" "$T/prefix.txt")"
check "--cgroup --top 2: two cgroups and (others) per sample" \
    $([ "$(grep -c '^13:34:20  *[0-9-]' "$T/top.txt")" = 3 ]; echo $?) "$(cat "$T/top.txt")"
"$MR" --cgroup --human -f "$A" > "$T/human.txt"
check "--cgroup --human: sar's units" \
    $(grep -q '^13:34:20  *108.0M  *81.0M  *27.0M  *1.0M  *1.0M  *200.0M  *54.00  *0  *1.00  /system.slice/web.service$' "$T/human.txt"; echo $?) \
    "$(grep web "$T/human.txt")"

# ---- hostile path: ? in text, exact bytes in CSV and JSON
check "--cgroup text: the hostile path's controls and stray bytes are ?, no escape reaches the terminal" \
    $(grep -qF "/system.slice/evil??[31m=cmd|' /C calc'!A0,\"x\";?.service" "$T/cg.txt" &&
      ! grep -q $'\x1b' "$T/cg.txt" && [ "$(grep -c 'calc' "$T/cg.txt")" = 5 ]; echo $?) \
    "$(grep -a calc "$T/cg.txt" | od -c | head -5)"
"$MR" --cgroup -f "$A" --format=csv > "$T/cg.csv"
"$MR" --cgroup -f "$A" --format=json > "$T/cg.json"
check_py "--cgroup CSV and JSON: exact values in bytes, null where not given, the path's exact bytes" "$T" <<'PY'
import csv, io, json, sys
d = sys.argv[1]
hostile = b"/system.slice/evil\n\x1b[31m=cmd|' /C calc'!A0,\"x\";\xff.service"
rows = list(csv.DictReader(io.StringIO(open(d + '/cg.csv', 'rb').read().decode('utf-8', 'surrogateescape'), newline='')))
web = [r for r in rows if r['cgroup'] == '/system.slice/web.service' and r['epoch'] == '1795700180'][0]
assert web['current_bytes'] == str(124 << 20) and web['anon_bytes'] == str(93 << 20), web
assert web['max_bytes'] == str(200 << 20) and web['high_bytes'] == '' and web['oom_kills'] == '1', web
assert web['some_pct'] == '1.00' and web['limit_pct'] == '62.00' and web['cgroup_id'] == '11', web
assert web['interval'] == '60' and web['boot_id'] == '11111111-2222-3333-4444-666666666666', web
ev = [r for r in rows if r['cgroup'].encode('utf-8', 'surrogateescape') == hostile]
assert len(ev) == 4, [r['cgroup'] for r in rows]
other = [r for r in rows if r['cgroup'] == '(others)']
assert len(other) == 4 and other[0]['aggregated'] == '3' and other[0]['oom_kills'] == '', other[0]
js = json.load(open(d + '/cg.json', encoding='utf-8'))['memtrail']
assert js['report'] == 'cgroups', js['report']
jw = [r for r in js['rows'] if r['cgroup'] == '/system.slice/web.service' and r['epoch'] == 1795700180][0]
assert jw['current_bytes'] == 124 << 20 and jw['high_bytes'] is None and jw['oom_kills'] == 1, jw
root = [r for r in js['rows'] if r['cgroup'] == '/'][0]
assert root['current_bytes'] is None and root['cgroup_id'] == 1 and root['some_pct'] == 1.67, root
# JSON: the exact bytes, escaped; the stray byte 0xff as its Latin-1 reading
assert sum(1 for r in js['rows'] if r['cgroup'] == hostile.decode('latin-1')) == 4, \
    [r['cgroup'] for r in js['rows']]
assert b'\\u000a\\u001b[31m' in open(d + '/cg.json', 'rb').read()
PY

# ---- --growth --cgroup
"$MR" --growth --cgroup -f "$A" > "$T/g.txt"
has "--growth --cgroup: the contribution rule of processes, in kB" "$T/g.txt" \
    "  FIRST_KB    LAST_KB    PEAK_KB  CHANGE_KB OOMKILL  MARK  Cgroup" \
    "     20480      40960      40960      40960       0     +  /system.slice/batch.service" \
    "    491520     530432     530432      38912       0        /system.slice" \
    "    102400     135168     135168      32768       1        /system.slice/web.service" \
    "     30720      30720      30720     -30720       0     -  /system.slice/old.service"
"$MR" --growth --cgroup --human -f "$A" > "$T/gh.txt"
has "--growth --cgroup --human: sar's units in the same widths" "$T/gh.txt" \
    "     20.0M      40.0M      40.0M      40.0M       0     +  /system.slice/batch.service" \
    "     30.0M      30.0M      30.0M     -30.0M       0     -  /system.slice/old.service"
ranking=$(grep '^  *[0-9]' "$T/g.txt" | cut -c60- | tr '\n' '|')
check "--growth --cgroup: ranked by contribution; the root without memory.current and (others) left out" \
    $([ "$ranking" = "/system.slice/batch.service|/system.slice|/system.slice/web.service|/system.slice/db.service|/system.slice/evil??[31m=cmd|' /C calc'!A0,\"x\";?.service|/system.slice/old.service|" ]; echo $?) \
    "ranking: $ranking"
"$MR" --growth --cgroup /system.slice/web.service -f "$A" --format=json > "$T/g.json"
check_py "--growth --cgroup PATH --format=json: bytes, one cgroup" "$T/g.json" <<'PY'
import json, sys
rows = json.load(open(sys.argv[1]))['memtrail']['rows']
assert len(rows) == 1, rows
r = rows[0]
assert r['cgroup'] == '/system.slice/web.service' and r['change_bytes'] == 32 << 20, r
assert r['first_bytes'] == 100 << 20 and r['peak_bytes'] == 132 << 20 and r['oom_kills'] == 1, r
assert r['samples'] == 5 and r['started'] == 0 and r['ended'] == 0, r
PY

# ---- --at: the cgroups at that moment
"$MR" --at @1795700180 -f "$A" > "$T/at.txt"
"$MR" --at @1795700180 -f "$A" --format=json > "$T/at.json"
has "--at: the cgroups of the sample, largest first, with the interval before it" "$T/at.txt" \
    "13:36:20        126976      95232      31744       1024       3072     204800   62.00       1    1.00  /system.slice/web.service"
check "--at: the processes still there, then the cgroups" \
    $(grep -q ' nginx$' "$T/at.txt" && grep -q kbcurrent "$T/at.txt" &&
      [ "$(grep -n 'kbcurrent' "$T/at.txt" | cut -d: -f1)" -gt "$(grep -n ' nginx$' "$T/at.txt" | cut -d: -f1)" ]; echo $?) \
    "$(cat "$T/at.txt")"
check_py "--at --format=json: rows of kind cgroup with their boot" "$T/at.json" <<'PY'
import json, sys
rows = json.load(open(sys.argv[1]))['memtrail']['rows']
cg = [r for r in rows if r['kind'] == 'cgroup']
assert len(cg) == 7 and cg[0]['cgroup'] == '/system.slice' and cg[-1]['cgroup'] == '(others)', cg
assert all(r['boot_id'] == '11111111-2222-3333-4444-666666666666' for r in cg), cg[0]
assert {r['kind'] for r in rows} == {'process', 'cgroup'}, {r['kind'] for r in rows}
PY
# ---- sizes no memory has (damaged bytes): shown as recorded, left out of the ranking
"$MR" --cgroup /system.slice/web.service -f "$T/huge.db" > "$T/huge.txt" 2>&1; rc=$?
"$MR" --growth --cgroup -f "$T/huge.db" --format=json > "$T/hugeg.json" 2>&1; rc2=$?
check "--cgroup and --growth --cgroup on impossible sizes: no overflow; growth leaves the cgroup out" \
    $([ $rc -eq 0 ] && [ $rc2 -eq 0 ] && grep -q '^13:35:20  *9007199254740996 .*web.service$' "$T/huge.txt" &&
      python3 -c "import json,sys; r=json.load(open(sys.argv[1]))['memtrail']['rows']; assert r and 'web' not in str(r)" "$T/hugeg.json"; echo $?) \
    "rc=$rc rc2=$rc2" "$(cat "$T/huge.txt" "$T/hugeg.json")"

# ---- -p --cgroup PATH: the processes of a subtree (their cgroup read with the command line)
"$MR" -p --cgroup -f "$A" > "$T/nopath.out" 2>&1; rc=$?
check "-p --cgroup without a PATH: refused, exit 1" \
    $([ $rc -eq 1 ] && head -1 "$T/nopath.out" | grep -q 'PATH'; echo $?) "rc=$rc" "$(head -2 "$T/nopath.out")"

"$MR" -p --cgroup /system.slice -f "$A" > "$T/p.txt"
"$MR" -p --cgroup /system.slice/web.service -f "$A" --format=csv > "$T/p.csv"
check "-p --cgroup /system.slice: its processes only, no (others)" \
    $(grep -q ' nginx$' "$T/p.txt" && grep -q ' postgres$' "$T/p.txt" && grep -q ' evil$' "$T/p.txt" &&
      ! grep -q ' sh$\|others' "$T/p.txt"; echo $?) "$(cat "$T/p.txt")"
check "-p --cgroup PATH --format=csv: one process per sample" \
    $([ "$(grep -c ',nginx,' "$T/p.csv")" = 4 ] && [ "$(wc -l < "$T/p.csv")" = 5 ]; echo $?) "$(cat "$T/p.csv")"
"$MR" --at @1795700180 --cgroup /system.slice/db.service -f "$A" > "$T/atsub.txt"
check "--at --cgroup PATH: processes and cgroups of that subtree" \
    $(grep -q ' postgres$' "$T/atsub.txt" && ! grep -q 'nginx\|web.service' "$T/atsub.txt" &&
      grep -q ' /system.slice/db.service$' "$T/atsub.txt"; echo $?) "$(cat "$T/atsub.txt")"

# ---- an empty window, an archive without cgroups
"$MR" --cgroup -f "$A" -s 20:00:00 > "$T/empty.txt" 2> "$T/empty.err"; rc=$?
"$MR" --cgroup -f "$A" -s 20:00:00 --format=csv > "$T/empty.csv" 2>/dev/null; rc2=$?
check "--cgroup, empty window: says so on stderr, exit 0, CSV its header only" \
    $([ $rc -eq 0 ] && [ $rc2 -eq 0 ] && [ ! -s "$T/empty.txt" ] && grep -q 'no sample in the selected window' "$T/empty.err" &&
      [ "$(wc -l < "$T/empty.csv")" = 1 ]; echo $?) "rc=$rc rc2=$rc2" "$(cat "$T/empty.err" "$T/empty.csv")"
"$MR" --cgroup -f "$T/nocg.db" > "$T/none.txt" 2> "$T/none.err"; rc=$?
"$MR" --growth --cgroup -f "$T/nocg.db" --format=json > "$T/none.json" 2> "$T/none2.err"; rc2=$?
check "--cgroup and --growth --cgroup, archive without cgroups: say so, exit 1, no report" \
    $([ $rc -eq 1 ] && [ $rc2 -eq 1 ] && [ ! -s "$T/none.txt" ] && [ ! -s "$T/none.json" ] &&
      grep -q 'no memory cgroups were recorded' "$T/none.err" && grep -q 'no memory cgroups were recorded' "$T/none2.err"; echo $?) \
    "rc=$rc rc2=$rc2" "$(cat "$T/none.err" "$T/none2.err")"
"$MR" --at @1795700180 -f "$T/nocg.db" > "$T/atnone.txt"
check "--at, archive without cgroups: says so below the processes" \
    $(grep -qx 'No cgroup data was recorded in this sample.' "$T/atnone.txt" && grep -q ' nginx$' "$T/atnone.txt"; echo $?) \
    "$(cat "$T/atnone.txt")"
exit 0
