#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Command-line behaviour of memcollect and memreport on the real /proc: files
# and permissions, locking, refusals, errors and exit codes, live mode,
# signals, the CSV and JSON formats read back by real parsers, the stock
# sqlite3 shell, windows across daily files, and valgrind on a collect and
# report cycle.  Prints "ok - NAME" / "not ok - NAME" / "skip - NAME (why)".
set -u
. "$(dirname "$0")/../lib.sh"
WORK=$(mktemp -d /tmp/memtrail-cli.XXXXXX)
chmod 755 "$WORK"
trap 'rm -rf "$WORK"' EXIT
cd "$WORK" || exit 2

at() { # run "$@" with the wall clock fixed at $AT (local time)
    LD_PRELOAD=$FAKETIME_LIB FAKETIME="@$AT" FAKETIME_DONT_RESET=1 "$@"
}

# --- memcollect: daily files, permissions
"$MC" 1 2 data/ >out 2>err; rc=$?
day=$(date +%Y%m%d)
f=data/memtrail-$day.db
check "memcollect into a new directory makes the daily file" \
    $([ $rc -eq 0 ] && [ -f "$f" ]; echo $?) "rc=$rc $(cat err)"
check "new directory 0750, new archive 0640" \
    $([ "$(stat -c %a data)" = 750 ] && [ "$(stat -c %a "$f")" = 640 ]; echo $?) \
    "dir $(stat -c %a data) file $(stat -c %a "$f")"
n=$(sqlite3 "$f" 'SELECT count(*) FROM sample' 2>&1)
check "two samples stored" $([ "$n" = 2 ]; echo $?) "count=$n"

# --- the stock sqlite3 shell reads plain columns
want=$(awk '/^MemTotal:/ {print $2}' /proc/meminfo)
got=$(sqlite3 "$f" 'SELECT MemTotal FROM sample LIMIT 1')
check "sqlite3 shell: MemTotal column equals /proc/meminfo" $([ "$got" = "$want" ]; echo $?) "got $got want $want"
got=$(sqlite3 "$f" "SELECT count(*) FROM sample_time WHERE utc LIKE '20%' AND boot_id = '$(cat /proc/sys/kernel/random/boot_id)'")
check "sqlite3 shell: sample_time view shows times and the boot id" $([ "$got" = 2 ]; echo $?) "got $got"
appid=$(sqlite3 "$f" 'PRAGMA application_id; PRAGMA user_version; PRAGMA journal_mode' | tr '\n' ' ')
check "application_id, user_version, rollback journal" $([ "$appid" = "1296387395 2 delete " ]; echo $?) "got $appid"

# --- duplicate second: skipped with its own exit code
if [ -n "$FAKETIME_LIB" ]; then
    AT="2026-11-20 10:00:00"
    at "$MC" dup.db 2>err1; rc1=$?
    at "$MC" dup.db 2>err2; rc2=$?
    check "a second sample for the same second is skipped (exit 3)" \
        $([ $rc1 -eq 0 ] && [ $rc2 -eq 3 ] && grep -q "already stored" err2; echo $?) "rc $rc1 $rc2: $(cat err2)"
else
    echo "skip - duplicate second (faketime missing)"
fi

# --- a second writer waits, then skips with exit 3
"$MC" busy.db >/dev/null 2>&1
flock busy.db sleep 4 & holder=$!
sleep 0.3
start=$(date +%s%N)
"$MC" busy.db 2>err; rc=$?
waited=$(( ($(date +%s%N) - start) / 1000000 ))
wait $holder
check "a busy archive: waits about 2 s, then exit 3 with a clear message" \
    $([ $rc -eq 3 ] && grep -q "another memcollect is writing" err && [ $waited -ge 1500 ]; echo $?) \
    "rc=$rc waited=${waited}ms $(cat err)"

# --- refusals: symlinks, files that are not archives, newer formats
ln -s "$WORK/target.db" link.db
"$MC" link.db 2>err; rc=$?
check "memcollect refuses to write through a symbolic link" \
    $([ $rc -eq 2 ] && [ ! -e target.db ] && grep -q "symbolic link" err; echo $?) "rc=$rc $(cat err)"
