/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sar 12.6.1's memory formulas (see metrics.h).  The unsigned subtractions
 * are kept on purpose: sar prints a wrapped value when SwapFree exceeds
 * SwapTotal or a counter goes backwards, and so must we to match it.
 */
#include "metrics.h"

static const struct column swappg_cols[] = {
    { "pswpin/s", "pswpin", VT_RATE }, { "pswpout/s", "pswpout", VT_RATE },
};
static const struct column paging_cols[] = {
    { "pgpgin/s", "pgpgin", VT_RATE }, { "pgpgout/s", "pgpgout", VT_RATE },
    { "fault/s", "fault", VT_RATE }, { "majflt/s", "majflt", VT_RATE },
    { "pgfree/s", "pgfree", VT_RATE }, { "pgscank/s", "pgscank", VT_RATE },
    { "pgscand/s", "pgscand", VT_RATE }, { "pgsteal/s", "pgsteal", VT_RATE },
    { "%vmeff", "vmeff-percent", VT_PCT },
};
static const struct column memory_cols[] = {
    { "kbmemfree", "memfree", VT_KB }, { "kbavail", "avail", VT_KB },
    { "kbmemused", "memused", VT_KB }, { "%memused", "memused-percent", VT_PCT },
    { "kbbuffers", "buffers", VT_KB }, { "kbcached", "cached", VT_KB },
    { "kbcommit", "commit", VT_KB }, { "%commit", "commit-percent", VT_PCT },
    { "kbactive", "active", VT_KB }, { "kbinact", "inactive", VT_KB },
    { "kbdirty", "dirty", VT_KB },
    /* -r ALL */
    { "kbanonpg", "anonpg", VT_KB }, { "kbslab", "slab", VT_KB },
    { "kbkstack", "kstack", VT_KB }, { "kbpgtbl", "pgtbl", VT_KB },
    { "kbvmused", "vmused", VT_KB },
};
static const struct column swap_cols[] = {
    { "kbswpfree", "swpfree", VT_KB }, { "kbswpused", "swpused", VT_KB },
    { "%swpused", "swpused-percent", VT_PCT }, { "kbswpcad", "swpcad", VT_KB },
    { "%swpcad", "swpcad-percent", VT_PCT },
};
static const struct column huge_cols[] = {
    { "kbhugfree", "hugfree", VT_KB }, { "kbhugused", "hugused", VT_KB },
    { "%hugused", "hugused-percent", VT_PCT }, { "kbhugrsvd", "hugrsvd", VT_KB },
    { "kbhugsurp", "hugsurp", VT_KB },
};

/* -q MEM (A_PSI_MEM); sadf -j's keys */
static const struct column psi_cols[] = {
    { "%smem-10", "some_avg10", VT_PCT }, { "%smem-60", "some_avg60", VT_PCT },
    { "%smem-300", "some_avg300", VT_PCT }, { "%smem", "some_avg", VT_PCT },
    { "%fmem-10", "full_avg10", VT_PCT }, { "%fmem-60", "full_avg60", VT_PCT },
    { "%fmem-300", "full_avg300", VT_PCT }, { "%fmem", "full_avg", VT_PCT },
};

#define MEMORY_BASIC 11
#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

int output_columns(enum output out, int mem_all, const struct column **cols)
{
    switch (out) {
    case OUT_SWAPPG: *cols = swappg_cols; return COUNT(swappg_cols);
    case OUT_PAGING: *cols = paging_cols; return COUNT(paging_cols);
    case OUT_MEMORY: *cols = memory_cols; return mem_all ? COUNT(memory_cols) : MEMORY_BASIC;
    case OUT_SWAP: *cols = swap_cols; return COUNT(swap_cols);
    case OUT_HUGE: *cols = huge_cols; return COUNT(huge_cols);
    case OUT_PSI: *cols = psi_cols; return COUNT(psi_cols);
    default: *cols = NULL; return 0;
    }
}

int output_is_rate(enum output out)
{
    return out == OUT_SWAPPG || out == OUT_PAGING;
}

static struct value kb(uint64_t u) { return (struct value){ VT_KB, u, 0 }; }
static struct value kb_avg(double d) { return (struct value){ VT_KB_AVG, 0, d }; }
static struct value pct(double d) { return (struct value){ VT_PCT, 0, d }; }
static struct value rate(double d) { return (struct value){ VT_RATE, 0, d }; }

/* sar's S_VALUE: a per-second rate from a counter pair over ITV hundredths. */
static double s_value(uint64_t before, uint64_t after, uint64_t itv)
{
    return (double)(after - before) / (double)itv * 100;
}

/* The interval between two records in hundredths, 1 for none (as sar). */
static uint64_t interval_cs(const struct rec *p, const struct rec *c)
{
    uint64_t itv = c->uptime_cs - p->uptime_cs;
    return itv ? itv : 1;
}

