-- SPDX-License-Identifier: GPL-2.0-or-later
-- The memtrail archive, format version 1.
--
-- One SQLite file holds the samples of one archive (by default one local
-- calendar day).  System-wide values are plain columns of "sample", named as
-- the kernel names them: "MemFree" is /proc/meminfo's MemFree in kB,
-- "pswpin" is /proc/vmstat's cumulative pswpin.  The collector adds a column
-- the first time it meets a key (ALTER TABLE), so keys of newer kernels are
-- kept too; "field" says where each such column came from.
--
-- Comments stay outside the CREATE statements, and the tables carry no
-- index beyond their keys: SQLite stores each statement's text and gives
-- every index its own page, which a small daily file pays for in full.
-- The collector keeps boot_id and field.col unique.
--
-- host:   host facts, from the first sample they held for (ts).
-- boot:   one row per boot seen (/proc/sys/kernel/random/boot_id).
-- sample: one row per sample: ts is UTC seconds since the epoch, uptime_cs
--         /proc/uptime in 1/100 s (rates use its deltas), utc_offset the
--         collector's local offset from UTC in seconds; then one column per
--         meminfo and vmstat key.
-- field:  which file ('meminfo' or 'vmstat' in /proc, 'node' for a NUMA node's
--         meminfo and numastat in sysfs) and key each added column holds, in
--         the order the columns were added: 'node' columns are in "numa",
--         the others in "sample".
-- swap:   /proc/swaps, each device at each sample.
--
-- Tables for per-process and per-node data (schema/procs.sql, schema/numa.sql)
-- are created with the first sample that has such data, so an archive
-- without it pays nothing for them.

CREATE TABLE host(ts INTEGER PRIMARY KEY, sysname TEXT NOT NULL, nodename TEXT NOT NULL,
    release TEXT NOT NULL, machine TEXT NOT NULL, ncpu INTEGER NOT NULL,
    page_size INTEGER NOT NULL, timezone TEXT NOT NULL);

CREATE TABLE boot(boot_no INTEGER PRIMARY KEY, boot_id TEXT NOT NULL, first_ts INTEGER NOT NULL);

CREATE TABLE sample(ts INTEGER PRIMARY KEY, boot_no INTEGER NOT NULL, uptime_cs INTEGER NOT NULL,
    utc_offset INTEGER NOT NULL);

CREATE TABLE field(col TEXT NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('meminfo', 'vmstat', 'node')), key TEXT NOT NULL);

CREATE TABLE swap(ts INTEGER NOT NULL, device TEXT NOT NULL, type TEXT NOT NULL,
    size_kb INTEGER NOT NULL, used_kb INTEGER NOT NULL, priority INTEGER NOT NULL,
    PRIMARY KEY (ts, device)) WITHOUT ROWID;

-- Readable times beside every value, for the sqlite3 shell.
CREATE VIEW sample_time AS SELECT datetime(ts, 'unixepoch') AS utc,
    datetime(ts + utc_offset, 'unixepoch') AS local_time,
    (SELECT boot_id FROM boot WHERE boot.boot_no = sample.boot_no) AS boot_id, * FROM sample;
