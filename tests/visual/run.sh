#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The incident signals in the chart and the exports: memreport --format=svg
# of tests/unit/incident_fixture.c's archives (pressure, two OOM kills, v2
# cgroups with a hostile path and victim name; and a calm archive without
# any of them), checked in the SVG's structure (svgcheck.py), by xmllint,
# and in headless Chromium's rendering.
# Prints "ok - NAME" / "not ok - NAME" / "skip - NAME (why)".
set -u
. "$(dirname "$0")/../lib.sh"
cd "$ROOT" || exit 2
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export TZ=UTC LC_ALL=C
IFIX=$ROOT/build/san/tests/incident_fixture
[ -x "$IFIX" ] || IFIX=$ROOT/build/tests/incident_fixture
T0=1795700000
SVGCHECK="python3 $ROOT/tests/visual/svgcheck.py"

if ! have python3 || [ ! -x "$IFIX" ]; then
    skip "visual (needs python3 and build/san/tests/incident_fixture: make sanitize)"
    exit 0
fi
"$IFIX" "$T" 2>"$T/err" || { not_ok "incident fixture" "$(cat "$T/err")"; exit 1; }

# ---- the SVG
"$MR" --format=svg -f "$T/incident.db" -o "$T/incident.svg" 2>"$T/err"
check "--format=svg of pressure, OOM kills and cgroups" $? "$(cat "$T/err")"
"$MR" --format=svg -f "$T/calm.db" -o "$T/calm.svg" 2>"$T/err"
check "--format=svg of an archive without them" $? "$(cat "$T/err")"
"$MR" --format=svg --top 2 -f "$T/incident.db" -o "$T/top2.svg" 2>"$T/err"
check "--format=svg --top 2" $? "$(cat "$T/err")"

out=$($SVGCHECK pressure "$T/incident.svg" $T0 2>&1)
check "svg: a pressure panel in %: some avg10 40, full avg10 15, %smem 20 (from the totals) at the peak, 0 when calm" $? "$out"
out=$($SVGCHECK calm "$T/calm.svg" 2>&1)
check "svg without PSI, kills or cgroups: no pressure panel, no zero line, no marks, no cgroup panel" $? "$out"
out=$($SVGCHECK kills "$T/incident.svg" $T0 2>&1)
check "svg: each OOM kill marked at its time (pid and name in a <title>), a line in every panel" $? "$out"
out=$($SVGCHECK cgroups "$T/incident.svg" 2>&1)
check "svg: the cgroups by contribution (born from 0, gone to 0), not the root nor \"...\"" $? "$out"
out=$($SVGCHECK cgroups "$T/top2.svg" 2 2>&1)
check "svg --top 2: the two cgroups of most contribution" $? "$out"
out=$($SVGCHECK hostile "$T/incident.svg" 2>&1)
check "svg: a hostile cgroup path and victim name, exactly as escaped text" $? "$out"
if have xmllint; then
    out=$(xmllint --noout "$T/incident.svg" "$T/calm.svg" "$T/top2.svg" 2>&1)
    check "xmllint: the charts with hostile cgroup paths and victim names are well-formed" $? "$out"
else
    skip "xmllint (apt-get install libxml2-utils)"
fi

# ---- rendered by headless Chromium
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROMIUM" ]; then
    skip "the chart in Chromium (no chromium: apt-get install --no-install-recommends chromium)"
    exit 0
fi
W=$(sed -n 's/^<svg [^>]* width="\([0-9]*\)".*/\1/p' "$T/incident.svg")
H=$(sed -n 's/^<svg [^>]* height="\([0-9]*\)".*/\1/p' "$T/incident.svg")
mkdir "$T/profile"
timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --hide-scrollbars --force-device-scale-factor=1 --user-data-dir="$T/profile" \
    --screenshot="$T/incident.png" --window-size="$W,$H" "file://$T/incident.svg" >"$T/chromium.log" 2>&1
if [ ! -s "$T/incident.png" ]; then
    not_ok "Chromium renders the chart" "$(tail -20 "$T/chromium.log")"
    exit 0
fi
out=$(PYTHONPATH="$ROOT/tests" python3 "$ROOT/tests/visual/pixels.py" "$T/incident.svg" "$T/incident.png" $T0 2>&1)
check "Chromium: the pressure panel is drawn and labelled, the OOM mark is red at its time, the cgroup bands show" $? "$out"
echo "# $(echo "$out" | head -1)"
