#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# sar's colours: memreport's text on a terminal against Debian's sar 12.6.1
# on the same data (sadc and memcollect sample the same fixture /proc files,
# tests/conformance/scenario.sh).  S_COLORS unset on a terminal (a pty made
# by util-linux's `script`), S_COLORS=always into a pipe, S_COLORS_SGR
# with its own codes and malformed ones, S_COLORS=never on a terminal: the
# bytes, escape sequences included, must equal sar's.  Into a pipe, without
# S_COLORS, no escape sequence at all (tests/conformance compares the plain
# bytes).  Prints "ok - NAME" / "not ok - NAME" / "skip - NAME (why)".
set -u
. "$(dirname "$0")/../lib.sh"
SADC=/usr/lib/sysstat/sadc
SAR=/usr/bin/sar
ACTS=A_NULL,A_MEMORY,A_SWAP,A_PAGE,A_HUGE
MEMCOLLECT=$MC
SCENARIOS="ordinary reboot swap_full clamp_all huge_pages"

why=""
if [ "$(id -u)" -ne 0 ]; then why="needs root (unshare -m, mount --bind)"
elif ! have faketime || ! have unshare || ! have python3; then why="faketime, unshare or python3 missing"
elif ! have script; then why="script (util-linux) missing"
elif [ ! -x "$SADC" ] || ! "$SAR" -V 2>&1 | grep -q 'version 12\.6\.1'; then why="sar is not sysstat 12.6.1"
elif ! unshare -m true 2>/dev/null; then why="unshare -m not permitted here"
fi
if [ -n "$why" ]; then
    echo "skip - colours against sar ($why)"
    exit 0
fi

OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
mkdir -p "$OUT/fix" "$OUT/data"
python3 "$ROOT/tests/conformance/gen_fixtures.py" "$OUT/fix" >/dev/null ||
    { not_ok "colour: generate fixtures"; exit 0; }
. "$ROOT/tests/conformance/scenario.sh"
for s in $SCENARIOS; do
    build_scenario "$s" || not_ok "colour: build scenario $s" "$(tail -5 "$OUT/data/$s.log")"
done

# on_tty CMD...: CMD's output as a terminal shows it (script's pty; CR LF).
on_tty() {
    local cmd
    printf -v cmd '%q ' "$@"
    script -q -e -c "$cmd" /dev/null </dev/null
}
ESC=$'\033'

# compare NAME HOW ENV OPTS SCENARIO: sar and memreport, both run HOW (tty|pipe).
compare() {
    local name=$1 how=$2 env=$3 opts=$4 s=$5 exp act
    local -a e o
    read -r -a e <<< "env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C TZ=UTC $env"
    read -r -a o <<< "$opts"
    if [ "$how" = tty ]; then
        exp=$(on_tty "${e[@]}" "$SAR" "${o[@]}" -f "$OUT/data/$s.sa" 2>&1 | od -An -c)
        act=$(on_tty "${e[@]}" "$MR" "${o[@]}" -f "$OUT/data/$s.db" 2>&1 | od -An -c)
    else
        exp=$("${e[@]}" "$SAR" "${o[@]}" -f "$OUT/data/$s.sa" 2>&1 | od -An -c)
        act=$("${e[@]}" "$MR" "${o[@]}" -f "$OUT/data/$s.db" 2>&1 | od -An -c)
    fi
    echo "$exp" >> "$OUT/all_sar"
    local coloured=0
    grep -q '033' <<< "$exp" && coloured=1
    case "$name" in
        *never*) want=0 ;;
        *) want=1 ;;
    esac
    check "colour: $s: $name: $env sar $opts ($how)" \
        $([ "$exp" = "$act" ] && [ $coloured = $want ]; echo $?) \
        "sar coloured: $coloured (wanted $want)" \
        "$(diff <(echo "$exp") <(echo "$act") | head -12)"
}

SGR="S_COLORS_SGR=N=1;4:Z=2:H=7:M=4;31:I=36:R=35;1:C=33:Q=1:NN=2:H=x"
for s in $SCENARIOS; do
    compare "default on a terminal" tty "" "-r ALL -S -W -B -H" "$s"
    compare "default on a terminal, --human" tty "" "--human -r ALL -S -H" "$s"
    compare "always into a pipe" pipe "S_COLORS=always" "-r ALL -S -W -B -H" "$s"
    compare "always, own SGR codes" pipe "S_COLORS=always $SGR" "-r ALL -S -W -B -H" "$s"
    compare "auto on a terminal, own SGR codes, --human" tty "S_COLORS=auto $SGR" "-h -r ALL -S -H" "$s"
    compare "never on a terminal" tty "S_COLORS=never" "-r ALL -S -W -B -H" "$s"
