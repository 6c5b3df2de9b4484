#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# memcollect --textfile: the memtrail.prom that node_exporter's textfile
# collector publishes.  The real collector samples the real /proc, with
# processes of hostile names running; the file is checked by promtool, against
# the archive (memreport, sqlite3), and as Debian's prometheus-node-exporter
# serves it (started on 127.0.0.1, scraped with curl, stopped by PID).
# Prints "ok - NAME" / "not ok - NAME" / "skip - NAME (why)".
set -u
. "$(dirname "$0")/../lib.sh"
cd "$ROOT" || exit 2
CHECK="python3 $ROOT/tests/textfile/check.py"
T=$(mktemp -d)
PIDS=()
cleanup() {
    local p
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
    wait 2>/dev/null
    rm -rf "$T"
}
trap cleanup EXIT
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}
PROM=$T/tf/memtrail.prom
mkdir -m 755 "$T/tf"

# ---- processes whose names try to break the format: a quote, a backslash, a
# line feed, a label injection, invalid UTF-8 (two names that differ only in
# invalid bytes become the same label, so one group), a cut-off sequence, a
# surrogate, an overlong form and a cut 4-byte one, valid é€😀, and control
# bytes (ESC, BEL, CR, TAB, DEL, C1 CSI), which a label value may hold.
tag=$(printf '%03d' $((RANDOM % 1000)))
names=("${tag}a\"b\\c" "${tag}nl"$'\n'"x" "${tag}\",pid=\"1" "${tag}bad"$'\xff' "${tag}bad"$'\xfe' "${tag}cut"$'\xe2\x82'
       "${tag}"$'\xed\xa0\x80\xc0\xaf\xf0\x9f\x98' "${tag}"$'\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80'
       "${tag}"$'\e]0;x\a\r\tq\x7f\xc2\x9b')
: > "$T/names"
for n in "${names[@]}"; do
    hex=$(printf '%s' "$n" | od -An -tx1 | tr -d ' \n')
    python3 -c '
import sys, time
buf = bytes([1]) * (8 << 20)          # resident, so the process has RSS
open("/proc/self/comm", "wb").write(bytes.fromhex(sys.argv[1]))
print("ready", flush=True)
time.sleep(120)' "$hex" > "$T/ready.$hex" &
    PIDS+=("$!")
    echo "$! $hex" >> "$T/names"
