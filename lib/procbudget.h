/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The CPU budget of a burst (memcollect --watch): which burst samples take
 * every process.  The system-wide part is taken at every sample; the
 * per-process part, most of a sample's cost on a busy machine, only when the
 * CPU the burst has earned (the budget, a share of one core, over the time
 * passed) covers it, judged by what the last samples measured.  Processes
 * are always taken at a burst's first sample, when asked (an OOM kill), and
 * at least every max_gap_ms.  Pure: the caller measures CPU and time, so
 * unit tests give it any costs.
 */
#ifndef MEMTRAIL_PROCBUDGET_H
#define MEMTRAIL_PROCBUDGET_H

#include <stdint.h>

struct proc_budget {
    int64_t per_s_ns;      /* CPU the burst may use a second */
    int64_t max_gap_ms;    /* processes at least this often */
    int64_t credit_ns;     /* earned and not spent, bounded both ways */
    int64_t sys_ns;        /* last sample without processes (-1: none yet) */
    int64_t full_ns;       /* last sample with processes (-1: none yet) */
    int64_t last_ms;       /* the last sample's time (-1: none yet) */
    int64_t last_procs_ms; /* the last sample with processes (-1: none yet) */
};

/* A new burst: BUDGET_CENTI hundredths of a percent of one core. */
void proc_budget_start(struct proc_budget *b, long budget_centi, int64_t max_gap_ms);
/* Whether the sample at NOW_MS takes processes (FORCE: it must). */
int proc_budget_due(const struct proc_budget *b, int64_t now_ms, int force);
/* The sample at NOW_MS cost CPU_NS, with processes or not. */
void proc_budget_spent(struct proc_budget *b, int64_t now_ms, int with_procs, int64_t cpu_ns);
/* "3", "0.5", "0.01" (percent, two decimals at most, 0.01 to 100) as
 * hundredths of a percent: 0, or -1 when it is not one. */
int proc_budget_parse(const char *text, long *centi);

#endif
