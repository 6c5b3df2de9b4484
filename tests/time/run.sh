#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Time in memreport's text output, on archives of the real memcollect taken
# under faketime in TZ=Europe/Berlin:
#   - a three-day directory: every row sits under a banner line with its own
#     local date (sar activities, -p, --numa), the first banner has the date
#     of the first row shown, --growth names the dates of a window that
#     spans days, --at's banner has the date of the sample it shows;
#   - a wall clock stepped back within one boot is no LINUX RESTART, rows
#     keep the order of collection and rates come from uptime deltas;
#   - DST: a local time in the spring gap is an error naming the gap, an
#     ambiguous one in the autumn means its first occurrence in -s/-e and
#     --since/--until alike, an explicit offset picks either;
#   - --human in -p, --growth and --at: sar's units, columns still aligned.
# Prints "ok - NAME" / "not ok - NAME" (details indented) / "skip - NAME (why)".
set -u
. "$(dirname "$0")/../lib.sh"
cd "$ROOT" || exit 2
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export TZ=Europe/Berlin LC_ALL=C

if [ -z "$FAKETIME_LIB" ] || ! have python3 || ! have sqlite3; then
    skip "time in the output (needs libfaketime, python3 and sqlite3)"
    exit 0
fi

# at_clock TIME PROGRAM...: PROGRAM with the wall clock frozen at TIME (what
# date -d takes; an ambiguous local time needs its zone, e.g. "02:30 CET")
at_clock() {
    local epoch
    epoch=$(date -d "$1" +%s) || return 1
    shift
    LD_PRELOAD=$FAKETIME_LIB FAKETIME_FMT=%s FAKETIME="@$epoch" FAKETIME_DONT_RESET=1 "$@"
}
# collect DIR TIME [OPTIONS...]: one real sample into DIR's daily file
collect() {
    local dir=$1 when=$2
    shift 2
    at_clock "$when" "$MC" "$@" -D "$dir/" 2>>"$T/collect.err"
}
# rows FILE: the time column of the data rows (not headers, not Average)
rows() { awk '$1 ~ /^[0-9][0-9]:[0-9][0-9]:[0-9][0-9]$/ && $2 ~ /^[-0-9]/ { print $1 }' "$1"; }

# ---------------------------------------------------------------- three days
D=$T/days
for when in "2026-11-27 22:00:00" "2026-11-27 23:30:00" "2026-11-28 00:00:00" \
            "2026-11-28 00:30:00" "2026-11-28 12:00:00" "2026-11-29 00:30:00" \
            "2026-11-29 01:00:00"; do
    collect "$D" "$when" || { not_ok "three-day archive" "$(cat "$T/collect.err")"; exit 1; }
done

# Every data row under the banner line before it must be a sample taken at
# that banner's date and the row's time; every date of the window must show.
cat > "$T/days.py" <<'EOF'
import glob, re, sqlite3, sys
from datetime import datetime
from zoneinfo import ZoneInfo
tz = ZoneInfo("Europe/Berlin")
taken = set()
for f in glob.glob(sys.argv[1] + "/memtrail-*.db"):
    for (ts,) in sqlite3.connect(f).execute("SELECT ts FROM sample"):
        taken.add(datetime.fromtimestamp(ts, tz).strftime("%m/%d/%y %H:%M:%S"))
want = set(sys.argv[3].split(",")) if len(sys.argv) > 3 else set()
banner = re.compile(r"^\S+ \S+ \(.*\) \t(\S+) \t_\S+_\t\(\d+ CPU\)$")
date, seen, rows, bad = None, [], 0, []
for n, line in enumerate(open(sys.argv[2], encoding="utf-8", errors="replace"), 1):
    m = banner.match(line.rstrip("\n"))
    if m:
        date = m.group(1)
        seen.append(date)
        continue
    f = line.split()
    if len(f) > 1 and re.fullmatch(r"\d\d:\d\d:\d\d", f[0]) and re.match(r"[-0-9]", f[1]):
        rows += 1
        if date is None or "%s %s" % (date, f[0]) not in taken:
            bad.append("line %d: row %s under the banner date %s" % (n, f[0], date))
if rows == 0:
    bad.append("no data rows")
if want and not want <= set(seen):
    bad.append("banner dates %s, want all of %s" % (seen, sorted(want)))
if bad:
    print("\n".join(bad[:10]))
    sys.exit(1)