done
for _ in $(seq 50); do
    [ "$(cat "$T"/ready.* | grep -c ready)" -eq ${#names[@]} ] && break
    sleep 0.1
done

# ---- two samples (memreport -p shows the second), every group (--textfile-top 1000)
"$MC" --textfile "$T/tf" --textfile-top 1000 1 2 "$T/a/" > "$T/out" 2> "$T/err"; rc=$?
check "memcollect --textfile DIR stores the sample and writes DIR/memtrail.prom (exit 0)" \
    "$([ $rc -eq 0 ] && [ -s "$PROM" ] && [ ! -s "$T/err" ]; echo $?)" "rc=$rc" "$(cat "$T/err")"
check "the directory holds memtrail.prom only (no temporary file left), mode 0644 for node_exporter" \
    "$([ "$(ls -A "$T/tf")" = memtrail.prom ] && [ "$(stat -c %a "$PROM")" = 644 ]; echo $?)" \
    "$(ls -lA "$T/tf")"
if have promtool; then
    out=$(promtool check metrics < "$PROM" 2>&1)
    check "promtool check metrics accepts memtrail.prom, hostile names included" $? "$out"
    printf '# TYPE x counter\nx{a="\xff"} 1\n' | promtool check metrics > /dev/null 2>&1
    check "promtool check metrics refuses invalid UTF-8 (so the check above can fail)" "$([ $? -ne 0 ]; echo $?)"
else
    skip "promtool check metrics (prometheus not installed)"
fi
DB=$(ls "$T"/a/memtrail-*.db | head -1)
sqlite3 "$DB" 'SELECT ts, MemTotal, MemAvailable, SwapTotal, SwapFree, oom_kill FROM sample ORDER BY ts DESC LIMIT 1' > "$T/meta" 2>&1
"$MR" -p --format=json --top 100000 -f "$DB" > "$T/procs.json" 2> "$T/mr.err"
out=$($CHECK archive "$PROM" "$T/procs.json" "$T/meta" "$T/names" 2>&1)
check "memtrail.prom holds the archive's sample: meminfo, oom_kill, time, totals, every group's RSS (hostile names as UTF-8 labels)" \
    $? "$out" "$(cat "$T/mr.err")"
grep -q '^# HELP memtrail_process_group_rss_bytes ' "$PROM" && grep -q '^# TYPE memtrail_process_group_rss_bytes gauge$' "$PROM" &&
    ! grep -q '^[a-z].*_bytes{[^}]*} [0-9]*\.' "$PROM" && ! grep -qE '^memtrail_process_group.*[{,]pid="' "$PROM" &&
    ! grep -q 'node_' "$PROM"
check "HELP and TYPE lines, integer bytes, no pid label, no name node_exporter itself exports" $? "$(head -20 "$PROM")"

# ---- node_exporter's textfile collector serves it
NE=$(command -v prometheus-node-exporter || ls /usr/bin/prometheus-node-exporter 2>/dev/null)
if [ -n "$NE" ] && have curl; then
    for _ in 1 2 3 4 5; do
        port=$((20000 + RANDOM % 40000))
        "$NE" --web.listen-address=127.0.0.1:$port --collector.disable-defaults --collector.textfile \
            --collector.textfile.directory="$T/tf" > "$T/ne.log" 2>&1 &
        ne=$!
        PIDS+=("$ne")
        for _ in $(seq 50); do
            curl -sf "http://127.0.0.1:$port/metrics" -o "$T/body" 2>/dev/null && break
            kill -0 $ne 2>/dev/null || break
            sleep 0.1
        done
        [ -s "$T/body" ] && break
    done
    out=$($CHECK scrape "$PROM" "$T/body" 2>&1)
    check "node_exporter --collector.textfile serves every memtrail series with its value, no scrape error" \
        $? "$out" "$(tail -5 "$T/ne.log")"
    kill "$ne" 2>/dev/null; wait "$ne" 2>/dev/null
else
    skip "node_exporter scrape (prometheus-node-exporter or curl not installed)"
fi

# ---- the file is replaced atomically: a reader never sees it partial
"$MC" --textfile "$T/tf" --textfile-top 1000 1 4 "$T/b/" > /dev/null 2> "$T/err.loop" &
mc=$!
ino0=$(stat -c %i "$PROM")
reads=0 bad=0 inodes=$ino0
while kill -0 $mc 2>/dev/null; do
    cp "$PROM" "$T/snap" 2>/dev/null || continue
    reads=$((reads + 1))
    # whole: the first family first, the sample's time (written last) last, a line feed at the end
    { head -1 "$T/snap" | grep -q '^# HELP memtrail_meminfo_bytes ' &&
      tail -n 1 "$T/snap" | grep -qx 'memtrail_last_sample_timestamp_seconds [0-9]*' &&
      [ -z "$(tail -c 1 "$T/snap")" ]; } || bad=$((bad + 1))
    ino=$(stat -c %i "$PROM" 2>/dev/null)
    case " $inodes " in *" $ino "*) ;; *) inodes="$inodes $ino" ;; esac
done
wait $mc; rc=$?
n=$(echo $inodes | wc -w)
check "memtrail.prom is replaced by rename, never seen partial ($reads reads, $n files), no temporary left" \
    "$([ $rc -eq 0 ] && [ $bad -eq 0 ] && [ $reads -gt 0 ] && [ "$n" -ge 2 ] &&
      [ "$(ls -A "$T/tf")" = memtrail.prom ]; echo $?)" "rc=$rc bad=$bad reads=$reads inodes=$inodes" "$(cat "$T/err.loop")"

