/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * memreport --growth: the leak-suspect view.  Over the window's samples
 * (each segment's reference record and its rows), one row per process
 * identity (boot, pid, start time), ranked by its contribution to the memory
 * that appeared in the window (CHANGE, contrib.h: born in the window counts
 * from 0, ended counts down to 0; descending; ties: the steeper slope, then
 * the lower pid), --top N rows.  The slope and GREW% keep the slow-leak
 * reading.
 *
 * Text layout (memtrail's own): sar's banner, a line naming the window,
 * then the header
 *   "      UID       PID  FIRST_KB   LAST_KB   PEAK_KB  CHANGE_KB    KB/HOUR  GREW%  MARK  Command"
 * with " %9s" UID, PID, first, last and peak (kB), " %10s" change and slope,
 * " %6s" grew%, " %5s" mark; rows in the same widths.
 * - slope: the least-squares fit of RSS over the uptime of the samples the
 *   identity is in, in kB per hour (0 with one sample), each sample weighted
 *   by the time it covers (window_cover()), so that a burst of one-second
 *   samples among minute samples does not outweigh the minutes;
 * - grew%: the share of the time of its intervals (pairs of consecutive
 *   window samples that both hold it) in which its RSS grew; "-" with none;
 * - mark: "+" started after the window's first sample (by its start time,
 *   or a later boot), "-" not in the window's last sample (ended, or left
 *   the recorded set), "+-" both; "K" after "-": the OOM killer killed it
 *   (oomlog.h), and CSV/JSON's oom_killed holds the kill's epoch.
 * The aggregate row of --procs-max is left out: its members change.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "contrib.h"
#include "growth.h"
#include "oomlog.h"
#include "procview.h"
#include "sar_text.h"

struct growth {
    uint32_t ident;
    unsigned long samples, intervals;
    double interval_s, grew_s;     /* the time of its intervals, and of those it grew in */
    size_t first_k, last_k, last_w;
    uint64_t first_rss, last_rss, peak_rss;
    /* weighted sums for the fit: hours since t0, kB since first_rss */
    double t0, sw, st, stt, sr, str;
    int64_t change;
    double slope;
    int started, ended;
};

static int by_growth(const void *a, const void *b)
{
    const struct growth *x = a, *y = b;
    if (x->change != y->change)
        return by_contribution(x->change, y->change);
    if (x->slope != y->slope)
        return x->slope > y->slope ? -1 : 1;
    return x->ident < y->ident ? -1 : x->ident > y->ident;
}

/* The seconds each of the window's NW records W covers: its interval since
 * the record before it in the window (of the same boot); the window's first
 * and a boot's first cover the interval after them (1 s alone). */
static double *window_cover(const struct series *sr, const struct pstore *ps, const size_t *w,
                            long nw)
{
    double *cover = malloc((size_t)(nw ? nw : 1) * sizeof *cover);
    if (!cover)
        return NULL;
    for (long i = 0; i < nw; i++)
        cover[i] = 0;
    for (long i = 1; i < nw; i++) {
        const struct rec *a = &sr->recs[w[i - 1]], *b = &sr->recs[w[i]];
        if (ps->samples[w[i - 1]].boot == ps->samples[w[i]].boot && b->uptime_cs > a->uptime_cs)
            cover[i] = (double)(b->uptime_cs - a->uptime_cs) / 100;
    }
    for (long i = 0; i < nw; i++)
        if (cover[i] == 0)
            cover[i] = i + 1 < nw && cover[i + 1] > 0 ? cover[i + 1] : 1;
    return cover;
}

/* Every identity seen in the window, with its figures; sorted.  Returns the
 * count, or -1 when out of memory. */
