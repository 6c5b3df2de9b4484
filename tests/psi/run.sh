#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Memory pressure (PSI) against Debian's sar/sadf 12.6.1 on the same data.
# gen.py writes /proc snapshots with a /proc/pressure/memory beside meminfo
# and vmstat; tests/conformance/scenario.sh has sadc (-S ...,A_PSI_MEM, or
# without it for a kernel without PSI, as sadc's default set does) and
# memcollect take each one under faketime.  Then sar OPTS -f SA is compared
# with memreport OPTS -f ARCHIVE (stdout, stderr for the error cases, exit
# status), sadf -d with --format=sadf, and sadf -j with --format=json.  Then
# memtrail's own: pressure that stops after a reboot (psi=0) in text, CSV and
# JSON, CSV against sar's figures, the exports (OpenMetrics through promtool,
# node_exporter's own names and help, influx, csv-long), and the live mode.
# Prints "ok - NAME" / "not ok - NAME" / "skip - NAME (why)".
set -u
. "$(dirname "$0")/../lib.sh"
HERE=$ROOT/tests/psi
SADC=/usr/lib/sysstat/sadc SAR=/usr/bin/sar SADF=/usr/bin/sadf
MEMCOLLECT=$MC MEMREPORT=$MR
ACTS=A_NULL,A_MEMORY,A_PSI_MEM   # each scenario names its own (gen.py)
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
BASE_ENV=(env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C TZ=UTC
          "ASAN_OPTIONS=$ASAN_OPTIONS")

# One case per line: KIND|SCENARIO|ENV|OPTS|POST
#   sar  : sar OPTS -f SA POST  vs memreport OPTS -f ARCH POST (stdout, exit status)
#   err  : the same, stderr compared too (errsadf, errjson: as sadf, json)
#   sadf : sadf -d SA -- OPTS   vs memreport --format=sadf OPTS -f ARCH
#   json : sadf -j SA -- OPTS   vs memreport --format=json OPTS -f ARCH
list_cases() {
    local s o e
    for s in pressure some_only psi_reboot; do
        for o in "-q MEM" "-q PSI" "-q ALL" "-q MEM,CPU" "-q CPU,MEM" "-A" "-r -q MEM" \
                 "-q MEM -W -H" "--human -q MEM" "-h -q MEM --dec=0" "--dec=0 -q MEM" \
                 "--dec=1 -q MEM" "--human --dec=2 -q MEM" "-q MEM -i 120" "-q MEM -i 180"; do
            echo "sar|$s|LC_ALL=C|$o|"
        done
        for e in "LC_ALL=en_US.UTF-8" "LC_ALL=de_DE.UTF-8" "S_TIME_FORMAT=ISO LC_ALL=en_US.UTF-8" \
                 "LC_ALL=C TZ=America/New_York" "LC_ALL=C TZ=Asia/Kolkata"; do
            echo "sar|$s|$e|-q MEM -r|"
            echo "sar|$s|$e|-t -q MEM|"
        done
        for o in "-q MEM" "-A" "-r -q MEM" "-q PSI -W"; do
            echo "sadf|$s|LC_ALL=C|$o|"
            echo "json|$s|LC_ALL=C|$o|"
        done
        echo "sadf|$s|LC_ALL=de_DE.UTF-8|-q MEM|"
    done
    for o in "-s 11:49:00" "-s 11:49:44" "-e 11:51:44" "-s 11:48:30 -e 11:52:00" "-s 11:54:44" \
             "-e 11:48:44" "-s 12:30"; do
        echo "sar|pressure|LC_ALL=C|-q MEM $o|"
    done
    for p in "120 2" "3 1" "60 100"; do echo "sar|pressure|LC_ALL=C|-q MEM -S|$p"; done
    for o in "-s 11:50:44" "-e 11:52:19" "-s 11:51:00 -e 11:54:00" "-e 11:50:44" "-i 120"; do
        echo "sar|psi_reboot|LC_ALL=C|-q MEM -r $o|"
    done
    # a kernel without PSI: sar's message when -q MEM is all that was asked
    for o in "-q MEM" "-q PSI" "-q ALL" "-q" "-q CPU" "-q LOAD"; do
        echo "err|no_psi|LC_ALL=C|$o|"
        echo "err|pressure|LC_ALL=C|$o|"
    done
    echo "err|no_psi|LC_ALL=de_DE.UTF-8|-q MEM|"
    echo "errsadf|no_psi|LC_ALL=C|-q MEM|"
    echo "errjson|no_psi|LC_ALL=C|-q PSI|"
    for o in "-A" "-r -q MEM" "-q ALL -S" "-q MEM -H -W"; do
        echo "sar|no_psi|LC_ALL=C|$o|"
    done
    echo "sadf|no_psi|LC_ALL=C|-A|"
}

