/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The burst's CPU budget (procbudget.h): a credit that grows with the
 * budget over the time passed and shrinks by what each sample cost.  It
 * saves at most one sample with processes, so a long cheap stretch cannot
 * pay for a run of them, and its debt is at most max_gap_ms of budget, so a
 * forced one (an OOM kill) cannot hold them off for long.
 */
#include "procbudget.h"

#include <string.h>

void proc_budget_start(struct proc_budget *b, long budget_centi, int64_t max_gap_ms)
{
    memset(b, 0, sizeof *b);
    b->per_s_ns = (int64_t)budget_centi * 100000;   /* 1 % of a core: 10 ms a second */
    b->max_gap_ms = max_gap_ms;
    b->sys_ns = b->full_ns = b->last_ms = b->last_procs_ms = -1;
}

static int64_t earned(const struct proc_budget *b, int64_t now_ms)
{
    int64_t ms = b->last_ms < 0 || now_ms < b->last_ms ? 0 : now_ms - b->last_ms;
    if (ms > b->max_gap_ms)
        ms = b->max_gap_ms;
    return b->per_s_ns * ms / 1000;
}

static int64_t bounded(const struct proc_budget *b, int64_t credit)
{
    int64_t debt = b->per_s_ns * b->max_gap_ms / 1000;
    int64_t saved = b->full_ns > b->per_s_ns ? b->full_ns : b->per_s_ns;
    return credit > saved ? saved : credit < -debt ? -debt : credit;
}

int proc_budget_due(const struct proc_budget *b, int64_t now_ms, int force)
{
    if (force || b->last_procs_ms < 0 || now_ms - b->last_procs_ms >= b->max_gap_ms ||
        now_ms < b->last_procs_ms)
        return 1;
    /* a sample with processes costs what the last one did; unmeasured
     * without them, the whole of it counts as the process part */
    int64_t full = b->full_ns, sys = b->sys_ns < 0 ? 0 : b->sys_ns;
    int64_t procs = full > sys ? full - sys : 0;
    return bounded(b, b->credit_ns + earned(b, now_ms)) - sys >= procs;
}

void proc_budget_spent(struct proc_budget *b, int64_t now_ms, int with_procs, int64_t cpu_ns)
{
    if (cpu_ns < 0)
        cpu_ns = 0;
    b->credit_ns = bounded(b, bounded(b, b->credit_ns + earned(b, now_ms)) - cpu_ns);
    b->last_ms = now_ms;
    if (with_procs) {
        b->full_ns = cpu_ns;
        b->last_procs_ms = now_ms;
    } else {
        b->sys_ns = cpu_ns;
    }
}

int proc_budget_parse(const char *text, long *centi)
{
    long whole = 0, frac = 0;
    int digits = 0, decimals = 0;
    const char *p = text;
    for (; *p >= '0' && *p <= '9' && digits < 4; p++, digits++)
        whole = whole * 10 + (*p - '0');
    if (*p == '.' && digits)
        for (p++; *p >= '0' && *p <= '9' && decimals < 2; p++, decimals++)
            frac = frac * 10 + (*p - '0');
    if (!digits || *p || (text[digits] == '.' && !decimals))
        return -1;
    for (; decimals < 2; decimals++)
        frac *= 10;
    long v = whole * 100 + frac;
    if (v < 1 || v > 10000)
        return -1;
    *centi = v;
    return 0;
}
