#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Process names and command lines are hostile input (decisions.md 13), and
# an export that fails must say so.  The real memcollect samples real
# processes, in a private pid namespace, whose names hold ESC, BEL, CR, LF,
# TAB, DEL, C1 controls, invalid UTF-8, U+FFFE/U+FFFF and spreadsheet
# formulas, and whose command lines hold a HYPERLINK formula and escape
# sequences.  Then:
#   - every text report prints no control character (but LF) and valid UTF-8;
#   - LibreOffice reads every CSV with no formula, names as text, numbers as
#     numbers and local_time (start_local) as a date-time (one soffice call
#     for all);
#   - JSON keeps the names' bytes;
#   - the SVG of those names is well-formed XML (xmllint);
#   - every format and report kind written to /dev/full exits 2 and says so;
#   - -o into a full file system (a small tmpfs, unshare -m) leaves no file.
. "$(dirname "$0")/../lib.sh"
HERE=$ROOT/tests/hostile
CHECK="python3 $HERE/check.py"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 1

if ! unshare -p -f --mount-proc true 2>ns.err; then
    skip "hostile names (no private pid namespace: $(head -1 ns.err))"
    exit 0
fi
unshare -p -f --mount-proc -u python3 "$HERE/spawn.py" "$T/h.db" "$MC" \
    "$(printf 'h\033[2J\a\nx' | od -An -tx1 | tr -d ' \n')" > spawn.out 2>&1; rc=$?
check "hostile processes sampled by the real memcollect" $rc "$(cat spawn.out)"
[ $rc -eq 0 ] || exit 0
# the second sample's time, for --at
AT=@$("$MR" --format=csv -f h.db | tr -d '\r' |
     awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "epoch") c = i } NR == 3 { print $c }')

# ---- text reports: nothing a terminal acts on
text_report() {   # NAME ARGS...
    local name=$1
    shift
    "$MR" "$@" -f h.db > "$name.txt" 2> "$name.err"
}
text_report p -p --top 100
text_report growth --growth --top 100
text_report at --at "$AT" --top 100
text_report numa --numa
text_report trend --trend
text_report summary --summary=hour
text_report sar -A
text_report sadf --format=sadf -A
for r in p growth at numa trend summary sar sadf; do
    out=$($CHECK text "$r.txt" "$r.err" 2>&1)
    check "text $r: no control character, no C1, valid UTF-8" $? "$out"
done
out=$($CHECK shown p.txt '  ?]0;pwn?\n' '  a?b??c\n' '  c1?[2J?\n' '  bad??\n' '  del?x\n' '  ?=1+1\n' \
      '  nc??\n' '  =HYPERLINK("htt\n' '  rtl?ab?c\n' ' (h?[2J??x) ' 2>&1)
check "text -p: each hostile name on its own row, its control characters as ?; the host name too" $? "$out"
out=$($CHECK shown growth.txt '  ?]0;pwn?\n' '  a?b??c\n' 2>&1) && out=$($CHECK shown at.txt '  ?]0;pwn?\n' 2>&1)
check "text --growth and --at: the names shown with ?" $? "$out"
if "$MR" -p -l --top 100 -f h.db > pl.txt 2> pl.err; then
    out=$($CHECK text pl.txt pl.err 2>&1) && out=$($CHECK shown pl.txt '?]2;pwn???forged line?[2J' 2>&1)
    check "text -p -l: command lines without control characters" $? "$out"
else
    skip "text -p -l (memreport has no -l yet)"
fi

for r in growth at; do   # -l in the other two reports that take it, with --human
    args=(--growth) && [ $r = at ] && args=(--at "$AT")
    "$MR" "${args[@]}" -l --human --top 100 -f h.db > "l$r.txt" 2> "l$r.err"
    out=$($CHECK text "l$r.txt" "l$r.err" 2>&1) && out=$($CHECK shown "l$r.txt" '?]2;pwn???forged line?[2J' 2>&1)
    check "text --$r -l --human: command lines without control characters" $? "$out"
done
# ---- JSON: the exact bytes, escaped
"$MR" -p --top 100 --format=json -f h.db > p.json 2>&1
out=$($CHECK json p.json 1b5d303b70776e07 610a620d0a63 6331c29b5b324ac285 626164fffe 64656c7f78 \
      6e63efbfbeefbfbf 3d312b31 0d3d312b31 093d312b31 2d312b31 2b312b31 4053554d283129 2>&1)
check "JSON keeps the hostile names' bytes" $? "$out"

