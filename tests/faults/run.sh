#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Fault injection, as SQLite tests itself: build/inject.so (tests/faults/inject.c,
# LD_PRELOAD) makes the Nth write, pwrite, fsync, fdatasync, rename, renameat,
# unlink or unlinkat of memcollect fail with EIO, then ENOSPC, for every N
# along one sample, one --maintain compression, one --maintain merge of a
# day's .db into its .db.gz, and one --maintain of a day left with a hot
# journal (rolled back, then compressed).  For each N:
#   - memcollect's exit status is non-zero exactly when the sample was not
#     stored (--maintain: zero exactly when the day ended in one .db.gz);
#   - every sample acknowledged before (and the new one when it was) is read
#     by memreport, as root and as a member of the reading group, before any
#     later collector runs.
# The calls are counted in one run first, then N runs over them (and one
# past the end, where nothing fails).  Prints "ok - NAME" / "not ok - NAME".
set -u
. "$(dirname "$0")/../lib.sh"
SHIM=$ROOT/build/inject.so
if [ "$(id -u)" != 0 ]; then
    echo "skip - fault injection (needs root: a reading group and its member)"
    exit 0
fi
if [ ! -f "$SHIM" ] || [ -z "$FAKETIME_LIB" ]; then
    echo "skip - fault injection (build/inject.so not built, or faketime missing)"
    exit 0
fi
# tmpfs when there is one: the loops sync hundreds of times, and what they
# test is the failures, not the disk
WORK=$(mktemp -d -p "$([ -w /dev/shm ] && echo /dev/shm || echo /tmp)" memtrail-faults.XXXXXX)
chmod 755 "$WORK"
TAG=mtf$$$RANDOM
GRP=${TAG}g MEMBER=${TAG}m
cleanup() {
    userdel "$MEMBER" >/dev/null 2>&1
    groupdel "$GRP" >/dev/null 2>&1
    rm -rf "$WORK"
}
trap cleanup EXIT
cd "$WORK" || exit 2
groupadd "$GRP" && useradd -M -N -g "$GRP" -s /usr/sbin/nologin "$MEMBER"
check "test group and member created ($GRP, $MEMBER)" $?

# at TIME CMD...: CMD with the wall clock at TIME (UTC); the shim loaded when
# MEMTRAIL_FAULT or MEMTRAIL_FAULT_COUNT is set
at() {
    local when=$1
    shift
    LD_PRELOAD="$FAKETIME_LIB $SHIM" FAKETIME="@$when" FAKETIME_DONT_RESET=1 TZ=UTC "$@"
}
# the samples memreport reads in DIR as user WHO, or "error: why"
readable() {
    local dir=$1 who=$2 out
    out=$(setpriv --reuid "$who" --regid "$(id -g "$who")" --init-groups \
          env TZ=UTC "$MR" --summary=day --format=csv -f "$dir" 2>&1) ||
        { echo "error: $(printf '%s' "$out" | head -2 | tr '\n' ' ')"; return; }
    printf '%s\n' "$out" | awk -F, '$5 == "kbavail" { n += $7 } END { print n + 0 }'
}
# the counts the shim wrote: "kind count" lines
count_of() { awk -v k="$1" '$1 == k { print $2 }' "$2"; }
KINDS="write pwrite fsync fdatasync rename renameat unlink unlinkat"

# ---- one sample, appended to an existing day file
D=$WORK/day
at "2026-11-20 09:00:00" "$MC" --group "$GRP" "$D/" 2>err
check "the first sample of the day is stored" $?  "$(cat err)"
at "2026-11-20 09:01:00" env MEMTRAIL_FAULT_COUNT="$WORK/counts" "$MC" --group "$GRP" "$D/" 2>err
check "a sample with the shim loaded, nothing failing, is stored and its calls counted" \
    $([ $? -eq 0 ] && [ -s counts ]; echo $?) "$(cat err)"
