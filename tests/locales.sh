#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Make sure the locales the conformance tests use exist (Debian: /etc/locale.gen
# + locale-gen).  Called by `make deps`; cheap and silent when nothing is missing.
# Needs root only when something has to be generated.
set -u
LOCALES="en_US.UTF-8 de_DE.UTF-8 en_GB.UTF-8"

have() {  # locale -a prints en_US.utf8 for en_US.UTF-8
    norm=$(printf '%s' "$1" | sed 's/\.UTF-8$/.utf8/')
    locale -a 2>/dev/null | grep -qx "$norm"
}

missing=""
for l in $LOCALES; do have "$l" || missing="$missing $l"; done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
    echo "tests/locales.sh: missing locales:$missing (run as root to generate them)" >&2
    exit 1
fi
if [ ! -f /etc/locale.gen ] || ! command -v locale-gen >/dev/null 2>&1; then
    echo "tests/locales.sh: the 'locales' package is not installed (make deps installs it)" >&2
    exit 1
fi
for l in $missing; do
    line="$l UTF-8"
    if grep -q "^# *$line\$" /etc/locale.gen; then
        sed -i "s/^# *$line\$/$line/" /etc/locale.gen
    elif ! grep -q "^$line\$" /etc/locale.gen; then
        echo "$line" >> /etc/locale.gen
    fi
done
echo "tests/locales.sh: generating$missing"
locale-gen >/dev/null
rc=0
for l in $LOCALES; do have "$l" || { echo "tests/locales.sh: $l still missing" >&2; rc=1; }; done
exit $rc
