# SPDX-License-Identifier: GPL-2.0-or-later
# What the test suites (tests/*/run.sh) share; each sources it first.
#
# The suites print one line per test, read by tests/run.sh:
#   ok - NAME | not ok - NAME (details indented below) | skip - NAME (why)
# The programs under test are $MC and $MR: the sanitizer build when
# tests/run.sh points MEMTRAIL_BIN at it, else the tree's own.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN=${MEMTRAIL_BIN:-$ROOT}
MC=$BIN/memcollect
MR=$BIN/memreport
FAKETIME_LIB=$(ls /usr/lib/*/faketime/libfaketime.so.1 2>/dev/null | head -1)
# libfaketime is preloaded before the ASan runtime of the sanitizer build.
export ASAN_OPTIONS=${ASAN_OPTIONS:-verify_asan_link_order=0}
# The fixture writer (tests/unit/procs_fixture.c): synthetic archives through
# archive_append(), from the sanitizer build when make sanitize made it.
FIX=$ROOT/build/san/tests/procs_fixture
[ -x "$FIX" ] || FIX=$ROOT/build/tests/procs_fixture

ok() { echo "ok - $1"; }
skip() { echo "skip - $1"; }
not_ok() {
    echo "not ok - $1"
    shift
    local line
    for line in "$@"; do printf '%s\n' "$line" | sed 's/^/  /'; done
}
# check NAME STATUS [DETAILS...]: ok when STATUS is 0, else not ok with the details.
check() {
    local name=$1 status=$2
    shift 2
    if [ "$status" -eq 0 ]; then ok "$name"; else not_ok "$name" "$@"; fi
}
have() { command -v "$1" >/dev/null 2>&1; }

# Headless Chromium, for the suites that read a rendered chart's pixels.
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
# chromium_png SVG PNG: Chromium's screenshot of SVG at the size its <svg>
# gives, one pixel per CSS pixel, with a fresh profile beside PNG; non-zero
# with the end of Chromium's log on stdout when it made none.
chromium_png() {
    local svg=$1 png=$2 w h
    w=$(sed -n 's/^<svg [^>]* width="\([0-9]*\)".*/\1/p' "$svg")
    h=$(sed -n 's/^<svg [^>]* height="\([0-9]*\)".*/\1/p' "$svg")
    mkdir -p "$png.profile"
    timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --hide-scrollbars --force-device-scale-factor=1 --user-data-dir="$png.profile" \
        --screenshot="$png" --window-size="$w,$h" "file://$svg" >"$png.log" 2>&1
    [ -s "$png" ] || { tail -20 "$png.log"; return 1; }
}

# A reading group of one member, to read archives as an on-call engineer
# does (in the archives' group, not root).  reader_create PREFIX makes them,
# named PREFIX<pid>g and PREFIX<pid>u in RGROUP and RUSER; reader_remove
# deletes them (from the suite's EXIT trap); as_reader CMD... runs CMD as
# RUSER with RGROUP as its only group.
reader_create() {
    RGROUP=$1$$g RUSER=$1$$u
    groupadd "$RGROUP" && useradd -M -N -g "$RGROUP" -d / -s /usr/sbin/nologin "$RUSER"
}
reader_remove() {
    [ -n "${RUSER:-}" ] && userdel "$RUSER" >/dev/null 2>&1
    [ -n "${RGROUP:-}" ] && groupdel "$RGROUP" >/dev/null 2>&1
    return 0
}
as_reader() { setpriv --reuid="$RUSER" --regid="$RGROUP" --clear-groups "$@"; }
