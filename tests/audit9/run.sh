#!/bin/bash
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
RGROUP=mta$$g
RUSER=mta$$u
cleanup() {
    [ -n "${WRAP_PID:-}" ] && kill "$WRAP_PID" 2>/dev/null
    userdel "$RUSER" 2>/dev/null
    groupdel "$RGROUP" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT
cd "$WORK" || exit 2
at() { LD_PRELOAD=$FAKETIME_LIB FAKETIME="@$AT" FAKETIME_DONT_RESET=1 "$@"; }
as_reader() { setpriv --reuid="$RUSER" --regid="$RGROUP" --clear-groups "$@"; }
groupadd "$RGROUP" && useradd -M -N -g "$RGROUP" -d / -s /usr/sbin/nologin "$RUSER" || exit 2

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

[ -n "${A9_KEEP:-}" ] && { trap - EXIT; echo "$WORK $WRAP_PID"; }
exit 0
