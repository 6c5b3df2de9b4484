#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The test runner `make check` calls.  Runs
#   1. every executable unit-test binary in build/san/tests/ and build/tests/
#      (built from tests/unit/*.c by the Makefile); each is one test, passing
#      when it exits 0;
#   2. every executable tests/*/run.sh suite (tests/conformance/run.sh ...).
#      A suite prints one line per test: "ok - NAME", "not ok - NAME" (details
#      follow, indented) or "skip - NAME (reason)".  A suite that exits non-zero
#      without reporting a failure counts as one failed test.
# Prints failures and skips (all results with TESTS_VERBOSE=1) and ends with
#   N passed, N failed            (or "N passed, N failed, N skipped")
# exiting 1 when anything failed.
#
# The programs under test: build/san/{memcollect,memreport} (AddressSanitizer +
# UBSan) when `make sanitize` built them, else ./memcollect and ./memreport
# (run `make check`, not this script alone, so that neither is stale).
# Override with MEMTRAIL_BIN=DIR.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 2
VERBOSE=${TESTS_VERBOSE:-0}
pass=0 fail=0 skip=0
start=$(date +%s)

if [ -z "${MEMTRAIL_BIN:-}" ]; then
    # make check builds both (check: all sanitize); prefer the sanitizer build.
    if [ -x build/san/memreport ] && [ -x build/san/memcollect ]; then
        MEMTRAIL_BIN=$ROOT/build/san
    else
        MEMTRAIL_BIN=$ROOT
    fi
fi
export MEMTRAIL_BIN
# libfaketime is LD_PRELOADed before the ASan runtime in the conformance tests.
export ASAN_OPTIONS=${ASAN_OPTIONS:-verify_asan_link_order=0}

# ---- 1. unit test binaries
for t in build/san/tests/* build/tests/*; do
    [ -f "$t" ] && [ -x "$t" ] || continue
    out=$("$t" 2>&1); rc=$?
    if [ $rc -eq 0 ]; then
        pass=$((pass + 1))
        [ "$VERBOSE" = 1 ] && echo "ok - unit: $t"
    else
        fail=$((fail + 1))
        echo "not ok - unit: $t (exit $rc)"
        printf '%s\n' "$out" | tail -20 | sed 's/^/  /'
    fi
done

# ---- 2. suites
# Each in a /dev/shm of its own where root can make one: libfaketime names its
# objects there by pid, and those of a process killed by a test stay behind,
# so that a later faketime run that gets the same pid fails ("sem_open: File
# exists"), in this run or any later one on the machine.
run_suite() {
    if [ "$(id -u)" -eq 0 ] && unshare -m true 2>/dev/null; then
        unshare -m --propagation private \
            sh -c 'mount -t tmpfs -o mode=1777 tmpfs /dev/shm && exec "$0"' "$1"
    else
        "$1"
    fi
}
for suite in tests/*/run.sh; do
    [ -x "$suite" ] || continue
    log=$(mktemp)
    run_suite "$suite" > "$log" 2>&1; rc=$?
    sp=0 sf=0 ss=0 show=0
    while IFS= read -r line; do
        case "$line" in
            "ok - "*)     sp=$((sp + 1)); show=0; [ "$VERBOSE" = 1 ] && echo "$line" ;;
            "not ok - "*) sf=$((sf + 1)); show=1; echo "$line" ;;
            "skip - "*)   ss=$((ss + 1)); show=0; echo "$line" ;;
            *)            [ $show = 1 ] || [ "$VERBOSE" = 1 ] && echo "$line" ;;
        esac
    done < "$log"
    if [ $rc -ne 0 ] && [ $sf -eq 0 ]; then
        sf=1
        echo "not ok - $suite exited $rc"
        tail -20 "$log" | sed 's/^/  /'
    fi
    rm -f "$log"
    echo "# $suite: $sp passed, $sf failed, $ss skipped"
    pass=$((pass + sp)) fail=$((fail + sf)) skip=$((skip + ss))
done

echo "# $(( $(date +%s) - start )) s, programs from $MEMTRAIL_BIN"
if [ $skip -gt 0 ]; then
    echo "$pass passed, $fail failed, $skip skipped"
else
    echo "$pass passed, $fail failed"
fi
[ $fail -eq 0 ]