case_name() {
    local kind=$1 s=$2 env=$3 opts=$4 post=$5
    case "$kind" in
        sadf|errsadf) echo "$s: $env sadf -d -- $opts" ;;
        json|errjson) echo "$s: $env sadf -j -- $opts" ;;
        *) echo "$s: $env sar $opts${post:+ [$post]}" ;;
    esac
}

skip_reason=""
if [ "$(id -u)" -ne 0 ]; then skip_reason="needs root (unshare -m, mount --bind)"
elif ! have faketime || ! have unshare; then skip_reason="faketime or unshare missing"
elif [ ! -x "$SADC" ] || ! "$SAR" -V 2>&1 | grep -q 'version 12\.6\.1'; then
    skip_reason="sysstat 12.6.1 not installed"
elif [ ! -e /proc/pressure/memory ]; then skip_reason="this kernel has no PSI to bind-mount over"
elif ! "$ROOT/tests/locales.sh" >/dev/null 2>&1; then skip_reason="locales missing (make deps)"
fi
if [ -n "$skip_reason" ]; then
    list_cases | while IFS='|' read -r kind s env opts post; do
        skip "$(case_name "$kind" "$s" "$env" "$opts" "$post") ($skip_reason)"
    done
    exit 0
fi

# ---- the archives
mkdir -p "$OUT/fix" "$OUT/data" "$OUT/res"
python3 "$HERE/gen.py" "$OUT/fix" || { not_ok "gen.py"; exit 1; }
. "$ROOT/tests/conformance/scenario.sh"
for s in pressure some_only psi_reboot psi_gone no_psi; do
    build_scenario "$s" || { not_ok "build $s" "$(tail -5 "$OUT/data/$s.log")"; exit 1; }
done