EOF
# day_check NAME REPORT-OPTIONS...: the check above on that report
day_check() {
    local name=$1
    shift
    "$MR" "$@" > "$T/out.txt" 2>"$T/err.txt"
    local rc=$?
    out=$(python3 "$T/days.py" "$D" "$T/out.txt" "11/27/26,11/28/26,11/29/26" 2>&1)
    check "$name" $(( rc != 0 || $? != 0 )) "$out" "$(head -40 "$T/out.txt")" "$(cat "$T/err.txt")"
}
W=(--since '2026-11-27 00:00' --until '2026-11-29 23:00')
day_check "three days, -r: each row under a banner line of its own date" -r -f "$D" "${W[@]}"
day_check "three days, -r -S -W: every block starts at its first row's date" -r -S -W -f "$D" "${W[@]}"
day_check "three days, -p: each row under a banner line of its own date" -p --top 2 -f "$D" "${W[@]}"
day_check "three days, -p --pid 1: the one header is repeated after a day change" -p --pid 1 -f "$D" "${W[@]}"
if "$MR" --numa -f "$D" "${W[@]}" | grep -q '^[0-9:]* *0 '; then
    day_check "three days, --numa: each row under a banner line of its own date" --numa -f "$D" "${W[@]}"
else
    skip "three days, --numa (no NUMA data recorded on this machine)"
fi

"$MR" -r -f "$D" --since '2026-11-28 00:00' --until '2026-11-28 23:59' > "$T/since.txt" 2>&1
first=$(head -1 "$T/since.txt" | cut -f2 | tr -d ' ')
check "--since 2026-11-28 00:00: the banner has the first row's date" \
    $([ "$first" = 11/28/26 ] && [ "$(rows "$T/since.txt" | head -1)" = 00:30:00 ]; echo $?) \
    "$(cat "$T/since.txt")"

at_clock "2026-11-30 12:00:00" "$MR" -r -f "$D" -1 > "$T/yesterday.txt" 2>&1
check "-f DIR -1: one banner, yesterday's date, its rows only" \
    $([ "$(grep -c '_x86_64_\|_aarch64_\|CPU)$' "$T/yesterday.txt")" = 1 ] &&
      head -1 "$T/yesterday.txt" | grep -q '	11/29/26 ' &&
      [ "$(rows "$T/yesterday.txt" | tr '\n' ' ')" = "00:30:00 01:00:00 " ]; echo $?) \
    "$(cat "$T/yesterday.txt")"

"$MR" --growth -f "$D" "${W[@]}" > "$T/growth.txt" 2>&1
check "--growth over three days: the banner and the window line name the dates" \
    $(head -1 "$T/growth.txt" | grep -q '	11/27/26 ' &&
      grep -q '^RSS growth from 11/27/26 22:00:00 to 11/29/26 01:00:00' "$T/growth.txt"; echo $?) \
    "$(head -5 "$T/growth.txt")"

"$MR" --at '2026-11-28 12:00' -f "$D" > "$T/at.txt" 2>&1
check "--at: the banner has the date of the sample shown" \
    $(head -1 "$T/at.txt" | grep -q '	11/28/26 ' && grep -q 'T12:00:00+01:00' "$T/at.txt"; echo $?) \
    "$(head -5 "$T/at.txt")"

# ---------------------------------------------------------------- clock step
S=$T/step
for when in "2026-11-26 10:00:00" "2026-11-26 10:01:00" "2026-11-26 10:02:00" \
            "2026-11-26 09:30:00" "2026-11-26 09:31:00"; do
    collect "$S" "$when" --no-procs || { not_ok "clock-step archive" "$(cat "$T/collect.err")"; exit 1; }
done
SF=$S/memtrail-20261126.db
boots=$(sqlite3 "$SF" 'SELECT count(DISTINCT boot_no) FROM sample')
"$MR" -r -f "$SF" > "$T/step.txt" 2>&1
check "clock stepped back within one boot: no LINUX RESTART" \
    $([ "$boots" = 1 ] && ! grep -q 'RESTART' "$T/step.txt"; echo $?) "boots: $boots" "$(cat "$T/step.txt")"
check "clock stepped back: rows in the order they were taken" \
    $([ "$(rows "$T/step.txt" | tr '\n' ' ')" = "10:01:00 10:02:00 09:30:00 09:31:00 " ]; echo $?) \
    "$(cat "$T/step.txt")"
