#!/bin/bash
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