run_case() {   # NUM KIND S ENV OPTS POST
    local num=$1 kind=$2 s=$3 env=$4 opts=$5 post=$6
    local sa=$OUT/data/$s.sa arch=$OUT/data/$s.db w=$OUT/res/$num
    local -a envv
    read -r -a envv <<< "$env"
    local form=${kind#err}
    oracle_pair "${form:-sar}" "$sa" "$arch" "$opts" "$post"
    (cd "$OUT/res" && "${BASE_ENV[@]}" "${envv[@]}" "${EXP[@]}" >"$w.exp" 2>"$w.exp.err" </dev/null
     echo $? >"$w.exp.rc")
    (cd "$OUT/res" && "${BASE_ENV[@]}" "${envv[@]}" "${ACT[@]}" >"$w.act" 2>"$w.act.err" </dev/null
     echo $? >"$w.act.rc")
    if [ "$kind" != "$form" ]; then   # err*: the file's name is the only difference sar's message may have
        sed -i "s|$arch|FILE|" "$w.act.err"; sed -i "s|$sa|FILE|" "$w.exp.err"
    fi
    local details="" name
    name=$(case_name "$kind" "$s" "$env" "$opts" "$post")
    [ "$(cat "$w.exp.rc")" = "$(cat "$w.act.rc")" ] ||
        details+="exit status: expected $(cat "$w.exp.rc"), got $(cat "$w.act.rc")"$'\n'
    cmp -s "$w.exp" "$w.act" ||
        details+=$(diff -u --label expected --label actual "$w.exp" "$w.act" | head -24)$'\n'
    if [ "$kind" != "$form" ] && ! cmp -s "$w.exp.err" "$w.act.err"; then
        details+=$(diff -u --label expected.stderr --label actual.stderr "$w.exp.err" "$w.act.err" |
                   head -10)$'\n'
    fi
    if [ -z "$details" ]; then ok "$name"; else not_ok "$name" "${envv[*]} ${ACT[*]}" "$details"; fi
}

# two workers, each every other case; the results in the cases' order
list_cases > "$OUT/cases"
worker() {
    local k=$1 n=0 kind s env opts post
    while IFS='|' read -r kind s env opts post; do
        n=$((n + 1))
        [ $((n % 2)) -eq "$k" ] && run_case "$n" "$kind" "$s" "$env" "$opts" "$post" > "$OUT/res/$n.out"
    done < "$OUT/cases"
}
worker 0 & worker 1 & wait
for ((n = 1; n <= $(wc -l < "$OUT/cases"); n++)); do cat "$OUT/res/$n.out"; done

# ---- memtrail's own
G=$OUT/data/psi_gone.db
"$MR" -q MEM -f "$G" > "$OUT/gone.txt" 2>&1; rc=$?
headers=$(grep -c '%smem-10' "$OUT/gone.txt"); rows=$(grep -cE '^[0-9:]+ +[0-9]+\.[0-9]{2}' "$OUT/gone.txt")
check "psi_gone: -q MEM shows the pressure before the reboot, none after (no zeros)" \
    $(( rc != 0 || headers != 1 || rows != 2 )) "exit $rc, $headers headers, $rows rows" "$(cat "$OUT/gone.txt")"
grep -q 'LINUX RESTART' "$OUT/gone.txt"
check "psi_gone: the restart is shown" $? "$(cat "$OUT/gone.txt")"

"$MR" --format=csv -r -q MEM -f "$G" > "$OUT/gone.csv" 2>"$OUT/gone.err"
python3 - "$OUT/gone.csv" > "$OUT/gone.csvcheck" 2>&1 <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
head, body = rows[0], rows[1:]
cols = ["%smem-10", "%smem-60", "%smem-300", "%smem", "%fmem-10", "%fmem-60", "%fmem-300", "%fmem"]
assert head[-8:] == cols, head
assert len(body) == 4, len(body)   # a reboot's first sample is its reference
for r in body[:2]:
    assert all(c != "" for c in r[-8:]), r
    float(r[-1])
for r in body[2:]:
    assert r[-8:] == [""] * 8, r          # not recorded: empty, never 0
    assert r[head.index("kbmemfree")] != "", r
print("ok")
PY
check "psi_gone: CSV leaves the pressure cells of samples without it empty" $? "$(cat "$OUT/gone.csvcheck")"

"$MR" --format=json -q MEM -r -f "$G" > "$OUT/gone.json" 2>&1
python3 - "$OUT/gone.json" > "$OUT/gone.jsoncheck" 2>&1 <<'PY'
import json, sys
st = json.load(open(sys.argv[1]))["sysstat"]["hosts"][0]["statistics"]
assert len(st) == 4, len(st)
assert ["psi" in s for s in st] == [True, True, False, False], st
assert all("memory" in s for s in st)
print("ok")
PY
check "psi_gone: JSON has no psi object where none was recorded" $? "$(cat "$OUT/gone.jsoncheck")"

# CSV carries sar's own figures: every -q MEM row of sar equals the CSV's
LC_ALL=C "$SAR" -q MEM -f "$OUT/data/pressure.sa" > "$OUT/sar.txt"
"$MR" --format=csv -q MEM -f "$OUT/data/pressure.db" > "$OUT/p.csv"
python3 - "$OUT/sar.txt" "$OUT/p.csv" > "$OUT/p.check" 2>&1 <<'PY'
import csv, sys
sar = [l.split()[1:] for l in open(sys.argv[1]) if l[:2].isdigit() and "%smem" not in l]
rows = list(csv.reader(open(sys.argv[2], newline="")))
got = [r[-8:] for r in rows[1:]]
assert len(sar) == 9 and got == sar, (sar, got)
print("ok")
PY
check "pressure: CSV columns hold sar -q MEM's figures" $? "$(cat "$OUT/p.check")"

for s in pressure psi_gone no_psi; do
    out=$("$MR" --verify -f "$OUT/data/$s.db" 2>&1)
    check "$s: --verify finds the archive sound" $? "$out"
done
"$MR" -q MEM -f "$OUT/data/no_psi.db" > /dev/null 2>&1
[ "$(sqlite3 "$OUT/data/no_psi.db" "SELECT count(*) FROM sqlite_master WHERE name = 'psi_mem'")" = 0 ]
check "no_psi: no pressure table in an archive of a kernel without PSI" $?

# live, on this kernel: sar's header, two rows and the Average
out=$(LC_ALL=C "$MR" -q MEM 1 2 2>&1); rc=$?
sar_head=$(LC_ALL=C "$SAR" -q MEM 1 1 2>/dev/null | sed -n 3p | cut -c12-)
[ $rc -eq 0 ] && [ "$(printf '%s\n' "$out" | sed -n 3p | cut -c12-)" = "$sar_head" ] &&
    [ "$(printf '%s\n' "$out" | grep -cE '^[0-9:]+ +[0-9]+\.[0-9]{2}( +[0-9]+\.[0-9]{2}){7}$')" = 2 ] &&
    printf '%s\n' "$out" | tail -1 | grep -qE '^Average: +[0-9]+\.[0-9]{2}( +[0-9]+\.[0-9]{2}){7}$'
check "live: -q MEM 1 2 reads the real /proc/pressure/memory as sar does" $? "exit $rc" "$out" \
    "sar's header: $sar_head"

# ---- the exports
P=$OUT/data/pressure.db
CHECKPY="python3 $ROOT/tests/export/check.py"
"$MR" --format=openmetrics -f "$P" -o "$OUT/p.om" && "$MR" --format=openmetrics --names=node -f "$P" -o "$OUT/node.om"
out=$($CHECKPY om-rules "$OUT/p.om" 2>&1 && $CHECKPY om-rules "$OUT/node.om" 2>&1)
check "openmetrics: the pressure families keep the OpenMetrics rules, both namings" $? "$out"
# the last sample's totals, from the fixture: µs as seconds
last=$(ls -d "$OUT"/fix/pressure/[0-9]* | tail -1)/pressure
some_s=$(awk '/^some/ { sub("total=", "", $5); printf "%d.%06d", $5 / 1000000, $5 % 1000000 }' "$last")
full_s=$(awk '/^full/ { sub("total=", "", $5); printf "%d.%06d", $5 / 1000000, $5 % 1000000 }' "$last")
got_some=$(grep '^node_pressure_memory_waiting_seconds_total{' "$OUT/node.om" | tail -1 | cut -d' ' -f2)
got_full=$(grep '^node_pressure_memory_stalled_seconds_total{' "$OUT/node.om" | tail -1 | cut -d' ' -f2)
[ -n "$some_s" ] && [ "$got_some" = "$some_s" ] && [ "$got_full" = "$full_s" ]
check "openmetrics --names=node: waiting (some) and stalled (full) seconds are the fixture's totals" $? \
    "want $some_s $full_s, got $got_some $got_full"
avg=$(grep '^memtrail_pressure_memory_average_percent{.*line="some",window="10"}' "$OUT/p.om" | sed -n 5p | cut -d' ' -f2)
[ "$avg" = "12.05" ]   # gen.py's shape: the 5th sample's some avg10 is 1205 hundredths
check "openmetrics: memtrail's names carry the averages, in percent" $? "got $avg"

if have promtool; then
    for f in p node; do
        rm -rf "$OUT/blocks-$f"
        out=$(promtool tsdb create-blocks-from openmetrics "$OUT/$f.om" "$OUT/blocks-$f" 2>&1) &&
            mkdir -p "$OUT/blocks-$f/wal" &&
            promtool tsdb dump "$OUT/blocks-$f" > "$OUT/$f.dump" 2>/dev/null &&
            out=$($CHECKPY om-vs-dump "$OUT/$f.om" "$OUT/$f.dump" 2>&1)
        check "promtool: the $f export imported in full and read back equal, pressure included" $? "$out"
    done
else
    skip "promtool: the pressure export imported (no promtool: make deps installs prometheus)"
fi

# node_exporter's own names, HELP and TYPE for the same metrics (its pressure
# collector alone, on a private port, reading the real kernel)
NE=/usr/bin/prometheus-node-exporter
if [ -x "$NE" ] && have curl; then
    port=$((20000 + $$ % 20000))
    "$NE" --web.listen-address=127.0.0.1:$port --collector.disable-defaults --collector.pressure \
        > "$OUT/ne.log" 2>&1 &
    ne=$!
    for _ in $(seq 50); do curl -sf "127.0.0.1:$port/metrics" > "$OUT/ne.txt" 2>/dev/null && break; sleep 0.1; done
    kill "$ne" 2>/dev/null; wait "$ne" 2>/dev/null
    # node_exporter's text format names the family with _total; OpenMetrics without
    grep -E '^# (HELP|TYPE) node_pressure_memory_' "$OUT/ne.txt" | sed 's/_seconds_total /_seconds /' | sort > "$OUT/ne.want"
    grep -E '^# (HELP|TYPE) node_pressure_memory_' "$OUT/node.om" | sort > "$OUT/ne.got"
    [ -s "$OUT/ne.want" ] && diff "$OUT/ne.want" "$OUT/ne.got" > "$OUT/ne.diff"
    check "openmetrics --names=node: node_exporter's pressure metric names, HELP and TYPE" $? \
        "$(cat "$OUT/ne.diff" "$OUT/ne.log" 2>/dev/null | head -20)"
else
    skip "openmetrics --names=node: node_exporter's names (prometheus-node-exporter or curl missing)"
fi

"$MR" --format=influx -f "$P" > "$OUT/p.influx" && "$MR" --format=csv-long -f "$P" > "$OUT/p.long"
out=$($CHECKPY influx "$OUT/p.influx" "$OUT/p.long" 2>&1)
check "influx and csv-long: the same pressure values, line protocol valid" $? "$out"
n_influx=$(grep -c '^memtrail_pressure,host=[^ ]* some_total_us=[0-9]*i,full_total_us=[0-9]*i,some_avg10=' "$OUT/p.influx")
n_long=$(grep -c ',pressure\.some_total_us,' "$OUT/p.long")
[ "$n_influx" = 10 ] && [ "$n_long" = 10 ]
check "influx and csv-long: one pressure point per sample" $? "influx $n_influx, csv-long $n_long"
"$MR" --format=openmetrics -f "$OUT/data/no_psi.db" > "$OUT/no.om"
! grep -q pressure "$OUT/no.om"
check "openmetrics: no pressure family for an archive without it" $?

# ---- memcollect --textfile: the same names and values as the export
snap=$(ls -d "$OUT"/fix/pressure/[0-9]* | sed -n 5p)
mkdir -p "$OUT/tf"; chmod 755 "$OUT/tf"
unshare -m /bin/sh -c 'mount --bind "$1/pressure" /proc/pressure/memory && exec "$2" --textfile "$3" "$4"' \
    sh "$snap" "$MC" "$OUT/tf" "$OUT/tf.db" > "$OUT/tf.log" 2>&1
grep '^memtrail_pressure_memory_' "$OUT/tf/memtrail.prom" > "$OUT/tf.got" 2>/dev/null
"$MR" --format=openmetrics -f "$OUT/tf.db" | grep '^memtrail_pressure_memory_' |
    sed 's/{instance="[^"]*",job="memtrail",/{/; s/ [0-9]*$//' > "$OUT/tf.want"
[ "$(wc -l < "$OUT/tf.got")" = 8 ] && diff "$OUT/tf.want" "$OUT/tf.got" > "$OUT/tf.diff" &&
    grep -qx 'memtrail_pressure_memory_average_percent{line="some",window="10"} 12.05' "$OUT/tf.got"
check "memcollect --textfile: the pressure as the export names and values it" $? \
    "$(cat "$OUT/tf.log" "$OUT/tf.diff" 2>/dev/null)" "$(cat "$OUT/tf.got")"
if have promtool; then
    out=$(promtool check metrics < "$OUT/tf/memtrail.prom" 2>&1)
    check "memcollect --textfile: promtool check metrics accepts the pressure families" $? "$out"
fi

# ---- --summary and --trend: the pressure peaks, against python3 on the fixture
cat > "$OUT/peaks.py" <<'PY'
import sys
steps = [l.split() for l in open(sys.argv[1]) if l.startswith("sample")]
pts = []
for _, ts, snap in steps:
    up = open(snap + "/uptime").read().split()[0]
    cs = int(up.replace(".", ""))
    v = {}
    for line in open(snap + "/pressure"):
        f = line.split()
        v[f[0]] = (int(f[1].split("=")[1].replace(".", "")), int(f[4].split("=")[1]))
    pts.append((int(ts), cs, v))
def peak(vals):
    best = max(vals, key=lambda x: x[0])   # the first of equal maxima, as the reports keep it
    return "%.2f %d" % best
out = []
for line in ("some", "full"):
    out.append(peak([(p[2][line][0] / 100, p[0]) for p in pts]))
    out.append(peak([((b[2][line][1] - a[2][line][1]) / (b[1] - a[1]) / 100, b[0])
                     for a, b in zip(pts, pts[1:])]))
print(" ".join(out))
PY
want=$(python3 "$OUT/peaks.py" "$OUT/fix/pressure/steps")
TZ=UTC "$MR" --trend --format=csv -f "$OUT/data/pressure.db" > "$OUT/trend.csv"
got=$(python3 -c '
import csv, sys
r = [x for x in csv.DictReader(open(sys.argv[1], newline="")) if x["kind"] == "day"][0]
print(" ".join("%s %s" % (r[k + "_max"], r[k + "_max_epoch"]) for k in ("smem10", "smem", "fmem10", "fmem")))
' "$OUT/trend.csv" 2>&1)
[ -n "$want" ] && [ "$got" = "$want" ]
check "--trend: each day's highest %smem-10, %smem, %fmem-10, %fmem and when, as python3 finds them" $? \
    "want $want" "got  $got"
TZ=UTC "$MR" --summary=hour --format=csv -f "$OUT/data/pressure.db" > "$OUT/sum.csv"
got=$(python3 -c '
import csv, sys
rows = {x["metric"]: x for x in csv.DictReader(open(sys.argv[1], newline=""))}
print(" ".join("%s %s" % (rows[m]["max"], rows[m]["max_at_epoch"]) for m in ("%smem-10", "%smem", "%fmem-10", "%fmem")))
' "$OUT/sum.csv" 2>&1)
[ "$got" = "$want" ]
check "--summary: the pressure's max and when, as python3 finds them" $? "want $want" "got  $got"
TZ=UTC "$MR" --trend -f "$OUT/data/pressure.db" > "$OUT/trend.txt"
grep -q '^Memory pressure peaks' "$OUT/trend.txt" && grep -qE '^2026-11-25 +99\.99 11:52:44 ' "$OUT/trend.txt"
check "--trend text: the pressure peaks' table" $? "$(cat "$OUT/trend.txt")"
TZ=UTC "$MR" --summary=day -f "$OUT/data/no_psi.db" > "$OUT/nosum.txt"; TZ=UTC "$MR" --trend -f "$OUT/data/no_psi.db" > "$OUT/notrend.txt"
! grep -q 'mem-10\|pressure' "$OUT/nosum.txt" "$OUT/notrend.txt"
check "--summary and --trend: no pressure blocks for an archive without it" $?

# live on a kernel without PSI (an empty /proc/pressure): sar's message alone, the rest with -r
out=$(unshare -m /bin/sh -c 'mount -t tmpfs tmpfs /proc/pressure && LC_ALL=C "$1" -q MEM 1 1; echo "rc=$?";
    LC_ALL=C "$1" -r -q MEM 1 1' sh "$MR" 2>&1)
printf '%s\n' "$out" | grep -q '^Requested activities not available$' && printf '%s\n' "$out" | grep -q '^rc=1$' &&
    printf '%s\n' "$out" | grep -q 'kbmemfree' && ! printf '%s\n' "$out" | grep -q 'smem'
check "live without PSI: -q MEM says so (exit 1), -r -q MEM shows -r alone" $? "$out"
