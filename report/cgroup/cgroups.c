/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * memreport --cgroup [PATH]: memory per cgroup over the window, in the
 * layout of -p (pidstat -r), and the helpers --growth --cgroup and --at
 * share (cgview.h).
 *
 * Text (memtrail's own, as -p's): sar's banner; for every sample, a blank
 * line and the header
 *   "%-11s" time (the previous sample's, as pidstat), " %10s" kbcurrent
 *   kbanon kbfile kbshmem kbswap kblimit, " %7s" %limit oomkill %smem,
 *   "  Cgroup"
 * then the --top N largest cgroups by memory.current (v1 usage_in_bytes) in
 * PATH's subtree, the row summing the cgroups beyond the collector's bound
 * ("(others)") last.  Sizes in kB (--human: sar's units); kblimit is
 * memory.max (v1 limit_in_bytes), "max" when unlimited; %limit is current
 * of the limit; oomkill the OOM kills in the cgroup during the interval;
 * %smem the share of the interval some of its tasks stalled on memory
 * (memory.pressure, computed as sar's %smem).  "-": the kernel did not give
 * the value, or there is no previous sample of that cgroup to count from
 * (a cgroup new in the interval counts from 0, as its counters do, unless
 * the collector left cgroups out of the previous sample).  Paths are
 * printed through textsafe.h.
 * Then "Average:" and its header, a line per cgroup by path: the mean sizes
 * over the samples it was in, its last limit, the OOM kills of the whole
 * window (a total, not a mean), %smem over all its intervals.
 * CSV/JSON: a row per cgroup per sample, the exact values in bytes and
 * counts; null where the kernel gave none (max and high: also unlimited).
 */
#include <stdlib.h>
#include <string.h>

#include "cgview.h"
#include "empty.h"
#include "sar_text.h"
#include "util.h"

static const struct cgrecs *rank_cs;
static int by_current(const void *a, const void *b)
{
    const struct cgentry *x = &rank_cs->entries[*(const size_t *)a];
    const struct cgentry *y = &rank_cs->entries[*(const size_t *)b];
    uint64_t cx = x->v.current == CGROUP_ABSENT ? 0 : x->v.current;
    uint64_t cy = y->v.current == CGROUP_ABSENT ? 0 : y->v.current;
    if (cx != cy)
        return cx > cy ? -1 : 1;
    return strcmp(rank_cs->ids[x->ident].path, rank_cs->ids[y->ident].path);
}

size_t cg_ranked(const struct proc_opts *po, const struct pstore *ps, size_t k, size_t *out)
{
    const struct cgsample *sm = &ps->samples[k].cg;
    size_t n = 0, aggregate = (size_t)-1;
    for (size_t q = sm->first; q < sm->first + sm->n; q++) {
        const struct cgident *id = &ps->cg.ids[ps->cg.entries[q].ident];
        if (id->aggregate) {
            if (!po->cgroup_path)
                aggregate = q;
        } else if (cgroup_in_subtree(id->path, po->cgroup_path)) {
            out[n++] = q;
        }
    }
    rank_cs = &ps->cg;
    qsort(out, n, sizeof *out, by_current);
    if (po->top > 0 && n > (size_t)po->top)
        n = (size_t)po->top;
    if (aggregate != (size_t)-1)
        out[n++] = aggregate;
    return n;
}

/* The growth of counter NOW since BEFORE (a recreated v1 cgroup starts
 * again from 0); 0 when either is not given. */
static int counter_delta(uint64_t now, uint64_t before, uint64_t *delta)
{
    if (now == CGROUP_ABSENT || before == CGROUP_ABSENT)
        return 0;
    *delta = now >= before ? now - before : now;
    return 1;
}

void cg_interval_of(const struct pstore *ps, const struct series *sr, size_t prev, size_t k,
                    const struct cgentry *e, struct cg_interval *out)
{
    memset(out, 0, sizeof *out);
    const struct psample *was = &ps->samples[prev], *is = &ps->samples[k];
    if (prev >= k || was->boot != is->boot || !was->cg.version || ps->cg.ids[e->ident].aggregate ||
        sr->recs[k].uptime_cs <= sr->recs[prev].uptime_cs)
        return;
    const struct cgentry *p = cgrecs_find(&ps->cg, &was->cg, e->ident);
    if (!p && was->cg.aggregated)   /* perhaps among those left out: nothing to count from */
        return;
    static const struct cgentry born = { 0, { .ev_oom_kill = 0, .psi_some_us = 0, .psi_full_us = 0 } };
    if (!p)
        p = &born;
    out->itv_cs = sr->recs[k].uptime_cs - sr->recs[prev].uptime_cs;
    out->has_kills = counter_delta(e->v.ev_oom_kill, p->v.ev_oom_kill, &out->kills);
    out->has_psi = counter_delta(e->v.psi_some_us, p->v.psi_some_us, &out->stall_some_us);
    if (!counter_delta(e->v.psi_full_us, p->v.psi_full_us, &out->stall_full_us))
        out->stall_full_us = CGROUP_ABSENT;
}

int cg_recorded(const struct pstore *ps, const size_t *w, long n, const char *option)
{
    for (long i = 0; i < n; i++)
        if (ps->samples[w[i]].cg.version)
            return 1;
    fprintf(stderr, "%s: %s: no memory cgroups were recorded in the selected samples "
                    "(memcollect records them where the cgroup memory controller is mounted)\n",
            progname, option);
    return 0;
}

/* sar's %smem of a stall over an interval (hundredths of a second). */
static double stall_pct(uint64_t stall_us, uint64_t itv_cs)
{
    return (double)stall_us / ((double)itv_cs * 100);
}

static int limited(uint64_t max)
{
    return max != CGROUP_ABSENT && max != CGROUP_UNLIMITED && max > 0;
}

void cg_text_header(const struct proc_report *r, const char *time)
{
    fprintf(r->ctx->out, "\n%-11s %10s %10s %10s %10s %10s %10s %7s %7s %7s  Cgroup\n", time,
            "kbcurrent", "kbanon", "kbfile", "kbshmem", "kbswap", "kblimit", "%limit", "oomkill",
            "%smem");
}

/* A size in bytes as a kB column WIDTH wide, "-" when not given. */
static void cg_kb(const struct proc_report *r, uint64_t bytes, int width)
{
    if (bytes == CGROUP_ABSENT)
        fprintf(r->ctx->out, " %*s", width, "-");
    else if (bytes == CGROUP_UNLIMITED)
        fprintf(r->ctx->out, " %*s", width, "max");
    else
        sar_kb(r->ctx, (double)bytes / 1024, width, 0);
}

void cg_text_row(const struct proc_report *r, const char *time, const struct cgident *id,
                 const struct cgroup_mem *v, const struct cg_interval *iv)
{
    FILE *o = r->ctx->out;
    fprintf(o, "%-11s", time);
    const uint64_t sizes[] = { v->current, v->anon, v->file, v->shmem, v->swap, v->max };
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++)
        cg_kb(r, sizes[i], 10);
    if (limited(v->max) && v->current != CGROUP_ABSENT)
        fprintf(o, " %7.2f", (double)v->current * 100 / (double)v->max);
    else
        fprintf(o, " %7s", "-");
    if (iv->has_kills)
        fprintf(o, " %7llu", (unsigned long long)iv->kills);
    else
        fprintf(o, " %7s", "-");
    if (iv->has_psi && iv->itv_cs)
        fprintf(o, " %7.2f  ", stall_pct(iv->stall_some_us, iv->itv_cs));
    else
        fprintf(o, " %7s  ", "-");
    text_safe_put(o, cgident_name(id));
    fputc('\n', o);
}

void cg_at_text(const struct proc_report *r, const char *time, size_t prev, size_t k,
                size_t *ranked)
{
    const struct pstore *ps = r->ps;
    if (!ps->samples[k].cg.version) {
        fprintf(r->ctx->out, "\nNo cgroup data was recorded in this sample.\n");
        return;
    }
    size_t n = cg_ranked(r->po, ps, k, ranked);
    if (n)
        cg_text_header(r, time);
    for (size_t q = 0; q < n; q++) {
        const struct cgentry *e = &ps->cg.entries[ranked[q]];
        struct cg_interval iv;
        cg_interval_of(ps, r->ctx->sr, prev, k, e, &iv);
        cg_text_row(r, time, &ps->cg.ids[e->ident], &e->v, &iv);
    }
}

const char *const cg_cols[CG_NCOLS] = {
    "cgroup", "cgroup_id", "version", "current_bytes", "anon_bytes", "file_bytes",
    "shmem_bytes", "kernel_bytes", "sock_bytes", "file_dirty_bytes", "file_writeback_bytes",
    "mapped_file_bytes", "swap_bytes", "max_bytes", "high_bytes", "limit_pct",
    "refault_anon", "refault_file", "events_low", "events_high", "events_max", "events_oom",
    "events_oom_kill", "events_oom_group_kill", "pressure_some_us", "pressure_full_us",
    "oom_kills", "some_pct", "full_pct", "aggregated",
};

/* A recorded value as a cell: null when the kernel did not give it (or,
 * for a limit, when there is none). */
static struct cell value_cell(uint64_t v)
{
    return v == CGROUP_ABSENT || v == CGROUP_UNLIMITED ? cell_null() : cell_uint(v);
}

void cg_cells(const struct proc_report *r, size_t prev, size_t k, const struct cgentry *e,
              struct cell *c)
{
    const struct pstore *ps = r->ps;
    const struct cgident *id = &ps->cg.ids[e->ident];
    const struct cgroup_mem *v = &e->v;
    struct cg_interval iv;
    cg_interval_of(ps, r->ctx->sr, prev, k, e, &iv);
    c[0] = cell_str(cgident_name(id));
    c[1] = id->id ? cell_uint(id->id) : cell_null();
    c[2] = cell_int(ps->samples[k].cg.version);
    const uint64_t values[] = { v->current, v->anon, v->file, v->shmem, v->kernel, v->sock,
                                v->file_dirty, v->file_writeback, v->mapped_file, v->swap,
                                v->max, v->high };
    for (size_t i = 0; i < sizeof values / sizeof *values; i++)
        c[3 + i] = value_cell(values[i]);
    c[15] = limited(v->max) && v->current != CGROUP_ABSENT
                ? cell_fixed2((double)v->current * 100 / (double)v->max) : cell_null();
    const uint64_t counts[] = { v->refault_anon, v->refault_file, v->ev_low, v->ev_high,
                                v->ev_max, v->ev_oom, v->ev_oom_kill, v->ev_oom_group_kill,
                                v->psi_some_us, v->psi_full_us };
    for (size_t i = 0; i < sizeof counts / sizeof *counts; i++)
        c[16 + i] = value_cell(counts[i]);
    c[26] = iv.has_kills ? cell_uint(iv.kills) : cell_null();
    c[27] = iv.has_psi && iv.itv_cs ? cell_fixed2(stall_pct(iv.stall_some_us, iv.itv_cs))
                                    : cell_null();
    c[28] = iv.has_psi && iv.itv_cs && iv.stall_full_us != CGROUP_ABSENT
                ? cell_fixed2(stall_pct(iv.stall_full_us, iv.itv_cs)) : cell_null();
    c[29] = id->aggregate ? cell_uint(ps->samples[k].cg.aggregated) : cell_null();
}

/* What a cgroup's Average line needs. */
struct cg_avg {
    int seen;
    unsigned long count[5];
    double sum[5];             /* current, anon, file, shmem, swap */
    uint64_t max;              /* the last limit */
    struct cg_interval iv;     /* kills and stalls summed over its intervals */
};

static void cg_accumulate(struct cg_avg *a, const struct cgroup_mem *v, const struct cg_interval *iv)
{
    const uint64_t sizes[5] = { v->current, v->anon, v->file, v->shmem, v->swap };
    a->seen = 1;
    for (int f = 0; f < 5; f++)
        if (sizes[f] != CGROUP_ABSENT) {
            a->count[f]++;
            a->sum[f] += (double)sizes[f];
        }
    a->max = v->max;
    if (iv->has_kills) {
        a->iv.has_kills = 1;
        a->iv.kills += iv->kills;
    }
    if (iv->has_psi && iv->itv_cs) {
        a->iv.has_psi = 1;
        a->iv.stall_some_us += iv->stall_some_us;
        a->iv.itv_cs += iv->itv_cs;
    }
}

static struct cgroup_mem cg_mean(const struct cg_avg *a)
{
    struct cgroup_mem m;
    memset(&m, 0xff, sizeof m);   /* CGROUP_ABSENT */
    uint64_t *fields[5] = { &m.current, &m.anon, &m.file, &m.shmem, &m.swap };
    for (int f = 0; f < 5; f++)
        if (a->count[f])
            *fields[f] = (uint64_t)(a->sum[f] / (double)a->count[f] + 0.5);
    m.max = a->max;
    m.path = NULL;
    return m;
}

static const struct cgrecs *avg_cs;
static int by_path(const void *a, const void *b)
{
    const struct cgident *x = &avg_cs->ids[*(const uint32_t *)a];
    const struct cgident *y = &avg_cs->ids[*(const uint32_t *)b];
    if (x->aggregate != y->aggregate)
        return x->aggregate - y->aggregate;
    int c = strcmp(x->path, y->path);
    if (c)
        return c;
    return x->boot != y->boot ? (x->boot < y->boot ? -1 : 1) : (x->id > y->id) - (x->id < y->id);
}

static void print_averages(const struct proc_report *r, const struct cg_avg *avg)
{
    const struct cgrecs *cs = &r->ps->cg;
    uint32_t *order = malloc((cs->nids + 1) * sizeof *order);
    size_t n = 0;
    for (size_t i = 0; order && i < cs->nids; i++)
        if (avg[i].seen)
            order[n++] = (uint32_t)i;
    avg_cs = cs;
    if (n) {
        qsort(order, n, sizeof *order, by_path);
        cg_text_header(r, r->ctx->avg_label);
    }
    for (size_t q = 0; q < n; q++) {
        struct cgroup_mem mean = cg_mean(&avg[order[q]]);
        cg_text_row(r, r->ctx->avg_label, &cs->ids[order[q]], &mean, &avg[order[q]].iv);
    }
    free(order);
}

/* The largest cap of the window's samples, for the ranking's buffer. */
static size_t most_cgroups(const struct pstore *ps)
{
    size_t cap = 0;
    for (size_t i = 0; i < ps->nsamples; i++)
        if (ps->samples[i].cg.n > cap)
            cap = ps->samples[i].cg.n;
    return cap + 1;
}

static int render_text(const struct proc_report *r, size_t *ranked)
{
    const struct render_ctx *ctx = r->ctx;
    const struct series *sr = ctx->sr;
    const struct selection *sel = ctx->sel;
    const struct pstore *ps = r->ps;
    struct cg_avg *avg = calloc(ps->cg.nids + 1, sizeof *avg);
    if (!avg)
        return 2;
    sar_banner(ctx, ctx->file_ts, ctx->file_utc_offset, sr->host.ncpu);
    long day = sar_banner_day(ctx);
    char time[64];
    for (size_t ev_i = 0; ev_i < sel->nevents; ev_i++) {
        const struct event *ev = &sel->events[ev_i];
        if (ev->kind == EV_RESTART) {
            sar_day_change(ctx, &day, &sr->recs[ev->rec]);
            sar_restart(ctx, &sr->recs[ev->rec]);
            continue;
        }
        for (size_t j = 0; j < ev->nrows; j++) {
            size_t k = sel->rows[ev->first_row + j], prev = row_prev(sel, ev, j);
            size_t n = ps->samples[k].cg.version ? cg_ranked(r->po, ps, k, ranked) : 0;
            if (n == 0)
                continue;   /* no header without rows, as -p */
            sar_day_change(ctx, &day, &sr->recs[k]);
            proc_time(r, prev, time, sizeof time);
            cg_text_header(r, time);
            proc_time(r, k, time, sizeof time);
            for (size_t q = 0; q < n; q++) {
                const struct cgentry *e = &ps->cg.entries[ranked[q]];
                struct cg_interval iv;
                cg_interval_of(ps, sr, prev, k, e, &iv);
                cg_text_row(r, time, &ps->cg.ids[e->ident], &e->v, &iv);
                cg_accumulate(&avg[e->ident], &e->v, &iv);
            }
        }
    }
    print_averages(r, avg);
    free(avg);
    return 0;
}

static int render_table(const struct proc_report *r, size_t *ranked)
{
    enum { BOOT = SAMPLE_NCOLS, CG = BOOT + 1, NCOLS = CG + CG_NCOLS };
    static const char *const sample_cols[SAMPLE_NCOLS] = { SAMPLE_COLS };
    const char *all[NCOLS];
    memcpy(all, sample_cols, sizeof sample_cols);
    all[BOOT] = "boot_id";
    memcpy(all + CG, cg_cols, sizeof cg_cols);
    const struct selection *sel = r->ctx->sel;
    const struct pstore *ps = r->ps;
    struct table t;
    table_begin(&t, r->ctx, r->po->json, "cgroups", all, NCOLS);
    for (size_t ev_i = 0; ev_i < sel->nevents; ev_i++) {
        const struct event *ev = &sel->events[ev_i];
        for (size_t j = 0; ev->kind == EV_SEGMENT && j < ev->nrows; j++) {
            size_t k = sel->rows[ev->first_row + j], prev = row_prev(sel, ev, j);
            size_t n = ps->samples[k].cg.version ? cg_ranked(r->po, ps, k, ranked) : 0;
            for (size_t q = 0; q < n; q++) {
                struct cell c[NCOLS];
                char iso[48];
                sample_cells(r->ctx->sr, prev, k, iso, sizeof iso, c);
                c[BOOT] = cell_str(ps->map.boots[ps->samples[k].boot]);
                cg_cells(r, prev, k, &ps->cg.entries[ranked[q]], c + CG);
                table_row(&t, c);
            }
        }
    }
    table_end(&t);
    return 0;
}

int render_cgroups(const struct proc_report *r)
{
    const struct selection *sel = r->ctx->sel;
    if (sel->nrows && !cg_recorded(r->ps, sel->rows, (long)sel->nrows, "--cgroup"))
        return 1;
    size_t *ranked = malloc(most_cgroups(r->ps) * sizeof *ranked);
    if (!ranked)
        return 2;
    int status = r->po->text ? render_text(r, ranked) : render_table(r, ranked);
    free(ranked);
    return status;
}
