#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The layout of memreport's sources (report/): folders grouped by concern,
# none holding more than MAX_FILES files, and an include graph without
# cycles, where each header belongs to the one .c file that defines what it
# declares (includes.py).  The checker is first run on small trees with a
# known answer, so that a checker that finds nothing cannot pass.  Prints "ok - NAME" / "not ok - NAME" / "skip - NAME (why)".
set -u
. "$(dirname "$0")/../lib.sh"
MAX_FILES=15
HERE=$ROOT/tests/layout
if ! have python3; then skip "report/ include graph (python3 missing)"; exit 0; fi
WORK=$(mktemp -d /tmp/memtrail-layout.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

# --- the checker itself finds what it is meant to find
mkdir -p "$WORK/cyc/x" "$WORK/cyc/y"
printf 'int a_f(void);\n' >"$WORK/cyc/x/a.h"
printf '#include "a.h"\n#include "b.h"\nint a_f(void) { return b_f(); }\n' >"$WORK/cyc/x/a.c"
printf 'int b_f(void);\n' >"$WORK/cyc/y/b.h"
printf '#include "a.h"\n#include "b.h"\nint b_f(void) { return 0; }\n' >"$WORK/cyc/y/b.c"
printf '#include "b.h"\nint c_f(void);\nint c_f(void) { return b_f(); }\n' >"$WORK/cyc/y/c.c"
out=$(python3 "$HERE/includes.py" "$WORK/cyc" 2>&1); rc=$?
check "the include checker finds two files importing each other" \
    "$([ $rc -eq 1 ] && [ "$out" = "cycle: x/a.c y/b.c (each imports the others, directly or not)" ]; echo $?)" \
    "rc=$rc" "$out"
# a dispatcher through its helpers' header: d.h declares both d.c's helper
# and e.c's renderer, and each includes d.h
printf 'int d_help(void);\nint render_e(void);\n' >"$WORK/cyc/y/d.h"
printf '#include "d.h"\nint d_help(void) { return render_e(); }\n' >"$WORK/cyc/y/d.c"
printf '#include "d.h"\nint render_e(void) { return d_help(); }\n' >"$WORK/cyc/y/e.c"
out=$(python3 "$HERE/includes.py" "$WORK/cyc" 2>&1); rc=$?
check "the include checker finds a header shared by a dispatcher and its renderer" \
    "$([ $rc -eq 1 ] && printf '%s\n' "$out" | grep -qx 'shared: y/d.h defined by y/d.c y/e.c' &&
      printf '%s\n' "$out" | grep -qx 'cycle: y/d.c y/e.c (each imports the others, directly or not)'; echo $?)" \
    "rc=$rc" "$out"
rm "$WORK"/cyc/y/d.[ch] "$WORK"/cyc/y/e.c
printf '#include "b.h"\nint b_f(void) { return 0; }\n' >"$WORK/cyc/y/b.c"
out=$(python3 "$HERE/includes.py" "$WORK/cyc" 2>&1); rc=$?
check "the include checker passes a graph without cycles" "$([ $rc -eq 0 ] && [ -z "$out" ]; echo $?)" \
    "rc=$rc" "$out"
# a declaration it cannot match to a definition (a parse that went wrong
# would look the same) fails rather than passing with fewer edges
printf 'int b_f(void);\nint b_gone(int x);\n' >"$WORK/cyc/y/b.h"
out=$(python3 "$HERE/includes.py" "$WORK/cyc" 2>&1); rc=$?
check "the include checker names a declaration without a definition" \
    "$([ $rc -eq 1 ] && [ "$out" = "undefined: y/b.h declares b_gone, which no .c file defines" ]; echo $?)" \
    "rc=$rc" "$out"

# --- report/ itself
out=$(python3 "$HERE/includes.py" "$ROOT/report" 2>&1); rc=$?
check "report/: no two files import each other, each header has one implementation" $rc "$out"

crowded=$(cd "$ROOT/report" && find . -type d | while read -r d; do
    n=$(find "$d" -maxdepth 1 -type f | wc -l)
    [ "$n" -gt $MAX_FILES ] && echo "${d#./}: $n files"; done)
check "report/: no folder holds more than $MAX_FILES files" "$([ -z "$crowded" ]; echo $?)" "$crowded"
n=$(find "$ROOT/report" -mindepth 1 -type d | wc -l)
check "report/ is grouped into folders by concern" "$([ "$n" -ge 4 ]; echo $?)" "$n folders"
