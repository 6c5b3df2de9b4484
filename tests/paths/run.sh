#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Paths and permissions (issue 9 part 5), as root: memcollect and
# --maintain never work through a symbolic link, in the last component
# (with or without a trailing slash) or in any parent; refusals name the real
# cause; a reading group (MEMTRAIL_GROUP) gives its members every day and
# nobody else; memreport says "Permission denied" for a file it cannot read;
# the collector lowers its own OOM score and stores a sample under an 8 MB
# memory limit.  Prints "ok - NAME" / "not ok - NAME" / "skip - NAME (why)".
set -u
. "$(dirname "$0")/../lib.sh"
if [ "$(id -u)" != 0 ]; then
    echo "skip - paths and permissions (need root)"
    exit 0
fi
WORK=$(mktemp -d /tmp/memtrail-paths.XXXXXX)
chmod 755 "$WORK"
# Unique names: other engineers' suites run at the same time.
TAG=mtp$$$RANDOM
GRP=${TAG}g OTHER=${TAG}o MEMBER=${TAG}m
CGROUP=
cleanup() {
    userdel "$MEMBER" >/dev/null 2>&1
    userdel "$OTHER" >/dev/null 2>&1
    groupdel "$GRP" >/dev/null 2>&1
    [ -n "$CGROUP" ] && rmdir "$CGROUP" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT
cd "$WORK" || exit 2
day=$(date +%Y%m%d)
empty() { [ -z "$(ls -A "$1")" ]; }

# --- a user's symbolic link as the last component: with and without a slash
mkdir -m 755 home victim
"$MC" --no-procs home/ >/dev/null 2>&1   # a directory memcollect may write to
ln -s "$WORK/victim" home/mt
for target in "home/mt/" "home/mt" "$WORK/home/mt/"; do
    "$MC" --no-procs "$target" 2>err; rc=$?
    check "memcollect $target (a symbolic link) is refused, nothing created through it" \
        $([ $rc -eq 2 ] && empty victim && grep -q "symbolic link" err; echo $?) \
        "rc=$rc victim: $(ls victim)" "$(cat err)"
    "$MC" --no-procs -D "$target" 2>err; rc=$?
    check "memcollect -D $target is refused" \
        $([ $rc -eq 2 ] && empty victim && grep -q "symbolic link" err; echo $?) "rc=$rc $(cat err)"
done

# --- a symbolic link in a parent component
mkdir -m 755 real real/sub
ln -s "$WORK/real" lnk
for target in "lnk/sub/" "$WORK/lnk/sub" "lnk/sub/x.db" "lnk/new/"; do
    "$MC" --no-procs "$target" 2>err; rc=$?
    check "memcollect $target (a link in a parent) is refused, nothing created" \
        $([ $rc -eq 2 ] && empty real/sub && [ ! -e real/new ] && grep -q "symbolic link" err; echo $?) \
        "rc=$rc $(ls -R real)" "$(cat err)"
done

# --- --maintain through a link never touches the files behind it
old=memtrail-20200101.db
"$MC" --no-procs "victim/$old" >/dev/null 2>&1
before=$(ls victim)
for target in "home/mt/" "home/mt" "lnk/sub/"; do
    cp "victim/$old" "real/sub/$old" 2>/dev/null
    "$MC" --maintain --keep-days 1 -D "$target" 2>err; rc=$?
    check "--maintain -D $target (through a link) is refused, the files behind it untouched" \
        $([ $rc -eq 2 ] && [ "$(ls victim)" = "$before" ] && [ -f "real/sub/$old" ] &&
          grep -q "symbolic link" err; echo $?) "rc=$rc victim: $(ls victim) sub: $(ls real/sub)" "$(cat err)"
done

# --- the real directory still works, by relative and absolute names
"$MC" --no-procs real/sub/ 2>err; rc=$?
"$MC" --no-procs "$WORK/real/sub/abs.db" 2>>err; rc2=$?
check "a real directory (relative, absolute, a file in it) still works" \
    $([ $rc -eq 0 ] && [ $rc2 -eq 0 ] && [ -f "real/sub/memtrail-$day.db" ] && [ -f real/sub/abs.db ]; echo $?) \
    "rc=$rc rc2=$rc2 $(cat err)"

# --- once open, every file goes through the directory's descriptor: a user who
# owns a parent and swaps the directory for a link while memcollect samples
# redirects nothing (SQLite's journal included)
mkdir -m 755 owned owned/victim2
"$MC" --no-procs 1 3 owned/mt/ 2>err & pid=$!
for _ in $(seq 100); do [ -s "owned/mt/memtrail-$day.db" ] && break; sleep 0.05; done
mv owned/mt owned/moved && ln -s "$WORK/owned/victim2" owned/mt
wait $pid; rc=$?
n=$(sqlite3 "owned/moved/memtrail-$day.db" 'SELECT count(*) FROM sample' 2>&1)
check "a directory swapped for a link while sampling: every sample still lands in it, nothing behind the link" \
    $([ $rc -eq 0 ] && [ "$n" = 3 ] && empty owned/victim2; echo $?) \
    "rc=$rc samples=$n victim: $(ls owned/victim2)" "$(cat err)"

# --- the maintenance unit's root has no CAP_DAC_OVERRIDE: a parent it may
# search but not read must not stop the walk
if have capsh; then
    mkdir -p -m 755 searchonly/inner && chmod 0311 searchonly
    capsh --drop=cap_dac_override,cap_dac_read_search -- -c \
        '"$1" --maintain -D searchonly/inner/days && "$1" --no-procs searchonly/inner/days/' sh "$MC" 2>err
    rc=$?
    chmod 755 searchonly
    check "as root without CAP_DAC_OVERRIDE, a parent root may only search still works" \
        $([ $rc -eq 0 ] && [ -f "searchonly/inner/days/memtrail-$day.db" ]; echo $?) "rc=$rc $(cat err)"
else
    echo "skip - a parent root may only search (capsh missing)"
fi

# --- the users of the tests below: a reading group, a member, and another user
groupadd "$GRP" && useradd -M -N -g "$GRP" -s /usr/sbin/nologin "$MEMBER" &&
    useradd -M -N -s /usr/sbin/nologin "$OTHER"
check "test users and group created ($GRP, $MEMBER, $OTHER)" $?
as() { local who=$1; shift; setpriv --reuid "$who" --regid "$(id -g "$who")" --init-groups "$@"; }
samples() { # the samples memreport finds in $1 (file or directory), as root or as user $2
    local who=${2:-root}
    as "$who" "$MR" --summary=day --format=csv -f "$1" 2>/dev/null |
        awk -F, '$5 == "kbavail" { n += $7 } END { print n + 0 }'
}

# --- messages name the real cause
mkdir -m 755 theirs && chown "$OTHER" theirs
"$MC" --no-procs theirs/ 2>err; rc=$?
check "a directory owned by another user: the message says so" \
    $([ $rc -eq 2 ] && grep -q "owned by user $OTHER" err && ! grep -q "others can write" err &&
      empty theirs; echo $?) "rc=$rc $(cat err)"
tmpdb=/tmp/x$TAG.db
"$MC" --no-procs "$tmpdb" 2>err; rc=$?
rm -f "$tmpdb"
check "/tmp/x.db: the message names /tmp, says others can write to it and how to choose another" \
    $([ $rc -eq 2 ] && grep -q "directory /tmp: others can write to it" err && grep -q -- "-D DIR" err; echo $?) \
    "rc=$rc $(cat err)"
mkdir -m 755 private && "$MC" --no-procs private/ 2>/dev/null
private_at=$(date +%s)   # that sample's second, or later
as "$MEMBER" "$MR" -r -f private 2>err; rc=$?
check "a reader without access: Permission denied for the file, not 'unable to open database file'" \
    $([ $rc -ne 0 ] && grep -q "Permission denied" err && ! grep -q "unable to open" err; echo $?) \
    "rc=$rc $(cat err)"

# --- the reading group: directory 2750, day files 0640 of that group
mkdir -m 750 shared && "$MC" --no-procs shared/memtrail-20200102.db 2>/dev/null   # from before the setting
MEMTRAIL_GROUP=$GRP "$MC" --no-procs shared/ 2>err; rc=$?
f=shared/memtrail-$day.db
check "MEMTRAIL_GROUP: the directory becomes 2750 of the group, the day file 0640 of the group" \
    $([ $rc -eq 0 ] && [ "$(stat -c '%a %U %G' shared)" = "2750 root $GRP" ] &&
      [ "$(stat -c '%a %U %G' "$f")" = "640 root $GRP" ]; echo $?) \
    "rc=$rc dir: $(stat -c '%a %U %G' shared) file: $(stat -c '%a %U %G' "$f" 2>&1)" "$(cat err)"
check "files from before the setting get the group too" \
    $([ "$(stat -c '%a %G' shared/memtrail-20200102.db)" = "640 $GRP" ]; echo $?) \
    "$(stat -c '%a %G' shared/memtrail-20200102.db)"
if [ -n "$FAKETIME_LIB" ]; then
    # tomorrow's file, made by a collector run without the setting: the setgid directory gives it
    tomorrow=$(date -d tomorrow +%Y%m%d)
    LD_PRELOAD=$FAKETIME_LIB FAKETIME="@$(date -d 'tomorrow 12:00' '+%Y-%m-%d %H:%M:%S')" \
        "$MC" --no-procs shared/ 2>err; rc=$?
    check "tomorrow's file is the group's, even from a run without the setting" \
        $([ $rc -eq 0 ] && [ "$(stat -c '%a %G' "shared/memtrail-$tomorrow.db")" = "640 $GRP" ]; echo $?) \
        "rc=$rc $(stat -c '%a %G' "shared/memtrail-$tomorrow.db" 2>&1) $(cat err)"
else
    echo "skip - tomorrow's file (faketime missing)"
fi
n_root=$(samples shared) n_member=$(samples shared "$MEMBER")
check "a group member reads every day as root does" \
    $([ "$n_root" -ge 2 ] && [ "$n_member" = "$n_root" ]; echo $?) "root $n_root member $n_member"
as "$OTHER" "$MR" -r -f "$f" >/dev/null 2>err; rc=$?
check "a user outside the group reads nothing: Permission denied" \
    $([ $rc -ne 0 ] && grep -q "Permission denied" err; echo $?) "rc=$rc $(cat err)"
# a second of its own: the archive keeps one sample a second (exit 3 otherwise)
while [ "$(date +%s)" -le "$private_at" ]; do sleep 0.05; done
"$MC" --no-procs --group "$GRP" private/ 2>err; rc=$?
check "--group NAME does the same for an existing directory" \
    $([ $rc -eq 0 ] && [ "$(stat -c '%a %G' private)" = "2750 $GRP" ] &&
      [ "$(stat -c '%a %G' "private/memtrail-$day.db")" = "640 $GRP" ]; echo $?) \
    "rc=$rc $(stat -c '%a %G' private "private/memtrail-$day.db") $(cat err)"
"$MC" --no-procs --group "no${TAG}such" private/ 2>err; rc=$?
check "an unknown group: exit 2 and a message naming it" \
    $([ $rc -eq 2 ] && grep -q "no${TAG}such: no such group" err; echo $?) "rc=$rc $(cat err)"

# --- make install MEMTRAIL_GROUP=, and the cron file and units honour the setting
P=$WORK/prefix
make -s -C "$ROOT" install PREFIX="$P" MEMTRAIL_GROUP="$GRP" > install.log 2>&1; rc=$?
check "make install MEMTRAIL_GROUP=: the archive directory 2750 of the group, the setting written" \
    $([ $rc -eq 0 ] && [ "$(stat -c '%a %G' "$P/var/log/memtrail")" = "2750 $GRP" ] &&
      grep -q "^MEMTRAIL_GROUP=$GRP\$" "$P/etc/default/memtrail"; echo $?) \
    "rc=$rc $(stat -c '%a %G' "$P/var/log/memtrail" 2>&1) $(grep GROUP "$P/etc/default/memtrail") $(tail -3 install.log)"
sed -i -e "s|^MEMTRAIL_DIR=.*|MEMTRAIL_DIR=$WORK/crondir|" \
    -e 's|^MEMCOLLECT_OPTIONS=.*|MEMCOLLECT_OPTIONS=--no-procs|' "$P/etc/default/memtrail"
cp "$MC" "$P/sbin/memcollect"   # the build under test
line=$(grep -m1 '^\* \* \* \* \* root ' "$P/etc/cron.d/memtrail" | sed 's/^\* \* \* \* \* root //')
env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin ASAN_OPTIONS=${ASAN_OPTIONS:-} sh -c "$line" 2>err; rc=$?
check "the cron file's sample honours MEMTRAIL_GROUP from the settings file" \
    $([ $rc -eq 0 ] && [ "$(stat -c '%a %G' crondir)" = "2750 $GRP" ] &&
      [ "$(stat -c '%a %G' "crondir/memtrail-$day.db")" = "640 $GRP" ]; echo $?) \
    "rc=$rc $(stat -c '%a %G' crondir 2>&1) $(cat err)"
units="$P/lib/systemd/system/memtrail.service $P/lib/systemd/system/memtrail-maintain.service"
! grep -q '^LogsDirectory\|^RestrictSUIDSGID' $units && [ "$(cat $units | grep -c 'EnvironmentFile=-')" = 2 ] &&
    [ "$(cat $units | grep -c '^CapabilityBoundingSet=.*CAP_CHOWN CAP_FSETID')" = 2 ]
check "the units pass MEMTRAIL_GROUP on and may chown and set the setgid bit, with no LogsDirectory= to undo it" $?

# --- the collector protects itself from the OOM killer.  Lowering the score
# needs CAP_SYS_RESOURCE; where the test runs without it (some containers),
# strace shows the attempt and the run stays silent and successful.
cap_sys_resource=$(( 0x$(awk '/^CapEff/ {print $2}' /proc/self/status) >> 24 & 1 ))
if [ $cap_sys_resource = 1 ]; then
    "$MC" --no-procs 1 3 oom/ 2>err & pid=$!
    adj=
    for _ in $(seq 50); do
        adj=$(cat /proc/$pid/oom_score_adj 2>/dev/null)
        [ "$adj" = -900 ] && break
        sleep 0.1
    done
    wait $pid; rc=$?
    check "memcollect lowers its own oom_score_adj to -900 (cron mode has no unit to do it)" \
        $([ $rc -eq 0 ] && [ "$adj" = -900 ] && [ ! -s err ]; echo $?) "rc=$rc oom_score_adj=$adj $(cat err)"
else
    echo "skip - the oom_score_adj value (no CAP_SYS_RESOURCE here: lowering is refused)"
fi
if have strace; then
    # LeakSanitizer cannot run under ptrace
    ASAN_OPTIONS=${ASAN_OPTIONS:-}:detect_leaks=0 strace -f -e trace=openat,write -o trace "$MC" --no-procs oom/ 2>err; rc=$?
    check "memcollect writes -900 to its own /proc/self/oom_score_adj; a refusal is silent" \
        $([ $rc -eq 0 ] && [ ! -s err ] && grep -q 'oom_score_adj' trace && grep -q 'write(.*"-900\\n"' trace; echo $?) \
        "rc=$rc $(cat err)" "$(grep -A2 oom_score trace)"
else
    echo "skip - the oom_score_adj write (strace missing)"
fi
grep -q '^OOMScoreAdjust=-900$' "$ROOT/cron/memtrail.service.in"
check "the service sets OOMScoreAdjust=-900" $?

# --- a sample under an 8 MB memory limit still stores (cgroup v1 memory controller)
MEMROOT=/sys/fs/cgroup/memory
if [ -w "$MEMROOT/cgroup.procs" ] && [ -x "$ROOT/memcollect" ]; then
    CGROUP=$MEMROOT/$TAG
    mkdir "$CGROUP" && echo 8M > "$CGROUP/memory.limit_in_bytes"
    # the release build: the sanitizers' shadow memory alone would exceed 8 MB
    sh -c 'echo $$ > "$1/cgroup.procs" && exec "$2" mem/' sh "$CGROUP" "$ROOT/memcollect" 2>err; rc=$?
    peak=$(cat "$CGROUP/memory.max_usage_in_bytes") fails=$(cat "$CGROUP/memory.failcnt")
    n=$(samples mem)
    check "a sample with every process under an 8 MB memory cgroup is stored (peak $((peak / 1024)) kB, $fails limit hits)" \
        $([ $rc -eq 0 ] && [ "$n" = 1 ]; echo $?) "rc=$rc samples=$n $(cat err)"
else
    echo "skip - 8 MB memory cgroup (no writable cgroup v1 memory controller, or no release build)"
fi