# ---- CSV, as LibreOffice Calc reads it
csv_report() {   # NAME ARGS...
    local name=$1
    shift
    "$MR" "$@" -f h.db > "csv/$name.csv" 2> "csv/$name.err" || echo "exit $?" >> "csv/$name.err"
}
mkdir csv xlsx
csv_report p -p --top 100 --format=csv
csv_report growth --growth --top 100 --format=csv
csv_report at --at "$AT" --top 100 --format=csv
csv_report numa --numa --format=csv
csv_report sar -r ALL -S --format=csv
csv_report long --format=csv-long --top 100
csv_report trend --trend --format=csv
csv_report summary --summary=hour --format=csv
if have soffice; then
    # soffice starts slowly: one call converts every file; its own profile in $T
    HOME=$T timeout 300 soffice --headless --norestore --convert-to xlsx --outdir xlsx csv/*.csv \
        > soffice.out 2>&1
    for f in csv/*.csv; do
        n=$(basename "$f" .csv)
        if [ ! -s "xlsx/$n.xlsx" ]; then
            not_ok "LibreOffice reads $n.csv" "no xlsx: $(cat soffice.out "csv/$n.err")"
            continue
        fi
        out=$($CHECK xlsx "$f" "xlsx/$n.xlsx" 2>&1)
        check "LibreOffice reads $n.csv: no formula, text as text, numbers as numbers, local_time a date-time" \
            $? "$out" "$(head -c 600 "$f")" "$(cat "csv/$n.err")"
    done
else
    skip "CSV in LibreOffice (no soffice: make deps installs libreoffice-calc-nogui)"
fi

# ---- SVG: only characters XML allows
"$MR" --format=svg --top 20 -f h.db -o chart.svg 2> svg.err; rc=$?
out=$(xmllint --noout chart.svg 2>&1) && out=$($CHECK shown chart.svg ']0;pwn' 'nc' 2>&1)
check "SVG of hostile names is well-formed XML (xmllint)" $? "exit $rc: $(cat svg.err)" "$out"

# ---- the exports for machines: every line whole, OpenMetrics as Prometheus reads it
"$MR" --format=influx --top 100 -f h.db > h.lp 2>&1
n=$(grep -c 'comm=' h.lp)
[ "$n" -gt 40 ] && ! grep -av '^memtrail_[a-z]*,' h.lp > bad.lp
check "influx: every line of hostile names is one whole line ($n process lines)" $? "$(head -c 400 bad.lp)"
"$MR" --format=openmetrics --top 100 -f h.db > h.om 2>&1
if have promtool; then
    out=$(promtool tsdb create-blocks-from openmetrics h.om blocks 2>&1) && grep -qF 'comm="a\nb' h.om
    check "OpenMetrics of hostile names: promtool backfills it" $? "$out" "$(grep -a 'pid="4[0-9]"' h.om | head -3)"
    # check metrics reads the Prometheus text format: OpenMetrics' HELP of a
    # counter's family (no _total) is a lint finding (exit 3), but a label
    # value that is not UTF-8 or badly escaped is a parse error (exit 1)
    out=$(promtool check metrics < h.om 2>&1); rc=$?
    [ $rc -eq 0 ] || { [ $rc -eq 3 ] && ! grep -q 'pars' <<< "$out"; }
    check "OpenMetrics of hostile names: promtool check metrics parses every label value (lint aside)" $? "rc=$rc" "$out"
else
    skip "OpenMetrics of hostile names (no promtool)"
fi
python3 -c 'import sys; t = open(sys.argv[1], "rb").read(); t.decode("utf-8"); sys.exit(b"comm=\"bad\xc3\xbf\xc3\xbe\"" not in t)' h.om 2> utf8.err
check "OpenMetrics of hostile names: valid UTF-8, invalid bytes kept apart as their Latin-1 reading" $? \
    "$(cat utf8.err)" "$(grep -a 'comm="bad' h.om | head -2)"

# ---- write errors: every format and report kind to a full device
full_case() {   # NAME ARGS...
    local name=$1
    shift
    "$@" > /dev/full 2> full.err; local rc=$?
    grep -qx 'memreport: standard output: No space left on device' full.err && [ $rc -eq 2 ]
    check "> /dev/full: $name exits 2 and says why" $? "exit $rc: $(cat full.err)"
}
full_case "sar -r" "$MR" -r -f h.db
full_case "sar -A" "$MR" -A -f h.db
full_case "sadf" "$MR" --format=sadf -A -f h.db
full_case "csv" "$MR" --format=csv -A -f h.db
full_case "json" "$MR" --format=json -A -f h.db
full_case "-p" "$MR" -p --top 100 -f h.db
full_case "-p csv" "$MR" -p --top 100 --format=csv -f h.db
full_case "-p json" "$MR" -p --top 100 --format=json -f h.db
full_case "--growth" "$MR" --growth -f h.db
full_case "--growth csv" "$MR" --growth --format=csv -f h.db
full_case "--at" "$MR" --at "$AT" -f h.db
full_case "--at json" "$MR" --at "$AT" --format=json -f h.db
full_case "--numa" "$MR" --numa -f h.db
full_case "--numa csv" "$MR" --numa --format=csv -f h.db
full_case "--summary" "$MR" --summary=hour -f h.db
full_case "--summary csv" "$MR" --summary=hour --format=csv -f h.db
full_case "--trend" "$MR" --trend -f h.db
full_case "--trend json" "$MR" --trend --format=json -f h.db
full_case "svg" "$MR" --format=svg -f h.db
full_case "openmetrics" "$MR" --format=openmetrics -f h.db
full_case "influx" "$MR" --format=influx -f h.db
full_case "csv-long" "$MR" --format=csv-long -f h.db
full_case "live sar -r 1 1" "$MR" -r 1 1

# ---- -o: a temporary file renamed into place, nothing left behind on failure
mkdir o
"$MR" -A -f h.db > o/want.txt
"$MR" -A -f h.db -o o/got.txt 2> o.err; rc=$?
[ $rc -eq 0 ] && cmp -s o/want.txt o/got.txt && [ "$(ls -A o)" = "$(printf 'got.txt\nwant.txt')" ]
check "-o FILE: the whole report, no temporary left" $? "exit $rc: $(cat o.err)" "$(ls -A o)"
"$MR" -A -f "$T/missing.db" -o o/none.txt 2> o.err; rc=$?
[ $rc -eq 2 ] && [ ! -e o/none.txt ] && [ "$(ls -A o | wc -l)" = 2 ]
check "-o FILE of a failing report: no FILE" $? "exit $rc: $(cat o.err)" "$(ls -A o)"
mknod o/null c 1 3
"$MR" -A -f h.db -o o/null 2> o.err; rc=$?
[ $rc -eq 0 ] && [ -c o/null ] && [ "$(ls -A o | wc -l)" = 3 ]
check "-o a device writes to it, and it stays a device" $? "exit $rc: $(cat o.err)" "$(ls -lA o)"
rm -f o/null
printf 'keep\n' > o/target
ln -s target o/link
printf 'old\n' > o/private
chmod 600 o/private
"$MR" -A -f h.db -o o/link 2> o.err && "$MR" -A -f h.db -o o/private 2>> o.err; rc=$?
[ $rc -eq 0 ] && [ ! -L o/link ] && cmp -s o/want.txt o/link && [ "$(cat o/target)" = keep ] &&
    cmp -s o/want.txt o/private && [ "$(stat -c %a o/private)" = 600 ]
check "-o replaces a symbolic link instead of writing through it, and keeps an existing file's mode" $? \
    "exit $rc: $(cat o.err)" "$(ls -lA o)"
rm -f o/link o/target o/private
cat > full.sh <<'SH'
set -u
mnt=$1 MR=$2
mount -t tmpfs -o size=64k memtrail-hostile "$mnt" || exit 99
printf 'old report\n' > "$mnt/old.csv"
dd if=/dev/zero of="$mnt/filler" bs=4k 2>/dev/null   # until the file system is full
"$MR" -A -f h.db -o "$mnt/new.txt" 2> new.err; echo "new $?"
"$MR" --format=csv-long --top 100 -f h.db -o "$mnt/old.csv" 2> old.err; echo "old $?"
ls -A "$mnt" | tr '\n' ' '; echo
cat "$mnt/old.csv"
umount "$mnt"
SH
mkdir mnt
out=$(unshare -m bash full.sh "$T/mnt" "$MR" 2>&1); rc=$?
if [ $rc -eq 99 ]; then
    skip "-o into a full file system (cannot mount a tmpfs: $out)"
else
    expect=$(printf 'new 2\nold 2\nfiller old.csv \nold report')
    [ "$out" = "$expect" ] && grep -qx "memreport: $T/mnt/new.txt: No space left on device" new.err &&
        grep -qx "memreport: $T/mnt/old.csv: No space left on device" old.err
    check "-o into a full file system: exit 2, says why, no partial file, the old file kept" $? \
        "$out" "$(cat new.err old.err)"
fi
exit 0