cp /etc/passwd passwd
"$MC" passwd 2>err; rc=$?
check "memcollect refuses a file that is not an archive, leaving it untouched" \
    $([ $rc -eq 2 ] && cmp -s passwd /etc/passwd && grep -q "not a memtrail archive" err; echo $?) "rc=$rc $(cat err)"
cp "$f" newer.db
sqlite3 newer.db 'PRAGMA user_version=99'
sum=$(sha256sum < newer.db)
"$MC" newer.db 2>err; rc=$?
check "memcollect refuses an archive of a newer format, leaving it untouched" \
    $([ $rc -eq 2 ] && [ "$(sha256sum < newer.db)" = "$sum" ] && grep -q newer err; echo $?) "rc=$rc $(cat err)"
"$MR" -f newer.db >out 2>err; rc=$?
check "memreport: an archive of a newer format: clear message, exit 3" \
    $([ $rc -eq 3 ] && grep -q "newer than this program" err && [ "$(sha256sum < newer.db)" = "$sum" ]; echo $?) "rc=$rc $(cat err)"
if [ "$(id -u)" = 0 ]; then
    mkdir -m 777 open && chmod 777 open
    "$MC" open/ 2>err; rc=$?
    check "as root, memcollect refuses a directory others can write to" \
        $([ $rc -eq 2 ] && grep -q "others can write" err && [ -z "$(ls open)" ]; echo $?) "rc=$rc $(cat err)"
else
    echo "skip - world-writable directory refusal (needs root)"
fi

# --- memreport: sar's messages and exit codes
"$MR" -r -f "$WORK/none.db" >out 2>err; rc=$?
check "memreport: missing file: sar's message, exit 2" \
    $([ $rc -eq 2 ] && [ "$(cat err)" = "Cannot open $WORK/none.db: No such file or directory" ]; echo $?) "rc=$rc $(cat err)"
"$MR" -r -f /etc/passwd >out 2>err; rc=$?
check "memreport: not an archive: sar's message, exit 3" \
    $([ $rc -eq 3 ] && [ "$(cat err)" = "Invalid system activity file: /etc/passwd" ]; echo $?) "rc=$rc $(cat err)"
for bad in "-Q" "--dec=3" "-s 25:00" "-i 0" "--format=xml" "-r -f $f 0"; do
    "$MR" $bad -f "$f" >out 2>err; rc=$?
    check "memreport $bad: usage, exit 1" $([ $rc -eq 1 ] && grep -q '^Usage: ' err; echo $?) "rc=$rc $(head -2 err)"
done
"$MR" -r -s 10:00 1 2 >out 2>err; rc=$?
check "memreport: -s in live mode is refused as sar refuses it" \
    $([ $rc -eq 1 ] && grep -q "Not reading from a system activity file" err; echo $?) "rc=$rc $(cat err)"

# --- live mode
"$MR" -r -S 1 2 >out 2>err; rc=$?
hdrs=$(grep -c 'kbmemfree' out); swaph=$(grep -c kbswpfree out); avg=$(grep -c '^Average: ' out)
check "live -r -S 1 2: each sample prints both blocks, then both Averages" \
    $([ $rc -eq 0 ] && [ "$hdrs" = 3 ] && [ "$swaph" = 3 ] && [ "$avg" = 4 ] && head -1 out | grep -q '(.* CPU)$'; echo $?) \
    "rc=$rc headers=$hdrs/$swaph averages=$avg" "$(cat out)"
"$MR" -r 0 >out 2>err; rc=$?
check "live -r 0: one row since boot, no Average" \
    $([ $rc -eq 0 ] && [ "$(wc -l < out)" = 4 ] && ! grep -q Average out; echo $?) "$(cat out)"
"$MR" -W 1 >out 2>err & pid=$!
sleep 2.5; kill -INT $pid; wait $pid; rc=$?
check "live: Ctrl-C ends the rows and prints the Average" \
    $([ $rc -eq 0 ] && grep -q '^Average: ' out && [ "$(grep -c '^[0-9]' out)" -ge 2 ]; echo $?) "rc=$rc" "$(cat out)"

