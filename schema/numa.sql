-- SPDX-License-Identifier: GPL-2.0-or-later
-- Per-node history, created with an archive's first sample on a NUMA machine:
-- one row per node and sample, libnuma's total and free, then one column per
-- key of the node's meminfo and numastat (see "field", source 'node').

CREATE TABLE numa(ts INTEGER NOT NULL, node INTEGER NOT NULL, total_kb INTEGER NOT NULL,
    free_kb INTEGER NOT NULL, PRIMARY KEY (ts, node)) WITHOUT ROWID;
