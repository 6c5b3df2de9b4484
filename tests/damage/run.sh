#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Damaged and hostile archives (issue 9 parts 3-4): a zeroed page in each
# side table is reported (a warning naming the file and the time, or a
# fatal "memreport: FILE: ..." with exit 2), never rendered as numbers;
# memreport --verify finds every kind of damage; archives whose schema is
# not ours (views, triggers) are refused before any query runs; stored
# values that would overflow are refused with a warning.
# The archives are written through archive_append() by procs_fixture, then
# damaged with dd and sqlite3.
# Prints "ok - NAME" / "not ok - NAME" / "skip - NAME (why)".
set -u
. "$(dirname "$0")/../lib.sh"
cd "$ROOT" || exit 2
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export TZ=UTC LC_ALL=C

if [ ! -x "$FIX" ] || ! have sqlite3; then
    skip "damaged archives (needs $FIX and sqlite3: run make sanitize)"
    exit 0
fi
"$FIX" "$T" || { not_ok "fixture archives"; exit 1; }
GOOD=$T/procs.db
T0=1795700000   # the fixture's first sample: 2026-11-26 13:33:20 UTC
T1=1795700060   # its second: 13:34:20

# zero_table DB TABLE: dd zeros over the root page of TABLE.
zero_table() {
    local db=$1 table=$2 size root
    size=$(sqlite3 "$db" "PRAGMA page_size")
    root=$(sqlite3 "$db" "SELECT rootpage FROM sqlite_master WHERE name = '$table'")
    dd if=/dev/zero of="$db" bs="$size" seek=$((root - 1)) count=1 conv=notrunc status=none
}
damaged() {   # TABLE: a copy of the fixture with TABLE's root page zeroed
    cp "$GOOD" "$T/d_$1.db"
    zero_table "$T/d_$1.db" "$1"
    echo "$T/d_$1.db"
}
# run NAME ARGS...: memreport's stdout, stderr and status into $T/NAME.{out,err,rc}
run() {
    local name=$1; shift
    timeout 60 "$MR" "$@" > "$T/$name.out" 2> "$T/$name.err"
    echo $? > "$T/$name.rc"
}
rc_of() { cat "$T/$1.rc"; }
no_sanitizer_report() { ! grep -q 'runtime error\|AddressSanitizer' "$T/$1.err"; }
details() { echo "exit $(rc_of "$1")"; head -c 1500 "$T/$1.err"; head -15 "$T/$1.out"; }

# ---- part 3: damage in a side table is reported, never rendered as numbers

F=$(damaged field)
run field_r -r -f "$F"
run field_csv -r --format=csv -f "$F"
st=1
[ "$(rc_of field_r)" = 2 ] && grep -q "^memreport: $F: " "$T/field_r.err" &&
    ! grep -q '^[0-9:]\{8\} \+0 \+0 ' "$T/field_r.out" && no_sanitizer_report field_r && st=0
check "field damaged: -r is fatal (memreport: FILE: ..., exit 2), not rows of zeros" $st "$(details field_r)"
st=1
[ "$(rc_of field_csv)" = 2 ] && ! grep -q ',0,0,0,' "$T/field_csv.out" && st=0
check "field damaged: csv is fatal, not rows of zeros" $st "$(details field_csv)"

F=$(damaged proc)
run proc_p -p -f "$F"
st=1
! grep -q '(unknown)' "$T/proc_p.out" && ! grep -q '^[0-9:]\{8\} \+0 \+0 ' "$T/proc_p.out" &&
    grep -q "$F" "$T/proc_p.err" && grep -q '2026-11-26 13:33:20' "$T/proc_p.err" && no_sanitizer_report proc_p && st=0
check "proc damaged: -p warns naming the file and the time, no (unknown) PID 0 row" $st "$(details proc_p)"

