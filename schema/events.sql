-- SPDX-License-Identifier: GPL-2.0-or-later
-- OOM kills from the kernel log (/dev/kmsg), created with the first sample
-- whose collector read the log.  Every statement is idempotent.
--
-- kmsg_read: one row per sample whose collector read the kernel log: the
--            sequence number the next sample of that boot reads from
--            (next_seq), the kernel's oom_kill counter (/proc/vmstat) when
--            the log was read up to there (oom_kill; NULL: not recorded),
--            and how many records the kernel overwrote before they were
--            read, when the counter leaves room for a kill among them
--            (lost; 0: none).  Reports say so rather than guess.  A sample
--            whose counter equals that of the reading before it had no kill
--            to read: it keeps the position without reading the log.
-- oom_kill:  each kill, with the sample (ts) that read it: the kernel's
--            record number (seq) in that boot, the kill's own time (kill_ts,
--            UTC seconds, from the record's monotonic time; mono_us as the
--            kernel logged it), and the victim as "Killed process" and the
--            "oom-kill:" summary named it.  NULL: the kernel's message did
--            not carry the value (older kernels).  memcg_oom 1: a memory
--            cgroup's limit was reached, not the machine's memory.

CREATE TABLE IF NOT EXISTS kmsg_read(ts INTEGER PRIMARY KEY, boot_no INTEGER NOT NULL,
    next_seq INTEGER NOT NULL, oom_kill INTEGER, lost INTEGER NOT NULL);

CREATE TABLE IF NOT EXISTS oom_kill(ts INTEGER NOT NULL, seq INTEGER NOT NULL,
    boot_no INTEGER NOT NULL, kill_ts INTEGER NOT NULL, mono_us INTEGER NOT NULL,
    pid INTEGER NOT NULL, comm TEXT NOT NULL, uid INTEGER, total_vm_kb INTEGER,
    anon_rss_kb INTEGER, file_rss_kb INTEGER, shmem_rss_kb INTEGER, pgtables_kb INTEGER,
    oom_score_adj INTEGER, memcg_oom INTEGER NOT NULL, oom_constraint TEXT,
    oom_memcg TEXT, task_memcg TEXT, PRIMARY KEY (ts, seq)) WITHOUT ROWID;
