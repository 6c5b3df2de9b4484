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
