#!/bin/bash
# The release as a user gets it: one version everywhere (-V/--version of both
# programs, the man pages, debian/changelog, NEWS), the licence, the bash
# completion driven as bash drives it, and the Debian package built with
# dpkg-buildpackage, checked by lintian, installed with dpkg -i, used, then
# removed and purged.  Prints "ok - NAME" / "not ok - NAME" / "skip - NAME (why)".
set -u
. "$(dirname "$0")/../lib.sh"
WORK=$(mktemp -d /tmp/memtrail-package.XXXXXX)
chmod 755 "$WORK"
cleanup() { rm -rf "$WORK"; }
trap cleanup EXIT
cd "$WORK" || exit 2

# ---- one version: lib/version.h is where it is written
VERSION=$(sed -n 's/^#define MEMTRAIL_VERSION "\([^"]*\)"$/\1/p' "$ROOT/lib/version.h" 2>/dev/null)
check "lib/version.h defines MEMTRAIL_VERSION" $([ -n "$VERSION" ]; echo $?) \
    "$(ls -l "$ROOT/lib/version.h" 2>&1)"
for prog in "$MC" "$MR"; do
    for opt in -V --version; do
        out=$("$prog" "$opt" 2>&1); rc=$?
        first=$(printf '%s\n' "$out" | head -1)
        check "$(basename "$prog") $opt prints version $VERSION on stdout, exit 0" \
            $([ $rc -eq 0 ] && [ -n "$VERSION" ] &&
              [[ "$first" == "$(basename "$prog") (memtrail) $VERSION"* ]] &&
              "$prog" "$opt" 2>/dev/null | grep -qF "$VERSION"; echo $?) "rc=$rc: $out"
    done
done
for man in "$ROOT"/man/memcollect.8 "$ROOT"/man/memreport.1; do
    th=$(grep -m1 '^\.TH' "$man")
    check "$(basename "$man"): .TH names memtrail $VERSION" \
        $([ -n "$VERSION" ] && [[ "$th" == *"\"memtrail $VERSION\""* ]]; echo $?) "$th"
done
top=$(head -1 "$ROOT/debian/changelog" 2>&1)
check "debian/changelog's latest entry is $VERSION-1" \
    $([ -n "$VERSION" ] && [[ "$top" == "memtrail ($VERSION-1) "* ]]; echo $?) "$top"
news=$(grep -m1 '^memtrail [0-9]' "$ROOT/NEWS" 2>&1)
check "NEWS opens with memtrail $VERSION" \
    $([ -n "$VERSION" ] && [[ "$news" == "memtrail $VERSION "* ]]; echo $?) "$news"

# ---- the licence: GPL-2.0-or-later, the full text as Debian ships it
GPL2=/usr/share/common-licenses/GPL-2
if [ -r "$GPL2" ]; then
    header=$(sed '/GNU GENERAL PUBLIC LICENSE/,$d' "$ROOT/LICENSE" 2>&1)
    check "LICENSE: a GPL-2.0-or-later header, then the whole GPL-2 text as Debian ships it" \
        $(printf '%s\n' "$header" | tr '\n' ' ' | grep -q 'version 2 of the License, or (at your option) any later version' &&
          printf '%s\n' "$header" | grep -q 'SPDX-License-Identifier: GPL-2.0-or-later' &&
          diff <(tail -n "$(wc -l < "$GPL2")" "$ROOT/LICENSE") "$GPL2" >/dev/null; echo $?) \
        "$header" "$(diff <(tail -n "$(wc -l < "$GPL2")" "$ROOT/LICENSE" 2>&1) "$GPL2" 2>&1 | head -5)"
else
    skip "LICENSE text (no $GPL2)"
fi

