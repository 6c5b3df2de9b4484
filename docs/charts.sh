#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# docs/charts.sh [30days|live]: remakes the README's example charts,
# docs/capacity-30days.{svg,png} and docs/capacity-live.{svg,png}, with the
# tree's memcollect and memreport (run `make` first) and a headless Chromium
# screenshot, as a person sees the SVG in a browser.  As root.
#   30days  one real memcollect sample of this machine's processes (under
#           faketime, 2026-10-01 00:00 UTC) cloned into 30 days of one-minute
#           samples by tests/capacity/mkdays.sh, with a one-minute peak on
#           10-17 12:34 and a reboot at 10-20 00:00 (as tests/capacity does)
#   live    4 minutes of a real `memcollect 1 240` on this machine while a
#           python3 process takes 500 MiB for 90 s, from the 60th second
#   incident DIR FROM TO   docs/incident.{svg,png}: the window FROM to TO of
#           the archive docs/incident-demo.sh recorded in DIR
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export TZ=UTC LC_ALL=C

shot() {   # SVG PNG: the SVG as Chromium shows it, at its own size
    local w h
    w=$(sed -n 's/^<svg [^>]* width="\([0-9]*\)".*/\1/p' "$1")
    h=$(sed -n 's/^<svg [^>]* height="\([0-9]*\)".*/\1/p' "$1")
    chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --hide-scrollbars --force-device-scale-factor=1 --user-data-dir="$T/profile" \
        --screenshot="$2" --window-size="$w,$h" "file://$1" >/dev/null 2>&1
}

days30() {
    local fl spike boot2 f
    fl=$(ls /usr/lib/*/faketime/libfaketime.so.1 | head -1)
    LD_PRELOAD=$fl FAKETIME="@2026-10-01 00:00:00" FAKETIME_DONT_RESET=1 ./memcollect "$T/seed.db"
    spike=$(date -d '2026-10-17 12:34:00' +%s)
    boot2=$(date -d '2026-10-20 00:00:00' +%s)
    SPIKE_TS=$spike tests/capacity/mkdays.sh "$T/seed.db" "$T/d30" 2026-10-01 30 60 procs
    for f in "$T"/d30/memtrail-202610{2,3}*.db; do
        sqlite3 "$f" "INSERT INTO boot VALUES (2, 'bbbbbbbb-2222-3333-4444-555555555555', $boot2);
          UPDATE sample SET boot_no = 2, uptime_cs = (ts - $boot2) * 100 + 1500 WHERE ts >= $boot2;"
    done
    ./memreport --format=svg -f "$T/d30" -o docs/capacity-30days.svg
    shot "$ROOT/docs/capacity-30days.svg" docs/capacity-30days.png
}

live() {
    ./memcollect 1 240 "$T/live.db" &
    local mc=$!
    sleep 60
    python3 -c '
import time
b = bytearray(500 * 1024 * 1024)
for i in range(0, len(b), 4096):
    b[i] = 1
time.sleep(90)'
    wait "$mc"
    ./memreport --format=svg -f "$T/live.db" -o docs/capacity-live.svg
    shot "$ROOT/docs/capacity-live.svg" docs/capacity-live.png
}

incident() {
    ./memreport --format=svg -f "$1" -s "$2" -e "$3" -o docs/incident.svg
    shot "$ROOT/docs/incident.svg" docs/incident.png
}

case "${1:-all}" in
30days) days30 ;;
live) live ;;
incident) [ $# = 4 ] || { echo "usage: docs/charts.sh incident DIR FROM TO" >&2; exit 1; }
          incident "$2" "$3" "$4" ;;
all) days30; live ;;
*) echo "usage: docs/charts.sh [30days|live|incident DIR FROM TO]" >&2; exit 1 ;;
esac