# --- memcollect loop: SIGTERM finishes the sample in hand and exits 0
"$MC" 1 loop.db 2>err & pid=$!
sleep 2.5; kill -TERM $pid; wait $pid; rc=$?
n=$(sqlite3 loop.db 'SELECT count(*) FROM sample')
check "memcollect interval loop: SIGTERM exits cleanly" $([ $rc -eq 0 ] && [ "$n" -ge 2 ]; echo $?) "rc=$rc samples=$n $(cat err)"

# --- CSV and JSON read back by real parsers, whatever the locale
"$MC" 1 3 fmt.db 2>/dev/null
LC_ALL=de_DE.UTF-8 "$MR" --format=csv -r ALL -S -W -B -H -f fmt.db > fmt.csv 2>err; rc=$?
py=$(python3 - fmt.csv fmt.db <<'PY' 2>&1
import csv, sys, sqlite3, datetime
rows = list(csv.reader(open(sys.argv[1], newline='')))
head, body = rows[0], rows[1:]
assert head[:5] == ['timestamp', 'local_time', 'epoch', 'interval', 'restart'], head
assert 'kbmemfree' in head and 'pswpin/s' in head and '%vmeff' in head and 'kbhugfree' in head
db = sqlite3.connect(sys.argv[2])
ts = [r[0] for r in db.execute('SELECT ts FROM sample ORDER BY ts')]
mem = [r[0] for r in db.execute('SELECT MemFree FROM sample ORDER BY ts')]
assert len(body) == len(ts) - 1, (len(body), len(ts))
for row, t, free in zip(body, ts[1:], mem[1:]):
    assert len(row) == len(head)
    when = datetime.datetime.fromisoformat(row[0])
    assert int(when.timestamp()) == int(row[2]) == t, (row[0], row[2], t)
    assert datetime.datetime.fromisoformat(row[1]) == when.replace(tzinfo=None), (row[0], row[1])
    assert int(row[head.index('kbmemfree')]) == free
    for v in row[2:]:
        float(v)
print('ok')
PY
)
check "CSV (de_DE locale): RFC 4180, parsed back equals the archive" $([ $rc -eq 0 ] && [ "$py" = ok ]; echo $?) "$py"
LC_ALL=de_DE.UTF-8 "$MR" --format=json -r ALL -S -W -B -H -f fmt.db > fmt.json 2>err; rc=$?
py=$(python3 - fmt.json fmt.db <<'PY' 2>&1
import json, sys, sqlite3
doc = json.load(open(sys.argv[1]))
host = doc['sysstat']['hosts'][0]
stats = host['statistics']
db = sqlite3.connect(sys.argv[2])
mem = [r[0] for r in db.execute('SELECT MemFree FROM sample ORDER BY ts')]
assert len(stats) == len(mem) - 1, len(stats)
for s, free in zip(stats, mem[1:]):
    assert s['memory']['memfree'] == free
    assert isinstance(s['memory']['memused-percent'], float)
    assert set(s) == {'timestamp', 'swap-pages', 'paging', 'memory', 'hugepages'}, set(s)
    assert 'swpfree' in s['memory'] and 'vmeff-percent' in s['paging']
assert host['restarts'] == []
print('ok')
PY
)
check "JSON (de_DE locale): valid, sadf -j structure, values equal the archive" $([ $rc -eq 0 ] && [ "$py" = ok ]; echo $?) "$py"

# --- a window of instants across daily files of a directory
if [ -n "$FAKETIME_LIB" ]; then
    for t in "2026-11-20 23:58:00" "2026-11-20 23:59:00" "2026-11-21 00:00:00" "2026-11-21 00:01:00"; do
        AT=$t; TZ=UTC at "$MC" days/ 2>>err
    done
    files=$(ls days | tr '\n' ' ')
    TZ=UTC LC_ALL=C "$MR" -r -f days -s '2026-11-20 23:58' -e '2026-11-21T00:01:00' > out 2>>err; rc=$?
    rows=$(grep -cE '^(23:59:00|00:00:00|00:01:00) +[0-9]' out)   # data rows, not the headers
    check "-s/-e instants span two daily files as one series" \
        $([ $rc -eq 0 ] && [ "$files" = "memtrail-20261120.db memtrail-20261121.db " ] && [ "$rows" = 3 ] && grep -q '^Average:' out; echo $?) \
        "rc=$rc files=$files rows=$rows" "$(cat out err)"
    TZ=UTC LC_ALL=C "$MR" -r -f days -s @1795219140 -e @1795219200 > out 2>&1; rc=$?
    check "-s/-e @EPOCH" $([ $rc -eq 0 ] && [ "$(grep -cE '^00:00:00 ' out)" = 1 ]; echo $?) "$(cat out)"
