-- SPDX-License-Identifier: GPL-2.0-or-later
-- Memory pressure (/proc/pressure/memory), created with an archive's first
-- sample from a kernel that has it: a sample without a row here had no
-- pressure recorded (no PSI, psi=0), which reports leave out, never show as 0.
-- Averages in hundredths of a percent, as sadc keeps them (avg10=1.53 is
-- 153); totals in microseconds of stall since boot.  The full_ columns are
-- NULL when the kernel printed no "full" line.

CREATE TABLE IF NOT EXISTS psi_mem(ts INTEGER PRIMARY KEY,
    some_avg10 INTEGER NOT NULL, some_avg60 INTEGER NOT NULL, some_avg300 INTEGER NOT NULL,
    some_total INTEGER NOT NULL,
    full_avg10 INTEGER, full_avg60 INTEGER, full_avg300 INTEGER, full_total INTEGER);
