#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The CPU cost of the Debian package's choice to link SQLite and zlib as
# shared libraries (the Makefile links them statically).  Builds the package
# (make deb), links the same objects with the same dpkg-buildflags against
# the static libraries, and runs both side by side with benchspawn
# (interleaved runs, user+sys CPU from wait4, medians).  A benchmark, not a
# test: it prints figures and never fails on a timing.
#   BENCH_RUNS=N   runs per command (default 301; processes: a third)
set -eu
cd "$(dirname "$0")/.."
OUT=$(pwd)/bench/out/linking
RUNS=${BENCH_RUNS:-301}
rm -rf "$OUT"
mkdir -p "$OUT"
${CC:-cc} -O2 -std=c11 -Wall -Wextra -o "$OUT/benchspawn" bench/benchspawn.c
make -s deb DEBDIR="$OUT/deb" > "$OUT/deb.log" 2>&1 || { tail "$OUT/deb.log" >&2; exit 2; }

SRC=$OUT/deb/memtrail
export DEB_BUILD_MAINT_OPTIONS=hardening=+all
CFLAGS=$(dpkg-buildflags --get CFLAGS)
LDFLAGS=$(dpkg-buildflags --get LDFLAGS)
STATIC="-Wl,-Bstatic -lsqlite3 -lz -Wl,-Bdynamic -lm"
COMMON="$SRC/build/archive/*.o $SRC/build/schema_sql.o $SRC/build/lib/*.o"
# shellcheck disable=SC2086 # word lists on purpose
${CC:-cc} $CFLAGS $LDFLAGS -Wl,--export-dynamic-symbol=numa_warn -Wl,--export-dynamic-symbol=numa_error \
    -o "$OUT/memcollect.static" $SRC/build/collector/*.o $COMMON $STATIC
# shellcheck disable=SC2086
${CC:-cc} $CFLAGS $LDFLAGS -o "$OUT/memreport.static" $SRC/build/report/*.o $SRC/build/report/*/*.o $COMMON $STATIC
cp "$SRC/memcollect" "$OUT/memcollect.shared"
cp "$SRC/memreport" "$OUT/memreport.shared"
strip "$OUT"/mem*.static "$OUT"/mem*.shared

cd "$OUT"
./memcollect.static --no-procs --no-numa 1 10 seed.db > /dev/null
./memcollect.static 1 3 seedp.db > /dev/null
run() { # LABEL RUNS CMD-ARGS...: the static and the shared build, interleaved
    label=$1 n=$2
    shift 2
    ./benchspawn run "$n" -- "$@" > result
    s=$(sed -n 's/^cmd=0 .*cpu_ms=\([^ ]*\).*/\1/p' result)
    d=$(sed -n 's/^cmd=1 .*cpu_ms=\([^ ]*\).*/\1/p' result)
    awk -v l="$label" -v n="$n" -v s="$s" -v d="$d" 'BEGIN {
        printf "%-46s static %6.3f ms  shared %6.3f ms  +%.3f ms (%+.0f%%), median of %d\n",
               l, s, d, d - s, 100 * (d - s) / s, n }'
}
echo "SQLite and zlib static vs shared, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPU," \
     "load $(cut -d' ' -f1-3 /proc/loadavg), $(ls /proc | grep -c '^[0-9]') processes"
run "memcollect --no-procs --no-numa" "$RUNS" \
    --copy seed.db s.db ./memcollect.static --no-procs --no-numa s.db \
    -- --copy seed.db d.db ./memcollect.shared --no-procs --no-numa d.db
run "memcollect (every process)" $((RUNS / 3)) \
    --copy seedp.db sp.db ./memcollect.static sp.db -- --copy seedp.db dp.db ./memcollect.shared dp.db
run "memreport -r -f ARCHIVE (10 samples)" "$RUNS" \
    ./memreport.static -r -f seed.db -- ./memreport.shared -r -f seed.db
