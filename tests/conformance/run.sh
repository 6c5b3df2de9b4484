#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Conformance tests: memreport against Debian's sar/sadf 12.6.1 on the same data.
#
# For every scenario written by gen_fixtures.py, each /proc snapshot is
# bind-mounted over /proc/{meminfo,vmstat,swaps,uptime,sys/kernel/random/boot_id}
# in a private mount namespace (one `unshare -m` per snapshot) and, under
# faketime frozen at the snapshot's time, both sadc and memcollect take their
# sample there.  Then `sar OPTS -f SAFILE` is compared with
# `memreport OPTS -f ARCHIVE` (stdout and exit code), and `sadf -d SAFILE -- OPTS`
# with `memreport --format=sadf OPTS -f ARCHIVE`, for the cases listed below.
#
# Output protocol (read by tests/run.sh), one line per test:
#   ok - NAME | not ok - NAME (followed by a diff) | skip - NAME (reason)
#
# Usage: tests/conformance/run.sh [-k PATTERN] [-j JOBS]
#   -k PATTERN  only cases whose name contains PATTERN (grep -F)
#   -j JOBS     parallel workers (default: number of CPUs)
# Everything (fixtures, SA files, archives, outputs) is rebuilt on each run and
# left in tests/out/conformance/ for inspection.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
OUT=$ROOT/tests/out/conformance
SADC=/usr/lib/sysstat/sadc
SAR=/usr/bin/sar
SADF=/usr/bin/sadf
BIN=${MEMTRAIL_BIN:-$ROOT}          # tests/run.sh points this at the sanitizer build
MEMCOLLECT=$BIN/memcollect
MEMREPORT=$BIN/memreport
ACTS=A_NULL,A_MEMORY,A_SWAP,A_PAGE,A_HUGE
FILTER=""
JOBS=$(nproc 2>/dev/null || echo 2)
while [ $# -gt 0 ]; do
    case "$1" in
        -k) FILTER=$2; shift 2 ;;
        -j) JOBS=$2; shift 2 ;;
        *) echo "usage: $0 [-k PATTERN] [-j JOBS]" >&2; exit 2 ;;
    esac
done

# The environment every command starts from (then the case's own variables).
BASE_ENV=(env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C TZ=UTC)
# For a sanitizer build: libfaketime is preloaded ahead of the ASan runtime.
export ASAN_OPTIONS=${ASAN_OPTIONS:-verify_asan_link_order=0}

# ---------------------------------------------------------------- the cases
# One case per line: KIND|SCENARIO|ENV|OPTS|POST
#   KIND  sar   : sar OPTS -f SA POST          vs memreport OPTS -f ARCH POST
#         sadf  : sadf -d SA -- OPTS           vs memreport --format=sadf OPTS -f ARCH
#         err   : like sar, and stderr must be equal too (FILE in OPTS = the bad file)
#         usage : like sar; only rc and stdout compared, stderr must name the
#                 argument ("memreport: ...") and then start "Usage: "
#   ENV   space-separated VAR=VALUE added to BASE_ENV
SCENARIOS="ordinary zero_swap swap_full swap_odd clamp_all clamp_some huge_pages
fast_counters missing_keys one_second ten_minutes reboot midnight
kolkata_midnight collector_ny counter_drop double_reboot dst_fallback"

