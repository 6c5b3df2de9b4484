#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# memreport's exports: --format=openmetrics (memtrail's and node_exporter's
# names) imported by Debian's promtool and read back, influx parsed per the
# line protocol spec, csv-long against the wide CSV, and odd process names in
# all three.  Archives: the synthetic one of tests/procs (odd names), one of
# the real collector, and three days from bench/gen30.c with a reboot.
# Prints "ok - NAME" / "not ok - NAME" / "skip - NAME (why)".
set -u
. "$(dirname "$0")/../lib.sh"
cd "$ROOT" || exit 2
CHECK="python3 $ROOT/tests/export/check.py"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export TZ=UTC LC_ALL=C
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}

check() {   # NAME COMMAND...
    local name=$1; shift
    if out=$("$@" 2>&1); then echo "ok - $name"; else echo "not ok - $name"; printf '%s\n' "$out" | sed 's/^/  /'; fi
}

# ---- archives
if [ -x "$FIX" ]; then
    "$FIX" "$T" || echo "not ok - procs fixture"
fi
"$MC" 1 3 "$T/real.db" > /dev/null 2>&1 || echo "not ok - memcollect 1 3"
mkdir -p "$T/days"
if cc -Ilib -Iarchive -O2 -std=c11 -D_DEFAULT_SOURCE -D_FILE_OFFSET_BITS=64 -o "$T/gen30" bench/gen30.c \
        build/archive/*.o build/schema_sql.o build/lib/*.o -Wl,-Bstatic -lsqlite3 -lz -Wl,-Bdynamic -lm \
        2> "$T/cc.err"; then
    # 2026-11-01 22:00 UTC, 5-minute samples for 2.5 days, reboot at sample 300
    "$T/gen30" "$T/days" 1793570400 720 300 40 300 || echo "not ok - gen30"
else
    echo "not ok - build bench/gen30.c"; sed 's/^/  /' "$T/cc.err"
fi
D="$T/days"
WIN=(--since @1793570400 --until @1793786400)

# ---- OpenMetrics: the rules, on the multi-day directory with a reboot
"$MR" --format=openmetrics -f "$D" "${WIN[@]}" -o "$T/days.om"
"$MR" --format=openmetrics --names=node -f "$D" "${WIN[@]}" -o "$T/node.om"
check "openmetrics: # EOF last, no blank line, families and series contiguous, time order, names, UNIT, _total (3 days, reboot)" \
    $CHECK om-rules "$T/days.om"
check "openmetrics --names=node: the same rules" $CHECK om-rules "$T/node.om"
check "openmetrics: every meminfo key, vmstat counter, swap device and node; --top 10 processes" bash -c "
    keys=\$(sqlite3 '$D/memtrail-20261102.db' \"SELECT count(*) FROM field WHERE source = 'meminfo'\" 2>/dev/null || echo x)
    got=\$(grep -c '^memtrail_meminfo_bytes.*1793620800\$' '$T/days.om')
    hp=\$(grep -c '^memtrail_meminfo_hugepages.*1793620800\$' '$T/days.om')
    [ \"\$keys\" = x ] || [ \$((got + hp)) -eq \"\$keys\" ] || { echo \"meminfo: \$got + \$hp of \$keys\"; exit 1; }
    [ \$((got + hp)) -gt 20 ] || { echo \"meminfo: \$got\"; exit 1; }
    grep -q '^memtrail_vmstat_total{.*counter=\"pswpin\"}' '$T/days.om' &&
    grep -q '^memtrail_numastat_total{.*node=\"1\",counter=\"numa_hit\"}' '$T/days.om' &&
    grep -q '^memtrail_numa_meminfo_bytes{.*node=\"0\",field=\"MemFree\"}' '$T/days.om' &&
    n=\$(grep '^memtrail_process_rss_bytes' '$T/days.om' | sed 's/} .*//' | sort -u | wc -l) &&
    [ \"\$n\" -eq 10 ] || { echo \"process series: \$n\"; exit 1; }"
check "openmetrics --names=node: node_exporter 1.5's names (meminfo _bytes, Active_anon, untyped vmstat, numa)" bash -c "
    grep -qx '# TYPE node_memory_MemAvailable_bytes gauge' '$T/node.om' &&
    grep -qx '# UNIT node_memory_MemTotal_bytes bytes' '$T/node.om' &&
    grep -q '^node_memory_Active_anon_bytes{instance=\"genhost\",job=\"memtrail\"} ' '$T/node.om' &&
    grep -qx '# TYPE node_vmstat_pswpin unknown' '$T/node.om' &&
    grep -q '^node_vmstat_pgfault{' '$T/node.om' &&
    grep -q '^node_memory_numa_MemFree{.*node=\"0\"}' '$T/node.om' &&
    grep -q '^node_memory_numa_numa_hit_total{.*node=\"0\"}' '$T/node.om' &&
    grep -q '^node_uname_info{.*nodename=\"genhost\"' '$T/node.om' &&
    ! grep -q '^node_memory_HugePages_Total_bytes' '$T/node.om'"

# ---- promtool: import in full, read back equal
if ! command -v promtool > /dev/null; then
    echo "skip - promtool round trip (no promtool: make deps installs Debian's prometheus)"
else
    roundtrip() {   # NAME FILE
        local name=$1 file=$2 blocks="$T/blocks-$1"
        promtool tsdb create-blocks-from openmetrics --max-block-duration=24h "$file" "$blocks" \
            > "$T/$name.import" 2>&1 || { cat "$T/$name.import"; return 1; }
        local n
        n=$(awk 'length($1) == 26 && $5 ~ /^[0-9]+$/ { s += $5 } END { print s + 0 }' "$T/$name.import")
        $CHECK om-count "$file" "$n" || return 1
        mkdir -p "$blocks/wal"   # dump opens the directory as a database, WAL included
        promtool tsdb dump "$blocks" > "$T/$name.dump" 2> "$T/$name.dump.err" || { cat "$T/$name.dump.err"; return 1; }
        $CHECK om-vs-dump "$file" "$T/$name.dump"
    }
    if [ -f "$T/procs.db" ]; then
        "$MR" --format=openmetrics -f "$T/procs.db" -o "$T/procs.om"
        check "promtool: odd names imported in full, every sample read back equal" roundtrip procs "$T/procs.om"
    fi
    "$MR" --format=openmetrics -f "$T/real.db" -o "$T/real.om"
    check "promtool: a real collector archive imported in full and read back equal" roundtrip real "$T/real.om"
    check "promtool: 3 days with a reboot imported in full and read back equal" roundtrip days "$T/days.om"
    check "promtool: --names=node imported in full and read back equal" roundtrip node "$T/node.om"
    check "promtool: MemAvailable read back equals the archive (sqlite3) x 1024" bash -c "
        sqlite3 -separator ' ' '$T/real.db' 'SELECT ts * 1000, MemAvailable * 1024 FROM sample ORDER BY ts' > '$T/ma.want' &&
        promtool tsdb dump --match='{__name__=\"memtrail_meminfo_bytes\",field=\"MemAvailable\"}' '$T/blocks-real' 2>/dev/null |
            awk '{ printf \"%s %.0f\n\", \$NF, \$(NF-1) }' > '$T/ma.got' &&
        [ -s '$T/ma.want' ] && diff '$T/ma.want' '$T/ma.got'"
    # an exported process with a plain name (its CSV row splits on commas); -p leaves out
    # the window's first sample (sar's -s reference record), the exports keep it
    P=$(grep '^memtrail_process_rss_bytes{.*comm="worker' "$T/days.om" | head -1 | sed 's/.*pid="\([0-9]*\)".*/\1/')
    check "promtool: a process's RSS read back equals memreport -p's CSV x 1024" bash -c "
        '$MR' -p --pid $P --format=csv -f '$D' --since @1793570400 --until @1793586000 |
            awk -F, 'NR > 1 { printf \"%d000 %d\\n\", \$3, \$15 * 1024 }' > '$T/rss.want' &&
        promtool tsdb dump --min-time=1793570401000 --max-time=1793586000000 \
            --match='{__name__=\"memtrail_process_rss_bytes\",pid=\"$P\"}' '$T/blocks-days' 2>/dev/null |
            awk '{ printf \"%s %.0f\n\", \$NF, \$(NF-1) }' > '$T/rss.got' &&
        [ -s '$T/rss.want' ] && diff '$T/rss.want' '$T/rss.got'"
fi

# ---- InfluxDB line protocol and CSV long
"$MR" --format=influx -f "$D" "${WIN[@]}" > "$T/days.lp"
"$MR" --format=csv-long -f "$D" "${WIN[@]}" > "$T/days.long"
"$MR" -r -S --format=csv -f "$D" "${WIN[@]}" > "$T/days.wide"
check "influx: parses per the line protocol spec (escapes, i integers, second timestamps, sorted tags) and equals the long CSV" \
    $CHECK influx "$T/days.lp" "$T/days.long"
check "csv-long: read back with python's csv, meminfo values equal the wide CSV's sar columns" \
    $CHECK long-vs-wide "$T/days.long" "$T/days.wide"
check "gen30's odd process name (space, comma, equals, quote, backslash, 0xFF) in all three" \
    $CHECK odd 6f6464206e616d652c783d3122715cff "$T/days.om" "$T/days.lp" "$T/days.long"
if [ -f "$T/procs.db" ]; then
    "$MR" --format=openmetrics -f "$T/procs.db" -o "$T/procs.om"
    "$MR" --format=influx -f "$T/procs.db" -o "$T/procs.lp"
    "$MR" --format=csv-long -f "$T/procs.db" -o "$T/procs.long"
    check "the fixture's odd name (line feed, semicolon, parentheses, 0xFF) in all three" \
        $CHECK odd "$(printf 'a b,c"d;(e)\nf\xff' | od -An -tx1 | tr -d ' \n')" \
        "$T/procs.om" "$T/procs.lp" "$T/procs.long"
    check "influx: the command line as a string field, quote escaped" \
        grep -qF 'cmdline="/bin/odd --x=\"1,2\";echo (hi)\n' "$T/procs.lp"
fi
check "exports refuse -p and live mode" bash -c "
    ! '$MR' --format=openmetrics -p -f '$D' > /dev/null 2>&1 && ! '$MR' --format=influx 1 1 > /dev/null 2>&1"
exit 0
