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
# JSON, CSV against sar's figures, and the live mode on the real kernel.
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
#   err  : the same, stderr compared too
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
    for o in "-A" "-r -q MEM" "-q ALL -S" "-q MEM -H -W"; do
        echo "sar|no_psi|LC_ALL=C|$o|"
    done
    echo "sadf|no_psi|LC_ALL=C|-A|"
}

case_name() {
    local kind=$1 s=$2 env=$3 opts=$4 post=$5
    case "$kind" in
        sadf) echo "$s: $env sadf -d -- $opts" ;;
        json) echo "$s: $env sadf -j -- $opts" ;;
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
    local -a envv o p exp act
    read -r -a envv <<< "$env"
    read -r -a o <<< "$opts"
    read -r -a p <<< "$post"
    case "$kind" in
        sar|err) exp=("$SAR" "${o[@]}" -f "$sa" "${p[@]}")
                 act=("$MR" "${o[@]}" -f "$arch" "${p[@]}") ;;
        sadf)    exp=("$SADF" -d "$sa" -- "${o[@]}")
                 act=("$MR" --format=sadf "${o[@]}" -f "$arch") ;;
        json)    exp=("$SADF" -j "$sa" -- "${o[@]}")
                 act=("$MR" --format=json "${o[@]}" -f "$arch") ;;
    esac
    (cd "$OUT/res" && "${BASE_ENV[@]}" "${envv[@]}" "${exp[@]}" >"$w.exp" 2>"$w.exp.err" </dev/null
     echo $? >"$w.exp.rc")
    (cd "$OUT/res" && "${BASE_ENV[@]}" "${envv[@]}" "${act[@]}" >"$w.act" 2>"$w.act.err" </dev/null
     echo $? >"$w.act.rc")
    if [ "$kind" = err ]; then   # the file's name is the only difference sar's message may have
        sed -i "s|$arch|FILE|" "$w.act.err"; sed -i "s|$sa|FILE|" "$w.exp.err"
    fi
    local details="" name
    name=$(case_name "$kind" "$s" "$env" "$opts" "$post")
    [ "$(cat "$w.exp.rc")" = "$(cat "$w.act.rc")" ] ||
        details+="exit status: expected $(cat "$w.exp.rc"), got $(cat "$w.act.rc")"$'\n'
    cmp -s "$w.exp" "$w.act" ||
        details+=$(diff -u --label expected --label actual "$w.exp" "$w.act" | head -24)$'\n'
    if [ "$kind" = err ] && ! cmp -s "$w.exp.err" "$w.act.err"; then
        details+=$(diff -u --label expected.stderr --label actual.stderr "$w.exp.err" "$w.act.err" |
                   head -10)$'\n'
    fi
    if [ -z "$details" ]; then ok "$name"; else not_ok "$name" "${envv[*]} ${act[*]}" "$details"; fi
}

n=0
while IFS='|' read -r kind s env opts post; do
    n=$((n + 1))
    run_case "$n" "$kind" "$s" "$env" "$opts" "$post"
done < <(list_cases)

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