list_cases() {
    local s e o
    # every activity alone, together, and -A, on every scenario
    for s in $SCENARIOS; do
        for o in "-r" "-r ALL" "-S" "-W" "-B" "-H" "-A" "-H -S -r -B -W"; do
            echo "sar|$s|LC_ALL=C|$o|"
        done
        for o in "-r -S" "-W -B -H" "-r ALL"; do
            echo "sadf|$s|LC_ALL=C|$o|"
        done
        echo "sar|$s|LC_ALL=C|--human -r ALL -S -H|"
    done
    # environments: locales, ISO, time zones, -t
    for s in ordinary reboot midnight collector_ny; do
        for e in "LC_ALL=en_US.UTF-8" "LC_ALL=de_DE.UTF-8" "LC_ALL=en_GB.UTF-8" \
                 "LC_ALL=C.UTF-8" "S_TIME_FORMAT=ISO LC_ALL=en_US.UTF-8" \
                 "S_TIME_FORMAT=ISO LC_ALL=de_DE.UTF-8" "S_TIME_FORMAT=iso" \
                 "LC_TIME=en_US.UTF-8" "LC_NUMERIC=de_DE.UTF-8" \
                 "LANG=de_DE.UTF-8" "LC_ALL=C TZ=America/New_York" \
                 "LC_ALL=C TZ=Asia/Kolkata" "LC_ALL=en_US.UTF-8 TZ=America/New_York"; do
            echo "sar|$s|$e|-r -S -W -B -H|"
        done
        for e in "LC_ALL=C TZ=America/New_York" "LC_ALL=en_US.UTF-8 TZ=Asia/Kolkata" \
                 "LC_ALL=de_DE.UTF-8" "LC_ALL=C"; do
            echo "sar|$s|$e|-t -r -S -W|"
        done
        for e in "LC_ALL=de_DE.UTF-8" "LC_ALL=C TZ=America/New_York"; do
            echo "sadf|$s|$e|-r -S -W -B -H|"
        done
    done
    # --human, -h, --dec
    for s in ordinary swap_odd clamp_all huge_pages fast_counters; do
        for o in "--human -r -S -W -B -H" "-h -r ALL -S --dec=0" "--dec=1 -r -S -B -W -H" \
                 "--dec=0 -W -B -r -S" "--human --dec=2 -r -S -H" "-h --dec=1 -H -B" \
                 "--dec=2 -r ALL"; do
            echo "sar|$s|LC_ALL=C|$o|"
        done
        echo "sar|$s|LC_ALL=de_DE.UTF-8|--human -r -S -B|"
        echo "sar|$s|LC_ALL=en_US.UTF-8|-h -r -S --dec=0|"
    done
    # -s / -e windows (ordinary: records 11:47:44 .. 11:54:44 every minute)
    for o in "-s 11:49:00" "-s 11:49:44" "-s 11:49:45" "-e 11:51:44" "-e 11:51:43" \
             "-s 11:48:30 -e 11:52:00" "-s 12:00" "-e 11:00" "-s 11:54:44" \
             "-s 11:53:44" "-e 11:47:44" "-e 11:48:44" "-s 11:47" "-e 11:50" \
             "-s 11:50:44 -e 11:50:44" "-s 13.20" "-s 1147" "-s 11:48:00 -e 11:48:59"; do
        echo "sar|ordinary|LC_ALL=C|-r -S -W $o|"
        echo "sar|ordinary|LC_ALL=C|-B -H $o|"
    done
    echo "sar|ordinary|LC_ALL=C TZ=America/New_York|-r -s 06:49:00 -e 06:52:00|"
    echo "sar|ordinary|LC_ALL=C TZ=America/New_York|-r -t -s 11:49:00 -e 11:52:00|"
    echo "sar|ordinary|LC_ALL=en_US.UTF-8|-r -W -s 11:49:00 -e 11:52:00|"
    # reboot (seg 1: 11:47:44..11:50:44, restart 11:52:19, seg 2: 11:52:19..11:56:19)
    for o in "-s 11:50:44" "-s 11:50:00" "-e 11:52:19" "-e 11:52:18" "-e 11:53:19" \
             "-s 11:52:19" "-s 11:52:30" "-s 11:53:00 -e 11:55:30" "-s 11:49:00 -e 11:54:00" \
             "-e 11:50:44" "-i 2" "-i 120" "-i 180" "4 1" "120 2"; do
        case "$o" in
            [0-9]*) echo "sar|reboot|LC_ALL=C|-r -S -W -B|$o" ;;
            *) echo "sar|reboot|LC_ALL=C|-r -S -W -B $o|" ;;
        esac
    done
    # midnight UTC (23:56:30 .. 00:03:30)
    for o in "-s 23:58 -e 00:01" "-s 23:57:30 -e 00:02:30" "-e 00:01" "-s 23:59" \
             "-s 00:00" "-s 23:00 -e 23:59:30" "-s 00:00:30 -e 00:02:30" "-t -s 23:58 -e 00:01"; do
        echo "sar|midnight|LC_ALL=C|-r -W $o|"
        echo "sar|midnight|LC_ALL=C|-S -B $o|"
    done
    echo "sar|midnight|LC_ALL=C|-r -W -i 120|"
    echo "sar|midnight|LC_ALL=C TZ=America/New_York|-r -W -s 18:58 -e 19:01|"
    # midnight in Asia/Kolkata only (18:27:10 .. 18:33:10 UTC)
    for o in "" "-s 23:58 -e 00:02" "-s 23:59" "-e 00:01" "-s 00:00:10" "-t -s 18:28"; do
        echo "sar|kolkata_midnight|LC_ALL=C TZ=Asia/Kolkata|-r -W $o|"
    done
    echo "sar|kolkata_midnight|LC_ALL=en_US.UTF-8 TZ=Asia/Kolkata|-r -W -s 23:58 -e 00:02|"
    # -i and positional interval/count (1-second samples)
    for o in "-i 1" "-i 2" "-i 3" "-i 4" "-i 5" "-i 20" "-i 2 -s 11:47:47" "-i 3 -e 11:47:52"; do
        echo "sar|one_second|LC_ALL=C|-r -S -W -B $o|"
    done
    for p in "4 1" "3 2" "2" "1 1" "1 3" "5 1" "2 100" "100 1"; do
        echo "sar|one_second|LC_ALL=C|-r|$p"
        echo "sar|one_second|LC_ALL=C|-r -S -W -B|$p"
    done
    echo "sar|one_second|LC_ALL=C|-r -i 2|3"
    for o in "-i 1200" "-i 900" "-i 600" "-s 09:30 -e 10:00" "-s 09:20:03 -e 09:50:03"; do
        echo "sar|ten_minutes|LC_ALL=C|-r -W -B $o|"
    done
    echo "sar|ten_minutes|LC_ALL=C|-r -W|1800 2"
    # sadf on more shapes
    for s in ordinary reboot; do
        echo "sadf|$s|LC_ALL=C|-A|"
        echo "sadf|$s|LC_ALL=C|-H -W|"
        echo "sadf|$s|LC_ALL=en_US.UTF-8|-B -S|"
    done
    # option spellings that must not change -r/-S output, bundled letters, bare -s/-e
    for o in "-rS" "-Sr ALL" "-rSWBH" "-r -C" "-p -z -r -S" "-r -s" "-r -e" "-S -s -e" \
             "-r -r" "-A -r" "-r ALL -r" "-S -A"; do
        echo "sar|ordinary|LC_ALL=C|$o|"
    done
    echo "sar|ten_minutes|LC_ALL=C|-r -e|"
    echo "sar|ten_minutes|LC_ALL=C|-r -s|"
    # several restarts, a segment made of its reference only
    for o in "" "-s 11:51:04" "-s 11:51:05" "-e 11:52:34" "-e 11:51:04" "-s 11:50:00 -e 11:53:00" \
             "-i 60" "-i 30"; do
        echo "sar|double_reboot|LC_ALL=C|-r -S -W -B $o|"
    done
    for p in "4 1" "2 2" "60 1"; do echo "sar|double_reboot|LC_ALL=C|-r -W|$p"; done
    echo "sadf|double_reboot|LC_ALL=C|-A|"
    # daylight saving time ends in America/New_York (hour goes down)
    for o in "" "-s 01:55" "-s 01:58 -e 01:01" "-e 01:02" "-s 01:57 -e 01:59" "-t" "-i 120"; do
        echo "sar|dst_fallback|LC_ALL=C TZ=America/New_York|-r -W $o|"
    done
    echo "sar|dst_fallback|LC_ALL=en_US.UTF-8 TZ=America/New_York|-r -S|"
    echo "sadf|dst_fallback|LC_ALL=C TZ=America/New_York|-r -W|"
    # errors
    echo "err|ordinary|LC_ALL=de_DE.UTF-8|-r -f /nonexistent/file|"
    echo "err|ordinary|LC_ALL=de_DE.UTF-8|-r -f /etc/passwd|"
    echo "err|ordinary|LC_ALL=C|-r -f /nonexistent/file|"
    echo "err|ordinary|LC_ALL=C|-r -f /etc/passwd|"
    echo "err|ordinary|LC_ALL=C|-r -S -f EMPTYFILE|"
    echo "err|ordinary|LC_ALL=C|-r -f DIRECTORY/nothing/here|"
    echo "errsadf|ordinary|LC_ALL=C|-r -f /nonexistent/file|"
    echo "errsadf|ordinary|LC_ALL=C|-r -f /etc/passwd|"
    for o in "-s 25:00" "-s 12:60" "-e 24:00" "-s 11:47:61" "--dec=3" "--dec=10" "--dec" \
             "-i 0" "-i x" "-Q" "-r BOGUS"; do
        echo "usage|ordinary|LC_ALL=C|-r $o|"
    done
    echo "usage|ordinary|LC_ALL=C|-r|0"
    echo "usage|ordinary|LC_ALL=C|-r|2 0"
    echo "usage|ordinary|LC_ALL=C|-r|x"
}

