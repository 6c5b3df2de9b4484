#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Where the three parts of issue 9 meet (an audit after their merge):
#   - a day held in a .db and a .db.gz whose samples interleave in time (a
#     clock step back into a compressed day, a restored file), with a process
#     that exec'd between them: each sample keeps the name it had, in the
#     union a reader builds and in the .db.gz that --maintain merges;
#   - --maintain with MEMTRAIL_GROUP on a merged day: the new .db.gz is the
#     group's, 0640, and a member reads every day afterwards;
#   - memreport --verify accepts what the writer and the readers build (a day
#     with a hot journal, a union day, a .db.gz), as a group member who
#     cannot write, and writes nothing.
# Prints "ok - NAME" / "not ok - NAME" / "skip - NAME (why)".
set -u
. "$(dirname "$0")/../lib.sh"
export TZ=UTC LC_ALL=C
if [ -z "$FAKETIME_LIB" ] || ! have sqlite3; then
    echo "skip - audit9 suite (faketime or sqlite3 missing)"
    exit 0
fi
WORK=$(mktemp -d /tmp/memtrail-audit9.XXXXXX)
chmod 0711 "$WORK"
cleanup() {
    [ -n "${WRAP_PID:-}" ] && kill "$WRAP_PID" 2>/dev/null
    reader_remove
    rm -rf "$WORK"
}
trap cleanup EXIT
cd "$WORK" || exit 2
at() { LD_PRELOAD=$FAKETIME_LIB FAKETIME="@$AT" FAKETIME_DONT_RESET=1 "$@"; }
reader_create mta || exit 2

# ---- 1. names over time in a union and a merge
# A wrapper (bash) that execs a copy of sleep with a name of its own:
# exec keeps the pid and the start time, so one identity, two names.
NEW=a9x$$
cp "$(command -v sleep)" "$WORK/$NEW"
mkfifo go
bash -c "read -r _ < $WORK/go; exec $WORK/$NEW 600" &
WRAP_PID=$!
for i in $(seq 50); do [ "$(cat /proc/$WRAP_PID/comm 2>/dev/null)" = bash ] && break; sleep 0.1; done
sample() { AT="2026-11-05 $2"; at "$MC" --no-numa "$1/" 2>>err; }
mkdir -m 0750 m1 m1b m2 m2b
# m1: a .db.gz of 12:00 and 12:10 beside a .db of 12:05; m2: a .db.gz of
# 12:05 and 12:10 beside a .db of 12:00.  The .db comes back (restored)
# after the day was compressed; the samples are taken in their time order,
# so that uptime grows with the time as it does without a clock step.
sample m1 12:00:00 && sample m2b 12:00:00 || { not_ok "samples before the exec" "$(cat err)"; exit 0; }
echo go > go
for i in $(seq 50); do [ "$(cat /proc/$WRAP_PID/comm 2>/dev/null)" = "$NEW" ] && break; sleep 0.1; done
[ "$(cat /proc/$WRAP_PID/comm)" = "$NEW" ] || { not_ok "the wrapper exec'd" "$(cat /proc/$WRAP_PID/comm)"; exit 0; }
sample m1b 12:05:00 && sample m2 12:05:00 && sample m1 12:10:00 && sample m2 12:10:00 ||
    { not_ok "samples after the exec" "$(cat err)"; exit 0; }
for d in m1 m2; do
    AT="2026-11-08 00:10:00"; at "$MC" --maintain --compress-after 1 -D $d 2>>err
