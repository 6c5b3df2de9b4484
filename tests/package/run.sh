#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
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
# Every source file git tracks (C, shell, python, SQL, the Makefile, units,
# cron, man pages, completion, debian scripts) names its licence in its first
# lines; documents and data (README, NEWS, docs/, debian's control files) do not.
missing=$(cd "$ROOT" && git ls-files 2>/dev/null |
    grep -E '\.(c|h|sh|py|sql|in|timer|default|[18])$|^Makefile$|^\.ci/run$|^completion/|^debian/(rules|memtrail\.post(inst|rm))$' |
    while IFS= read -r f; do
        head -n 3 "$f" | grep -q 'SPDX-License-Identifier: GPL-2.0-or-later' || echo "$f"
    done)
if [ -d "$ROOT/.git" ] || git -C "$ROOT" rev-parse >/dev/null 2>&1; then
    check "every source file carries SPDX-License-Identifier: GPL-2.0-or-later" \
        $([ -z "$missing" ]; echo $?) "$missing"
else
    skip "SPDX identifiers (not a git checkout)"
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
got=$(offered "$COMPLETION" "$MR" --format=i | tr '\n' ' ')
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

# ---- the Debian package: make deb, lintian, dpkg -i, a sample and a report
# through the installed files, systemd-analyze verify, remove, purge.  It
# installs onto this machine, so it runs only where nothing of memtrail is
# installed and cleans up after itself, whatever fails.
ARCHIVE_DIR=/var/log/memtrail
TEST_GROUP=mtpkg$$
UNIT_DIR=/lib/systemd/system
UNITS="memtrail.service memtrail.timer memtrail-maintain.service memtrail-maintain.timer memtrail-watch.service"
installed() { dpkg-query -W -f='${db:Status-Status}' memtrail 2>/dev/null | grep -qx installed; }
known() { dpkg-query -W memtrail >/dev/null 2>&1; }
# dpkg waits for its lock when another engineer's apt-get holds it.
dpkg_locked() {
    local try out rc
    for try in $(seq 60); do
        out=$(dpkg "$@" 2>&1); rc=$?
        printf '%s\n' "$out" | grep -q 'lock' || break
        sleep 2
    done
    printf '%s\n' "$out"
    return $rc
}
package_cleanup() {
    if known; then dpkg_locked -P memtrail >/dev/null; fi
    for u in memtrail.timer memtrail-maintain.timer; do
        rm -f "/etc/systemd/system/timers.target.wants/$u" \
              "/var/lib/systemd/deb-systemd-helper-enabled/$u.dsh-also" \
              "/var/lib/systemd/deb-systemd-helper-enabled/timers.target.wants/$u"
    done
    rm -f /etc/systemd/system/multi-user.target.wants/memtrail-watch.service \
          /var/lib/systemd/deb-systemd-helper-enabled/memtrail-watch.service.dsh-also \
          /var/lib/systemd/deb-systemd-helper-enabled/multi-user.target.wants/memtrail-watch.service
    [ "${MADE_ARCHIVE_DIR:-0}" = 1 ] && rm -rf "$ARCHIVE_DIR"
    [ "${WROTE_SETTINGS:-0}" = 1 ] && rm -f /etc/default/memtrail
    getent group "$TEST_GROUP" >/dev/null && groupdel "$TEST_GROUP"
    rm -rf "$WORK"
}
why=
[ "$(id -u)" = 0 ] || why="not root"
for tool in dpkg-buildpackage dh lintian systemd-analyze deb-systemd-helper; do
    have "$tool" || why="${why:+$why, }no $tool (make deps)"
done
known && why="memtrail is already known to dpkg on this machine"
for f in "$ARCHIVE_DIR" /etc/default/memtrail /etc/cron.d/memtrail; do
    [ -e "$f" ] && why="${why:+$why, }$f exists on this machine"
done
if [ -n "$why" ]; then
    skip "package: make deb, lintian, install, sample, remove, purge ($why)"
    exit 0
fi
trap package_cleanup EXIT
MADE_ARCHIVE_DIR=1

make -s -C "$ROOT" deb DEBDIR="$WORK/deb" > "$WORK/deb.log" 2>&1; rc=$?
DEB=$(ls "$WORK"/deb/memtrail_*_*.deb 2>/dev/null | head -1)
check "make deb builds memtrail_${VERSION}-1 with dpkg-buildpackage" \
    $([ $rc -eq 0 ] && [[ "$DEB" == */memtrail_${VERSION}-1_*.deb ]]; echo $?) "rc=$rc" "$(tail -20 "$WORK/deb.log")"
[ -n "$DEB" ] || exit 0

out=$(lintian --fail-on error,warning "$WORK"/deb/memtrail_*.changes 2>&1); rc=$?
check "lintian: no errors, no warnings" $([ $rc -eq 0 ]; echo $?) "$out"
deps=$(dpkg-deb -f "$DEB" Depends)
check "package: SQLite and zlib as shared libraries (Depends), libproc2 and libnuma too (dlopen)" \
    $([[ "$deps" == *libsqlite3-0* && "$deps" == *zlib1g* && "$deps" == *libproc2-0* && "$deps" == *libnuma1* ]]; echo $?) "$deps"

out=$(dpkg_locked -i "$DEB"); rc=$?
check "dpkg -i installs the package" $([ $rc -eq 0 ] && installed; echo $?) "rc=$rc" "$out"
missing=
for f in /usr/sbin/memcollect /usr/bin/memreport /etc/cron.d/memtrail /etc/default/memtrail \
         /usr/share/bash-completion/completions/memreport /usr/share/bash-completion/completions/memcollect \
         $(for u in $UNITS; do echo "$UNIT_DIR/$u"; done); do
    [ -e "$f" ] || missing="$missing $f"
