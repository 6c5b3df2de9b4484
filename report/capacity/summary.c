/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * memreport --summary=hour|day|week: per local period (ISO weeks start on
 * Monday) the min, mean, max and 95th percentile of each metric, with the
 * times of its min and max.
 *
 * Samples weigh by the time they cover, not by count: the minute timer's
 * samples and a burst of one-second samples (memcollect --watch) interleave,
 * and 600 samples of a 10-minute burst must not outweigh the day.  A sample
 * covers the time since the previous sample of its boot (its row's interval
 * in sar); the window's first sample and a boot's first, which have none,
 * cover the interval of the sample after them (1 s when none follows in
 * their boot).  The mean is the time-weighted mean; the percentile is the
 * weighted nearest-rank one: the smallest value whose samples and those
 * below it cover at least 95% of the period's time (with equal intervals,
 * the value at rank ceil(0.95 n) of n).  A rate's weighted mean is its
 * counter's change over the time covered.
 *
 * The samples are streamed; only the current period's values are kept (a
 * few numbers per sample), sorted once when the period ends.
 *
 * Metrics (sar's names and definitions):
 *   kbmemused  MemTotal - (MemFree + Buffers + Cached + Slab), kB
 *   kbavail    MemAvailable, kB
 *   %memused   kbmemused / MemTotal
 *   %commit    Committed_AS / (MemTotal + SwapTotal)
 *   kbswpused  SwapTotal - SwapFree, kB
 *   pswpin/s, pswpout/s  pages per second between consecutive samples of one boot
 *   kbhugused  (HugePages_Total - HugePages_Free) x Hugepagesize, kB
 *   %smem-10, %fmem-10  the kernel's 10 s pressure averages at each sample
 *   %smem, %fmem        % of the time stalled on memory between samples of one boot
 *   (the pressure's only where recorded; left out when the window has none)
 *
 * Text: the banner, a line naming the window, then one block per metric:
 * its name and unit, a header "PERIOD min mean max p95 max at", one row per
 * period.  CSV and JSON (table.h): one row per period and metric, columns
 * period, start, start_epoch, end_epoch, metric, unit, samples, min, mean,
 * max, p95, min_at, min_at_epoch, max_at, max_at_epoch.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "summary.h"
#include "empty.h"
#include "grow.h"
#include "sar_text.h"
#include "table.h"

enum metric { MT_USED, MT_AVAIL, MT_USED_PCT, MT_COMMIT_PCT, MT_SWAP_USED, MT_SWPIN, MT_SWPOUT,
              MT_HUGE_USED, MT_SMEM10, MT_SMEM, MT_FMEM10, MT_FMEM, MT_COUNT };

static const struct {
    const char *name, *unit;
    int kb;
} metrics[MT_COUNT] = {
    [MT_USED] = { "kbmemused", "kB", 1 }, [MT_AVAIL] = { "kbavail", "kB", 1 },
    [MT_USED_PCT] = { "%memused", "%", 0 }, [MT_COMMIT_PCT] = { "%commit", "%", 0 },
    [MT_SWAP_USED] = { "kbswpused", "kB", 1 }, [MT_SWPIN] = { "pswpin/s", "pages/s", 0 },
    [MT_SWPOUT] = { "pswpout/s", "pages/s", 0 }, [MT_HUGE_USED] = { "kbhugused", "kB", 1 },
    [MT_SMEM10] = { "%smem-10", "%", 0 }, [MT_SMEM] = { "%smem", "%", 0 },
    [MT_FMEM10] = { "%fmem-10", "%", 0 }, [MT_FMEM] = { "%fmem", "%", 0 },
};

/* A value and the time its sample covers, 1/100 s. */
struct weighed {
    double v;
    uint64_t cs;
};

struct acc {
    struct weighed *v;
    size_t n, cap;
    double wsum;                 /* sum of v x cs */
    uint64_t cs;                 /* the time covered */
    double min, max;
    int64_t min_ts, max_ts;
};

struct stats {
    size_t n;
    double min, mean, max, p95;
    int64_t min_ts, max_ts;
};

struct period_row {
    int64_t start, end;
    struct stats st[MT_COUNT];
};

struct summary {
    enum cap_period period;
    int64_t start, end;          /* the current period */
    int open;
    struct cap_point pending;    /* a first sample, waiting for the interval after it */
    int have_pending;
    struct acc acc[MT_COUNT];
    struct period_row *rows;     /* finished periods (a few numbers each) */
    size_t nrows, cap_rows;
    unsigned long samples;
    int64_t first_ts, last_ts;
};

static int by_value(const void *a, const void *b)
{
    double x = ((const struct weighed *)a)->v, y = ((const struct weighed *)b)->v;
    return x < y ? -1 : x > y;
}

static int acc_add(struct acc *a, double v, uint64_t cs, int64_t ts)
{
    if (grow_array((void **)&a->v, &a->cap, a->n + 1, sizeof *a->v) != 0)
        return -1;
    if (a->n == 0 || v < a->min) {
        a->min = v;
        a->min_ts = ts;
    }
    if (a->n == 0 || v > a->max) {
        a->max = v;
        a->max_ts = ts;
    }
    a->v[a->n++] = (struct weighed){ v, cs };
    a->wsum += v * (double)cs;
    a->cs += cs;
    return 0;
}

static void acc_finish(struct acc *a, struct stats *st)
{
    memset(st, 0, sizeof *st);
    st->n = a->n;
    if (a->n) {
        qsort(a->v, a->n, sizeof *a->v, by_value);
        /* weighted nearest rank, in whole hundredths so that equal weights
         * give exactly the rank ceil(0.95 n) */
        uint64_t below = 0;
        size_t k = 0;
        while (k + 1 < a->n && (below + a->v[k].cs) * 100 < a->cs * 95)
            below += a->v[k++].cs;
        st->p95 = a->v[k].v;
        st->min = a->min;
        st->max = a->max;
        st->mean = a->wsum / (double)a->cs;
        st->min_ts = a->min_ts;
        st->max_ts = a->max_ts;
    }
    a->n = 0;
    a->wsum = 0;
    a->cs = 0;
}

static int close_period(struct summary *sm)
{
    if (!sm->open)
        return 0;
    if (grow_array((void **)&sm->rows, &sm->cap_rows, sm->nrows + 1, sizeof *sm->rows) != 0)
        return -1;
    struct period_row *row = &sm->rows[sm->nrows++];
    row->start = sm->start;
    row->end = sm->end;
    for (int m = 0; m < MT_COUNT; m++)
        acc_finish(&sm->acc[m], &row->st[m]);
    sm->open = 0;
    return 0;
}

/* P's values into the current period, as covering CS hundredths of a second. */
static int add_point(struct summary *sm, const struct cap_point *p, uint64_t cs)
{
    int rc = acc_add(&sm->acc[MT_USED], p->used, cs, p->ts);
    rc |= acc_add(&sm->acc[MT_AVAIL], p->avail, cs, p->ts);
    rc |= acc_add(&sm->acc[MT_USED_PCT], p->memused_pct, cs, p->ts);
    rc |= acc_add(&sm->acc[MT_COMMIT_PCT], p->commit_pct, cs, p->ts);
    rc |= acc_add(&sm->acc[MT_SWAP_USED], p->swap_used, cs, p->ts);
    if (p->have_rates) {
        rc |= acc_add(&sm->acc[MT_SWPIN], p->swpin_s, cs, p->ts);
        rc |= acc_add(&sm->acc[MT_SWPOUT], p->swpout_s, cs, p->ts);
    }
    rc |= acc_add(&sm->acc[MT_HUGE_USED], p->huge_used, cs, p->ts);
    if (p->have_psi) {
        rc |= acc_add(&sm->acc[MT_SMEM10], p->some_avg10, cs, p->ts);
        rc |= acc_add(&sm->acc[MT_FMEM10], p->full_avg10, cs, p->ts);
    }
    if (p->have_psi_rates) {
        rc |= acc_add(&sm->acc[MT_SMEM], p->some_pct, cs, p->ts);
        rc |= acc_add(&sm->acc[MT_FMEM], p->full_pct, cs, p->ts);
    }
    return rc;
}

/* The pending first sample of a boot, covering the interval of the sample
 * after it (NEXT_CS), or 1 s when none follows in its boot. */
static int add_pending(struct summary *sm, uint64_t next_cs)
{
    if (!sm->have_pending)
        return 0;
    sm->have_pending = 0;
    return add_point(sm, &sm->pending, next_cs ? next_cs : 100);
}

static int on_point(const struct cap_point *p, const struct sample *s, void *arg)
{
    (void)s;
    struct summary *sm = arg;
    if (add_pending(sm, p->interval_cs) != 0)   /* into its own period, still open */
        return -1;
    if (!sm->open || p->ts >= sm->end || p->ts < sm->start) {
        if (close_period(sm) != 0)
            return -1;
        sm->start = cap_period_start(p->ts, sm->period);
        sm->end = cap_period_next(sm->start, sm->period);
        sm->open = 1;
    }
    if (!sm->samples)
        sm->first_ts = p->ts;
    sm->samples++;
    sm->last_ts = p->ts;
    if (p->interval_cs)
        return add_point(sm, p, p->interval_cs);
    sm->pending = *p;
    sm->have_pending = 1;
    return 0;
}

/* Whether metric M has a value in some period: the pressure's are left out
 * of a window without any, rather than shown as empty blocks. */
static int metric_shown(const struct summary *sm, int m)
{
    if (m < MT_SMEM10)
        return 1;
    for (size_t i = 0; i < sm->nrows; i++)
        if (sm->rows[i].st[m].n)
            return 1;
    return 0;
}

static const char *period_word(enum cap_period p)
{
    return p == PERIOD_HOUR ? "hour" : p == PERIOD_DAY ? "day" : "week";
}

/* A kB figure in sar's --human units when asked (sar_kb), else with
 * KB_DECIMALS; any other figure with 2. */
static void text_value(const struct render_ctx *ctx, int kb, double v, int kb_decimals)
{
    if (kb)
        sar_kb(ctx, v, 13, kb_decimals);
    else
        fprintf(ctx->out, " %13.2f", v);
}

static void print_text(const struct render_ctx *ctx, const struct summary *sm)
{
    FILE *out = ctx->out;
    char from[32], to[32];
    if (cap_text_head(ctx, sm->samples, sm->first_ts, sm->last_ts, from, to) != 0)
        return;
    fprintf(out, "\nSummary by %s from %s to %s (%lu samples); mean and p95 weighted by the time each sample covers\n",
            period_word(sm->period), from, to, sm->samples);
    const char *col = sm->period == PERIOD_HOUR ? "HOUR" : sm->period == PERIOD_DAY ? "DAY" : "WEEK";
    for (int m = 0; m < MT_COUNT; m++) {
        if (!metric_shown(sm, m))
            continue;
        fprintf(out, "\n%s (%s)\n%-16s %13s %13s %13s %13s  %s\n", metrics[m].name, metrics[m].unit,
                col, "min", "mean", "max", "p95", "max at");
        for (size_t i = 0; i < sm->nrows; i++) {
            const struct period_row *row = &sm->rows[i];
            const struct stats *st = &row->st[m];
            char label[32];
            cap_period_label(row->start, sm->period, label, sizeof label);
            fprintf(out, "%-16s", label);
            if (!st->n) {
                fprintf(out, " %13s %13s %13s %13s  %s\n", "-", "-", "-", "-", "-");
                continue;
            }
            text_value(ctx, metrics[m].kb, st->min, 0);
            text_value(ctx, metrics[m].kb, st->mean, 2);
            text_value(ctx, metrics[m].kb, st->max, 0);
            text_value(ctx, metrics[m].kb, st->p95, 0);
            char at[32];
            cap_local_time(st->max_ts, at, sizeof at);
            /* the date only where the period spans days */
            fprintf(out, "  %s\n", sm->period == PERIOD_WEEK ? at : at + 11);
        }
    }
}

static const char *const cols[] = {
    "period", "start", "start_epoch", "end_epoch", "metric", "unit", "samples",
    "min", "mean", "max", "p95", "min_at", "min_at_epoch", "max_at", "max_at_epoch",
    "start_local",   /* CSV only: a date-time to a spreadsheet (table.h) */
};
#define NCOLS ((int)(sizeof cols / sizeof *cols))

static struct cell value_cell(int kb, size_t n, double v)
{
    if (!n)
        return cell_null();
    return kb ? cell_int((long long)llround(v)) : cell_fixed2(v);
}

static void print_table(const struct render_ctx *ctx, const struct summary *sm, int json)
{
    struct table t;
    table_begin(&t, ctx, json, "summary", cols, NCOLS);
    for (size_t i = 0; i < sm->nrows; i++) {
        const struct period_row *row = &sm->rows[i];
        char label[32], start[40], min_at[40], max_at[40];
        cap_period_label(row->start, sm->period, label, sizeof label);
        iso_local(row->start, start, sizeof start);
        for (int m = 0; m < MT_COUNT; m++) {
            if (!metric_shown(sm, m))
                continue;
            const struct stats *st = &row->st[m];
            struct cell c[NCOLS];
            c[0] = cell_str(label);
            c[1] = cell_str(start);
            c[2] = cell_int(row->start);
            c[3] = cell_int(row->end);
            c[4] = cell_str(metrics[m].name);
            c[5] = cell_str(metrics[m].unit);
            c[6] = cell_uint(st->n);
            c[7] = value_cell(metrics[m].kb, st->n, st->min);
            c[8] = st->n ? cell_fixed2(st->mean) : cell_null();
            c[9] = value_cell(metrics[m].kb, st->n, st->max);
            c[10] = value_cell(metrics[m].kb, st->n, st->p95);
            if (st->n) {
                iso_local(st->min_ts, min_at, sizeof min_at);
                iso_local(st->max_ts, max_at, sizeof max_at);
                c[11] = cell_str(min_at);
                c[12] = cell_int(st->min_ts);
                c[13] = cell_str(max_at);
                c[14] = cell_int(st->max_ts);
            } else {
                c[11] = c[12] = c[13] = c[14] = cell_null();
            }
            c[15] = cell_local_time(row->start);
            table_row(&t, c);
        }
    }
    table_end(&t);
}

int render_summary(const struct report_opts *o, struct render_ctx *ctx, const struct cap_window *w)
{
    struct summary sm;
    memset(&sm, 0, sizeof sm);
    sm.period = (enum cap_period)o->summary;
    struct cap_stream cs = { on_point, NULL, 0, &sm };
    int status = cap_run(w, &cs);
    if (status == 0 && (add_pending(&sm, 0) != 0 || close_period(&sm) != 0))
        status = 2;
    if (status == 0) {
        if (o->format == FMT_CSV || o->format == FMT_JSON) {
            if (!sm.samples)
                say_empty_window();
            print_table(ctx, &sm, o->format == FMT_JSON);
        }
        else
            print_text(ctx, &sm);
    }
    for (int m = 0; m < MT_COUNT; m++)
        free(sm.acc[m].v);
    free(sm.rows);
    return status;
}