# ---- a temporary file that a killed memcollect left is removed once it is old
: > "$T/tf/.memtrail.prom.0badc0de" && touch -d '-1 hour' "$T/tf/.memtrail.prom.0badc0de"
: > "$T/tf/.memtrail.prom.f00df00d"   # recent: maybe another memcollect's, in flight
"$MC" --textfile "$T/tf" "$T/e.db" 2> "$T/err"; rc=$?
check "a temporary file left an hour ago is removed, a recent one kept" \
    "$([ $rc -eq 0 ] && [ ! -e "$T/tf/.memtrail.prom.0badc0de" ] && [ -e "$T/tf/.memtrail.prom.f00df00d" ]; echo $?)" \
    "rc=$rc" "$(ls -lA "$T/tf")" "$(cat "$T/err")"
rm -f "$T/tf/.memtrail.prom.f00df00d"

# ---- top N, bounded labels
"$MC" --textfile "$T/tf" --textfile-top 3 "$T/c1.db" 2> "$T/err"
out=$($CHECK top "$PROM" 3 2>&1)
check "--textfile-top 3: at most 3 groups, the largest" $? "$out" "$(cat "$T/err")"
"$MC" --textfile="$T/tf" "$T/c2.db" 2> "$T/err"
out=$($CHECK top "$PROM" 10 2>&1)
check "--textfile=DIR, default top 10" $? "$out" "$(cat "$T/err")"
"$MC" --no-procs --textfile "$T/tf" "$T/c3.db" 2> "$T/err"; rc=$?
check "--no-procs: no process series, the rest there" \
    "$([ $rc -eq 0 ] && ! grep -q '^memtrail_process' "$PROM" &&
      grep -q '^memtrail_last_sample_timestamp_seconds ' "$PROM"; echo $?)" "rc=$rc" "$(cat "$T/err")"
"$MC" --procs-max 5 --textfile "$T/tf" --textfile-top 1000 "$T/c5.db" 2> "$T/err"; rc=$?
in_groups=$(( $(sed -n 's/^memtrail_process_group_processes{.*} //p' "$PROM" | paste -sd+) + 0 ))
all=$(sed -n 's/^memtrail_processes //p' "$PROM")
check "--procs-max 5: the (others) row is no group, but counts in memtrail_processes ($in_groups in groups of $all)" \
    "$([ $rc -eq 0 ] && [ "$in_groups" = 5 ] && [ "$all" -gt 5 ] && ! grep -q 'comm="(others)"' "$PROM"; echo $?)" \
    "rc=$rc" "$(cat "$T/err")"
"$MC" --textfile= "$T/c4.db" 2> "$T/err"; rc=$?
check "--textfile= (an empty setting) writes no textfile" "$([ $rc -eq 0 ] && [ ! -s "$T/err" ]; echo $?)" "rc=$rc"

# ---- failures cost the textfile, not the sample: exit 4
count() { sqlite3 "$1" 'SELECT count(*) FROM sample' 2>/dev/null || echo 0; }
"$MC" --textfile "$T/missing" "$T/d1.db" 2> "$T/err"; rc=$?
check "a missing textfile directory: exit 4, 'memcollect: DIR/memtrail.prom: why', the sample stored" \
    "$([ $rc -eq 4 ] && grep -q "^memcollect: $T/missing/memtrail.prom: No such file or directory\$" "$T/err" &&
      [ "$(count "$T/d1.db")" = 1 ]; echo $?)" "rc=$rc" "$(cat "$T/err")"
mkdir -m 777 "$T/open"
"$MC" --textfile "$T/open" "$T/d2.db" 2> "$T/err"; rc=$?
check "root refuses a textfile directory anyone can write to (not sticky): exit 4, nothing written" \
    "$([ $rc -eq 4 ] && grep -q "^memcollect: $T/open/memtrail.prom: refusing a directory" "$T/err" &&
      [ -z "$(ls -A "$T/open")" ] && [ "$(count "$T/d2.db")" = 1 ]; echo $?)" "rc=$rc" "$(cat "$T/err")"