done
for f in /usr/share/man/man1/memreport.1.gz /usr/share/man/man8/memcollect.8.gz; do
    [ -e "$f" ] || missing="$missing $f"
done
check "installed: programs, man pages, units, cron file, settings, completions" \
    $([ -z "$missing" ]; echo $?) "missing:$missing"
conffiles=$(dpkg-query -W -f='${Conffiles}' memtrail | awk '{print $1}' | sort | tr '\n' ' ')
check "conffiles: /etc/cron.d/memtrail and /etc/default/memtrail" \
    $([ "$conffiles" = "/etc/cron.d/memtrail /etc/default/memtrail " ]; echo $?) "$conffiles"
mode=$(stat -c '%U %G %a' "$ARCHIVE_DIR" 2>&1)
check "postinst: $ARCHIVE_DIR is root root 0750" $([ "$mode" = "root root 750" ]; echo $?) "$mode"
enabled=
for u in memtrail.timer memtrail-maintain.timer; do
    [ -L "/etc/systemd/system/timers.target.wants/$u" ] && enabled="$enabled $u"
done
[ -L /etc/systemd/system/multi-user.target.wants/memtrail-watch.service ] &&
    enabled="$enabled memtrail-watch.service"
check "both timers and the watcher enabled (dh_installsystemd)" \
    $([ "$enabled" = " memtrail.timer memtrail-maintain.timer memtrail-watch.service" ]; echo $?) "enabled:$enabled"
out=$(systemd-analyze verify $(for u in $UNITS; do echo "$UNIT_DIR/$u"; done) 2>&1); rc=$?
check "systemd-analyze verify passes on the installed units" $([ $rc -eq 0 ] && [ -z "$out" ]; echo $?) "rc=$rc" "$out"

# a sample and a report through the installed files, into a temporary directory
/usr/sbin/memcollect 1 2 "$WORK/arch/" > "$WORK/mc.out" 2>&1; rc=$?
rep=$(/usr/bin/memreport -r -f "$WORK/arch" 2>&1)
rows=$(printf '%s\n' "$rep" | grep -c '^[0-9]')
check "installed memcollect samples, installed memreport reports them" \
    $([ $rc -eq 0 ] && [ "$rows" -eq 2 ] && printf '%s\n' "$rep" | grep -q '^Average:'; echo $?) \
    "memcollect rc=$rc $(cat "$WORK/mc.out")" "$rep"
v=$(/usr/bin/memreport --version 2>&1)
check "installed memreport --version is $VERSION" $([ "$v" = "memreport (memtrail) $VERSION" ]; echo $?) "$v"
reg=$(bash --norc -c '. /usr/share/bash-completion/bash_completion
    for p in memreport memcollect; do __load_completion $p && complete -p $p; done' 2>&1)
check "bash-completion loads the installed completion for both programs" \
    $([ "$(printf '%s\n' "$reg" | grep -c '^complete -F _memtrail ')" = 2 ]; echo $?) "$reg"

# remove keeps the settings; purge removes them, keeps the archives
cp "$WORK"/arch/memtrail-*.db "$ARCHIVE_DIR/"
kept=$(ls "$ARCHIVE_DIR")
out=$(dpkg_locked -r memtrail); rc=$?
check "dpkg -r: programs gone, settings and archives kept" \
    $([ $rc -eq 0 ] && [ ! -e /usr/sbin/memcollect ] && [ ! -e /usr/bin/memreport ] &&
      [ -e /etc/default/memtrail ] && [ "$(ls "$ARCHIVE_DIR")" = "$kept" ]; echo $?) "rc=$rc" "$out"
out=$(dpkg_locked -P memtrail); rc=$?
left=$(ls -d /etc/default/memtrail /etc/cron.d/memtrail /etc/systemd/system/timers.target.wants/memtrail*.timer \
           /etc/systemd/system/multi-user.target.wants/memtrail-watch.service \
           $(for u in $UNITS; do echo "$UNIT_DIR/$u"; done) 2>/dev/null)
check "dpkg -P: settings and timer links gone, archives kept" \
    $([ $rc -eq 0 ] && ! known && [ -z "$left" ] && [ "$(ls "$ARCHIVE_DIR")" = "$kept" ]; echo $?) \
    "rc=$rc" "$out" "left: $left" "archive dir: $(ls "$ARCHIVE_DIR" 2>&1)"
rm -rf "$ARCHIVE_DIR"

# settings that name a reading group before installation: the postinst honours
# them; a purge with no archives leaves no directory behind
groupadd "$TEST_GROUP"
WROTE_SETTINGS=1
printf 'MEMTRAIL_GROUP=%s\n' "$TEST_GROUP" > /etc/default/memtrail
out=$(dpkg_locked --force-confold -i "$DEB"); rc=$?
mode=$(stat -c '%U %G %a' "$ARCHIVE_DIR" 2>&1)
check "postinst with MEMTRAIL_GROUP set: $ARCHIVE_DIR is root $TEST_GROUP 2750" \
    $([ $rc -eq 0 ] && [ "$mode" = "root $TEST_GROUP 2750" ]; echo $?) "rc=$rc" "$out" "$mode"
out=$(dpkg_locked -P memtrail); rc=$?
check "dpkg -P with no archives: the empty directory and the settings go" \
    $([ $rc -eq 0 ] && [ ! -e "$ARCHIVE_DIR" ] && [ ! -e /etc/default/memtrail ]; echo $?) \
    "rc=$rc" "$out" "$(ls -ld "$ARCHIVE_DIR" /etc/default/memtrail 2>&1)"
