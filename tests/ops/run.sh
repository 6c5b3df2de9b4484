#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Running memtrail for real: make install / uninstall into a DESTDIR and the
# installed programs at work, the systemd units (systemd-analyze verify), the
# cron file (crontab -n), the man pages (groff -ww), and the daily
# maintenance on archives dated in the past (faketime): retention,
# compression that reports exactly as before, interrupted compressions.
# Prints "ok - NAME" / "not ok - NAME" / "skip - NAME (why)".
set -u
. "$(dirname "$0")/../lib.sh"
WORK=$(mktemp -d /tmp/memtrail-ops.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK" || exit 2

at() { LD_PRELOAD=$FAKETIME_LIB FAKETIME="@$AT" FAKETIME_DONT_RESET=1 TZ=UTC "$@"; }

# --- make install / uninstall into a DESTDIR, and the installed programs at work
D=$WORK/dest
make -s -C "$ROOT" install DESTDIR="$D" PREFIX=/usr > install.log 2>&1; rc=$?
want="etc/cron.d/memtrail etc/default/memtrail usr/bin/memreport usr/lib/systemd/system/memtrail-maintain.service usr/lib/systemd/system/memtrail-maintain.timer usr/lib/systemd/system/memtrail-watch.service usr/lib/systemd/system/memtrail.service usr/lib/systemd/system/memtrail.timer usr/sbin/memcollect usr/share/bash-completion/completions/memcollect usr/share/bash-completion/completions/memreport usr/share/man/man1/memreport.1 usr/share/man/man8/memcollect.8"
got=$(cd "$D" && find . -type f -o -type l | sed 's|^\./||' | sort | tr '\n' ' ')
check "make install DESTDIR PREFIX=/usr installs every file" \
    $([ $rc -eq 0 ] && [ "$got" = "$want " ]; echo $?) "rc=$rc" "got: $got" "$(tail -5 install.log)"
grep -q "^ExecStart=/usr/sbin/memcollect " "$D/usr/lib/systemd/system/memtrail.service" &&
    grep -q " /usr/sbin/memcollect " "$D/etc/cron.d/memtrail" &&
    grep -q "EnvironmentFile=-/etc/default/memtrail" "$D/usr/lib/systemd/system/memtrail.service"
check "installed units and cron file name the installed paths" $? "$(grep -h 'memcollect' "$D/usr/lib/systemd/system/memtrail.service")"
"$D/usr/sbin/memcollect" 1 2 installed/ >/dev/null 2>err && "$D/usr/bin/memreport" -r -S -f installed > out 2>>err
check "the installed programs collect and report" \
    $([ $? -eq 0 ] && grep -q '^Average:' out && [ "$(grep -c kbmemfree out)" = 1 ]; echo $?) "$(cat err out)"
echo "# changed" >> "$D/etc/default/memtrail"
make -s -C "$ROOT" uninstall DESTDIR="$D" PREFIX=/usr > /dev/null 2>&1
left=$(cd "$D" && find . -type f -o -type l | sed 's|^\./||' | tr '\n' ' ')
check "make uninstall removes everything but a changed settings file" \
    $([ "$left" = "etc/default/memtrail " ]; echo $?) "left: $left"

# --- the units, verified as installed under a prefix of their own
P=$WORK/prefix
make -s -C "$ROOT" install PREFIX="$P" > /dev/null 2>&1
if have systemd-analyze; then
    out=$(systemd-analyze verify --man=no "$P"/lib/systemd/system/memtrail*.service \
          "$P"/lib/systemd/system/memtrail*.timer 2>&1); rc=$?
    check "systemd-analyze verify accepts the units" $([ $rc -eq 0 ] && [ -z "$out" ]; echo $?) "rc=$rc" "$out"
    grep -q '^AccuracySec=1s' "$P/lib/systemd/system/memtrail.timer" &&
        grep -q '^OnCalendar=\*-\*-\* \*:\*:00' "$P/lib/systemd/system/memtrail.timer" &&
        grep -q '^NoNewPrivileges=yes' "$P/lib/systemd/system/memtrail.service" &&
        grep -q '^ProtectSystem=strict' "$P/lib/systemd/system/memtrail.service"
    check "timer every minute with AccuracySec=1s, service hardened" $?
else
    echo "skip - systemd-analyze verify (systemd not installed)"
fi

# --- the cron file: crontab -n checks a user crontab, so drop the user field
if have crontab; then
    to_user() { sed -E 's/^(([^ #=]+ +){5})root /\1/' "$1"; }
    to_user "$P/etc/cron.d/memtrail" > cron.user
    out=$(crontab -n cron.user 2>&1); rc=$?
    lines=$(grep -c ' root ' "$P/etc/cron.d/memtrail")
    { cat cron.user; echo "61 * * * * broken"; } > cron.bad
    crontab -n cron.bad > /dev/null 2>&1; bad=$?
    check "the cron file parses (and a broken one would not)" \
        $([ $rc -eq 0 ] && [ "$lines" = 3 ] && [ $bad -ne 0 ]; echo $?) "rc=$rc bad=$bad lines=$lines" "$out"
    # does nothing where the systemd timer is active: the guard is there, and
    # without systemd the guarded command runs (systemctl fails)
    grep -q '! systemctl -q is-active memtrail.timer' "$P/etc/cron.d/memtrail"
    check "the cron file stands down where memtrail.timer is active" $?
else
    echo "skip - cron file (cron not installed)"
fi

# --- man pages
if have groff; then
    out=$(for m in "$ROOT"/man/*.[18]; do LC_ALL=C groff -ww -man -Tutf8 -z "$m" 2>&1; done)
    check "the man pages render without warnings (groff -ww -man)" $([ -z "$out" ]; echo $?) "$out"
else
    echo "skip - man pages (groff not installed)"
fi

# --- daily files, retention and compression, on days in the past
if [ -z "$FAKETIME_LIB" ]; then
    echo "skip - retention and compression (faketime missing)"
    exit 0
fi
for d in 01 05 08 09 10 11; do
    for t in 12:00:00 12:01:00 12:02:00; do
        AT="2026-11-$d $t"; at "$MC" --no-procs --no-numa days/ 2>>err
    done
done
before=$(TZ=UTC LC_ALL=C "$MR" -r -S -f days/memtrail-20261109.db)
AT="2026-11-11 00:10:00"; at "$MC" --maintain --keep-days 5 --compress-after 2 -D days 2>err; rc=$?
files=$(ls days | tr '\n' ' ')
check "--maintain deletes days past --keep-days and compresses those past --compress-after" \
    $([ $rc -eq 0 ] && [ "$files" = "memtrail-20261108.db.gz memtrail-20261109.db.gz memtrail-20261110.db memtrail-20261111.db " ]; echo $?) \
    "rc=$rc files: $files" "$(cat err)"
after=$(TZ=UTC LC_ALL=C "$MR" -r -S -f days/memtrail-20261109.db.gz)
check "a compressed day reports exactly as it did before compression" \
    $([ -n "$before" ] && [ "$before" = "$after" ]; echo $?) "$(diff <(echo "$before") <(echo "$after") | head)"
[ "$(stat -c %a days/memtrail-20261109.db.gz)" = 640 ]
check "a compressed day keeps the archive's mode (0640)" $? "$(stat -c %a days/memtrail-20261109.db.gz)"

# an interrupted compression: a stale temporary file, then a crash between
# the rename and the removal of the original (both files present)
cp days/memtrail-20261110.db days/keep.db
head -c 1000 /dev/urandom > days/memtrail-20261110.db.gz.tmp
AT="2026-11-13 00:10:00"; at "$MC" --maintain --keep-days 30 --compress-after 2 -D days 2>err; rc=$?
check "a stale temporary file of an interrupted compression is replaced" \
    $([ $rc -eq 0 ] && [ ! -e days/memtrail-20261110.db.gz.tmp ] && [ -e days/memtrail-20261110.db.gz ] && [ ! -e days/memtrail-20261110.db ]; echo $?) \
    "rc=$rc $(ls days | tr '\n' ' ')" "$(cat err)"
gunzip -c days/memtrail-20261110.db.gz > days/memtrail-20261110.db   # the original, still there
want=$(TZ=UTC LC_ALL=C "$MR" -r -f days/keep.db)
got=$(TZ=UTC LC_ALL=C "$MR" -r -f days/memtrail-20261110.db)
AT="2026-11-13 00:10:00"; at "$MC" --maintain --keep-days 30 --compress-after 2 -D days 2>err; rc=$?
got2=$(TZ=UTC LC_ALL=C "$MR" -r -f days/memtrail-20261110.db.gz)
check "a crash between rename and removal leaves a readable day, cleaned up next time" \
    $([ $rc -eq 0 ] && [ "$want" = "$got" ] && [ "$want" = "$got2" ] && [ ! -e days/memtrail-20261110.db ]; echo $?) \
    "rc=$rc $(ls days | tr '\n' ' ')" "$(cat err)"
rm -f days/keep.db

# midnight: a day's report shows its 00:00:00 sample, against the day
# before's last sample; -1 with -f DIR; --since/--until; a compressed day
# read from the directory like a plain one
for t in "2026-11-20 23:58:00" "2026-11-20 23:59:00" "2026-11-21 00:00:00" "2026-11-21 00:01:00"; do
    AT=$t; at "$MC" --no-procs --no-numa mid/ 2>>err
done
AT="2026-11-21 12:00:00"; out=$(LC_ALL=C at "$MR" -r -f mid)
check "a day's report starts at 00:00:00, the day before's last sample its reference" \
    $(echo "$out" | sed -n 3p | grep -q '^23:59:00 ' && echo "$out" | sed -n 4p | grep -q '^00:00:00 ' &&
      echo "$out" | head -1 | grep -q '11/21/26'; echo $?) "$out"
AT="2026-11-22 12:00:00"; out1=$(LC_ALL=C at "$MR" -r -f mid -1)
check "-f DIR -1 reads yesterday's file" $([ "$out1" = "$out" ]; echo $?) "$out1"
out2=$(LC_ALL=C TZ=UTC "$MR" -r -f mid --since '2026-11-20 23:58' --until 2026-11-21T00:01:00)
check "--since and --until span the daily files as one series" \
    $([ "$(echo "$out2" | grep -cE '^(23:59|00:00|00:01):00 +[0-9]')" = 3 ] && [ "$(echo "$out2" | grep -c '^Average:')" = 1 ]; echo $?) "$out2"
gzip mid/memtrail-20261120.db
AT="2026-11-21 12:00:00"; out3=$(LC_ALL=C at "$MR" -r -f mid)
out4=$(LC_ALL=C TZ=UTC "$MR" -r -f mid --since '2026-11-20 23:58' --until 2026-11-21T00:01:00)
check "compressed and plain days mixed read as before" \
    $([ "$out3" = "$out" ] && [ "$out4" = "$out2" ]; echo $?) "$out3" "$out4"

# a week of one-minute samples in one command: seven daily files made fast
# from one real sample (the report is what is tested here, not the collector)
AT="2026-11-01 00:00:00"; at "$MC" --no-procs --no-numa seed.db 2>>err
cols=$(sqlite3 seed.db "SELECT group_concat('\"' || col || '\"', ',') FROM field WHERE source != 'node'")
mkdir -p week
for d in 1 2 3 4 5 6 7; do
    f=week/memtrail-2026110$d.db
    cp seed.db "$f"
    sqlite3 "$f" "ATTACH 'seed.db' AS seed; DELETE FROM sample; WITH RECURSIVE m(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM m WHERE i < 1439)
      INSERT INTO sample SELECT s.ts + ($d - 1) * 86400 + 60 * i, s.boot_no, s.uptime_cs + (($d - 1) * 1440 + i) * 6000,
      s.utc_offset, $cols FROM seed.sample s, m;"
done
start=$(date +%s%N)
TZ=UTC LC_ALL=C "$MR" -r -S -W -f week --since '2026-11-01 00:00' --until '2026-11-07 23:59:00' > week.out 2>err; rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
rows=$(grep -c '^[0-9][0-9]:[0-9][0-9]:[0-9][0-9] *[0-9]' week.out)
check "a week of one-minute samples (10,080) in one command, one Average per block (${ms} ms)" \
    $([ $rc -eq 0 ] && [ "$rows" = $((3 * 10079)) ] && [ "$(grep -c '^Average:' week.out)" = 3 ]; echo $?) \
    "rc=$rc rows=$rows" "$(head -5 week.out)" "$(cat err)"

# the size cap: the oldest days go first, today's never
AT="2026-11-13 00:10:00"; at "$MC" --maintain --keep-days 30 --compress-after 0 --max-size 0 -D days 2>/dev/null
total=$(du -cb days/memtrail-* | tail -1 | cut -f1)
AT="2026-11-11 12:05:00"; at "$MC" --no-procs --no-numa days/ 2>/dev/null   # today in the next step
newest=$(ls days | tail -1)
AT="2026-11-11 23:00:00"; at "$MC" --maintain --keep-days 0 --compress-after 0 --max-size 0 -D days 2>/dev/null
cap_bytes=$(( 1024 * 1024 ))
if [ "$total" -gt $cap_bytes ]; then
    echo "skip - size cap (the test days are larger than 1 MB)"
else
    # make the directory exceed 1 MB with an old, large day
    head -c $((cap_bytes + 1)) /dev/zero > big && cp days/memtrail-20261108.db.gz days/memtrail-20261101.db.gz
    cat big >> days/memtrail-20261101.db.gz
    AT="2026-11-11 23:00:00"; at "$MC" --maintain --keep-days 0 --compress-after 0 --max-size 1 -D days 2>err; rc=$?
    check "--max-size deletes the oldest days first and keeps today's" \
        $([ ! -e days/memtrail-20261101.db.gz ] && [ -e "days/$newest" ] && [ -e days/memtrail-20261108.db.gz ]; echo $?) \
        "rc=$rc $(ls -l days)" "$(cat err)"
fi
# --- the loop: a sample late enough to land in the second of the one before
# must not be lost (the archive keeps one sample a second).  Stopped from
# 0.5 s to 2.9 s, the loop takes its second and third samples back to back.
memcollect_stopped() {
    "$MC" --no-procs --no-numa 1 3 late.db > /dev/null 2> err &
    local mc=$!
    sleep 0.5; kill -STOP $mc; sleep 2.4; kill -CONT $mc
    wait $mc
}
if have sqlite3; then
    memcollect_stopped; rc=$?
    n=$(sqlite3 late.db 'SELECT count(DISTINCT ts) FROM sample' 2>&1)
    check "memcollect 1 3 stores 3 samples when one is late (the next waits for a second of its own)" \
        $([ $rc -eq 0 ] && [ "$n" = 3 ]; echo $?) "rc=$rc samples=$n" "$(cat err)"
else
    skip "the loop's late samples (sqlite3 missing)"
fi
exit 0
