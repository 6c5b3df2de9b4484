/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * memreport --at TIME | worst: one moment of the window the options select.
 * - TIME: the sample nearest TIME in absolute time (a tie goes to the
 *   earlier sample).  TIME is an instant, or a time of day as -s takes it,
 *   on the local date (as the time column shows it) of the window's first
 *   row.  When the sample is more than AT_FAR_INTERVALS sampling intervals
 *   from TIME, the text says how far and on which side.  The sampling
 *   interval is the median gap between the samples around it (AT_NEAR on
 *   each side): the minute timer's samples and a burst of one-second
 *   samples share a day, and a sample 20 s from TIME among minute samples
 *   is not far because a burst elsewhere in the window was 1 s apart.
 * - worst: the sample with the lowest MemAvailable (a tie: the earlier).
 * A window without a sample is an error (exit 2).
 * Text: sar's banner, the rule and the sample's time, a system summary line
 *   "%-11s" time, " %10s" kbmemtotal kbavail kbswpused %swpused
 * then its largest processes in pidstat -r's layout (rates since the
 * previous sample of the same boot) and every node in --numa's layout.
 * Then its memory cgroups in --cgroup's layout (cgview.h), largest first,
 * in --cgroup PATH's subtree when given (which limits the processes too).
 * CSV/JSON: one table, a row per process, per node and per cgroup, column
 * "kind" ("process", "node" or "cgroup"; a cgroup's boot in boot_id) first, then the sample's columns, the rule
 * ("nearest" or "worst") and distance_s (the sample's time minus TIME, in
 * seconds; empty for worst), then the process's or the node's (the other
 * kind's columns empty / left out).
 */
#include <stdlib.h>
#include <string.h>

#include "at.h"
#include "cgview.h"
#include "empty.h"
#include "numaview.h"
#include "procview.h"
#include "sar_text.h"
#include "util.h"
#include "wallclock.h"

#define AT_FAR_INTERVALS 2

/* The instant --at TIME asks for, in *WHEN: a time of day is taken on the
 * date of record FIRST as the time column shows it.  A local one names the
 * instant that wall time has on that date (wallclock.h: on the other side
 * of a DST change too, the first of an hour shown twice, as -s takes it);
 * one the clocks skipped is an error said on stderr (-1), as --since's. */
static int target(const struct proc_report *r, size_t first, int64_t *when)
{
    const struct tstamp *at = &r->po->at;
    if (at->absolute) {
        *when = at->epoch;
        return 0;
    }
    const struct rec *rec = &r->ctx->sr->recs[first];
    struct tm t;
    rec_time(rec, &r->ctx->time, &t);
    if (!r->ctx->time.utc && !r->ctx->time.true_time) {
        struct tm wall = t;
        wall.tm_hour = at->hour;
        wall.tm_min = at->min;
        wall.tm_sec = at->sec;
        time_t instant;
        struct wall_gap gap;
        switch (wall_to_instant(&wall, &instant, &gap)) {
        case WALL_OK:
            *when = instant;
            return 0;
        case WALL_GAP:
            fprintf(stderr, "%s: --at %02d:%02d:%02d: no such local time on %04d-%02d-%02d: the "
                            "clocks went from %s to %s; give a time outside the gap, or an "
                            "instant such as '%04d-%02d-%02d %02d:%02d%s'\n",
                    progname, at->hour, at->min, at->sec, t.tm_year + 1900, t.tm_mon + 1,
                    t.tm_mday, gap.from, gap.to, t.tm_year + 1900, t.tm_mon + 1, t.tm_mday,
                    at->hour, at->min, gap.offset);
            return -1;
        default:   /* no such wall time (an hour past 23): the plain sum below */
            break;
        }
    }
    *when = rec->ts - (t.tm_hour * 3600L + t.tm_min * 60 + t.tm_sec) +
            (at->hour * 3600L + at->min * 60 + at->sec);
    return 0;
}

static int64_t abs64(int64_t v)
{
    return v < 0 ? -v : v;
}

static int by_value(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

#define AT_NEAR 10

/* The median gap between the window's N records W around W[AT]: between
 * those at most AT_NEAR positions before and after it (0 with one record). */
static int64_t median_interval(const struct series *sr, const size_t *w, long n, long at)
{
    long from = at - AT_NEAR < 1 ? 1 : at - AT_NEAR + 1, to = at + AT_NEAR < n ? at + AT_NEAR : n - 1;
    if (to < from)
        return 0;
    int64_t gaps[2 * AT_NEAR];
    long ngaps = 0;
    for (long i = from; i <= to; i++)
        gaps[ngaps++] = sr->recs[w[i]].ts - sr->recs[w[i - 1]].ts;
    qsort(gaps, (size_t)ngaps, sizeof *gaps, by_value);
    return gaps[(ngaps - 1) / 2];
}

/* The moment of the window's N records W that --at asks for: its position in W. */
static long pick(const struct proc_report *r, const size_t *w, long n, int64_t when)
{
    const struct rec *recs = r->ctx->sr->recs;
    long at = 0;
    for (long i = 1; i < n; i++) {
        size_t k = w[at];
        int closer = r->po->at_worst ? recs[w[i]].mem[M_AVAIL] < recs[k].mem[M_AVAIL]
                                     : abs64(recs[w[i]].ts - when) < abs64(recs[k].ts - when);
        if (closer)
            at = i;
    }
    return at;
}

/* The line naming the rule and the sample, with the distance when it is far. */
static void print_rule(const struct proc_report *r, size_t k, int64_t when, int64_t interval)
{
    FILE *out = r->ctx->out;
    char iso[48], asked[48];
    iso_local(r->ctx->sr->recs[k].ts, iso, sizeof iso);
    if (r->po->at_worst) {
        fprintf(out, "\nSample with the lowest MemAvailable in the window (--at worst): %s\n", iso);
        return;
    }
    iso_local(when, asked, sizeof asked);
    int64_t d = r->ctx->sr->recs[k].ts - when, a = abs64(d);
    fprintf(out, "\nSample nearest %s: %s", asked, iso);
    if (a > AT_FAR_INTERVALS * interval)
        fprintf(out, " (%02lld:%02d:%02d %s the time asked; more than %d sampling intervals "
                     "away)", (long long)(a / 3600), (int)(a / 60 % 60), (int)(a % 60),
                d < 0 ? "before" : "after", AT_FAR_INTERVALS);
    fputc('\n', out);
}

#define SYS_NCOLS 6
static const char *const sys_cols[SYS_NCOLS] = {
    "mem_total_kb", "mem_available_kb", "swap_total_kb", "swap_used_kb", "rule", "distance_s",
};

int render_at(const struct proc_report *r)
{
    const struct render_ctx *ctx = r->ctx;
    const struct series *sr = ctx->sr;
    const struct pstore *ps = r->ps;
    size_t *w;
    long nw = window_records(ctx->sel, &w);
    if (nw < 0)
        return 2;
    if (nw == 0) {
        free(w);
        fprintf(stderr, "%s: --at: %s\n", progname, EMPTY_WINDOW_TEXT);
        return 2;
    }
    int64_t when;
    if (target(r, ctx->sel->nrows ? ctx->sel->rows[0] : w[0], &when) != 0) {
        free(w);
        return 1;
    }
    long at = pick(r, w, nw, when);
    size_t k = w[at];
    int64_t interval = median_interval(sr, w, nw, at);
    free(w);
    size_t prev = k > 0 ? k - 1 : k;
    const struct rec *rec = &sr->recs[k];
    uint64_t swap_used = rec->mem[M_SWAPTOTAL] >= rec->mem[M_SWAPFREE]
                             ? rec->mem[M_SWAPTOTAL] - rec->mem[M_SWAPFREE] : 0;
    size_t *ranked = malloc((ps->samples[k].n + 1) * sizeof *ranked);
    size_t *cgs = malloc((ps->samples[k].cg.n + 1) * sizeof *cgs);
    if (!ranked || !cgs) {
        free(ranked);
        free(cgs);
        return 2;
    }
    size_t nprocs = ps->samples[k].scanned ? proc_ranked(r->po, ps, k, ranked) : 0;
    const struct pnode *nodes[NODES_MAX * 4];
    size_t nnodes = nodes_shown(r, k, nodes, sizeof nodes / sizeof *nodes);

    if (r->po->text) {
        char time[64];
        sar_banner(ctx, rec->ts, rec->utc_offset, sr->host.ncpu);
        proc_time(r, k, time, sizeof time);
        print_rule(r, k, when, interval);
        fprintf(ctx->out, "\n%-11s %10s %10s %10s %10s\n", time, "kbmemtotal", "kbavail",
                "kbswpused", "%swpused");
        fprintf(ctx->out, "%-11s", time);
        sar_kb(ctx, (double)rec->mem[M_TOTAL], 10, 0);
        sar_kb(ctx, (double)rec->mem[M_AVAIL], 10, 0);
        sar_kb(ctx, (double)swap_used, 10, 0);
        fprintf(ctx->out, " %10.2f\n",
                rec->mem[M_SWAPTOTAL] ? (double)swap_used * 100 / (double)rec->mem[M_SWAPTOTAL] : 0);
        if (!ps->samples[k].scanned)
            fprintf(ctx->out, "\nNo process data was recorded in this sample.\n");
        else if (nprocs)
            proc_text_header(r, time);
        for (size_t q = 0; q < nprocs; q++) {
            const struct pentry *e = &ps->entries[ranked[q]];
            struct pident then;
            double minflt_s, majflt_s;
            proc_rates(ps, sr, prev, k, e, &minflt_s, &majflt_s);
            proc_text_row(r, time, pstore_ident_at(ps, e, &then), minflt_s, majflt_s,
                          (double)e->vsz_kb, (double)e->rss_kb,
                          rec->mem[M_TOTAL] ? (double)e->rss_kb * 100 / (double)rec->mem[M_TOTAL] : 0,
                          proc_oom_killed(r, k, e) != NULL);
        }
        if (nnodes) {
            node_text_header(r, time);
        } else {
            fputc('\n', ctx->out);
            numa_missing(r, ctx->out);
        }
        for (size_t q = 0; q < nnodes; q++)
            node_text_row(r, time, prev, k, nodes[q]);
        cg_at_text(r, time, prev, k, cgs);
        free(ranked);
        free(cgs);
        return 0;
    }

    enum { KIND = 0, SAMPLE = 1, SYS = SAMPLE + SAMPLE_NCOLS, PROC = SYS + SYS_NCOLS,
           NODE = PROC + PROC_NCOLS, CG = NODE + NODE_NCOLS, NCOLS = CG + CG_NCOLS };
    static const char *const sample_cols[SAMPLE_NCOLS] = { SAMPLE_COLS };
    const char *cols[NCOLS];
    cols[KIND] = "kind";
    memcpy(cols + SAMPLE, sample_cols, sizeof sample_cols);
    memcpy(cols + SYS, sys_cols, sizeof sys_cols);
    memcpy(cols + PROC, proc_cols, sizeof proc_cols);
    memcpy(cols + NODE, node_cols, sizeof node_cols);
    memcpy(cols + CG, cg_cols, sizeof cg_cols);
    size_t ncgs = ps->samples[k].cg.version ? cg_ranked(r->po, ps, k, cgs) : 0;
    struct table t;
    table_begin(&t, ctx, r->po->json, "at", cols, NCOLS);
    for (size_t q = 0; q < nprocs + nnodes + ncgs; q++) {
        struct cell c[NCOLS];
        char iso[48];
        memset(c, 0, sizeof c);   /* CELL_NONE */
        c[KIND] = cell_str(q < nprocs ? "process" : q < nprocs + nnodes ? "node" : "cgroup");
        sample_cells(sr, prev, k, iso, sizeof iso, c + SAMPLE);
        c[SYS] = cell_uint(rec->mem[M_TOTAL]);
        c[SYS + 1] = cell_uint(rec->mem[M_AVAIL]);
        c[SYS + 2] = cell_uint(rec->mem[M_SWAPTOTAL]);
        c[SYS + 3] = cell_uint(swap_used);
        c[SYS + 4] = cell_str(r->po->at_worst ? "worst" : "nearest");
        c[SYS + 5] = r->po->at_worst ? cell_null() : cell_int(rec->ts - when);
        if (q < nprocs) {
            proc_cells(r, prev, k, &ps->entries[ranked[q]], c + PROC);
        } else if (q < nprocs + nnodes) {
            node_cells(r, prev, k, nodes[q - nprocs], c + NODE);
        } else {
            c[PROC] = cell_str(ps->map.boots[ps->samples[k].boot]);   /* proc_cols' boot_id */
            cg_cells(r, prev, k, &ps->cg.entries[cgs[q - nprocs - nnodes]], c + CG);
        }
        table_row(&t, c);
    }
    table_end(&t);
    free(ranked);
    free(cgs);
    return 0;
}