else
    echo "skip - windows across daily files (faketime missing)"
fi

# --- the command line as sar's: --help, bad options, every option listed
for prog in "$MR" "$MC"; do
    name=${prog##*/}
    "$prog" --help >out 2>err; rc=$?
    check "$name --help: the usage on stdout, nothing on stderr, exit 0" \
        $([ $rc -eq 0 ] && head -1 out | grep -q "^Usage: $name " && [ ! -s err ]; echo $?) \
        "rc=$rc" "stdout: $(head -2 out)" "stderr: $(head -2 err)"
    "$prog" -V >out 2>err; rc1=$?
    "$prog" --version >out2 2>>err; rc2=$?
    check "$name -V and --version: the version on stdout, exit 0" \
        $([ $rc1 -eq 0 ] && [ $rc2 -eq 0 ] && grep -q "^$name (memtrail) [0-9]" out && cmp -s out out2 && [ ! -s err ]; echo $?) \
        "rc $rc1 $rc2: $(cat out out2 err)"
done
# bad_option PROG EXPECTED-FIRST-LINE ARGS...: the argument named first, then sar's usage.
bad_option() {
    local prog=$1 want=$2 rc
    shift 2
    "$prog" "$@" >out 2>err; rc=$?
    check "${prog##*/} $*: names the argument, then the usage on stderr, exit 1" \
        $([ $rc -eq 1 ] && [ ! -s out ] && [ "$(head -1 err)" = "$want" ] &&
          sed -n 2p err | grep -q "^Usage: ${prog##*/} " && [ "$(grep -c '^Usage: ' err)" = 1 ]; echo $?) \
        "rc=$rc, wanted first line: $want" "stderr: $(head -3 err)" "stdout: $(head -2 out)"
}
bad_option "$MR" "memreport: unknown option: -Q" -r -Q
bad_option "$MR" "memreport: unknown option: -Q" -rQ
bad_option "$MR" "memreport: unknown option: --bogus" --bogus
bad_option "$MR" "memreport: --dec=3: invalid value" -r --dec=3
bad_option "$MR" "memreport: --format=xml: invalid value" --format=xml
bad_option "$MR" "memreport: -s: invalid time: 25:00" -r -s 25:00 -f "$f"
bad_option "$MR" "memreport: -i: invalid value: x" -r -i x -f "$f"
bad_option "$MR" "memreport: -i: missing value" -r -f "$f" -i
bad_option "$MR" "memreport: --top: invalid value: 0" -p --top 0 -f "$f"
bad_option "$MR" "memreport: --since: missing value" --since
bad_option "$MR" "memreport: invalid interval: 0 (reading a file needs an interval of at least 1)" -r -f "$f" 0
bad_option "$MR" "memreport: unexpected argument: bogus" -r bogus
bad_option "$MC" "memcollect: unknown option: -Q" -Q
bad_option "$MC" "memcollect: unknown option: --bogus" --bogus
bad_option "$MC" "memcollect: --keep-days: missing value" --maintain --keep-days
bad_option "$MC" "memcollect: --procs-max: invalid value: x" --procs-max x

# option_strings FILE: every option its parser compares an argument with.
option_strings() {
    grep -oE 'str(n)?cmp\(a, "-[^"]+"' "$1" | sed -E 's/.*"(-[^"]*)"/\1/' | grep -vx -- --
    # memreport's bundled letters (parse_letters)
    sed -n '/^static enum parse_result parse_letters/,/^}/p' "$1" |
        grep -oE "case '[A-Za-z]'" | sed -E "s/case '(.)'/-\1/"
}
# man_text PAGE: the page's source with troff's escapes for - and fonts removed.
man_text() { sed -E 's/\\-/-/g; s/\\f[BIRP]//g' "$1"; }
# listed OPTION TEXT-FILE: OPTION appears there as an option, not inside a longer one.
listed() {
    local o=${1//./\\.}
    case "$o" in
        *=) grep -qE -- "(^|[^A-Za-z0-9-])$o" "$2" ;;
        *) grep -qE -- "(^|[^A-Za-z0-9-])$o([^A-Za-z0-9-]|$)" "$2" ;;
    esac
}
for pair in "$MR:report/options.c:man/memreport.1" "$MC:collector/memcollect.c:man/memcollect.8"; do
    IFS=: read -r prog src page <<< "$pair"
    name=${prog##*/}
    "$prog" --help > help.txt 2>&1
    man_text "$ROOT/$page" > man.txt
    opts=$(option_strings "$ROOT/$src" | sort -u)
    miss_help="" miss_man=""
    for o in $opts; do
        listed "$o" help.txt || miss_help="$miss_help $o"
        listed "$o" man.txt || miss_man="$miss_man $o"
    done
    check "$name: every option its parser accepts ($(echo $opts | wc -w)) is in --help" \
        $([ -n "$opts" ] && [ -z "$miss_help" ]; echo $?) "missing:$miss_help"
    check "$name: every option its parser accepts is in $page" \
        $([ -n "$opts" ] && [ -z "$miss_man" ]; echo $?) "missing:$miss_man"
done
# --help groups the options as the man page's OPTIONS subsections do.
"$MR" --help > help.txt
man_groups=$(sed -n '/^\.SH OPTIONS/,/^\.SH [^O]/p' "$ROOT/man/memreport.1" | sed -n 's/^\.SS //p' | tr '\n' '|')
help_groups=$(grep -E '^[A-Z][A-Za-z ]+:$' help.txt | sed 's/:$//' | grep -v '^Options are' | tr '\n' '|')
check "memreport --help: its groups are the man page's ($man_groups)" \
    $([ -n "$man_groups" ] && [ "$man_groups" = "$help_groups" ]; echo $?) "man: $man_groups" "help: $help_groups"

# -N has one meaning: --numa.  Days back are -1, -2, ... as in sar (-[0-9]+).
man_text "$ROOT/man/memreport.1" > man.txt
nodays=$(grep -oE -- '.{0,20}(^|[^A-Za-z0-9-])-N([^A-Za-z0-9]|$).{0,20}' "$ROOT/README.md" man.txt | grep -vi numa)
check "-N is documented only as --numa (README, man page)" $([ -z "$nodays" ]; echo $?) "$nodays"
grep -qE -- '-N .*--numa|--numa.*-N' help.txt && grep -qF -- '-[0-9]+' help.txt
check "memreport --help: -N with --numa, days back as -[0-9]+" $?  "$(grep -E -- '-N|numa|0-9' help.txt)"
"$MR" -N -f "$f" > n1.txt 2>&1; rc1=$?
"$MR" --numa -f "$f" > n2.txt 2>&1; rc2=$?
check "-N is --numa" $([ $rc1 = $rc2 ] && cmp -s n1.txt n2.txt; echo $?) "rc $rc1 $rc2" "$(diff n1.txt n2.txt | head -5)"

# --- valgrind on a collect-and-report cycle (the plain build: not the sanitizer one)
if have valgrind && [ -x "$ROOT/memcollect" ]; then
    vg="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite"
    $vg "$ROOT/memcollect" 1 2 vg.db > vg.out 2>&1; rc1=$?
    $vg "$ROOT/memreport" -A -f vg.db >> vg.out 2>&1; rc2=$?
    $vg "$ROOT/memreport" --format=json -A -f vg.db >> vg.out 2>&1; rc3=$?
    check "valgrind finds nothing on a collect-and-report cycle" \
        $([ $rc1 -eq 0 ] && [ $rc2 -eq 0 ] && [ $rc3 -eq 0 ]; echo $?) "rc $rc1 $rc2 $rc3" "$(grep '==' vg.out | head -20)"
else
    echo "skip - valgrind (not installed)"
fi
exit 0
