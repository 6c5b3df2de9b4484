#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# mkdays.sh SEED DIR FIRST_DAY DAYS STEP [procs]
# Writes DIR/memtrail-YYYYMMDD.db, one file per local day from FIRST_DAY
# (YYYY-MM-DD, local midnight in $TZ) for DAYS days, one sample every STEP
# seconds, made fast by cloning the one sample of SEED (a real memcollect
# archive) with sqlite3 and varying the system-wide columns:
#   g = minutes since the first sample, m = minute of the (24 h) day
#   MemTotal 16777216, MemAvailable 12000000 - 50 g - 3000 |m - 720|,
#   MemFree = MemAvailable - 3000000, Buffers 200000, Cached 2500000, Slab 300000,
#   Committed_AS 8000000 + 40 g + 2000 (720 - |m - 720|), CommitLimit 10485760,
#   SwapTotal 4194304, SwapFree 4194304 - 10 g - 100 (m % 60),
#   pswpin 3 g + g / 7, pswpout 5 g + 7 (g / 11),
#   HugePages_Total 512, HugePages_Free 512 - m / 60, Hugepagesize 2048.
# With "procs", every sample carries SEED's processes and NUMA nodes.
# SPIKE_TS=EPOCH plants one sample's peak: MemFree 100000, MemAvailable 150000.
# The seed's memory pressure is not cloned: the days are as of a kernel without PSI.
set -eu
seed=$1 dir=$2 first=$3 days=$4 step=$5 procs=${6:-}
mkdir -p "$dir"
t0=$(date -d "$first 00:00:00" +%s)
s0=$(sqlite3 "$seed" 'SELECT ts FROM sample LIMIT 1')
up0=$(sqlite3 "$seed" 'SELECT uptime_cs FROM sample LIMIT 1')
spike=${SPIKE_TS:-0}
for ((d = 0; d < days; d++)); do
    day=$(date -d "$first 12:00:00 $d days" +%Y%m%d)
    d0=$(date -d "$(date -d "$first 12:00:00 $d days" +%F) 00:00:00" +%s)
    d1=$(date -d "$(date -d "$first 12:00:00 $((d + 1)) days" +%F) 00:00:00" +%s)
    n=$(( (d1 - d0 + step - 1) / step ))
    f=$dir/memtrail-$day.db
    rm -f "$f"; cp "$seed" "$f"
    cols=$(sqlite3 "$seed" "SELECT group_concat(quote(name), ',') FROM pragma_table_info('sample') WHERE cid >= 4")
    sqlite3 "$f" "ATTACH '$seed' AS seed; BEGIN; DELETE FROM sample; DELETE FROM swap;
      DROP TABLE IF EXISTS psi_mem;
      WITH RECURSIVE m(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM m WHERE i < $n - 1)
      INSERT INTO sample SELECT $d0 + $step * i, s.boot_no, $up0 + ($d0 + $step * i - $t0) * 100, s.utc_offset, $cols
        FROM seed.sample s, m;
      UPDATE sample SET utc_offset = CAST(strftime('%s', ts, 'unixepoch', 'localtime') AS INTEGER) - ts;
      UPDATE sample SET MemTotal = 16777216,
        MemAvailable = 12000000 - 50 * ((ts - $t0) / 60) - 3000 * abs(((ts - $d0) / 60) % 1440 - 720),
        Buffers = 200000, Cached = 2500000, Slab = 300000,
        Committed_AS = 8000000 + 40 * ((ts - $t0) / 60) + 2000 * (720 - abs(((ts - $d0) / 60) % 1440 - 720)),
        CommitLimit = 10485760, SwapTotal = 4194304,
        SwapFree = 4194304 - 10 * ((ts - $t0) / 60) - 100 * (((ts - $d0) / 60) % 60),
        pswpin = 3 * ((ts - $t0) / 60) + ((ts - $t0) / 60) / 7,
        pswpout = 5 * ((ts - $t0) / 60) + 7 * (((ts - $t0) / 60) / 11),
        HugePages_Total = 512, HugePages_Free = 512 - (((ts - $d0) / 60) % 1440) / 60, Hugepagesize = 2048;
      UPDATE sample SET MemFree = MemAvailable - 3000000;
      UPDATE sample SET MemFree = 100000, MemAvailable = 150000 WHERE ts = $spike;
      COMMIT;"
    if [ "$procs" = procs ]; then
        sqlite3 "$f" "ATTACH '$seed' AS seed; BEGIN; DELETE FROM proc_sample; DELETE FROM numa;
          INSERT INTO proc_sample SELECT s.ts, p.nprocs, p.aggregated, p.codec, p.rawsize, p.crc32, p.data
            FROM sample s, seed.proc_sample p;
          INSERT INTO numa SELECT s.ts, n.node, n.total_kb, n.free_kb - ((s.ts - $t0) / 60) % 5000,
            $(sqlite3 "$seed" "SELECT group_concat('n.' || quote(name), ',') FROM pragma_table_info('numa') WHERE cid >= 4")
            FROM sample s, seed.numa n;
          COMMIT;"
    fi
done