ln -s "$T/tf" "$T/link"
"$MC" --textfile "$T/link" "$T/d3.db" 2> "$T/err"; rc=$?
check "root refuses a textfile directory that is a symbolic link: exit 4" \
    "$([ $rc -eq 4 ] && grep -q "^memcollect: $T/link/memtrail.prom: " "$T/err"; echo $?)" "rc=$rc" "$(cat "$T/err")"
mkdir -m 755 "$T/trap" && ln -s /etc/memtrail-must-not-exist "$T/trap/memtrail.prom"
"$MC" --textfile "$T/trap" "$T/d4.db" 2> "$T/err"; rc=$?
check "a symbolic link named memtrail.prom is replaced, never followed" \
    "$([ $rc -eq 0 ] && [ ! -e /etc/memtrail-must-not-exist ] && [ -f "$T/trap/memtrail.prom" ] &&
      [ ! -L "$T/trap/memtrail.prom" ]; echo $?)" "rc=$rc" "$(cat "$T/err")"
"$MC" --textfile-top x "$T/d.db" 2> /dev/null; rc1=$?
"$MC" --textfile 2> /dev/null; rc2=$?
check "--textfile-top x and --textfile without DIR are usage errors (exit 1)" \
    "$([ $rc1 -eq 1 ] && [ $rc2 -eq 1 ]; echo $?)" "rc=$rc1 $rc2"

# ---- the setting: /etc/cron.d/memtrail's sample line passes MEMTRAIL_TEXTFILE_DIR
line=$(sed -n 's/^\* \* \* \* \* root //p' cron/memtrail.cron.in)
mkdir -p "$T/etc/default" "$T/tf2" "$T/cron1" "$T/cron2"
cronrun() {   # SETTINGS: runs the cron line with SETTINGS as /etc/default/memtrail
    printf '%s\n' "$1" > "$T/etc/default/memtrail"
    sh -c "$(printf '%s' "$line" | sed -e "s|@sbindir@|$BIN|g" -e "s|@sysconfdir@|$T/etc|g")"
}
cronrun "MEMTRAIL_DIR=$T/cron1 MEMTRAIL_TEXTFILE_DIR=$T/tf2" 2> "$T/err"; rc=$?
check "the cron file passes MEMTRAIL_TEXTFILE_DIR from the settings as --textfile" \
    "$([ $rc -eq 0 ] && [ -s "$T/tf2/memtrail.prom" ] && ls "$T"/cron1/memtrail-*.db > /dev/null; echo $?)" \
    "rc=$rc" "$(cat "$T/err")"
cronrun "MEMTRAIL_DIR=$T/cron2" 2> "$T/err"; rc=$?
check "the cron file without MEMTRAIL_TEXTFILE_DIR (an old settings file) samples, no textfile" \
    "$([ $rc -eq 0 ] && [ ! -s "$T/err" ] && ls "$T"/cron2/memtrail-*.db > /dev/null; echo $?)" "rc=$rc" "$(cat "$T/err")"
grep -q '^MEMTRAIL_TEXTFILE_DIR=$' cron/memtrail.default &&
    grep -q -- '--textfile=${MEMTRAIL_TEXTFILE_DIR}' cron/memtrail.service.in &&
    grep -q '^ReadWritePaths=-/var/lib/prometheus/node-exporter$' cron/memtrail.service.in
check "the settings file has MEMTRAIL_TEXTFILE_DIR (empty), the unit passes it and may write node_exporter's directory" $?
mkdir -p "$T/tf3" "$T/cron3"
cronrun "MEMTRAIL_DIR=$T/cron3 MEMCOLLECT_OPTIONS=\"--textfile $T/tf3\"" 2> "$T/err"; rc=$?
check "--textfile in MEMCOLLECT_OPTIONS is not undone by an empty MEMTRAIL_TEXTFILE_DIR" \
    "$([ $rc -eq 0 ] && [ -s "$T/tf3/memtrail.prom" ]; echo $?)" "rc=$rc" "$(cat "$T/err")"