F=$(damaged proc_sample)
run ps_p -p -f "$F"
st=1
grep -q "$F" "$T/ps_p.err" && grep -q '2026-11-26 13:33:20' "$T/ps_p.err" && grep -q 'proc' "$T/ps_p.err" &&
    no_sanitizer_report ps_p && st=0
check "proc_sample damaged: -p warns naming the file and the time" $st "$(details ps_p)"

F=$(damaged numa)
run numa_n --numa -f "$F"
st=1
grep -q "$F" "$T/numa_n.err" && grep -q '2026-11-26 13:33:20' "$T/numa_n.err" && grep -qi 'numa' "$T/numa_n.err" &&
    no_sanitizer_report numa_n && st=0
check "numa damaged: --numa warns naming the file and the time" $st "$(details numa_n)"

# One damaged leaf of a many-page proc_sample costs only the samples on it:
# 300 samples (the fixture's five cloned), then one leaf in the middle zeroed.
BIG=$T/big.db
cp "$GOOD" "$BIG"
cols=$(sqlite3 "$BIG" "SELECT group_concat(name, ',') FROM pragma_table_info('sample') WHERE cid >= 4")
sqlite3 "$BIG" "WITH RECURSIVE k(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM k WHERE n < 59)
    INSERT INTO sample SELECT s.ts + 300 * k.n, s.boot_no, s.uptime_cs + 30000 * k.n, s.utc_offset,
        $cols FROM sample s, k;
    WITH RECURSIVE k(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM k WHERE n < 59)
    INSERT INTO proc_sample SELECT p.ts + 300 * k.n, nprocs, aggregated, codec, rawsize, crc32,
        data FROM proc_sample p, k" 2> "$T/big.err"
leaf=$(sqlite3 "$BIG" "SELECT pageno FROM dbstat WHERE name = 'proc_sample' AND pagetype = 'leaf'
    ORDER BY pageno LIMIT 1 OFFSET 1" 2>> "$T/big.err")
if [ -n "$leaf" ]; then
    cp "$BIG" "$T/bigleaf.db"
    size=$(sqlite3 "$BIG" "PRAGMA page_size")
    dd if=/dev/zero of="$T/bigleaf.db" bs="$size" seek=$((leaf - 1)) count=1 conv=notrunc status=none
    run big_good -p --top 1 -f "$BIG"
    run big_leaf -p --top 1 -f "$T/bigleaf.db"
    good_rows=$(grep -c ' leaker$\| steady$' "$T/big_good.out")
    leaf_rows=$(grep -c ' leaker$\| steady$' "$T/big_leaf.out")
    # "of the sample at TIME" or "of N samples from TIME to TIME"
    warned=$(awk '/warning: .*bigleaf.db.*skipped/ {
        n += match($0, / of [0-9]+ samples from /) ? substr($0, RSTART + 4) + 0 : 1 } END { print n + 0 }' \
        "$T/big_leaf.err")
    st=1
    [ "$warned" -gt 0 ] && [ "$leaf_rows" -gt 0 ] && [ $((leaf_rows + warned)) -ge $((good_rows - 2)) ] &&
        [ "$leaf_rows" -lt "$good_rows" ] && no_sanitizer_report big_leaf && st=0
    check "proc_sample: one damaged leaf of many skips its samples only ($leaf_rows+$warned of $good_rows)" \
        $st "$(details big_leaf)"
    run big_verify --verify -f "$T/bigleaf.db"
    st=1
    [ "$(rc_of big_verify)" = 2 ] && grep -q "bigleaf.db: proc_sample: integrity_check: Page $leaf:" \
        "$T/big_verify.out" && grep -q 'bigleaf.db: proc_sample: [0-9]* samples from ' "$T/big_verify.out" &&
        st=0
    check "--verify: a damaged leaf is named by its table, with the samples it cost" $st "$(details big_verify)"
else
    skip "proc_sample leaf damage (sqlite3 has no dbstat: $(head -3 "$T/big.err"))"
fi

# ---- memreport --verify (and --check)

run v_good --verify -f "$GOOD"
check "--verify: a sound archive exits 0" "$(rc_of v_good)" "$(details v_good)"
for t in field proc proc_sample numa; do
    run "v_$t" --verify -f "$T/d_$t.db"
    st=1
    [ "$(rc_of "v_$t")" = 2 ] && grep -q "d_$t.db: $t: " "$T/v_$t.out" && no_sanitizer_report "v_$t" && st=0
    check "--verify: $t damaged exits 2 and names the file and the table" $st "$(details "v_$t")"
done
cp "$GOOD" "$T/crc.db"
sqlite3 "$T/crc.db" "UPDATE proc_sample SET crc32 = (crc32 + 1) % 4294967296 WHERE ts = $T1"
run v_crc --check -f "$T/crc.db"
st=1
[ "$(rc_of v_crc)" = 2 ] && grep -q 'crc.db.*proc_sample.*13:34:20' "$T/v_crc.out" && st=0
check "--check: a blob whose CRC-32 is wrong exits 2, names the table and time" $st "$(details v_crc)"

D=$T/dir
mkdir "$D"
cp "$GOOD" "$D/memtrail-20261126.db"
gzip -c "$GOOD" > "$D/memtrail-20261125.db.gz"
run v_dir --verify -f "$D"
st=1
[ "$(rc_of v_dir)" = 0 ] && grep -q 'memtrail-20261125.db.gz' "$T/v_dir.out" && st=0
check "--verify DIR: every day including .db.gz, sound: exit 0" $st "$(details v_dir)"
gzip -c "$T/crc.db" > "$D/memtrail-20261124.db.gz"
run v_dirbad --verify -f "$D"
st=1
[ "$(rc_of v_dirbad)" = 2 ] && grep -q 'memtrail-20261124.db.gz.*proc_sample' "$T/v_dirbad.out" && st=0
check "--verify DIR: a damaged .db.gz exits 2 and is named" $st "$(details v_dirbad)"

# ---- part 4: archives are data, not code

# "sample" a view over an endless recursive CTE: today memreport spins forever
cp "$GOOD" "$T/view.db"
sqlite3 "$T/view.db" "ALTER TABLE sample RENAME TO s0;
    CREATE VIEW sample AS WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r)
    SELECT s0.* FROM s0, r"