"$MR" -B -f "$SF" > "$T/stepb.txt" 2>&1
out=$(python3 - "$SF" "$T/stepb.txt" <<'EOF' 2>&1
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
s = {t: (u, f) for t, u, f in db.execute(
    "SELECT strftime('%H:%M:%S', ts, 'unixepoch', 'localtime'), uptime_cs, pgfault FROM sample")}
u0, f0 = s["10:02:00"]
u1, f1 = s["09:30:00"]
want = (f1 - f0) * 100 / (u1 - u0)
row = [l.split() for l in open(sys.argv[2]) if l.startswith("09:30:00")]
got = float(row[0][3])
assert abs(got - want) <= 0.006 + want * 1e-9, (got, want, row)
EOF
)
check "clock stepped back: the rate after the step is over the uptime delta" $? "$out" "$(cat "$T/stepb.txt")"
"$MR" -p -f "$SF" > "$T/stepp.txt" 2>&1
check "clock stepped back: -p shows no LINUX RESTART either" \
    $(! grep -q 'RESTART' "$T/stepp.txt"; echo $?) "$(cat "$T/stepp.txt")"

# ---------------------------------------------------------------- DST
# 2026-03-29: 01:30 .. 01:50 CET, then 03:00 .. 03:40 CEST (02:00 CET -> 03:00 CEST)
# 2026-10-25: 01:50 CEST, 02:00 .. 02:50 CEST, 02:00 .. 02:50 CET, 03:00 CET
Z=$T/dst
for ((e = $(date -d '2026-03-29 01:30' +%s); e <= $(date -d '2026-03-29 03:40' +%s); e += 600)); do
    collect "$Z" "@$e" --no-procs --no-numa || { not_ok "DST archive" "$(cat "$T/collect.err")"; exit 1; }
done
for ((e = $(date -d '2026-10-25 01:50 CEST' +%s); e <= $(date -d '2026-10-25 03:00 CET' +%s); e += 600)); do
    collect "$Z" "@$e" --no-procs --no-numa ||
        { not_ok "DST archive" "$(cat "$T/collect.err")"; exit 1; }
done
SPRING=$Z/memtrail-20260329.db FALL=$Z/memtrail-20261025.db
n_fall=$(sqlite3 "$FALL" 'SELECT count(*) FROM sample')
[ "$n_fall" = 14 ] || not_ok "DST archive: 14 samples on 2026-10-25" "found $n_fall"

for opt in --since -s --until; do
    "$MR" -r -f "$Z" $opt '2026-03-29 02:30' > "$T/gap.txt" 2>"$T/gap.err"
    rc=$?
    check "DST gap: $opt '2026-03-29 02:30' is an error naming the gap" \
        $([ $rc = 1 ] && [ ! -s "$T/gap.txt" ] && grep -q '02:00' "$T/gap.err" &&
          grep -q '03:00' "$T/gap.err" && ! grep -q '^Usage' "$T/gap.err"; echo $?) \
        "exit $rc" "$(cat "$T/gap.err" "$T/gap.txt")"
done
"$MR" -r -f "$Z" --since '2026-03-29 01:30' --until '2026-03-29 03:40' > "$T/spring.txt" 2>&1
check "DST gap: a window across it drops no sample" \
    $([ "$(rows "$T/spring.txt" | tr '\n' ' ')" = "01:40:00 01:50:00 03:00:00 03:10:00 03:20:00 03:30:00 03:40:00 " ]; echo $?) \
    "$(cat "$T/spring.txt")"

# same_rows NAME EXPECTED-ROWS OPTIONS-A -- OPTIONS-B: both reports of the
# 2026-10-25 file show exactly EXPECTED-ROWS
same_rows() {
    local name=$1 want=$2 a=() b=()
    shift 2
    while [ "$1" != -- ]; do a+=("$1"); shift; done
    shift
    b=("$@")
    "$MR" -r -f "$FALL" "${a[@]}" > "$T/a.txt" 2>&1
    "$MR" -r -f "$FALL" "${b[@]}" > "$T/b.txt" 2>&1
    local ra rb
    ra=$(rows "$T/a.txt" | tr '\n' ' ') rb=$(rows "$T/b.txt" | tr '\n' ' ')
    check "$name" $([ "$ra" = "$want" ] && [ "$rb" = "$want" ] && cmp -s "$T/a.txt" "$T/b.txt"; echo $?) \
        "want: $want" "${a[*]}: $ra" "${b[*]}: $rb" "$(diff "$T/a.txt" "$T/b.txt")"
}
AFTER="02:40:00 02:50:00 02:00:00 02:10:00 02:20:00 02:30:00 02:40:00 02:50:00 03:00:00 "
same_rows "DST ambiguous: -s 02:30 and --since '2026-10-25 02:30' are its first occurrence" \
    "$AFTER" -s 02:30 -- --since '2026-10-25 02:30'
