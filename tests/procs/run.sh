#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# memreport's per-process and NUMA reports (-p, --growth, --at, --numa) on
# synthetic archives written through archive_append() by
# build/san/tests/procs_fixture, plus one archive of the real collector.
# Prints "ok - NAME" / "not ok - NAME" / "skip - NAME (why)".
set -u
. "$(dirname "$0")/../lib.sh"
cd "$ROOT" || exit 2
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export TZ=UTC LC_ALL=C

check() {   # NAME COMMAND...
    local name=$1; shift
    if out=$("$@" 2>&1); then echo "ok - $name"; else echo "not ok - $name"; printf '%s\n' "$out" | sed 's/^/  /'; fi
}

if [ ! -x "$FIX" ]; then
    echo "skip - procs reports (no $FIX: run make sanitize)"
    exit 0
fi
"$FIX" "$T" || { echo "not ok - fixture archives"; exit 1; }
A=$T/procs.db

"$MR" -p -f "$A" > "$T/p.txt"
"$MR" -p -f "$A" --top 2 > "$T/top2.txt"
"$MR" -p -f "$A" --pid 100 > "$T/pid.txt"
"$MR" -p -f "$A" --comm steady > "$T/comm.txt"
"$MR" -p -f "$A" --user 1000 --top 1 > "$T/user.txt"
"$MR" --growth -f "$A" > "$T/g.txt"
"$MR" --growth -f "$A" --top 1 > "$T/g1.txt"
"$MR" --at '@1795700130' -f "$A" > "$T/at.txt"
"$MR" --at 13:37:00 -f "$A" > "$T/at2.txt"
"$MR" --numa -f "$A" > "$T/n.txt"
"$MR" -N 2 -f "$A" > "$T/n2.txt"
"$MR" --numa -f "$T/nonuma.db" > "$T/nonuma.txt"; nonuma_rc=$?
for k in "-p" "--growth" "--at @1795700130" "--numa"; do
    f=$(echo "$k" | tr -dc a-z)
    $MR $k -f "$A" --format=csv > "$T/$f.csv"
    $MR $k -f "$A" --format=json > "$T/$f.json"
done

check "-p: pidstat -r header and widths" grep -qxF \
    "13:33:20      UID       PID  minflt/s  majflt/s     VSZ     RSS   %MEM  Command" "$T/p.txt"
check "-p: ranking by RSS, rates from counter deltas, %MEM" grep -qxF \
    "13:35:20     1000       100     10.00      0.10   79152   26384   2.64  leaker" "$T/p.txt"
check "-p: largest first" bash -c "grep -A1 '^13:35:20      UID' '$T/p.txt' | tail -1 | grep -q ' steady\$'"
check "-p: aggregate row shown as (others)" grep -qxF \
    "13:34:20        -         -      0.00      0.00    3000    1000   0.10  (others)" "$T/p.txt"
check "-p: a process new in the interval counts its faults since start" grep -qxF \
    "13:36:20        0       400      1.50      0.00   12090    4030   0.40  new" "$T/p.txt"
check "-p: reused pid is two identities in the Average" bash -c \
    "grep -q '^Average: .* 400 .* old\$' '$T/p.txt' && grep -q '^Average: .* 400 .* new\$' '$T/p.txt'"
check "-p: Average means and whole-span rates" grep -qxF \
    "Average:     1000       100     10.00      0.10   91440   30480   3.05  leaker" "$T/p.txt"
check "-p --top 2: two rows per sample plus (others)" bash -c \
    "[ \$(grep -c '^13:34:20 .*[0-9-] ' '$T/top2.txt') -eq 3 ] && ! grep -q ' old\$' '$T/top2.txt'"
check "-p --pid: one header, Average without header (pidstat -p PID)" bash -c \
    "[ \$(grep -c 'UID' '$T/pid.txt') -eq 1 ] && [ \$(grep -c ' leaker\$' '$T/pid.txt') -eq 5 ] && ! grep -q 'steady\|others' '$T/pid.txt'"
check "-p --comm" bash -c "grep -q ' steady\$' '$T/comm.txt' && ! grep -q 'leaker\|others' '$T/comm.txt'"
check "-p --user --top 1" bash -c "! grep -q 'steady' '$T/user.txt' && [ \$(grep -c '^13:3.:20  *1000 ' '$T/user.txt') -eq 4 ]"
check "--growth: steady grower first, started/ended marks, reused pid twice" python3 - "$T/g.txt" <<'PY'
import sys
rows=[l.split() for l in open(sys.argv[1], encoding='utf-8', errors='replace') if l[:9].strip().isdigit()]
assert rows[0][1]=='100' and rows[0][-1]=='leaker' and rows[0][5]=='32768' and rows[0][6]=='491520.0' and rows[0][7]=='100.0', rows[0]
new=[r for r in rows if r[-1]=='new'][0]; old=[r for r in rows if r[-1]=='old'][0]
assert new[8]=='+' and old[8]=='-', (new, old)
changes=[int(r[5]) for r in rows if len(r)>5 and r[5].lstrip('-').isdigit()]
assert changes==sorted(changes, reverse=True), changes
PY
check "--growth --top 1" bash -c "[ \$(grep -c ' leaker\$' '$T/g1.txt') -eq 1 ] && ! grep -q steady '$T/g1.txt'"
check "--at: nearest sample (an instant)" bash -c \
    "grep -q 'nearest.*2026-11-26T13:35:20' '$T/at.txt' && grep -qxF '13:35:20       1000000     598000      25000      25.00' '$T/at.txt'"