static int rate_row(enum output out, const struct rec *p, const struct rec *c,
                    struct value *v)
{
    uint64_t itv = interval_cs(p, c);
    if (out == OUT_SWAPPG) {
        v[0] = rate(s_value(p->vm[V_PSWPIN], c->vm[V_PSWPIN], itv));
        v[1] = rate(s_value(p->vm[V_PSWPOUT], c->vm[V_PSWPOUT], itv));
        return 2;
    }
    static const enum vm_field order[] = { V_PGPGIN, V_PGPGOUT, V_PGFAULT, V_PGMAJFAULT,
                                           V_PGFREE, V_PGSCANK, V_PGSCAND, V_PGSTEAL };
    for (int i = 0; i < 8; i++)
        v[i] = rate(s_value(p->vm[order[i]], c->vm[order[i]], itv));
    uint64_t scanned = c->vm[V_PGSCANK] + c->vm[V_PGSCAND] - p->vm[V_PGSCANK] -
                       p->vm[V_PGSCAND];
    v[8] = pct(scanned ? (double)(c->vm[V_PGSTEAL] - p->vm[V_PGSTEAL]) / (double)scanned * 100
                       : 0.0);
    return 9;
}

static int memory_row(int mem_all, const uint64_t *m, struct value *v)
{
    uint64_t total = m[M_TOTAL];
    uint64_t nouse = m[M_FREE] + m[M_BUFFERS] + m[M_CACHED] + m[M_SLAB];
    if (nouse > total)
        nouse = total;
    v[0] = kb(m[M_FREE]);
    v[1] = kb(m[M_AVAIL]);
    v[2] = kb(total - nouse);
    v[3] = pct(total ? (double)(total - nouse) / (double)total * 100 : 0.0);
    v[4] = kb(m[M_BUFFERS]);
    v[5] = kb(m[M_CACHED]);
    v[6] = kb(m[M_COMMITTED]);
    uint64_t limit = total + m[M_SWAPTOTAL];
    v[7] = pct(limit ? (double)m[M_COMMITTED] / (double)limit * 100 : 0.0);
    v[8] = kb(m[M_ACTIVE]);
    v[9] = kb(m[M_INACTIVE]);
    v[10] = kb(m[M_DIRTY]);
    if (!mem_all)
        return MEMORY_BASIC;
    static const enum mem_field all[] = { M_ANON, M_SLAB, M_KSTACK, M_PGTBL, M_VMUSED };
    for (int i = 0; i < 5; i++)
        v[MEMORY_BASIC + i] = kb(m[all[i]]);
    return MEMORY_BASIC + 5;
}

static int swap_row(const uint64_t *m, struct value *v)
{
    uint64_t total = m[M_SWAPTOTAL], free_kb = m[M_SWAPFREE], used = total - free_kb;
    v[0] = kb(free_kb);
    v[1] = kb(used);
    v[2] = pct(total ? (double)used / (double)total * 100 : 0.0);
    v[3] = kb(m[M_SWAPCACHED]);
    v[4] = pct(used ? (double)m[M_SWAPCACHED] / (double)used * 100 : 0.0);
    return 5;
}

static int huge_row(const uint64_t *m, struct value *v)
{
    uint64_t total = m[M_HUGE_TOTAL], free_kb = m[M_HUGE_FREE], used = total - free_kb;
    v[0] = kb(free_kb);
    v[1] = kb(used);
    v[2] = pct(total ? (double)used / (double)total * 100 : 0.0);
    v[3] = kb(m[M_HUGE_RSVD]);
    v[4] = kb(m[M_HUGE_SURP]);
    return 5;
}

int output_recorded(enum output out, const struct rec *prev, const struct rec *curr)
{
    return out != OUT_PSI || (prev->psi.available && curr->psi.available);
}

/* sar's stall rate: the stall's delta in doubles (never wrapped) over the
 * interval, in percent: µs / (100 x hundredths of a second). */
static double stall_pct(uint64_t before, uint64_t after, uint64_t itv)
{
    return ((double)after - (double)before) / (double)(100 * itv);
}

static void psi_line_values(const struct psi_line *l, const struct psi_line *before,
                            uint64_t itv, struct value *v)
{
    v[0] = pct((double)l->avg10 / 100);
    v[1] = pct((double)l->avg60 / 100);
    v[2] = pct((double)l->avg300 / 100);
    v[3] = pct(stall_pct(before->total_us, l->total_us, itv));
}

/* A kernel that printed no "full" line gives zeros there, as sadc keeps them. */
static int psi_row(const struct rec *p, const struct rec *c, struct value *v)
{
    uint64_t itv = interval_cs(p, c);
    psi_line_values(&c->psi.some, &p->psi.some, itv, v);
    psi_line_values(&c->psi.full, &p->psi.full, itv, v + 4);
    return 8;
}