done
cp m1b/memtrail-20261105.db m1/
cp m2b/memtrail-20261105.db m2/
# names_of DIR: "HH:MM:SS=NAME" of the wrapper at each sample (--at)
names_of() {
    local t
    for t in 12:00:00 12:05:00 12:10:00; do
        "$MR" --at "2026-11-05T$t" --pid $WRAP_PID -f "$1" 2>&1 |
            awk -v pid=$WRAP_PID '$3 == pid && $1 ~ /^12:/ { printf "%s=%s ", $1, $NF }'
    done
}
want="12:00:00=bash 12:05:00=$NEW 12:10:00=$NEW "
for d in m1 m2; do
    what="the .gz's samples around the .db's"
    [ $d = m2 ] && what="the .db's sample before the .gz's"
    before=$(names_of $d)
    check "a union day ($what): each sample shows the name it had" \
        $([ "$before" = "$want" ]; echo $?) "files: $(ls $d | tr '\n' ' ')" "want: $want" "got:  $before"
    AT="2026-11-08 00:10:00"; at "$MC" --maintain --compress-after 1 -D $d 2>err; rc=$?
    after=$(names_of $d)
    check "--maintain merging a day ($what) keeps each sample's name" \
        $([ $rc -eq 0 ] && [ "$(ls $d)" = memtrail-20261105.db.gz ] && [ "$after" = "$want" ]; echo $?) \
        "rc=$rc files: $(ls $d | tr '\n' ' ')" "$(cat err)" "want: $want" "got:  $after"
done
kill "$WRAP_PID" 2>/dev/null
WRAP_PID=

