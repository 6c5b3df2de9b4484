-- SPDX-License-Identifier: GPL-2.0-or-later
-- Memory per cgroup, created with an archive's first sample that has
-- cgroups or a process's cgroup.  Every statement is idempotent, as in
-- procs.sql: archives without these tables stay valid and readable.
--
-- cgroup:        one row per cgroup identity: its path ("/" the root,
--                "..." the row summing the cgroups beyond memcollect
--                --cgroups-max) and, on v2, the inode of its directory (the
--                cgroup id: a cgroup removed and made again under the same
--                path is another one); 0 on v1.
-- cgroup_sample: the values of every cgroup at one sample, as one blob
--                (archive/cg_codec.c): a key blob when base_ts is NULL,
--                else the differences from the key blob of sample base_ts.
--                version: the hierarchy read (1 or 2).  codec, rawsize,
--                crc32 as in proc_sample.
-- cgroup_path:   each cgroup path that a process was seen in, once.
-- proc_cgroup:   the memory cgroup of a process identity (proc.pi), read
--                with its command line when it was first seen: a number in
--                cgroup_path, so that a new process costs a few bytes.

CREATE TABLE IF NOT EXISTS cgroup(ci INTEGER PRIMARY KEY, path TEXT NOT NULL,
    inode INTEGER NOT NULL, first_ts INTEGER NOT NULL);

CREATE UNIQUE INDEX IF NOT EXISTS cgroup_identity ON cgroup(path, inode);

CREATE TABLE IF NOT EXISTS cgroup_sample(ts INTEGER PRIMARY KEY, base_ts INTEGER,
    version INTEGER NOT NULL, ncgroups INTEGER NOT NULL, aggregated INTEGER NOT NULL,
    codec INTEGER NOT NULL, rawsize INTEGER NOT NULL, crc32 INTEGER NOT NULL,
    data BLOB NOT NULL);

CREATE TABLE IF NOT EXISTS cgroup_path(cp INTEGER PRIMARY KEY, path TEXT NOT NULL UNIQUE);

CREATE TABLE IF NOT EXISTS proc_cgroup(pi INTEGER PRIMARY KEY, cp INTEGER NOT NULL);
