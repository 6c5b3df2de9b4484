#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# make bench: what memcollect --textfile adds to a sample (bench/textfile.c),
# beside the CPU of memcollect's own samples with and without it.  Figures,
# never a failure on a timing.  Needs `make` to have built build/*.o.
set -eu
cd "$(dirname "$0")/.."
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
${CC:-cc} -O2 -std=c11 -Wall -Wextra -D_DEFAULT_SOURCE -Ilib -Icollector -o "$T/textfile" \
    bench/textfile.c build/collector/textfile.o build/collector/procs.o build/lib/*.o \
    -lproc2 -lm
mkdir "$T/tf"
echo "memcollect --textfile: one write of memtrail.prom (2000 writes, then 200 fsync'd)"
"$T/textfile" "$T/tf" 2000 10 | head -1
"$T/textfile" "$T/tf" 200 10 | tail -1
for opt in "" "--textfile $T/tf"; do
    # shellcheck disable=SC2086
    /usr/bin/time -f "  memcollect ${opt:+--textfile }1 10: %U s user + %S s system for 10 samples" \
        ./memcollect $opt 1 10 "$T/a${opt:+t}/" 2>&1 >/dev/null | tail -1
done