done
for d in 0 1; do
    compare "always, --dec=$d" pipe "S_COLORS=always" "--dec=$d -r ALL -S -W -B -H" clamp_all
    compare "always, --human --dec=$d" pipe "S_COLORS=always" "--human --dec=$d -r ALL -S -H" swap_full
done
compare "always, -s/-e window across the restart" pipe "S_COLORS=always" "-r -W -s 11:50:00 -e 11:54:00" reboot
compare "always, de_DE locale" pipe "S_COLORS=always LC_ALL=de_DE.UTF-8" "-r -S -B" ordinary

# The comparisons above met every code sar uses for these activities (od -c
# spells ESC "033"): zero, non-zero, 50-75 %, 75 % and more, the restart.
all=$(tr -s ' \n' ' ' < "$OUT/all_sar")
missing=""
for code in "3 4 ; 2 2 m" "3 4 ; 1 m" "3 5 ; 1 m" "3 1 ; 1 m" "3 1 ; 2 2 m" "2 m" "1 ; 4 m" "7 m" "4 ; 3 1 m" "3 5 ; 1 m"; do
    grep -qF "033 [ $code" <<< "$all" || missing="$missing [$code]"
done
check "colour: the data met sar's codes for zero, values, 50-75 %, >= 75 %, restart (and S_COLORS_SGR's)" \
    $([ -z "$missing" ]; echo $?) "never seen:$missing"

# -p, pidstat -r's table: pidstat 12.6.1's colours.  Its shape (which code
# before which field; V: a value's zero or non-zero code, I: an item, 0: the
# reset) must be the shape of Debian's pidstat -r on a live process, and
# without the codes the text must be the plain report's.
shape() {  # the codes of the first data row, and what opens the next line
    grep -m1 -A1 -E '^[0-9:]+ +'"$ESC"'\[' | grep -oE "$ESC"'\[[0-9;]*m' |
        sed -E 's/.*\[(34;1|34;22|35;1|31;1)m/V/; s/.*\[32;22m/I/; s/.*\[0m/0/' | tr -d '\n'
}
want=$(env S_COLORS=always pidstat -r -p 1 1 1 | shape)
plain=$(env -i PATH=/usr/bin:/bin LANG=C TZ=UTC "$MR" -p -f "$OUT/data/ordinary.db" 2>&1)
col=$(env -i PATH=/usr/bin:/bin LANG=C TZ=UTC S_COLORS=always "$MR" -p -f "$OUT/data/ordinary.db" 2>&1)
got=$(shape <<< "$col")
check "colour: -p has pidstat -r's colours ($want), and its text without them" \
    $([ -n "$want" ] && [ "$want" = "$got" ] && [ "$(sed "s/$ESC\[[0-9;]*m//g" <<< "$col")" = "$plain" ]; echo $?) \
    "pidstat: $want" "memreport: $got" "$(diff <(echo "$plain") <(sed "s/$ESC\[[0-9;]*m//g" <<< "$col") | head -5)"
col=$(env -i PATH=/usr/bin:/bin LANG=C TZ=UTC S_COLORS=always "$MR" --human -p -f "$OUT/data/ordinary.db" 2>&1)
plain=$(env -i PATH=/usr/bin:/bin LANG=C TZ=UTC "$MR" --human -p -f "$OUT/data/ordinary.db" 2>&1)
check "colour: -p --human: the unit after the reset, as pidstat prints it" \
    $(grep -qE "$ESC"'\[0m[kMG]' <<< "$col" && [ "$(sed "s/$ESC\[[0-9;]*m//g" <<< "$col")" = "$plain" ]; echo $?) \
    "$(head -5 <<< "$col" | cat -v)"

# Into a pipe with S_COLORS unset or auto: plain text, as sar prints it.
for env in "" "S_COLORS=auto"; do
    out=$(env -i PATH=/usr/bin:/bin LANG=C TZ=UTC $env "$MR" -A -f "$OUT/data/ordinary.db" 2>&1)
    check "colour: into a pipe (${env:-S_COLORS unset}): no escape sequence" \
        $([ -n "$out" ] && ! grep -q "$ESC" <<< "$out"; echo $?) "$(head -5 <<< "$out" | od -c | head -5)"
done
# Formats that are not sar's text never carry escape sequences, even with always.
for f in sadf csv json; do
    out=$(on_tty env S_COLORS=always "$MR" --format=$f -r -f "$OUT/data/ordinary.db" 2>&1)
    check "colour: --format=$f stays plain on a terminal with S_COLORS=always" \
        $([ -n "$out" ] && ! grep -q "$ESC" <<< "$out"; echo $?) "$(head -3 <<< "$out" | od -c | head -5)"
done
exit 0