check "--at: nearest sample (time of day), nodes listed" bash -c \
    "grep -q 'T13:37:20' '$T/at2.txt' && [ \$(grep -c '^13:37:20  *[02]  *39' '$T/at2.txt') -eq 2 ]"
check "--numa: sar layout row" grep -qxF \
    "13:34:20            2    398000    402000     50.25      1001      2000       300        40    200.00      1.00      0.00    100.00      2.00" "$T/n.txt"
check "--numa: Average arithmetic" bash -c \
    "grep -qxF 'Average:            0    397500    402500     50.31      1002      2000       300        40    100.00      1.00      0.00    100.00      2.00' '$T/n.txt'"
check "-N 2: only node 2" bash -c "! grep -q '^[0-9:]*  *0  ' '$T/n2.txt' && grep -q '^Average:  *2 ' '$T/n2.txt'"
check "--numa without NUMA data: the message, exit 0" bash -c \
    "[ $nonuma_rc -eq 0 ] && grep -q 'No NUMA data was recorded' '$T/nonuma.txt'"
check "CSV and JSON: odd names byte-exact, columns, row counts" python3 - "$T" <<'PY'
import csv, json, sys, os
T=sys.argv[1]
odd='a b,c"d;(e)\nf\udcff'            # the bytes, as surrogateescape reads them
cmd='/bin/odd --x="1,2";echo (hi)\n\udcfe\u00e9'
def rcsv(n):
    with open(os.path.join(T,n), newline='', encoding='utf-8', errors='surrogateescape') as f:
        return list(csv.DictReader(f))
def rjson(n):
    with open(os.path.join(T,n),'rb') as f:
        return json.loads(f.read())['memtrail']['rows']
p=rcsv('p.csv'); assert len(p)==4*5-1, len(p)
assert {r['comm'] for r in p} >= {odd,'leaker','steady','(others)','old','new'}
assert [r['cmdline'] for r in p if r['pid']=='300'][0]==cmd
lk=[r for r in p if r['pid']=='100'][1]; assert lk['minflt_s']=='10.00' and lk['rss_kb']=='26384' and lk['mem_pct']=='2.64', lk
assert [r['pss_kb'] for r in p if r['pid']=='100'][0]==''
pj=rjson('p.json'); assert len(pj)==len(p)
jo=[r for r in pj if r['pid']==300][0]
assert jo['comm']=='a b,c"d;(e)\nf\u00ff' and jo['cmdline']=='/bin/odd --x="1,2";echo (hi)\n\u00fe\u00e9' and jo['pss_kb'] is None, jo
g=rcsv('growth.csv'); assert g[0]['pid']=='100' and g[0]['change_kb']=='32768' and g[0]['grew_pct']=='100.00'
assert [r for r in g if r['comm']=='new'][0]['started']=='1' and [r for r in g if r['comm']=='old'][0]['ended']=='1'
assert [r['comm'] for r in g if r['pid']=='300']==[odd]
gj=rjson('growth.json'); assert [r['pid'] for r in gj]==[int(r['pid']) for r in g]
a=rcsv('at.csv'); assert {r['kind'] for r in a}=={'process','node'} and a[0]['epoch']=='1795700120' and a[0]['shmem_kb']=='0', a[0]
aj=rjson('at.json'); assert 'node' not in [k for r in aj if r['kind']=='process' for k in r]
n=rcsv('numa.csv'); assert len(n)==8 and n[1]['node']=='2' and n[1]['numa_hit_s']=='200.00'
nj=rjson('numa.json'); assert len(nj)==8 and nj[0]['memfree_kb']==399000
PY
check "live archive of the real collector: -p lists memcollect's own sample" bash -c \
    "'$BIN/memcollect' 1 2 '$T/live.db' >/dev/null 2>&1; n=\$(sqlite3 '$T/live.db' 'select count(*) from proc' 2>/dev/null || echo 0); [ \"\$n\" = 0 ] || '$MR' -p -f '$T/live.db' --top 5 | grep -q 'Average:'"
exit 0