same_rows "DST ambiguous: -e 02:30 and --until '2026-10-25 02:30' are its first occurrence" \
    "02:00:00 02:10:00 02:20:00 02:30:00 " -e 02:30 -- --until '2026-10-25 02:30'
same_rows "DST ambiguous: +02:00 names the first occurrence" \
    "$AFTER" --since '2026-10-25 02:30+02:00' -- -s '2026-10-25 02:30'
same_rows "DST ambiguous: +01:00 names the second occurrence" \
    "02:40:00 02:50:00 03:00:00 " --since '2026-10-25 02:30+01:00' -- --since '2026-10-25T02:30:00+01:00'
same_rows "explicit offset: Z and +00:00 are UTC" \
    "02:10:00 02:20:00 " --since '2026-10-25 00:00Z' --until '2026-10-25 00:20Z' \
    -- --since '2026-10-25 00:00+00:00' --until '2026-10-25T00:20:00+00:00'
"$MR" -r -f "$FALL" --since '2026-10-25 02:30+25:00' > /dev/null 2>&1
check "explicit offset: out of range is refused" $([ $? = 1 ]; echo $?)

# ---------------------------------------------------------------- --human
# The --human report against the plain one, token by token: every column
# whose header names kB (VSZ, RSS, *_KB, KB/HOUR, kb*) shows sar's units,
# the rest is unchanged, and each row's Command starts under the header's.
cat > "$T/human.py" <<'EOF'
import re, sys
def human(v):
    neg, v, u = v < 0, abs(v), 0
    while v >= 1024:
        v /= 1024
        u += 1
    return ("-" if neg else "") + "%.1f" % v + "kMGTP"[u]
def back(tok):
    m = re.fullmatch(r"(-?[0-9.]+)([kMGTP])", tok)
    assert m, "not a --human value: " + tok
    return float(m.group(1)) * 1024 ** "kMGTP".index(m.group(2)), 1024 ** "kMGTP".index(m.group(2))
plain = open(sys.argv[1]).read().splitlines()
hum = open(sys.argv[2]).read().splitlines()
assert len(plain) == len(hum), (len(plain), len(hum))
kbcols, cmd_at, checked = set(), None, 0
for p, h in zip(plain, hum):
    pt, ht = p.split(), h.split()
    if any(t in ("VSZ", "FIRST_KB", "kbmemtotal", "NODE", "kbcurrent") for t in pt):
        assert p == h, ("headers differ", p, h)
        kbcols = {i for i, t in enumerate(pt)
                  if t in ("VSZ", "RSS", "KB/HOUR") or t.endswith("_KB") or t.startswith("kb")}
        cmd_at = h.find("Command") if "Command" in h else None
        continue
    data = kbcols and len(pt) > 1 and re.fullmatch(r"\d\d:\d\d:\d\d|Average:|\d+", pt[0]) \
        and re.match(r"[-0-9]", pt[1])
    if not data:
        assert p == h, ("lines differ", p, h)
        continue
    assert len(pt) == len(ht), (p, h)
    for i, (a, b) in enumerate(zip(pt, ht)):
        if i in kbcols and not (a == b and a in ("-", "max")):   # a cgroup's absent value, no limit
            got, unit = back(b)
            want = float(a)
            assert b == human(want) or abs(got - want) <= 0.051 * unit + 0.051, (i, a, b)
            checked += 1
        elif b.endswith("%") and not a.endswith("%"):   # sar's --human percentages (--numa)
            assert abs(float(b[:-1]) - float(a)) <= 0.051, (i, a, b)
        else:
            assert a == b, (i, a, b, p, h)
    if cmd_at is not None:
        assert h[cmd_at - 2:cmd_at] == "  " and h[cmd_at] != " ", ("Command not aligned", h)
assert checked, "no kB value compared"
EOF
human_check() {   # NAME REPORT-OPTIONS...
    local name=$1
    shift
    "$MR" "$@" > "$T/plain.txt" 2>&1
    "$MR" --human "$@" > "$T/human.txt" 2>&1
    out=$(python3 "$T/human.py" "$T/plain.txt" "$T/human.txt" 2>&1)
    check "$name" $? "$out" "$(head -12 "$T/human.txt")"
}
human_check "--human: -p shows VSZ and RSS in sar's units, aligned" -p --top 3 -f "$D" "${W[@]}"
human_check "--human: -p Average lines too" -p --pid 1 -f "$D" "${W[@]}"
human_check "--human: --growth shows every kB figure in sar's units" --growth --top 5 -f "$D" "${W[@]}"
human_check "--human: --at shows the summary and the processes in sar's units" \
    --at '2026-11-28 12:00' --top 3 -f "$D"
exit 0
