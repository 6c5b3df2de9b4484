-- SPDX-License-Identifier: GPL-2.0-or-later
-- Per-process history, created with an archive's first process sample.
-- Every statement is idempotent: the writer runs this file again on an
-- archive whose process tables predate a table added here (format 1 had
-- no proc_name), and only the missing ones are made.
--
-- proc:        one row per process identity (boot, pid, start time): what
--              does not change is stored once, with the name (comm) and
--              command line of its first sample.  pid -1 is the row that
--              sums the processes beyond memcollect --procs-max.
-- proc_name:   each later name of an identity (exec keeps pid and start
--              time), from the sample (ts) that first showed it, with the
--              command line read then (NULL: not read).  A process's name
--              at a sample is the latest of these at or before it, else
--              proc's.  Kernel threads are left out: they never exec, and a
--              kworker's name only says what it is working on.
-- proc_sample: the values of every process at one sample, as one blob:
--              columnar varints by identity (archive/proc_codec.c), zlib
--              when codec = 1, CRC-32 of the raw bytes in crc32 so that a
--              damaged blob is found and skipped, never misread.

CREATE TABLE IF NOT EXISTS proc(pi INTEGER PRIMARY KEY, boot_no INTEGER NOT NULL, pid INTEGER NOT NULL,
    start_ticks INTEGER NOT NULL, ppid INTEGER NOT NULL, uid INTEGER NOT NULL,
    comm TEXT NOT NULL, cmdline TEXT, first_ts INTEGER NOT NULL);

CREATE UNIQUE INDEX IF NOT EXISTS proc_identity ON proc(boot_no, pid, start_ticks);

CREATE TABLE IF NOT EXISTS proc_name(pi INTEGER NOT NULL, ts INTEGER NOT NULL,
    comm TEXT NOT NULL, cmdline TEXT, PRIMARY KEY (pi, ts)) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS proc_sample(ts INTEGER PRIMARY KEY, nprocs INTEGER NOT NULL,
    aggregated INTEGER NOT NULL, codec INTEGER NOT NULL, rawsize INTEGER NOT NULL,
    crc32 INTEGER NOT NULL, data BLOB NOT NULL);