static long compute(const struct proc_report *r, struct growth **out, size_t *first_k,
                    size_t *last_k)
{
    const struct pstore *ps = r->ps;
    const struct series *sr = r->ctx->sr;
    size_t *w;
    long nw = window_records(r->ctx->sel, &w);
    if (nw < 0)
        return -1;
    long *slot = malloc((ps->nids + 1) * sizeof *slot);
    struct growth *g = calloc(ps->nids + 1, sizeof *g);
    double *cover = window_cover(sr, ps, w, nw);
    if (!slot || !g || !cover) {
        free(w);
        free(slot);
        free(g);
        free(cover);
        return -1;
    }
    for (size_t i = 0; i < ps->nids; i++)
        slot[i] = -1;
    long n = 0;
    size_t wfirst = nw ? w[0] : 0, wlast = nw ? w[nw - 1] : 0;
    struct window_start start = { nw ? ps->samples[wfirst].boot : 0,
                                  nw ? sr->recs[wfirst].uptime_cs : 0 };
    for (long wi = 0; wi < nw; wi++) {
        size_t k = w[wi];
        const struct psample *sm = &ps->samples[k];
        double hours = (double)sr->recs[k].uptime_cs / 360000.0;
        for (size_t q = sm->first; q < sm->first + sm->n; q++) {
            const struct pentry *e = &ps->entries[q];
            const struct pident *id = &ps->ids[e->ident];
            if (id->pid == PROC_AGGREGATE_PID || !proc_passes_filters(r->po, id))
                continue;
            if (slot[e->ident] < 0) {
                slot[e->ident] = n;
                struct growth *x = &g[n++];
                x->ident = e->ident;
                x->first_k = k;
                x->first_rss = e->rss_kb;
                x->t0 = hours;
                x->started = born_in_window(&start, sm->boot, id->start_ticks);
            } else {
                struct growth *x = &g[slot[e->ident]];
                if (x->last_w + 1 == (size_t)wi) {
                    x->intervals++;
                    x->interval_s += cover[wi];
                    if (e->rss_kb > x->last_rss)
                        x->grew_s += cover[wi];
                }
            }
            struct growth *x = &g[slot[e->ident]];
            /* both from the first sample: a flat RSS sums to exactly 0, a slope
             * of 0 and not the fit's rounding noise (-0.0) */
            double t = hours - x->t0, v = (double)e->rss_kb - (double)x->first_rss;
            double cw = cover[wi];
            x->samples++;
            x->sw += cw;
            x->st += cw * t;
            x->stt += cw * t * t;
            x->sr += cw * v;
            x->str += cw * t * v;
            x->last_k = k;
            x->last_w = (size_t)wi;
            x->last_rss = e->rss_kb;
            if (e->rss_kb > x->peak_rss)
                x->peak_rss = e->rss_kb;
        }
    }
    for (long i = 0; i < n; i++) {
        struct growth *x = &g[i];
        double c = x->sw, den = c * x->stt - x->st * x->st;
        x->slope = x->samples > 1 && fabs(den) > 1e-12 * (c * x->stt + 1)
                 ? (c * x->str - x->st * x->sr) / den : 0;
        x->ended = x->last_k != wlast;
        x->change = rss_contribution(x->started, x->ended, x->first_rss, x->last_rss);
    }
    qsort(g, (size_t)n, sizeof *g, by_growth);
    free(slot);
    free(w);
    free(cover);
    *out = g;
    *first_k = wfirst;
    *last_k = wlast;
    return n;
}

/* MARK: "+" started, "-" ended, "K" killed by the OOM killer. */
static const char *mark(const struct growth *x, int killed)
{
    static const char *const marks[] = { "", "-", "+", "+-", "", "-K", "+", "+-K" };
    return marks[(x->started ? 2 : 0) + (x->ended ? 1 : 0) + (killed && x->ended ? 4 : 0)];
}

/* The OOM kill that ended X, or NULL. */
static const struct oom_kill_seen *growth_killed(const struct proc_report *r,
                                                 const struct growth *x)
{
    if (!x->ended || !r->oom)
        return NULL;
    return oom_log_killed_after(r->oom, r->ctx->sr, r->ps, x->last_k, x->ident);
}

static const char *const cols[] = {
    "boot_id", "uid", "pid", "ppid", "start_ticks", "comm", "cmdline",
    "first_epoch", "last_epoch", "samples", "first_rss_kb", "last_rss_kb", "peak_rss_kb",
    "change_kb", "slope_kb_per_hour", "grew_pct", "started", "ended", "oom_killed",
};
#define NCOLS (sizeof cols / sizeof *cols)

