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

# ---- the exports: the largest cgroups, bounded by --top as processes are
XCHECK="python3 $ROOT/tests/export/check.py"
for f in openmetrics influx csv-long; do
    "$MR" --format=$f -f "$T/incident.db" -o "$T/incident.$f" 2>"$T/err" || not_ok "--format=$f" "$(cat "$T/err")"
done
"$MR" --format=openmetrics --top 2 -f "$T/incident.db" -o "$T/top2.om" 2>"$T/err" || not_ok "--top 2" "$(cat "$T/err")"
"$MR" --format=openmetrics -f "$T/calm.db" -o "$T/calm.om" 2>"$T/err" || not_ok "calm" "$(cat "$T/err")"
cgroups_of() {   # FILE: the cgroup label values of memtrail_cgroup_memory_bytes, in order
    sed -n 's/^memtrail_cgroup_memory_bytes{.*,cgroup="\(.*\)"} .*/\1/p' "$1" | uniq
}
got=$(cgroups_of "$T/top2.om" | sort | tr '\n' ' ')
[ "$got" = "/system.slice /system.slice/leak.service " ]
check "openmetrics --top 2: the two cgroups of the largest peak, neither the root nor \"...\"" $? "got: $got"
n=$(cgroups_of "$T/incident.openmetrics" | wc -l)
! grep -Eq 'cgroup="(/|\.\.\.)"' "$T/incident.openmetrics" && [ "$n" -eq 6 ]
check "openmetrics: every cgroup but the root and \"...\" under the default --top 10" $? "$n cgroups"
grep -q '^memtrail_cgroup_events_total{instance="fixturehost",job="memtrail",cgroup="/system.slice/leak.service",event="oom_kill"} 1 1795701020$' "$T/incident.openmetrics" &&
    grep -q '^memtrail_cgroup_limit_bytes{.*cgroup="/system.slice/leak.service"} 2147483648 ' "$T/incident.openmetrics" &&
    ! grep -q '^memtrail_cgroup_limit_bytes{.*cgroup="/system.slice/db.service"}' "$T/incident.openmetrics" &&
    grep -qx '# TYPE memtrail_cgroup_events counter' "$T/incident.openmetrics" &&
    grep -qx '# UNIT memtrail_cgroup_memory_bytes bytes' "$T/incident.openmetrics"
check "openmetrics: cgroup names (memtrail_cgroup_memory_bytes, _events_total{event=oom_kill}, _limit_bytes only where limited)" $?
! grep -q '^memtrail_cgroup' "$T/calm.openmetrics" 2>/dev/null && ! grep -q cgroup "$T/calm.om"
check "openmetrics without cgroups recorded: no cgroup family" $?
out=$($XCHECK om-rules "$T/incident.openmetrics" 2>&1)
check "openmetrics with cgroups: the rules promtool needs (escaped labels, families contiguous, # EOF)" $? "$out"
if have promtool; then
    # promtool check metrics reads the Prometheus text format, where a counter's
    # HELP names the sample (NAME_total): that is all it may say of OpenMetrics
    out=$(promtool check metrics < "$T/incident.openmetrics" 2>&1)
    ! (echo "$out" | grep -v '_total no help text$' | grep -q .)
    check "promtool check metrics: the cgroup export lints clean (but for OpenMetrics' counter HELP)" $? "$out"
    out=$(promtool tsdb create-blocks-from openmetrics --max-block-duration=24h "$T/incident.openmetrics" \
          "$T/blocks" 2>&1) && mkdir -p "$T/blocks/wal" && promtool tsdb dump "$T/blocks" > "$T/dump" 2>&1 &&
        out=$($XCHECK om-vs-dump "$T/incident.openmetrics" "$T/dump" 2>&1) &&
        grep -Fq 'cgroup="/user.slice/a<b>&\"'"'" "$T/dump"
    check "promtool: the cgroups (a hostile path too) imported and read back equal" $? "$out"
else
    skip "promtool (make deps installs Debian's prometheus)"
fi
out=$($XCHECK influx "$T/incident.influx" "$T/incident.csv-long" 2>&1)
check "influx: memtrail_cgroup with an escaped cgroup tag, equal to csv-long's cgroup rows" $? "$out"
out=$(python3 - "$T/incident.csv-long" <<'PY' 2>&1
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="", encoding="utf-8", errors="surrogateescape")))
odd = "/user.slice/a<b>&\"'\x01\x7f\udcff\ufffe\\ x,y=z\n"
paths = {r["cgroup"] for r in rows if r["metric"].startswith("cgroup.")}
bad = [r for r in rows if r["metric"].startswith("cgroup.") != (r["cgroup"] != "")]
leak = [int(r["value"]) for r in rows if r["metric"] == "cgroup.current_bytes"
        and r["cgroup"] == "/system.slice/leak.service"]
