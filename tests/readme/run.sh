#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Every command README.md and the man pages' EXAMPLES show, run (or, for
# what installs or builds a package, checked) by tests/readme/readme.py, whose
# opening comment says how each kind of block is treated.  For a block that cannot run here, put
#     <!-- not run: REASON -->
# on the line before it (then a blank line); for an example of an output,
#     <!-- output: KIND -->
# with a KIND readme.py checks.  A new block that is neither a known command
# nor marked fails the test, so the README cannot drift from the program.
#
# The commands read /var/log/memtrail as the README writes it: in a private
# mount namespace (unshare -m, as root), a scratch directory is bind-mounted
# over /var/log and the real memcollect fills it, with one swap device in a
# fixture /proc/swaps (the README's influx example shows one; this machine
# may have none).
# Prints "ok - NAME" / "not ok - NAME" / "skip - NAME (why)".
set -u
. "$(dirname "$0")/../lib.sh"

if [ "$(id -u)" -ne 0 ]; then skip "README commands (needs root: unshare -m, mount --bind)"; exit 0
elif ! unshare -m true 2>/dev/null; then skip "README commands (unshare -m not permitted here)"; exit 0
elif ! have python3; then skip "README commands (python3 not installed)"; exit 0
elif [ -z "$FAKETIME_LIB" ]; then skip "README commands (libfaketime not installed)"; exit 0
fi

WORK=$(mktemp -d /tmp/memtrail-readme.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/varlog"
printf 'Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n/dev/sda2                               partition\t4194300\t\t1024\t\t-2\n' \
    > "$WORK/swaps"
export ROOT WORK MC MR FAKETIME_LIB
# / is read-only in there (the scratch directory excepted), so that a README
# command writing where it should not (an unset variable: /mt.db) fails
# instead of littering this machine.
unshare -m /bin/sh -ec '
    mount --bind "$WORK" "$WORK"
    mount -o remount,bind,ro /
    mount --bind "$WORK/varlog" /var/log
    mount --bind "$WORK/swaps" /proc/swaps
    exec python3 "$ROOT/tests/readme/readme.py"
'