stored=$(readable "$D" root)
minute=2
for kind in $KINDS; do
    total=$(count_of "$kind" counts)
    [ "${total:-0}" -gt 0 ] || continue
    for errno in EIO ENOSPC; do
        bad=() tried=0
        for n in $(seq 1 $((total + 1))); do
            when=$(printf '2026-11-20 %02d:%02d:00' $((9 + minute / 60)) $((minute % 60)))
            minute=$((minute + 1))
            at "$when" env MEMTRAIL_FAULT="$kind:$n:$errno" "$MC" --group "$GRP" "$D/" 2>err; rc=$?
            tried=$((tried + 1))
            want=$stored
            [ $rc -eq 0 ] && want=$((stored + 1))
            as_root=$(readable "$D" root) as_member=$(readable "$D" "$MEMBER")
            if [ "$as_root" != "$want" ] || [ "$as_member" != "$want" ] ||
               { [ $rc -ne 0 ] && [ $rc -ne 2 ] && [ $rc -ne 3 ]; } ||
               { [ $rc -ne 0 ] && ! grep -q '^memcollect: ' err; }; then
                bad+=("call $n: exit $rc, samples want $want, root read $as_root, member read $as_member;" \
                      "  $(head -2 err | tr '\n' ' ')")
            fi
            stored=$want
        done
        check "the Nth $kind fails with $errno, N = 1..$((total + 1)): exit status non-zero exactly when not stored, every acknowledged sample read by root and the group" \
            ${#bad[@]} "${bad[@]}"
    done
done

# ---- the first sample of a day, which creates the day file: each N in a fresh
# copy of a directory that holds the day before (one sample), so a day file
# that a failed first sample leaves behind cannot hide that day
at "2026-11-21 09:00:00" "$MC" --no-procs --group "$GRP" "$WORK/seed/" 2>err
rm -rf next && cp -a seed next
at "2026-11-22 09:00:00" env MEMTRAIL_FAULT_COUNT="$WORK/ncounts" "$MC" --no-procs --group "$GRP" next/ 2>>err
check "a new day's first sample with the shim loaded, nothing failing, is stored" \
    $([ $? -eq 0 ] && [ "$(readable next root)" = 2 ]; echo $?) "$(cat err)"
for kind in $KINDS; do
    total=$(count_of "$kind" ncounts)
    [ "${total:-0}" -gt 0 ] || continue
    for errno in EIO ENOSPC; do
        bad=()
        for n in $(seq 1 $((total + 1))); do
            rm -rf next && cp -a seed next
            at "2026-11-22 09:00:00" env MEMTRAIL_FAULT="$kind:$n:$errno" "$MC" --no-procs --group "$GRP" next/ 2>err; rc=$?
            want=1
            [ $rc -eq 0 ] && want=2
            as_root=$(readable next root) as_member=$(readable next "$MEMBER")
            if [ "$as_root" != "$want" ] || [ "$as_member" != "$want" ] ||
               { [ $rc -ne 0 ] && ! grep -q '^memcollect: ' err; }; then
                bad+=("call $n: exit $rc, samples want $want, root read $as_root, member read $as_member;" \
                      "  $(head -2 err | tr '\n' ' ') files: $(ls next | tr '\n' ' ')")
            fi
        done
        check "a new day file: the Nth $kind fails with $errno, N = 1..$((total + 1)): exit status non-zero exactly when not stored, the day before read by root and the group" \
            ${#bad[@]} "${bad[@]}"
    done
done

# ---- one --maintain compression of a finished day
M=$WORK/pristine
for minute in 0 1 2; do
    at "2026-11-01 10:0$minute:00" "$MC" --no-procs --group "$GRP" "$M/" 2>>err
done
day=memtrail-20261101.db
days_read=$(readable "$M" root)
check "a finished day of 3 samples to compress" $([ "$days_read" = 3 ]; echo $?) "read $days_read $(cat err)"
maintain() { at "2026-11-20 00:10:00" "$MC" --maintain --keep-days 0 --compress-after 2 -D "$1"; }
# maintain_faults PRISTINE SAMPLES WHAT: --maintain of a copy of PRISTINE, with
# each call failing in turn, ends with the day in one .db.gz exactly when it
# exits 0, and its SAMPLES read by root and the group every time
maintain_faults() {
    local pristine=$1 samples=$2 what=$3 kind errno n rc done_ as_root as_member total bad
    rm -rf run mcounts && cp -a "$pristine" run
    MEMTRAIL_FAULT_COUNT=$WORK/mcounts maintain run 2>err
    check "--maintain with the shim loaded, nothing failing, $what" \
        $([ $? -eq 0 ] && [ -f "run/$day.gz" ] && [ ! -e "run/$day" ] && [ ! -e "run/$day-journal" ] &&
          [ "$(readable run root)" = "$samples" ]; echo $?) "$(ls run) $(cat err)"
    for kind in $KINDS; do
        total=$(count_of "$kind" mcounts)
        [ "${total:-0}" -gt 0 ] || continue
        for errno in EIO ENOSPC; do
            bad=()
            for n in $(seq 1 $((total + 1))); do
                rm -rf run && cp -a "$pristine" run
                MEMTRAIL_FAULT="$kind:$n:$errno" maintain run 2>err; rc=$?
                done_=1
                [ -f "run/$day.gz" ] && [ ! -e "run/$day" ] && [ ! -e "run/$day-journal" ] || done_=0
                as_root=$(readable run root) as_member=$(readable run "$MEMBER")
                if [ "$as_root" != "$samples" ] || [ "$as_member" != "$samples" ] ||
                   { [ $rc -eq 0 ] && [ $done_ = 0 ]; } || { [ $rc -ne 0 ] && [ $done_ = 1 ]; } ||
                   { [ $rc -ne 0 ] && ! grep -q '^memcollect: ' err; }; then
                    bad+=("call $n: exit $rc, done $done_, root read $as_root, member read $as_member," \
                          "files: $(ls run | tr '\n' ' ')  $(head -2 err | tr '\n' ' ')")
                fi
            done
            check "--maintain ($what): the Nth $kind fails with $errno, N = 1..$((total + 1)): exit 0 exactly when done, the day read whole by root and the group" \
                ${#bad[@]} "${bad[@]}"
        done
    done
}
maintain_faults "$M" 3 "compresses the day"

# ---- one --maintain merge: a .db of the day beside its .db.gz (a clock
# stepped back into it), merged into a new .db.gz
M2=$WORK/pristine2
cp -a "$M" "$M2"
maintain "$M2" 2>>err
at "2026-11-01 10:05:00" "$MC" --no-procs --group "$GRP" "$M2/" 2>>err
check "a day in a .db.gz of 3 samples and a .db of 1 to merge" \
    $([ "$(ls "$M2" | tr '\n' ' ')" = "$day $day.gz " ] && [ "$(readable "$M2" root)" = 4 ]; echo $?) \
    "$(ls "$M2") $(cat err)"
maintain_faults "$M2" 4 "merges the day"

# ---- one --maintain of a day left with a hot journal (a collector killed
# mid-sample): rolled back for good, then compressed
if ! have sqlite3; then
    skip "--maintain of a day left with a hot journal (sqlite3 missing)"
    exit 0
fi
M3=$WORK/pristine3
cp -a "$M" "$M3"
F=$M3/$day
cols=$(sqlite3 "$F" "SELECT group_concat('\"' || col || '\"', ',') FROM field WHERE source != 'node'")
sqlite3 "$F" "WITH RECURSIVE m(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM m WHERE i < 300)
  INSERT INTO sample SELECT s.ts + 20 * i, s.boot_no, s.uptime_cs + 2000 * i, s.utc_offset, $cols
  FROM sample s, m WHERE s.ts = (SELECT max(ts) FROM sample)"
# the sqlite3 shell killed after its UPDATE has spilled pages into the file
(printf 'PRAGMA cache_size=2;\nBEGIN;\nUPDATE sample SET MemFree = MemFree + 1;\n.system kill -9 $PPID\n' |
    sqlite3 "$F" >/dev/null 2>&1; :) 2>/dev/null
check "a finished day of 303 samples left with a hot journal" \
    $([ -s "$F-journal" ] && [ "$(readable "$M3" root)" = 303 ]; echo $?) "$(ls -l "$M3")"
maintain_faults "$M3" 303 "rolls a hot journal back, then compresses the day"