case_name() {  # KIND|S|ENV|OPTS|POST -> a readable name
    local kind=$1 s=$2 env=$3 opts=$4 post=$5 cmd
    case "$kind" in
        sadf|errsadf) cmd="sadf -d -- $opts" ;;
        *) cmd="sar $opts${post:+ [$post]}" ;;
    esac
    echo "$s: $env $cmd"
}

# ------------------------------------------------------------ prerequisites
skip_reason=""
if [ "$(id -u)" -ne 0 ]; then skip_reason="needs root (unshare -m, mount --bind)"
elif ! command -v unshare >/dev/null; then skip_reason="unshare not installed"
elif ! command -v faketime >/dev/null; then skip_reason="faketime not installed"
elif [ ! -x "$SADC" ] || [ ! -x "$SAR" ] || [ ! -x "$SADF" ]; then skip_reason="sysstat not installed"
elif ! command -v python3 >/dev/null; then skip_reason="python3 not installed"
elif [ ! -x "$MEMCOLLECT" ] || [ ! -x "$MEMREPORT" ]; then skip_reason="memcollect/memreport not built (run make)"
elif ! "$SAR" -V 2>&1 | grep -q 'version 12\.6\.1'; then skip_reason="sar is not sysstat 12.6.1"
elif ! unshare -m true 2>/dev/null; then skip_reason="unshare -m not permitted here"
elif ! "$ROOT/tests/locales.sh" >/dev/null 2>&1; then skip_reason="locales missing (make deps)"
fi
if [ -n "$skip_reason" ]; then
    list_cases | while IFS='|' read -r kind s env opts post; do
        [ -n "$FILTER" ] && ! case_name "$kind" "$s" "$env" "$opts" "$post" | grep -qF -- "$FILTER" && continue
        echo "skip - $(case_name "$kind" "$s" "$env" "$opts" "$post") ($skip_reason)"
    done
    exit 0