int psi_average(const struct level_sums *s, const struct rec *ref, const struct rec *last,
                struct value *v)
{
    psi_row(ref, last, v);
    double count = s->count ? (double)(s->count * 100) : 100;
    for (int line = 0; line < 2; line++)
        for (int i = 0; i < 3; i++)
            v[line * 4 + i] = pct((double)s->psi_avg[line * 3 + i] / count);
    return 8;
}

int output_row(enum output out, int mem_all, const struct rec *prev, const struct rec *curr,
               struct value *vals)
{
    switch (out) {
    case OUT_SWAPPG:
    case OUT_PAGING: return rate_row(out, prev, curr, vals);
    case OUT_MEMORY: return memory_row(mem_all, curr->mem, vals);
    case OUT_SWAP: return swap_row(curr->mem, vals);
    case OUT_HUGE: return huge_row(curr->mem, vals);
    case OUT_PSI: return psi_row(prev, curr, vals);
    default: return 0;
    }
}

void level_sums_add(struct level_sums *s, const struct rec *r)
{
    s->count++;
    for (int f = 0; f < M_NFIELDS; f++)
        s->mem[f] += r->mem[f];
    s->nouse += r->mem[M_FREE] + r->mem[M_BUFFERS] + r->mem[M_CACHED] + r->mem[M_SLAB];
    const struct psi_line *lines[2] = { &r->psi.some, &r->psi.full };
    for (int line = 0; line < 2; line++) {
        s->psi_avg[line * 3] += lines[line]->avg10;
        s->psi_avg[line * 3 + 1] += lines[line]->avg60;
        s->psi_avg[line * 3 + 2] += lines[line]->avg300;
    }
}

static double mean(const struct level_sums *s, enum mem_field f)
{
    return (double)s->mem[f] / (double)s->count;
}

/* sar's Average for -r: kB means, but %memused and %commit from
 * integer-truncated means over the LAST record's totals, unclamped. */
static int memory_average(int mem_all, const struct level_sums *s, const struct rec *last,
                          struct value *v)
{
    uint64_t total = last->mem[M_TOTAL];
    uint64_t limit = total + last->mem[M_SWAPTOTAL];
    v[0] = kb_avg(mean(s, M_FREE));
    v[1] = kb_avg(mean(s, M_AVAIL));
    v[2] = kb_avg((double)total - (double)s->nouse / (double)s->count);
    v[3] = pct(total ? ((double)total - (double)(s->nouse / s->count)) / (double)total * 100
                     : 0.0);
    v[4] = kb_avg(mean(s, M_BUFFERS));
    v[5] = kb_avg(mean(s, M_CACHED));
    v[6] = kb_avg(mean(s, M_COMMITTED));
    v[7] = pct(limit ? (double)(s->mem[M_COMMITTED] / s->count) / (double)limit * 100 : 0.0);
    v[8] = kb_avg(mean(s, M_ACTIVE));
    v[9] = kb_avg(mean(s, M_INACTIVE));
    v[10] = kb_avg(mean(s, M_DIRTY));
    if (!mem_all)
        return MEMORY_BASIC;
    static const enum mem_field all[] = { M_ANON, M_SLAB, M_KSTACK, M_PGTBL, M_VMUSED };
    for (int i = 0; i < 5; i++)
        v[MEMORY_BASIC + i] = kb_avg(mean(s, all[i]));
    return MEMORY_BASIC + 5;
}

/* -S and -H: means of free and total, used as their difference. */
static int pool_average(const struct level_sums *s, enum mem_field total_f,
                        enum mem_field free_f, struct value *v)
{
    double total = mean(s, total_f), free_kb = mean(s, free_f);
    v[0] = kb_avg(free_kb);
    v[1] = kb_avg(total - free_kb);
    v[2] = pct(s->mem[total_f] ? (total - free_kb) / total * 100 : 0.0);
    return 3;
}

int level_average(enum output out, int mem_all, const struct level_sums *s,
                  const struct rec *last, struct value *v)
{
    switch (out) {
    case OUT_MEMORY:
        return memory_average(mem_all, s, last, v);
    case OUT_SWAP: {
        pool_average(s, M_SWAPTOTAL, M_SWAPFREE, v);
        double used = mean(s, M_SWAPTOTAL) - mean(s, M_SWAPFREE);
        v[3] = kb_avg(mean(s, M_SWAPCACHED));
        v[4] = pct(s->mem[M_SWAPTOTAL] != s->mem[M_SWAPFREE]
                       ? mean(s, M_SWAPCACHED) / used * 100 : 0.0);
        return 5;
    }
    case OUT_HUGE:
        pool_average(s, M_HUGE_TOTAL, M_HUGE_FREE, v);
        v[3] = kb_avg(mean(s, M_HUGE_RSVD));
        v[4] = kb_avg(mean(s, M_HUGE_SURP));
        return 5;
    default:
        return 0;
    }
}