int render_growth(const struct proc_report *r)
{
    const struct render_ctx *ctx = r->ctx;
    const struct pstore *ps = r->ps;
    struct growth *g = NULL;
    size_t wfirst, wlast;
    long n = compute(r, &g, &wfirst, &wlast);
    if (n < 0)
        return 2;
    if (r->po->top > 0 && n > r->po->top)
        n = r->po->top;
    struct table t;
    int any_killed = 0;
    if (r->po->text) {
        sar_banner(ctx, ctx->file_ts, ctx->file_utc_offset, ctx->sr->host.ncpu);
        if (ctx->sr->n) {
            char from[64], to[64];
            proc_span(r, wfirst, wlast, from, to, sizeof from);
            fprintf(ctx->out, "\nRSS growth from %s to %s\n", from, to);
        }
        fprintf(ctx->out, "CHANGE_KB: each process's share of the memory that appeared: last RSS - "
                          "first, a process born in the window counted from 0 (MARK +), one "
                          "that ended down to 0 (MARK -)\n");
        fprintf(ctx->out, "%9s %9s %9s %9s %9s %10s %10s %6s %5s  Command\n", "UID", "PID",
                "FIRST_KB", "LAST_KB", "PEAK_KB", "CHANGE_KB", "KB/HOUR", "GREW%", "MARK");
    } else {
        table_begin(&t, ctx, r->po->json, "growth", cols, (int)NCOLS);
    }
    for (long i = 0; i < n; i++) {
        const struct growth *x = &g[i];
        const struct pident *id = &ps->ids[x->ident];
        double grew = x->interval_s > 0 ? x->grew_s * 100 / x->interval_s : 0;
        if (r->po->text) {
            char share[16] = "-";
            if (x->intervals)
                snprintf(share, sizeof share, "%.1f", grew);
            fprintf(ctx->out, "%9u %9d", (unsigned)id->uid, (int)id->pid);
            sar_kb(ctx, (double)x->first_rss, 9, 0);
            sar_kb(ctx, (double)x->last_rss, 9, 0);
            sar_kb(ctx, (double)x->peak_rss, 9, 0);
            sar_kb(ctx, (double)x->change, 10, 0);
            sar_kb(ctx, x->slope, 10, 1);
            int killed = growth_killed(r, x) != NULL;
            any_killed |= killed;
            fprintf(ctx->out, " %6s %5s  ", share, mark(x, killed));
            text_safe_put(ctx->out, proc_label(r, id));
            fputc('\n', ctx->out);
            continue;
        }
        struct cell c[NCOLS];
        c[0] = cell_str(ps->map.boots[id->boot]);
        c[1] = cell_uint(id->uid);
        c[2] = cell_int(id->pid);
        c[3] = cell_int(id->ppid);
        c[4] = cell_uint(id->start_ticks);
        c[5] = cell_str(id->comm);
        c[6] = id->cmdline ? cell_str(id->cmdline) : cell_null();
        c[7] = cell_int(ctx->sr->recs[x->first_k].ts);
        c[8] = cell_int(ctx->sr->recs[x->last_k].ts);
        c[9] = cell_uint(x->samples);
        c[10] = cell_uint(x->first_rss);
        c[11] = cell_uint(x->last_rss);
        c[12] = cell_uint(x->peak_rss);
        c[13] = cell_int(x->change);
        c[14] = cell_fixed2(x->slope);
        c[15] = x->intervals ? cell_fixed2(grew) : cell_null();
        c[16] = cell_int(x->started);
        c[17] = cell_int(x->ended);
        const struct oom_kill_seen *killed = growth_killed(r, x);
        c[18] = killed ? cell_int(killed->ev.ts) : cell_null();
        table_row(&t, c);
    }
    if (!r->po->text)
        table_end(&t);
    else if (any_killed)
        fprintf(ctx->out, "MARK K: killed by the OOM killer (memreport --events)\n");
    free(g);
    return 0;
}