run view_r -r -f "$T/view.db"
st=1
[ "$(rc_of view_r)" != 124 ] && [ "$(rc_of view_r)" != 0 ] && grep -q "$T/view.db" "$T/view_r.err" &&
    grep -q 'view' "$T/view_r.err" && st=0
check "sample as an endless view: refused promptly with a clear message" $st "$(details view_r)"
run view_v --verify -f "$T/view.db"
st=1
[ "$(rc_of view_v)" = 2 ] && st=0
check "sample as a view: --verify exits 2" $st "$(details view_v)"

# a trigger would run inside the collector's transaction
cp "$GOOD" "$T/trig.db"
sqlite3 "$T/trig.db" "CREATE TRIGGER t AFTER INSERT ON sample BEGIN
    INSERT INTO boot(boot_id, first_ts) VALUES ('planted', 0); END"
timeout 60 "$MC" --no-procs --no-numa "$T/trig.db" > "$T/trig.out" 2>&1; mc_rc=$?
planted=$(sqlite3 "$T/trig.db" "SELECT count(*) FROM boot WHERE boot_id = 'planted'")
st=1
[ "$mc_rc" != 0 ] && [ "$planted" = 0 ] && grep -qi 'trigger' "$T/trig.out" && st=0
check "an archive with a trigger: memcollect refuses it, the trigger never runs" $st \
    "exit $mc_rc, planted rows $planted" "$(cat "$T/trig.out")"
run trig_r -r -f "$T/trig.db"
st=1
[ "$(rc_of trig_r)" != 0 ] && grep -qi 'trigger' "$T/trig_r.err" && st=0
check "an archive with a trigger: memreport refuses it" $st "$(details trig_r)"