fi

# ------------------------------------------------------------ build archives
rm -rf "$OUT"
mkdir -p "$OUT/fix" "$OUT/data" "$OUT/res"
python3 "$HERE/gen_fixtures.py" "$OUT/fix" || { echo "not ok - generate fixtures"; exit 1; }
: > "$OUT/data/EMPTYFILE"

. "$HERE/scenario.sh"
export -f build_scenario
export OUT SADC MEMCOLLECT ACTS
build_fail=$(printf '%s\n' $SCENARIOS | xargs -P "$JOBS" -I{} bash -c 'build_scenario {} || echo {}')

# ------------------------------------------------------------ run the cases
# run_case NUM KIND S ENV OPTS POST: writes res/NUM.st (ok|not ok) and res/NUM.log
run_case() {
    local num=$1 kind=$2 s=$3 env=$4 opts=$5 post=$6
    local sa=$OUT/data/$s.sa arch=$OUT/data/$s.db w=$OUT/res/$num
    local -a envv o p exp act
    read -r -a envv <<< "$env"
    opts=${opts//EMPTYFILE/$OUT/data/EMPTYFILE}
    opts=${opts//DIRECTORY/$OUT/data}
    read -r -a o <<< "$opts"
    read -r -a p <<< "$post"
    case "$kind" in
        sar|usage|sadf) oracle_pair "${kind/usage/sar}" "$sa" "$arch" "$opts" "$post"
                   exp=("${EXP[@]}"); act=("${ACT[@]}") ;;
        err)       exp=("$SAR" "${o[@]}" "${p[@]}")
                   act=("$MEMREPORT" "${o[@]}" "${p[@]}") ;;
        errsadf)   # OPTS is "... -f FILE": sadf takes the file positionally
                   local f=${o[-1]}; o=("${o[@]:0:${#o[@]}-2}")
                   exp=("$SADF" -d "$f" -- "${o[@]}")
                   act=("$MEMREPORT" --format=sadf "${o[@]}" -f "$f") ;;
    esac
    (cd "$OUT/res" && "${BASE_ENV[@]}" "${envv[@]}" "${exp[@]}" >"$w.exp" 2>"$w.exp.err" </dev/null; echo $? >"$w.exp.rc")
    (cd "$OUT/res" && "${BASE_ENV[@]}" "${envv[@]}" "${act[@]}" >"$w.act" 2>"$w.act.err" </dev/null; echo $? >"$w.act.rc")
    local erc arc ok=1
    erc=$(cat "$w.exp.rc"); arc=$(cat "$w.act.rc")
    {
        echo "  expected: ${envv[*]} ${exp[*]}"
        echo "  actual:   ${envv[*]} ${act[*]}"
        if [ "$erc" != "$arc" ]; then
            ok=0; echo "  exit code: expected $erc, got $arc"
        fi
        if ! cmp -s "$w.exp" "$w.act"; then
            ok=0; diff -u --label expected --label actual "$w.exp" "$w.act" | head -20 | sed 's/^/  /'
        fi
        case "$kind" in
            err|errsadf)
                if ! cmp -s "$w.exp.err" "$w.act.err"; then
                    ok=0; diff -u --label expected.stderr --label actual.stderr \
                        "$w.exp.err" "$w.act.err" | head -20 | sed 's/^/  /'
                fi ;;
            usage)   # sar's usage, after a line that names the bad argument
                if ! head -1 "$w.act.err" | grep -q '^memreport: ' ||
                   ! sed -n 2p "$w.act.err" | grep -q '^Usage: '; then
                    ok=0; echo "  stderr is not 'memreport: ...' then 'Usage: ':"; head -3 "$w.act.err" | sed 's/^/  /'
                fi ;;
        esac
    } > "$w.log"
    [ $ok = 1 ] && echo ok > "$w.st" || echo "not ok" > "$w.st"
}