if odd not in paths or bad or len(paths) != 6 or leak[-1] != 1260 * 1048576:
    print(sorted(paths), bad[:2], leak[-1:])
    sys.exit(1)
PY
)
check "csv-long: a cgroup column (last), the hostile path's exact bytes, values in bytes" $? "$out"

# ---- the real kernel: a v1 memory cgroup with a hostile name, through
# memcollect --textfile, the OpenMetrics export and the SVG
V1=/sys/fs/cgroup/memory
ODD=$'memtrail-visual-'$$$'-a"b\\c\td<e>&\'x\xff'   # the kernel refuses a line feed
if mkdir "$V1/$ODD" 2>/dev/null; then
    trap 'rmdir "$V1/$ODD" 2>/dev/null; rm -rf "$T"' EXIT
    mkdir "$T/tf"
    "$MC" --textfile "$T/tf" --textfile-top 1000 "$T/real.db" 2>"$T/err"
    check "memcollect --textfile with this machine's v1 cgroups" $? "$(cat "$T/err")"
    "$MR" --format=openmetrics --top 1000 -f "$T/real.db" -o "$T/real.om" 2>"$T/err" &&
        "$MR" --format=svg --top 100000 -f "$T/real.db" -o "$T/real.svg" 2>>"$T/err"
    check "memreport --format=openmetrics and svg of it" $? "$(cat "$T/err")"
    out=$(python3 - "$T/tf/memtrail.prom" "$T/real.om" "/$ODD" <<'PY' 2>&1
import re, sys
LABEL = re.compile(r'([a-zA-Z_]+)="((?:[^"\\\n]|\\.)*)"')
unesc = lambda v: re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), v)
def cgroups(path):
    got = {}
    for line in open(path, encoding="utf-8"):
        if line.startswith("memtrail_cgroup_memory_bytes{"):
            labels = dict(LABEL.findall(line[line.index("{"):line.index("}")]))
            # a byte outside UTF-8: U+FFFD in the textfile, its Latin-1 reading in the export
            name = unesc(labels["cgroup"]).replace("\ufffd", "?").replace("\u00ff", "?")
            got[name] = int(line.split("} ")[1].split()[0])
    return got
tf, om = cgroups(sys.argv[1]), cgroups(sys.argv[2])
odd = sys.argv[3].encode("utf-8", "surrogateescape")[:-1].decode() + "?"   # 0xFF
if not tf or tf != om or odd not in tf or "/" in tf:
    print("textfile", sorted(tf.items())[:4], "openmetrics", sorted(om.items())[:4], len(tf), len(om))
    sys.exit(1)
PY
)
    check "a hostile v1 cgroup name: --textfile and openmetrics carry the same cgroups, values and exact path" $? "$out"
    if have promtool; then
        out=$(promtool check metrics < "$T/tf/memtrail.prom" 2>&1)
        check "promtool check metrics: memtrail.prom with this machine's cgroups, the hostile name included" $? "$out"
    fi
    if have xmllint; then
        out=$(xmllint --noout "$T/real.svg" 2>&1) && grep -q 'memtrail-visual-[0-9]*-a&quot;b\\c&#x2409;d&lt;e&gt;&amp;&apos;x&#xFF;' "$T/real.svg"
        check "xmllint: the SVG of this machine's cgroups, the hostile name escaped" $? "$out"
    fi
    rmdir "$V1/$ODD"
else
    skip "a v1 memory cgroup of a hostile name (cannot make one in $V1)"
fi

# ---- rendered by headless Chromium
if [ -z "$CHROMIUM" ]; then
    skip "the chart in Chromium (no chromium: apt-get install --no-install-recommends chromium)"
    exit 0
fi
if ! out=$(chromium_png "$T/incident.svg" "$T/incident.png"); then
    not_ok "Chromium renders the chart" "$out"
    exit 0
fi
out=$(PYTHONPATH="$ROOT/tests" python3 "$ROOT/tests/visual/pixels.py" "$T/incident.svg" "$T/incident.png" $T0 2>&1)
check "Chromium: the pressure panel is drawn and labelled, the OOM mark is red at its time, the cgroup bands show" $? "$out"
echo "# $(echo "$out" | head -1)"
