-- SPDX-License-Identifier: GPL-2.0-or-later
-- The bursts of memcollect --watch, created with an archive's first burst:
-- one row per burst of second-by-second samples, stored when it starts,
-- every few samples while it lasts and when it ends, in the daily file of
-- its latest sample (a burst across midnight has a row in both days, with
-- the same start_ts: readers keep the one that ends last).
--
-- start_ts, end_ts: its first and last sample (UTC seconds); samples: how
-- many it stored; why: what woke the watcher, comma-separated: psi (the
-- trigger on /proc/pressure/memory), cgroup (a cgroup's memory.pressure
-- trigger), oom (an OOM kill in the kernel log), poll (pressure seen by
-- polling, no triggers), memavail (MemAvailable low, no PSI), asked
-- (memcollect --burst); peak_some_avg10, peak_full_avg10: the highest
-- avg10 of /proc/pressure/memory seen, in hundredths of a percent (NULL:
-- no PSI); oom_kills: /proc/vmstat oom_kill's rise over it; open: 1 while
-- the watcher was still in it (a row left open by a watcher that died).

CREATE TABLE IF NOT EXISTS burst(start_ts INTEGER PRIMARY KEY, end_ts INTEGER NOT NULL,
    samples INTEGER NOT NULL, why TEXT NOT NULL, peak_some_avg10 INTEGER,
    peak_full_avg10 INTEGER, oom_kills INTEGER NOT NULL, open INTEGER NOT NULL);