list_cases > "$OUT/cases"
n=0
: > "$OUT/selected"
while IFS='|' read -r kind s env opts post; do
    n=$((n + 1))
    name=$(case_name "$kind" "$s" "$env" "$opts" "$post")
    [ -n "$FILTER" ] && ! grep -qF -- "$FILTER" <<< "$name" && continue
    printf '%04d|%s|%s|%s|%s|%s\n' "$n" "$kind" "$s" "$env" "$opts" "$post" >> "$OUT/selected"
    printf '%04d\t%s\n' "$n" "$name" >> "$OUT/names"
done < "$OUT/cases"

worker() {  # worker K: runs every JOBS-th selected case
    local k=$1 i=0 num kind s env opts post
    while IFS='|' read -r num kind s env opts post; do
        if [ $((i % JOBS)) -eq "$k" ]; then
            run_case "$num" "$kind" "$s" "$env" "$opts" "$post"
        fi
        i=$((i + 1))
    done < "$OUT/selected"
}
for ((k = 0; k < JOBS; k++)); do worker "$k" & done
wait

# ------------------------------------------------------------ report
for s in $build_fail; do
    echo "not ok - build scenario $s"
    tail -5 "$OUT/data/$s.log" | sed 's/^/  /'
done
while IFS=$'\t' read -r num name; do
    st=$(cat "$OUT/res/$num.st" 2>/dev/null || echo "not ok")
    scen=${name%%:*}
    if [ -n "$build_fail" ] && grep -qx "$scen" <<< "$build_fail"; then
        echo "not ok - $name (scenario failed to build)"
        continue
    fi
    echo "$st - $name"
    [ "$st" = ok ] || cat "$OUT/res/$num.log"
done < "$OUT/names"
