#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Crashes and the history they leave (issue 9 parts 1-2): a collector killed
# mid-sample leaves a hot rollback journal, which every reader (root, and a
# group member who cannot write) reads as the day's last committed state
# without writing to the files; --maintain rolls such a journal back for good
# and never leaves one orphaned; a damaged .db.gz costs its day only; and a
# day held in both a .db and a .db.gz is read, and kept, as their union.
# The hot journals are real: the sqlite3 shell killed inside a transaction
# big enough to spill into the database file, and memcollect killed at
# random points of its sample.
# Prints "ok - NAME" / "not ok - NAME" / "skip - NAME (why)".
set -u
# A /dev/shm of its own: libfaketime keeps objects there named by pid, which
# a process killed here cannot remove; left in the shared one, they would
# make a later faketime of the same pid fail, in anyone's tests.
if [ -z "${MEMTRAIL_JOURNAL_NS:-}" ] && command -v unshare >/dev/null; then
    exec env MEMTRAIL_JOURNAL_NS=1 unshare -m --propagation private \
        bash -c 'mount -t tmpfs -o mode=1777 tmpfs /dev/shm; exec "$0" "$@"' "$0" "$@"
fi
. "$(dirname "$0")/../lib.sh"
WORK=$(mktemp -d /tmp/memtrail-journal.XXXXXX)
# the group reader needs to pass through it
chmod 0711 "$WORK"
cleanup() {
    [ -n "${HOLDER_PID:-}" ] && kill "$HOLDER_PID" 2>/dev/null
    reader_remove
    rm -rf "$WORK"
}
trap cleanup EXIT
cd "$WORK" || exit 2
export TZ=UTC LC_ALL=C

if [ -z "$FAKETIME_LIB" ] || ! have sqlite3; then
    echo "skip - journal suite (faketime or sqlite3 missing)"
    exit 0
fi
at() { LD_PRELOAD=$FAKETIME_LIB FAKETIME="@$AT" FAKETIME_DONT_RESET=1 "$@"; }