# ---- bash completion, driven as bash drives it: COMP_WORDS, COMP_CWORD and
# the function `complete -p` names.
COMPLETION=$ROOT/completion/memtrail
# offered FILE PROG WORD...: what the completion in FILE offers for the last WORD.
offered() {
    local file=$1
    shift
    bash --norc --noprofile -c '
        . "$1" || exit 2
        shift
        fn=$(complete -p "${1##*/}" 2>/dev/null | sed -n "s/.* -F \([^ ]*\) .*/\1/p")
        [ -n "$fn" ] || { echo "no complete -F for ${1##*/}" >&2; exit 2; }
        COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 ))
        COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
        "$fn" "$1" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
        printf "%s\n" "${COMPREPLY[@]}"' _ "$file" "$@"
}
# usage_options PROG: every option its usage text names (--dec= keeps its "=").
usage_options() {
    "$1" --help 2>&1 | grep -oE -- '(^|[^A-Za-z0-9-])--?[A-Za-z][A-Za-z0-9-]*=?' |
        sed -E 's/^[^-]+//' | sort -u
}
for prog in "$MC" "$MR"; do
    name=$(basename "$prog")
    reg=$(bash --norc -c '. "$1" && complete -p "$2"' _ "$COMPLETION" "$name" 2>&1)
    check "completion: complete -p $name names a function" \
        $([[ "$reg" == "complete -F "*" $name" ]]; echo $?) "$reg"
    want=$(usage_options "$prog")
    got=$(offered "$COMPLETION" "$prog" - 2>&1 | sort -u)
    missing=$(comm -23 <(printf '%s\n' "$want") <(printf '%s\n' "$got"))
    check "completion: $name - offers every option of its usage text ($(echo $want | wc -w))" \
        $([ -n "$want" ] && [ -z "$missing" ]; echo $?) "missing: $missing" "offered: $got"
done
got=$(offered "$COMPLETION" "$MR" --fo | tr '\n' ' ')
check "completion: memreport --fo completes to --format=" $([ "$got" = "--format= " ]; echo $?) "got: $got"
formats="csv csv-long influx json openmetrics sadf sar svg"
got=$(offered "$COMPLETION" "$MR" -r --format = "" | sort | tr '\n' ' ')
check "completion: --format= (split at =) offers every format" \
    $([ "$got" = "$formats " ]; echo $?) "got: $got"
got=$(offered "$COMPLETION" "$MR" --format = cs | sort | tr '\n' ' ')
check "completion: --format=cs offers csv and csv-long" $([ "$got" = "csv csv-long " ]; echo $?) "got: $got"
got=$(COMP_WORDBREAKS=' ' offered "$COMPLETION" "$MR" --format=i | tr '\n' ' ')
check "completion: --format=i as one word offers --format=influx" \
    $([ "$got" = "--format=influx " ]; echo $?) "got: $got"
got=$(offered "$COMPLETION" "$MR" --dec = "" | tr '\n' ' ')
check "completion: --dec= offers 0 1 2" $([ "$got" = "0 1 2 " ]; echo $?) "got: $got"

# -f: the days of $MEMTRAIL_DIR (real archives), and ordinary files
mkdir -p days here/sub
"$MC" --no-procs --no-numa days/ 2>err >/dev/null
today=$(ls days)
cp "days/$today" days/memtrail-20261120.db && gzip days/memtrail-20261120.db
: > days/notes.txt
: > here/local.db
got=$(cd here && MEMTRAIL_DIR=$WORK/days offered "$COMPLETION" "$MR" -f "" | sort | tr '\n' ' ')
want=$(printf '%s\n' "$WORK/days/$today" "$WORK/days/memtrail-20261120.db.gz" local.db sub | sort | tr '\n' ' ')
check "completion: -f offers the archive directory's days and the files here" \
    $([ "$got" = "$want" ]; echo $?) "got:  $got" "want: $want" "$(cat err)"
got=$(MEMTRAIL_DIR=$WORK/days offered "$COMPLETION" "$MR" -f "$WORK/days/memtrail-2026112" | sort -u | tr '\n' ' ')
check "completion: -f DIR/memtrail-2026112 offers that day only" \
    $([ "$got" = "$WORK/days/memtrail-20261120.db.gz " ]; echo $?) "got: $got"
got=$(cd here && offered "$COMPLETION" "$MC" -D "" | tr '\n' ' ')
check "completion: memcollect -D offers directories" $([ "$got" = "sub " ]; echo $?) "got: $got"