# a generated column computes (with functions) on every read
cp "$GOOD" "$T/gen.db"
sqlite3 "$T/gen.db" "CREATE TABLE extra(a INTEGER, b INTEGER GENERATED ALWAYS AS (a * 2))"
run gen_r -r -f "$T/gen.db"
st=1
[ "$(rc_of gen_r)" = 3 ] && grep -q 'generated columns' "$T/gen_r.err" && st=0
check "an archive with a generated column: refused (exit 3)" $st "$(details gen_r)"

# value x 1024 past INT64_MAX in the OpenMetrics export (UBSan aborted)
cp "$GOOD" "$T/big_value.db"
sqlite3 "$T/big_value.db" "UPDATE sample SET MemFree = 9007199254740993 WHERE ts = $T1"
run om --format=openmetrics -f "$T/big_value.db"
st=1
[ "$(rc_of om)" = 0 ] && no_sanitizer_report om && grep -q '^# EOF$' "$T/om.out" &&
    grep -q 'out of range' "$T/om.err" && ! grep -q -- '-[0-9]\+ [0-9]\+$' "$T/om.out" && st=0
check "openmetrics: a kB value whose bytes overflow int64 is refused with a warning" $st "$(details om)"

# huge pages x Hugepagesize past 64 bits (the release build wrapped silently)
cp "$GOOD" "$T/huge.db"
sqlite3 "$T/huge.db" "ALTER TABLE sample ADD COLUMN HugePages_Total INTEGER;
    ALTER TABLE sample ADD COLUMN Hugepagesize INTEGER;
    INSERT INTO field(col, source, key) VALUES ('HugePages_Total', 'meminfo', 'HugePages_Total'),
        ('Hugepagesize', 'meminfo', 'Hugepagesize');
    UPDATE sample SET HugePages_Total = 8, Hugepagesize = 2048;
    UPDATE sample SET HugePages_Total = 4611686018427387904 WHERE ts = $T1"
run huge -H -f "$T/huge.db"
st=1
[ "$(rc_of huge)" = 0 ] && no_sanitizer_report huge && grep -q 'out of range' "$T/huge.err" &&
    grep -q '13:35:20 .* 16384 ' "$T/huge.out" && st=0
check "-H: huge pages x Hugepagesize past 64 bits is refused with a warning" $st "$(details huge)"

# a negative uptime and a UTC offset of a day or more (silently 0 before)
cp "$GOOD" "$T/offset.db"
sqlite3 "$T/offset.db" "UPDATE sample SET utc_offset = 9999999, uptime_cs = -5 WHERE ts = $T1"
run offset -r -t -f "$T/offset.db"
st=1
[ "$(rc_of offset)" = 0 ] && grep -q 'uptime of the sample at 2026-11-26 13:34:20 UTC: negative' "$T/offset.err" &&
    grep -q 'UTC offset of the sample at 2026-11-26 13:34:20 UTC: a day or more' "$T/offset.err" && st=0
check "a negative uptime and an out-of-range UTC offset are refused with a warning" $st "$(details offset)"

# timestamps near the int64 limits (UBSan aborted in capacity.c)
cp "$GOOD" "$T/edge_ts.db"
sqlite3 "$T/edge_ts.db" "UPDATE sample SET ts = -9223372036854775000 WHERE ts = $T1;
    UPDATE sample SET ts = 9223372036854775000 WHERE ts = $T1 + 180"
for mode in "--summary=day" "--trend" "--format=svg" "-r" "-p" "--growth" "--format=openmetrics"; do
    name=edge$(echo "$mode" | tr -dc a-z)
    run "$name" $mode -f "$T/edge_ts.db"
    st=1
    rc=$(rc_of "$name")
    [ "$rc" -le 3 ] && no_sanitizer_report "$name" && grep -q 'out of range' "$T/$name.err" && st=0
    check "timestamps near the int64 limits: $mode refuses them with a warning" $st "$(details "$name")"
done
exit 0