reader_create mtj || exit 2
# share_with_group DIR: the files 0640 and DIR 0750, all of group RGROUP
share_with_group() {
    chgrp -R "$RGROUP" "$1" && chmod 0750 "$1" && find "$1" -type f -exec chmod 0640 {} +
}
sums() { sha256sum "$1"/* | sort; }

# mkday DIR YYYY-MM-DD [ROWS]: three real samples from 12:00, then ROWS more
# (default 300) cloned from the last one 20 s apart, so that one UPDATE
# of every row spills pages into the database file before it commits.
mkday() {
    local dir=$1 day=$2 rows=${3:-300} t
    for t in 12:00:00 12:01:00 12:02:00; do
        AT="$day $t"; at "$MC" --no-numa "$dir/" 2>>err || return 1
    done
    [ "$rows" -gt 0 ] || return 0
    local f=$dir/memtrail-${day//-/}.db
    local cols
    cols=$(sqlite3 "$f" "SELECT group_concat('\"' || col || '\"', ',') FROM field WHERE source != 'node'")
    sqlite3 "$f" "WITH RECURSIVE m(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM m WHERE i < $rows)
      INSERT INTO sample SELECT s.ts + 20 * i, s.boot_no, s.uptime_cs + 2000 * i, s.utc_offset, $cols
      FROM sample s, m WHERE s.ts = (SELECT max(ts) FROM sample);"
}
# kill_in_transaction FILE: leaves FILE with a hot journal, the sqlite3
# shell killed after its UPDATE has spilled changed pages into FILE
kill_in_transaction() {
    (printf 'PRAGMA cache_size=2;\nBEGIN;\nUPDATE sample SET MemFree = MemFree + 1, MemAvailable = 7;\n.system kill -9 $PPID\n' |
        sqlite3 "$1" >/dev/null 2>&1; :) 2>/dev/null
    [ -s "$1-journal" ]
}
REPORTS=("-r" "-A" "-p" "--growth" "-N" "--at 2026-11-05T12:01:00" "--format=sadf" "--format=csv"
         "--format=json" "--summary=hour" "--trend" "--format=svg" "--format=openmetrics"
         "--format=influx" "--format=csv-long")

# ---- 1. a hot journal: read as the last committed state, never written
mkdir -m 0750 hot && mkday hot 2026-11-05 || { not_ok "make a test day" "$(cat err)"; exit 0; }
F=hot/memtrail-20261105.db
declare -A want
for r in "${REPORTS[@]}"; do
    # shellcheck disable=SC2086
    want[$r]=$("$MR" $r -f "$F" 2>&1)
done
kill_in_transaction "$F"
check "the sqlite3 shell killed mid-transaction leaves a hot journal" $? "$(ls -l hot)"
share_with_group hot
before=$(sums hot)
bad=()
for r in "${REPORTS[@]}"; do
    # shellcheck disable=SC2086
    got=$("$MR" $r -f "$F" 2>&1); rc=$?
    [ $rc -eq 0 ] && [ "$got" = "${want[$r]}" ] || bad+=("$r: rc=$rc" "$(diff <(echo "${want[$r]}") <(echo "$got") | head -4)")
done
check "every report reads a day with a hot journal as its last committed state (root)" ${#bad[@]} "${bad[@]}"
check "no report run wrote to the archive or its journal (root)" \
    $([ "$before" = "$(sums hot)" ]; echo $?) "$(sums hot)"
bad=()
for r in "-r" "-p" "--summary=hour" "--format=svg"; do
    # shellcheck disable=SC2086
    got=$(as_reader "$MR" $r -f "$F" 2>&1); rc=$?
    [ $rc -eq 0 ] && [ "$got" = "${want[$r]}" ] || bad+=("$r: rc=$rc" "$(diff <(echo "${want[$r]}") <(echo "$got") | head -4)")
done
check "a group reader who cannot write reads a day with a hot journal" ${#bad[@]} "${bad[@]}"
check "no report run wrote to the archive or its journal (group reader)" \
    $([ "$before" = "$(sums hot)" ]; echo $?) "$(sums hot)"
AT="2026-11-06 12:00:00"; got=$(at "$MR" -r -f hot -1 2>&1)
check "the day's directory read by -f DIR -1 sees the committed state too" \
    $([ "$got" = "${want[-r]}" ]; echo $?) "$(diff <(echo "${want[-r]}") <(echo "$got") | head -4)"

# ---- the journal of a live writer is never applied by a reader: the
# committed file (the UPDATE above, committed this time) beside a journal
# that does not belong to it, while a live process holds the write lock
mkdir live && cp "$F" live/ && cp "$F-journal" live/
L=live/memtrail-20261105.db
mv "$L-journal" live/saved-journal
sqlite3 "$L" "UPDATE sample SET MemFree = MemFree + 1, MemAvailable = 7;" && committed=$("$MR" -r -f "$L" 2>&1)
rm -f ready holder.pid
printf 'BEGIN IMMEDIATE;\n.system echo $$ > holder.pid; touch ready; exec sleep 30\n' | sqlite3 "$L" >/dev/null 2>&1 &
for _ in $(seq 100); do [ -e ready ] && break; sleep 0.05; done
HOLDER_PID=$(cat holder.pid 2>/dev/null)
mv live/saved-journal "$L-journal"
got=$("$MR" -r -f "$L" 2>&1); rc=$?
kill "$HOLDER_PID" 2>/dev/null; HOLDER_PID=
wait
check "a reader never applies the journal of a live writer (reads the committed file)" \
    $([ $rc -eq 0 ] && [ -n "$committed" ] && [ "$got" = "$committed" ] && [ "$got" != "${want[-r]}" ]; echo $?) \
    "rc=$rc" "$(diff <(echo "$committed") <(echo "$got") | head -4)"

# ---- hostile journals: every field checked, nothing trusted, no crash
mkdir hostile && cp "$F" hostile/
H=hostile/memtrail-20261105.db
page=$(sqlite3 "$H" 'PRAGMA page_size')
bad=()
# NAME NREC MXPG SECTOR PAGE TAIL: a header with those fields, then TAIL random bytes
for spec in "endless 4294967295 5 512 $page 70000" "huge-size 1 2147483647 512 $page 9000" \
            "odd-sector 3 5 513 $page 9000" "tiny-page 3 5 512 256 9000" "other-page 3 5 512 65536 9000" \
            "no-records 0 1 512 $page 0" "garbage-records 50 5 4096 $page 300000" "short 9 5 512 $page 10"; do
    set -- $spec
    python3 -c 'import os, struct, sys
n, mx, sec, pg, tail = map(int, sys.argv[1:6])
h = bytes.fromhex("d9d505f920a163d7") + struct.pack(">IIIII", n, 12345, mx, sec, pg)
sys.stdout.buffer.write(h + bytes(max(sec, 32) - len(h)) + os.urandom(tail))' "$2" "$3" "$4" "$5" "$6" > "$H-journal"
    before=$(sums hostile)
    out=$("$MR" -r -f "$H" 2>&1); rc=$?
    { [ $rc -le 3 ] && ! echo "$out" | grep -q 'Sanitizer' && [ "$before" = "$(sums hostile)" ]; } ||
        bad+=("$1: rc=$rc" "$(echo "$out" | head -3)")
done
check "hostile journals never crash a reader nor get written to" ${#bad[@]} "${bad[@]}"

# ---- 2. --maintain rolls a stale hot journal back for good, then compresses
mkdir mt && cp "$F" "$F-journal" mt/
AT="2026-11-09 00:10:00"; at "$MC" --maintain --keep-days 30 --compress-after 2 -D mt 2>err; rc=$?
got=$("$MR" -r -f mt/memtrail-20261105.db.gz 2>&1)
check "--maintain rolls a stale hot journal back, then compresses the day as it was" \
    $([ $rc -eq 0 ] && [ "$(ls mt | tr '\n' ' ')" = "memtrail-20261105.db.gz " ] && [ "$got" = "${want[-r]}" ]; echo $?) \
    "rc=$rc $(ls mt | tr '\n' ' ')" "$(cat err)" "$(diff <(echo "${want[-r]}") <(echo "$got") | head -4)"

mkdir orphan && cp "$F" "$F-journal" orphan/ && cp "$F-journal" orphan/memtrail-20261101.db-journal
cp "$F" orphan/memtrail-20261104.db
AT="2026-11-09 00:10:00"; at "$MC" --maintain --keep-days 3 --compress-after 0 -D orphan 2>err; rc=$?
check "--maintain leaves no orphaned journal (keep-days removes a day's journal with it)" \
    $([ $rc -eq 0 ] && [ -z "$(ls orphan)" ]; echo $?) "rc=$rc $(ls orphan | tr '\n' ' ')" "$(cat err)"

if have unshare; then
    mkdir ro && cp "$F" "$F-journal" ro/
    AT="2026-11-09 00:10:00" unshare -m sh -c 'mount --bind ro ro && mount -o remount,bind,ro ro &&
        LD_PRELOAD=$0 FAKETIME="@$AT" FAKETIME_DONT_RESET=1 "$1" --maintain --compress-after 2 -D ro' \
        "$FAKETIME_LIB" "$MC" 2>err; rc=$?
    check "--maintain that cannot roll a journal back says why and what to do, and fails" \
        $([ $rc -ne 0 ] && grep -q 'memtrail-20261105.db' err && grep -qi 'journal' err && [ -e ro/memtrail-20261105.db-journal ]; echo $?) \
        "rc=$rc" "$(cat err)"
else
    skip "--maintain on a read-only directory (unshare missing)"
fi

# ---- 3. a damaged .db.gz costs its day only
mkdir dmg
for d in 2026-11-05 2026-11-06 2026-11-07; do mkday dmg $d 0; done
AT="2026-11-09 00:10:00"; at "$MC" --maintain --compress-after 1 -D dmg 2>>err
full=$("$MR" -r -f dmg --since 2026-11-05T00:00 --until 2026-11-07T23:00 2>&1)
gz=dmg/memtrail-20261106.db.gz
head -c $(( $(stat -c %s $gz) / 2 )) $gz > cut && cat cut > $gz
got=$("$MR" -r -f dmg --since 2026-11-05T00:00 --until 2026-11-07T23:00 2>err); rc=$?
check "a truncated .db.gz costs its day only, with a warning naming it (-r)" \
    $([ $rc -eq 0 ] && [ "$(echo "$got" | grep -cE '^12:0[12]:00 +[0-9]')" = 4 ] &&
      [ "$(echo "$full" | grep -cE '^12:0[12]:00 +[0-9]')" = 6 ] && grep -q 'memtrail-20261106.db.gz' err; echo $?) \
    "rc=$rc" "$(cat err)" "$got"
got=$("$MR" --summary=day -f dmg 2>err); rc=$?
check "a truncated .db.gz costs its day only (--summary over the directory)" \
    $([ $rc -eq 0 ] && echo "$got" | grep -q '2026-11-05' && echo "$got" | grep -q '2026-11-07' &&
      grep -q 'memtrail-20261106.db.gz' err; echo $?) "rc=$rc" "$(cat err)" "$got"

# ---- 4. a day held in both a .db and a .db.gz: a clock step back into a
# compressed day makes the collector write a new .db beside the .gz
mkdir both
mkday both 2026-11-05 0
AT="2026-11-08 00:10:00"; at "$MC" --maintain --compress-after 1 -D both 2>>err
AT="2026-11-05 12:05:00"; at "$MC" --no-numa both/ 2>>err; rc=$?
count_rows() { grep -cE '^12:0[0-5]:00 +[0-9]'; }
got=$("$MR" -r -f both --since 2026-11-05T11:00 --until 2026-11-05T13:00 2>&1)
check "--since/--until read the union of a day's .db and .db.gz" \
    $([ $rc -eq 0 ] && [ "$(echo "$got" | count_rows)" = 3 ] && echo "$got" | grep -q '^12:05:00 ' &&
      echo "$got" | grep -q '^12:01:00 '; echo $?) "rc=$rc $(ls both | tr '\n' ' ')" "$got"
AT="2026-11-06 12:00:00"; got=$(at "$MR" -r -f both -1 2>&1)
check "-f DIR -1 reads the union of a day's .db and .db.gz" \
    $([ "$(echo "$got" | count_rows)" = 3 ] && echo "$got" | grep -q '^12:05:00 '; echo $?) "$got"
got=$("$MR" --format=csv-long -f both --since 2026-11-05T11:00 --until 2026-11-05T13:00 2>/dev/null)
stamps=$(echo "$got" | grep ',meminfo.MemFree,' | cut -d, -f1 | tr '\n' ' ')
check "the exports read the union of a day's .db and .db.gz, without duplicates" \
    $([ "$stamps" = "2026-11-05T12:00:00+00:00 2026-11-05T12:01:00+00:00 2026-11-05T12:02:00+00:00 2026-11-05T12:05:00+00:00 " ]; echo $?) \
    "MemFree at: $stamps" "$(echo "$got" | head -3)"
union=$("$MR" -r -p -f both --since 2026-11-05T11:00 --until 2026-11-05T13:00 2>&1)
AT="2026-11-08 00:10:00"; at "$MC" --maintain --compress-after 1 -D both 2>err; rc=$?
got=$("$MR" -r -f both --since 2026-11-05T11:00 --until 2026-11-05T13:00 2>&1)
check "--maintain keeps every sample acknowledged into a .db beside a .db.gz" \
    $([ $rc -eq 0 ] && [ "$(echo "$got" | count_rows)" = 3 ] && echo "$got" | grep -q '^12:05:00 '; echo $?) \
    "rc=$rc $(ls both | tr '\n' ' ')" "$(cat err)" "$got"
got=$("$MR" -r -p -f both/memtrail-20261105.db.gz --since 2026-11-05T11:00 --until 2026-11-05T13:00 2>&1)
check "--maintain merges the two into one .db.gz that reports as their union did" \
    $([ "$(ls both | tr '\n' ' ')" = "memtrail-20261105.db.gz " ] && [ "$got" = "$union" ]; echo $?) \
    "$(ls both | tr '\n' ' ')" "$(diff <(echo "$union") <(echo "$got") | head -6)"
# the same second with other values in the two files: nothing proves either right
gunzip -c both/memtrail-20261105.db.gz > both/memtrail-20261105.db
sqlite3 both/memtrail-20261105.db "UPDATE sample SET MemFree = MemFree + 4096 WHERE ts = (SELECT min(ts) FROM sample)"
AT="2026-11-08 00:10:00"; at "$MC" --maintain --compress-after 1 -D both 2>err; rc=$?
check "--maintain keeps both files when a second's samples differ, and says so" \
    $([ $rc -ne 0 ] && [ "$(ls both | tr '\n' ' ')" = "memtrail-20261105.db memtrail-20261105.db.gz " ] &&
      grep -q 'differ' err; echo $?) "rc=$rc $(ls both | tr '\n' ' ')" "$(cat err)"
rm both/memtrail-20261105.db
gunzip -c both/memtrail-20261105.db.gz > both/memtrail-20261105.db
AT="2026-11-08 00:10:00"; at "$MC" --maintain --compress-after 1 -D both 2>err; rc=$?
check "--maintain removes a .db whose every sample the .db.gz holds" \
    $([ $rc -eq 0 ] && [ "$(ls both | tr '\n' ' ')" = "memtrail-20261105.db.gz " ]; echo $?) \
    "rc=$rc $(ls both | tr '\n' ' ')" "$(cat err)"

# ---- 5. 100 collectors killed at random points of a sample (each one a
# minute after the last, so that none is skipped as a duplicate), each
# followed at once by reports as root and as a group reader, with no
# collector run in between
# setgid: the day's file and its journal are made in the reading group
mkdir kill && chgrp "$RGROUP" kill && chmod 2750 kill
kat() { AT=$(date -d "2026-11-10 08:00:00 UTC + $1 minutes" '+%F %T'); at "${@:2}"; }
# the reader's own faketime: one inherited from root cannot open root's semaphore
kat_reader() {
    local t
    t=$(date -d "2026-11-10 08:00:00 UTC + $1 minutes" '+%F %T')
    as_reader env LD_PRELOAD="$FAKETIME_LIB" FAKETIME="@$t" FAKETIME_DONT_RESET=1 "${@:2}"
}
kat 0 "$MC" --no-numa kill/ 2>err || { not_ok "a first sample for the kill loop" "$(cat err)"; exit 0; }
# half the kills land anywhere in a sample (the shortest of three sets the
# scale), half at a random point after its journal appeared (inotify)
sample_ms=100000
for i in 1 2 3; do
    t0=$(date +%s%N); kat -$i "$MC" --no-numa kill/ 2>/dev/null
    t=$(( ($(date +%s%N) - t0) / 1000000 )); [ $t -lt $sample_ms ] && sample_ms=$t
done
KILLER=$ROOT/build/san/tests/kill_in_journal
[ -x "$KILLER" ] || KILLER=
# Only the collector runs under libfaketime, which keeps a semaphore and a
# shared memory object named by its pid in /dev/shm: killed, it cannot remove
# them, and a later faketime of the same pid would fail on them.  So the
# killed collector's pid is noted (exec keeps it) and its leftovers removed.
cat > fake_mc <<EOF
#!/bin/bash
echo \$\$ > $WORK/mc.pid
exec env LD_PRELOAD="$FAKETIME_LIB" FAKETIME="@\$1" FAKETIME_DONT_RESET=1 "$MC" --no-numa kill/
EOF
chmod +x fake_mc
hot=0 fails=()
for i in $(seq 2 101); do
    at_i=$(date -d "2026-11-10 08:00:00 UTC + $i minutes" '+%F %T')
    if [ -n "$KILLER" ] && [ $((i % 2)) = 0 ]; then
        us=$((RANDOM % 1000)) delay="hot journal + $us us"
        "$KILLER" kill $us ./fake_mc "$at_i" >/dev/null 2>&1
    else
        ms=$((RANDOM % (sample_ms + 1))) delay="$ms ms"
        (timeout -s KILL "$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))" \
            ./fake_mc "$at_i" >/dev/null 2>&1; :) 2>/dev/null
    fi
    pid=$(cat mc.pid 2>/dev/null) && rm -f mc.pid "/dev/shm/faketime_shm_$pid" "/dev/shm/sem.faketime_sem_$pid"
    j=$(ls kill/*-journal 2>/dev/null | head -1)
    [ -n "$j" ] && [ "$(head -c 8 "$j" | od -An -tx1 | tr -d ' ')" = d9d505f920a163d7 ] && hot=$((hot + 1))
    out=$(kat $i "$MR" -r -f kill 2>&1) || fails+=("root, kill $i after ${delay}: $out")
    out=$(kat_reader $i "$MR" -r -f kill 2>&1) || fails+=("reader, kill $i after ${delay}: $out")
done
check "memreport reads right after each of 100 kill -9 of collectors, as root and as a group reader ($hot left a hot journal)" \
    $([ ${#fails[@]} -eq 0 ] && [ $hot -gt 0 ]; echo $?) "hot journals: $hot (must be > 0), sample ${sample_ms} ms, killer: ${KILLER:-none}" \
    "${fails[@]:0:6}"
exit 0