# ---- 2. --maintain merging a day in a directory shared with a group
# Set up with MEMTRAIL_GROUP; the maintain that merges runs without it (a
# timer's environment may lack it): the setgid directory gives the group.
sums() { sha256sum "$1"/* | sort; }
AT="2026-11-05 12:00:00"; MEMTRAIL_GROUP=$RGROUP at "$MC" --no-numa g/ 2>err
AT="2026-11-06 12:00:00"; MEMTRAIL_GROUP=$RGROUP at "$MC" --no-numa g/ 2>>err
AT="2026-11-08 00:10:00"; MEMTRAIL_GROUP=$RGROUP at "$MC" --maintain --compress-after 1 -D g 2>>err
AT="2026-11-05 12:05:00"; MEMTRAIL_GROUP=$RGROUP at "$MC" --no-numa g/ 2>>err
files=$(ls g | tr '\n' ' ')
AT="2026-11-08 00:10:00"; at "$MC" --maintain --compress-after 1 -D g 2>>err; rc=$?
modes=$(stat -c '%n %a %G' g g/* | tr '\n' ';')
check "--maintain merging a day of a shared directory: the new .db.gz is the group's, 0640" \
    $([ $rc -eq 0 ] && [ "$files" = "memtrail-20261105.db memtrail-20261105.db.gz memtrail-20261106.db.gz " ] &&
      [ "$modes" = "g 2750 $RGROUP;g/memtrail-20261105.db.gz 640 $RGROUP;g/memtrail-20261106.db.gz 640 $RGROUP;" ]; echo $?) \
    "rc=$rc before: $files" "after: $modes" "$(cat err)"
got=$(as_reader "$MR" --format=csv-long -f g --since 2026-11-05T11:00 --until 2026-11-06T13:00 2>&1); rc=$?
stamps=$(echo "$got" | grep ',meminfo.MemFree,' | cut -d, -f1 | sort | tr '\n' ' ')
check "a group member reads every day after the merge, the merged one whole" \
    $([ $rc -eq 0 ] && [ "$stamps" = "2026-11-05T12:00:00+00:00 2026-11-05T12:05:00+00:00 2026-11-06T12:00:00+00:00 " ]; echo $?) \
    "rc=$rc MemFree at: $stamps" "$(echo "$got" | head -5)"

# A directory shared by hand, as for sysstat (chgrp -R, no setgid bit): the
# files --maintain writes get the group of the day they replace
mkdir -m 0750 h
for t in "2026-11-05 12:00:00" "2026-11-06 12:00:00"; do AT=$t; at "$MC" --no-numa h/ 2>>err; done
chgrp -R "$RGROUP" h && chmod 0640 h/*
AT="2026-11-08 00:10:00"; at "$MC" --maintain --compress-after 2 -D h 2>>err
AT="2026-11-06 12:05:00"; at "$MC" --no-numa h/ 2>>err
chgrp "$RGROUP" h/memtrail-20261106.db
AT="2026-11-09 00:10:00"; at "$MC" --maintain --compress-after 1 -D h 2>err; rc=$?
modes=$(stat -c '%n %a %G' h/* | tr '\n' ';')
got=$(as_reader "$MR" --format=csv-long -f h --since 2026-11-05T11:00 --until 2026-11-06T13:00 2>&1)
stamps=$(echo "$got" | grep ',meminfo.MemFree,' | cut -d, -f1 | sort | tr '\n' ' ')
check "a directory shared by hand (no setgid): compressed and merged days keep their group, a member reads them" \
    $([ $rc -eq 0 ] && [ "$modes" = "h/memtrail-20261105.db.gz 640 $RGROUP;h/memtrail-20261106.db.gz 640 $RGROUP;" ] &&
      [ "$stamps" = "2026-11-05T12:00:00+00:00 2026-11-06T12:00:00+00:00 2026-11-06T12:05:00+00:00 " ]; echo $?) \
    "rc=$rc $modes" "MemFree at: $stamps" "$(cat err)" "$(echo "$got" | head -3)"

# ---- 3. --verify on what the readers build in memory, as a group member
# a hot journal: the sqlite3 shell killed inside a transaction that spilled
mkdir -m 0750 v
AT="2026-11-05 12:00:00"; at "$MC" --no-numa v/ 2>err
F=v/memtrail-20261105.db
cols=$(sqlite3 $F "SELECT group_concat('\"' || col || '\"', ',') FROM field WHERE source != 'node'")
sqlite3 $F "WITH RECURSIVE m(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM m WHERE i < 300)
  INSERT INTO sample SELECT s.ts + 20 * i, s.boot_no, s.uptime_cs + 2000 * i, s.utc_offset, $cols
  FROM sample s, m"
(printf 'PRAGMA cache_size=2;\nBEGIN;\nUPDATE sample SET MemFree = MemFree + 1;\n.system kill -9 $PPID\n' |
    sqlite3 $F >/dev/null 2>&1; :) 2>/dev/null
# a union day, and a .db.gz
cp -r g u && rm u/memtrail-20261106.db.gz && gunzip -c u/memtrail-20261105.db.gz > u/memtrail-20261105.db
AT="2026-11-05 12:07:00"; at "$MC" --no-numa u/ 2>>err
chgrp -R "$RGROUP" v u && chmod 0640 v/* u/* && chmod 0750 v u
before=$(sums v; sums u)
hot=$([ -s $F-journal ] && echo yes)
out=$(as_reader "$MR" --verify -f $F 2>&1); rc=$?
check "--verify of a day with a hot journal, as a group member: its committed state is sound" \
    $([ "$hot" = yes ] && [ $rc -eq 0 ]; echo $?) "hot journal: ${hot:-no}; rc=$rc" "$out"
out=$(as_reader "$MR" --verify -f u 2>&1); rc=$?
check "--verify of a directory with a union day (.db beside .db.gz), as a group member" \
    $([ $rc -eq 0 ] && [ "$(echo "$out" | grep -c ': ok$')" -ge 2 ]; echo $?) "rc=$rc" "$out"
out=$(as_reader "$MR" --verify -f g/memtrail-20261105.db.gz 2>&1); rc=$?
check "--verify of a merged .db.gz, as a group member" $([ $rc -eq 0 ]; echo $?) "rc=$rc" "$out"
# every table the writer makes (proc, proc_name, proc_sample, numa, swap)
mkdir -m 0750 n
for t in 12:00:00 12:01:00; do AT="2026-11-05 $t"; at "$MC" n/ 2>>err; done
chgrp -R "$RGROUP" n && chmod 0640 n/*
tables=$(sqlite3 n/memtrail-20261105.db "SELECT group_concat(name, ' ') FROM
  (SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name)")
out=$(as_reader "$MR" --verify -f n 2>&1); rc=$?
check "--verify of a real day with every part (processes, names, NUMA, swap), as a group member" \
    $([ $rc -eq 0 ] && echo "$out" | grep -q ': ok$'; echo $?) "rc=$rc tables: $tables" "$out" "$(cat err)"
check "--verify wrote nothing (files and journal unchanged)" \
    $([ "$before" = "$(sums v; sums u)" ]; echo $?) "$(diff <(echo "$before") <(sums v; sums u))"

exit 0
