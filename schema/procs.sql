-- Per-process history, created with an archive's first process sample.
--
-- proc:        one row per process identity (boot, pid, start time): what
--              does not change is stored once.  pid -1 is the row that sums
--              the processes beyond memcollect --procs-max.
-- proc_sample: the values of every process at one sample, as one blob:
--              columnar varints by identity (archive/proc_codec.c), zlib
--              when codec = 1, CRC-32 of the raw bytes in crc32 so that a
--              damaged blob is found and skipped, never misread.

CREATE TABLE proc(pi INTEGER PRIMARY KEY, boot_no INTEGER NOT NULL, pid INTEGER NOT NULL,
    start_ticks INTEGER NOT NULL, ppid INTEGER NOT NULL, uid INTEGER NOT NULL,
    comm TEXT NOT NULL, cmdline TEXT, first_ts INTEGER NOT NULL);

CREATE UNIQUE INDEX proc_identity ON proc(boot_no, pid, start_ticks);

CREATE TABLE proc_sample(ts INTEGER PRIMARY KEY, nprocs INTEGER NOT NULL,
    aggregated INTEGER NOT NULL, codec INTEGER NOT NULL, rawsize INTEGER NOT NULL,
    crc32 INTEGER NOT NULL, data BLOB NOT NULL);
