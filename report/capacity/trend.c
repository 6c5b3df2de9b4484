/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * memreport --trend: will this machine run out of memory, and when?
 *
 * 1. Daily peaks, per local day of the window: max kbmemused, min
 *    MemAvailable, max %commit (sar's), max Committed_AS with the day's
 *    CommitLimit and their ratio, max swap used with SwapTotal.  Where
 *    memory pressure was recorded, each day's highest %smem-10 and %fmem-10
 *    (the kernel's 10 s averages at a sample) and %smem and %fmem (the time
 *    stalled between two samples), each with its time.
 * 2. A least-squares line through each daily series (x: days since the first
 *    day, y: the day's peak): slope per day, R², and the day the line reaches
 *    its limit: MemAvailable 0, Committed_AS = CommitLimit, swap used =
 *    SwapTotal (the last day's limits).  kbmemused is fitted for the record
 *    (no limit).  The date is given only when the data can tell; otherwise
 *    the reason, in words and numbers:
 *      not_enough_data  fewer than TREND_MIN_DAYS days
 *      no_limit         no swap, or CommitLimit not recorded
 *      no_trend         the slope does not go toward the limit
 *      poor_fit         R² below TREND_MIN_R2
 *      past_limit       the line is at the limit by the last day
 *      beyond_10_years  more than 3650 days after the last day
 *      ok               the date
 *    Every day with data counts, a partial first or last day too.
 * 3. The processes' growth: per identity (boot, pid, start time) over the
 *    sampled instants (capacity.h), its contribution to the memory that
 *    appeared between the first and the last (contrib.h: born in the window
 *    counts from 0, ended down to 0); the --top N (default 10) largest
 *    contributions.  The least-squares slope of RSS over time (kB/day) and
 *    its R² are given for identities seen at least 3 times over at least a
 *    quarter of the window (the slow-leak reading).
 *
 * CSV and JSON (table.h) are one table: column "kind" is "day", "fit" or
 * "process", and each kind fills its own columns (empty in CSV, absent in
 * JSON for the others).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "trend.h"
#include "contrib.h"
#include "empty.h"
#include "grow.h"
#include "identmap.h"
#include "sar_text.h"
#include "table.h"

#define TREND_MIN_DAYS 3
#define TREND_MIN_R2 0.5
#define TREND_HORIZON_DAYS 3650
#define TREND_MIN_INSTANTS 2     /* a contribution needs a first and a last instant */

/* A pressure peak of one day: the highest value and its time (n: samples). */
struct peak {
    unsigned long n;
    double max;
    int64_t at;
};
enum { PK_SMEM10, PK_FMEM10, PK_SMEM, PK_FMEM, PK_COUNT };
static const char *const peak_names[PK_COUNT] = { "%smem-10", "%fmem-10", "%smem", "%fmem" };

struct day {
    int64_t start;
    double used_max, avail_min, commit_pct_max, committed_max, commit_limit, limit_pct_max;
    double swap_used_max, swap_total, mem_total;
    struct peak pressure[PK_COUNT];
};

struct ident {
    uint32_t boot;               /* index into map.boots */
    int32_t pid;
    char comm[COMM_MAX];
    unsigned long samples;
    int64_t first_ts, last_ts;
    uint64_t first_rss, last_rss, peak_rss;
    struct fit fit;
    double slope, r2;            /* NAN: too few samples for a slope */
    int started, fitted;
    int64_t change;
};

struct trend {
    struct day *days;
    size_t ndays, cap_days;
    int64_t day_end;
    unsigned long samples;
    int64_t first_ts, last_ts;
    /* processes */
    int64_t t0;
    struct identmap map;
    struct ident *ids;           /* by the map's index, until ranked */
    size_t nids, cap_ids;
    unsigned long instants;
    struct window_start start;   /* the first sampled instant */
    int64_t last_instant;
};

static void peak_add(struct peak *pk, double v, int64_t ts)
{
    if (!pk->n++ || v > pk->max) {
        pk->max = v;
        pk->at = ts;
    }
}

static void pressure_peaks(struct day *d, const struct cap_point *p)
{
    if (p->have_psi) {
        peak_add(&d->pressure[PK_SMEM10], p->some_avg10, p->ts);
        peak_add(&d->pressure[PK_FMEM10], p->full_avg10, p->ts);
    }
    if (p->have_psi_rates) {
        peak_add(&d->pressure[PK_SMEM], p->some_pct, p->ts);
        peak_add(&d->pressure[PK_FMEM], p->full_pct, p->ts);
    }
}

static int on_point(const struct cap_point *p, const struct sample *s, void *arg)
{
    (void)s;
    struct trend *t = arg;
    if (!t->ndays || p->ts >= t->day_end || p->ts < t->days[t->ndays - 1].start) {
        if (grow_array((void **)&t->days, &t->cap_days, t->ndays + 1, sizeof *t->days) != 0)
            return -1;
        struct day *d = &t->days[t->ndays++];
        memset(d, 0, sizeof *d);
        d->start = cap_period_start(p->ts, PERIOD_DAY);
        d->avail_min = p->avail;
        t->day_end = cap_period_next(d->start, PERIOD_DAY);
    }
    struct day *d = &t->days[t->ndays - 1];
    if (p->used > d->used_max)
        d->used_max = p->used;
    if (p->avail < d->avail_min)
        d->avail_min = p->avail;
    if (p->commit_pct > d->commit_pct_max)
        d->commit_pct_max = p->commit_pct;
    if (p->committed > d->committed_max)
        d->committed_max = p->committed;
    d->commit_limit = p->commit_limit;
    if (p->commit_limit > 0 && p->committed / p->commit_limit * 100 > d->limit_pct_max)
        d->limit_pct_max = p->committed / p->commit_limit * 100;
    if (p->swap_used > d->swap_used_max)
        d->swap_used_max = p->swap_used;
    d->swap_total = p->swap_total;
    d->mem_total = p->total;
    pressure_peaks(d, p);
    if (!t->samples)
        t->first_ts = p->ts;
    t->samples++;
    t->last_ts = p->ts;
    return 0;
}

/* ---- processes ---- */

/* The growth of P's identity, started when it is new. */
static struct ident *find_ident(struct trend *t, uint32_t boot, const struct proc *p)
{
    long k = identmap_add(&t->map, boot, p->pid, p->start_ticks);
    if (k < 0)
        return NULL;
    if ((size_t)k == t->nids) {
        if (grow_array((void **)&t->ids, &t->cap_ids, t->nids + 1, sizeof *t->ids) != 0)
            return NULL;
        struct ident *id = &t->ids[t->nids++];
        memset(id, 0, sizeof *id);
        id->boot = boot;
        id->pid = p->pid;
        id->started = born_in_window(&t->start, boot, p->start_ticks);
    }
    struct ident *id = &t->ids[k];
    if (strncmp(id->comm, p->comm, sizeof id->comm - 1) != 0) {   /* its latest name */
        memcpy(id->comm, p->comm, sizeof id->comm);
        id->comm[COMM_MAX - 1] = '\0';
    }
    return id;
}

static int on_procs(const struct cap_point *p, const struct sample *s, void *arg)
{
    struct trend *t = arg;
    if (!s->procs.scanned)
        return 0;
    long boot = identmap_boot(&t->map, s->boot_id);
    if (boot < 0)
        return -1;
    if (!t->instants++)
        t->start = (struct window_start){ (uint32_t)boot, s->uptime_cs };
    t->last_instant = p->ts;
    double x = (double)(p->ts - t->t0) / 86400.0;
    for (size_t i = 0; i < s->procs.n; i++) {
        const struct proc *pr = &s->procs.procs[i];
        if (pr->pid == PROC_AGGREGATE_PID)
            continue;
        struct ident *id = find_ident(t, (uint32_t)boot, pr);
        if (!id)
            return -1;
        if (!id->samples) {
            id->first_ts = p->ts;
            id->first_rss = pr->rss_kb;
        }
        id->samples++;
        id->last_ts = p->ts;
        id->last_rss = pr->rss_kb;
        if (pr->rss_kb > id->peak_rss)
            id->peak_rss = pr->rss_kb;
        /* in seconds: a burst of samples a second apart is a few millionths
         * of a day, below what fit_result() tells from no spread at all.
         * Weighted by the time the instant covers, so that a burst of
         * one-second samples does not outweigh the minutes around it */
        fit_add_weighted(&id->fit, x * 86400.0, (double)pr->rss_kb, p->instant_s);
    }
    return 0;
}

static int by_change(const void *a, const void *b)
{
    const struct ident *x = a, *y = b;
    if (x->change != y->change)
        return by_contribution(x->change, y->change);
    if (x->peak_rss != y->peak_rss)
        return x->peak_rss > y->peak_rss ? -1 : 1;
    return x->pid < y->pid ? -1 : x->pid > y->pid;
}

/* Every identity's contribution and, where it has enough samples, its slope;
 * sorted by contribution.  Returns how many can be ranked (none with fewer
 * than TREND_MIN_INSTANTS instants). */
static size_t rank_processes(struct trend *t)
{
    int64_t span = t->last_ts - t->first_ts;
    if (t->instants < TREND_MIN_INSTANTS)
        return 0;
    for (size_t i = 0; i < t->nids; i++) {
        struct ident *id = &t->ids[i];
        id->change = rss_contribution(id->started, id->last_ts != t->last_instant, id->first_rss,
                                      id->last_rss);
        id->slope = id->r2 = NAN;
        id->fitted = id->samples >= 3 && (id->last_ts - id->first_ts) * 4 >= span;
        if (id->fitted) {
            double intercept;
            fit_result(&id->fit, &id->slope, &intercept, &id->r2);
            id->slope *= 86400.0;   /* kB per second to kB per day */
        }
    }
    if (t->nids > 1)
        qsort(t->ids, t->nids, sizeof *t->ids, by_change);
    return t->nids;
}

/* ---- the fits ---- */

enum fit_kind { FIT_AVAIL, FIT_COMMIT, FIT_SWAP, FIT_USED, FIT_COUNT };

struct outcome {
    const char *metric, *limit_name;
    double slope, intercept, r2, limit, fitted_last;
    int have_limit;
    int direction;               /* +1: the limit is above, -1: below, 0: none */
    const char *status;
    double reaches_x;            /* days since the first day */
    int64_t reaches_epoch;
    char reaches_day[16];
    char message[160];
};

static double day_x(const struct trend *t, size_t i)
{
    return round((double)(t->days[i].start - t->days[0].start) / 86400.0);
}

static double peak_of(const struct day *d, enum fit_kind k)
{
    switch (k) {
    case FIT_AVAIL: return d->avail_min;
    case FIT_COMMIT: return d->committed_max;
    case FIT_SWAP: return d->swap_used_max;
    default: return d->used_max;
    }
}

static void outcome_of(const struct trend *t, enum fit_kind k, struct outcome *o)
{
    static const char *const names[FIT_COUNT] = {
        [FIT_AVAIL] = "min kbavail", [FIT_COMMIT] = "max kbcommit",
        [FIT_SWAP] = "max kbswpused", [FIT_USED] = "max kbmemused",
    };
    memset(o, 0, sizeof *o);
    o->metric = names[k];
    o->r2 = NAN;
    struct fit f;
    memset(&f, 0, sizeof f);
    for (size_t i = 0; i < t->ndays; i++)
        fit_add(&f, day_x(t, i), peak_of(&t->days[i], k));
    if (t->ndays)
        fit_result(&f, &o->slope, &o->intercept, &o->r2);
    const struct day *last = t->ndays ? &t->days[t->ndays - 1] : NULL;
    double xlast = t->ndays ? day_x(t, t->ndays - 1) : 0;
    o->fitted_last = o->intercept + o->slope * xlast;
    switch (k) {
    case FIT_AVAIL:
        o->limit_name = "0";
        o->have_limit = 1;
        o->direction = -1;
        o->limit = 0;
        break;
    case FIT_COMMIT:
        o->limit_name = "CommitLimit";
        o->have_limit = last && last->commit_limit > 0;
        o->direction = 1;
        o->limit = last ? last->commit_limit : 0;
        break;
    case FIT_SWAP:
        o->limit_name = "SwapTotal";
        o->have_limit = last && last->swap_total > 0;
        o->direction = 1;
        o->limit = last ? last->swap_total : 0;
        break;
    default:
        o->limit_name = "-";
        break;
    }
    size_t n = t->ndays;
    if (n < TREND_MIN_DAYS) {
        o->status = "not_enough_data";
        snprintf(o->message, sizeof o->message, "not enough data: %zu day%s, need at least %d", n,
                 n == 1 ? "" : "s", TREND_MIN_DAYS);
        return;
    }
    if (k == FIT_USED) {
        o->status = "no_limit";
        snprintf(o->message, sizeof o->message, "no limit: for the record");
        return;
    }
    if (!o->have_limit) {
        o->status = "no_limit";
        snprintf(o->message, sizeof o->message, "%s",
                 k == FIT_SWAP ? "no swap configured" : "CommitLimit not recorded");
        return;
    }
    if (o->slope * o->direction <= 0) {
        o->status = "no_trend";
        snprintf(o->message, sizeof o->message, "no %s trend (slope %+.0f kB/day)",
                 o->direction > 0 ? "upward" : "downward", o->slope);
        return;
    }
    if (!(o->r2 >= TREND_MIN_R2)) {
        o->status = "poor_fit";
        snprintf(o->message, sizeof o->message,
                 "fit too poor to extrapolate (R\xc2\xb2 %.2f, need %.2f)", o->r2, TREND_MIN_R2);
        return;
    }
    o->reaches_x = (o->limit - o->intercept) / o->slope;
    double ahead = o->reaches_x - xlast;
    const char *verb = k == FIT_AVAIL ? "reaches 0" : k == FIT_COMMIT ? "passes CommitLimit"
                                                                      : "fills swap";
    if (ahead <= 0) {
        o->status = "past_limit";
        snprintf(o->message, sizeof o->message, "at the limit already: the line %s by the last day",
                 verb);
        return;
    }
    if (ahead > TREND_HORIZON_DAYS) {
        o->status = "beyond_10_years";
        snprintf(o->message, sizeof o->message, "%s in more than 10 years", verb);
        return;
    }
    o->status = "ok";
    /* the calendar day reaches_x days after the first day */
    time_t when = (time_t)t->days[0].start;
    struct tm tm;
    localtime_r(&when, &tm);
    tm.tm_mday += (int)floor(o->reaches_x);
    tm.tm_hour = 12;
    tm.tm_isdst = -1;
    o->reaches_epoch = (int64_t)mktime(&tm);
    o->reaches_epoch = cap_period_start(o->reaches_epoch, PERIOD_DAY);
    cap_period_label(o->reaches_epoch, PERIOD_DAY, o->reaches_day, sizeof o->reaches_day);
    snprintf(o->message, sizeof o->message, "%s on %s (in %.0f days)", verb, o->reaches_day,
             ceil(ahead));
}

/* ---- output ---- */

static int any_pressure(const struct trend *t)
{
    for (size_t i = 0; i < t->ndays; i++)
        if (t->days[i].pressure[PK_SMEM10].n)
            return 1;
    return 0;
}

/* The days' pressure peaks, when any day recorded pressure. */
static void print_pressure_text(const struct render_ctx *ctx, const struct trend *t)
{
    FILE *out = ctx->out;
    if (!any_pressure(t))
        return;
    fprintf(out, "\nMemory pressure peaks (%% of the time; -10: the kernel's 10 s average at a "
                 "sample, else stalled between two samples)\n%-10s", "DAY");
    for (int k = 0; k < PK_COUNT; k++)
        fprintf(out, " %9s %8s", peak_names[k], "at");
    fputc('\n', out);
    for (size_t i = 0; i < t->ndays; i++) {
        const struct day *d = &t->days[i];
        char label[16];
        cap_period_label(d->start, PERIOD_DAY, label, sizeof label);
        fprintf(out, "%-10s", label);
        for (int k = 0; k < PK_COUNT; k++) {
            const struct peak *pk = &d->pressure[k];
            char at[32] = "-";
            if (pk->n)
                cap_local_time(pk->at, at, sizeof at);
            if (pk->n)
                fprintf(out, " %9.2f %8s", pk->max, at + 11);
            else
                fprintf(out, " %9s %8s", "-", "-");
        }
        fputc('\n', out);
    }
}

static void print_text(const struct render_ctx *ctx, struct trend *t, const struct outcome *oc,
                       size_t nprocs, long top)
{
    FILE *out = ctx->out;
    char from[32], to[32];
    if (cap_text_head(ctx, t->samples, t->first_ts, t->last_ts, from, to) != 0)
        return;
    fprintf(out, "\nTrend from %s to %s (%zu day%s, %lu samples)\n", from, to, t->ndays,
            t->ndays == 1 ? "" : "s", t->samples);
    fprintf(out, "\nDaily peaks\n%-10s %13s %13s %8s %13s %13s %8s %13s %13s\n", "DAY",
            "max-kbmemused", "min-kbavail", "%commit", "max-kbcommit", "CommitLimit", "%limit",
            "max-kbswpused", "SwapTotal");
    for (size_t i = 0; i < t->ndays; i++) {
        const struct day *d = &t->days[i];
        char label[16];
        cap_period_label(d->start, PERIOD_DAY, label, sizeof label);
        fprintf(out, "%-10s", label);
        sar_kb(ctx, d->used_max, 13, 0);
        sar_kb(ctx, d->avail_min, 13, 0);
        fprintf(out, " %8.2f", d->commit_pct_max);
        sar_kb(ctx, d->committed_max, 13, 0);
        sar_kb(ctx, d->commit_limit, 13, 0);
        fprintf(out, " %8.2f", d->limit_pct_max);
        sar_kb(ctx, d->swap_used_max, 13, 0);
        sar_kb(ctx, d->swap_total, 13, 0);
        fputc('\n', out);
    }
    print_pressure_text(ctx, t);
    fprintf(out, "\nLeast-squares lines over the daily peaks (a date needs %d days, "
                 "R\xc2\xb2 >= %.2f and a slope toward the limit)\n",
            TREND_MIN_DAYS, TREND_MIN_R2);
    fprintf(out, "%-14s %14s %6s %13s  %s\n", "PEAK", "kB/day", "R\xc2\xb2", "LIMIT", "OUTLOOK");
    for (int k = 0; k < FIT_COUNT; k++) {
        const struct outcome *o = &oc[k];
        char r2[16] = "-", slope[32] = "-";
        if (!isnan(o->r2) && t->ndays >= 2)
            snprintf(r2, sizeof r2, "%.3f", o->r2);
        if (t->ndays >= 2)   /* one day has no slope: "-", not +0.0 */
            snprintf(slope, sizeof slope, "%+.1f", o->slope);
        fprintf(out, "%-14s %14s %6s", o->metric, slope, r2);
        if (o->have_limit)
            sar_kb(ctx, o->limit, 13, 0);
        else
            fprintf(out, " %13s", "-");
        fprintf(out, "  %s\n", o->message);
    }
    fprintf(out, "\nProcesses' growth over %lu sampled instants: CHANGE_KB is each one's "
                 "share of the memory that appeared (last RSS - first, born in the window "
                 "from 0, ended down to 0); KB/DAY and R\xc2\xb2 (least squares) for those "
                 "seen 3 times over at least a quarter of the window\n", t->instants);
    if (!t->instants) {
        fprintf(out, "No process data was recorded in the selected samples.\n");
        return;
    }
    if (t->instants < TREND_MIN_INSTANTS) {
        fprintf(out, "not enough data: %lu sampled instant, need at least %d\n", t->instants,
                TREND_MIN_INSTANTS);
        return;
    }
    fprintf(out, "%9s %11s %11s %11s %11s %12s %6s  Command\n", "PID", "FIRST_KB", "LAST_KB",
            "PEAK_KB", "CHANGE_KB", "KB/DAY", "R\xc2\xb2");
    for (size_t i = 0; i < nprocs && (long)i < top; i++) {
        const struct ident *id = &t->ids[i];
        char r2[16] = "-", slope[32] = "-", name[COMM_MAX];
        if (id->fitted && !isnan(id->r2))
            snprintf(r2, sizeof r2, "%.3f", id->r2);
        if (id->fitted)   /* a flat line is +0.0, never -0.0 */
            snprintf(slope, sizeof slope, "%+.1f", fabs(id->slope) < 0.05 ? 0.0 : id->slope);
        fprintf(out, "%9d", (int)id->pid);
        sar_kb(ctx, (double)id->first_rss, 11, 0);
        sar_kb(ctx, (double)id->last_rss, 11, 0);
        sar_kb(ctx, (double)id->peak_rss, 11, 0);
        sar_kb(ctx, (double)id->change, 11, 0);
        fprintf(out, " %12s %6s  %s\n", slope, r2, text_safe(id->comm, name, sizeof name));
    }
}

static const char *const cols[] = {
    "kind",
    /* day */
    "day", "day_epoch", "used_max_kb", "available_min_kb", "commit_pct_max", "committed_max_kb",
    "commit_limit_kb", "commit_limit_pct_max", "swap_used_max_kb", "swap_total_kb",
    /* fit */
    "metric", "days", "slope_per_day", "intercept", "r2", "limit", "status", "reaches_day",
    "reaches_epoch", "message",
    /* process (slope_per_day and r2 too) */
    "boot_id", "pid", "comm", "samples", "first_epoch", "last_epoch", "first_rss_kb",
    "last_rss_kb", "peak_rss_kb", "change_kb",
    /* day, where memory pressure was recorded */
    "smem10_max", "smem10_max_epoch", "fmem10_max", "fmem10_max_epoch", "smem_max",
    "smem_max_epoch", "fmem_max", "fmem_max_epoch",
};
#define NCOLS ((int)(sizeof cols / sizeof *cols))
enum { C_KIND, C_DAY, C_DAY_EPOCH, C_USED, C_AVAIL, C_COMMIT_PCT, C_COMMITTED, C_LIMIT_KB,
       C_LIMIT_PCT, C_SWAP, C_SWAP_TOTAL, C_METRIC, C_DAYS, C_SLOPE, C_INTERCEPT, C_R2, C_LIMIT,
       C_STATUS, C_REACHES_DAY, C_REACHES_EPOCH, C_MESSAGE, C_BOOT, C_PID, C_COMM, C_SAMPLES,
       C_FIRST_EPOCH, C_LAST_EPOCH, C_FIRST_RSS, C_LAST_RSS, C_PEAK_RSS, C_CHANGE, C_PRESSURE };

static void none(struct cell *c)
{
    for (int i = 0; i < NCOLS; i++)
        c[i] = (struct cell){ .type = CELL_NONE };
}

static void print_table(const struct render_ctx *ctx, struct trend *t, const struct outcome *oc,
                        size_t nprocs, long top, int json)
{
    struct table tb;
    struct cell c[NCOLS];
    table_begin(&tb, ctx, json, "trend", cols, NCOLS);
    for (size_t i = 0; i < t->ndays; i++) {
        const struct day *d = &t->days[i];
        char label[16];
        cap_period_label(d->start, PERIOD_DAY, label, sizeof label);
        none(c);
        c[C_KIND] = cell_str("day");
        c[C_DAY] = cell_str(label);
        c[C_DAY_EPOCH] = cell_int(d->start);
        c[C_USED] = cell_int(llround(d->used_max));
        c[C_AVAIL] = cell_int(llround(d->avail_min));
        c[C_COMMIT_PCT] = cell_fixed2(d->commit_pct_max);
        c[C_COMMITTED] = cell_int(llround(d->committed_max));
        c[C_LIMIT_KB] = cell_int(llround(d->commit_limit));
        c[C_LIMIT_PCT] = d->commit_limit > 0 ? cell_fixed2(d->limit_pct_max) : cell_null();
        c[C_SWAP] = cell_int(llround(d->swap_used_max));
        c[C_SWAP_TOTAL] = cell_int(llround(d->swap_total));
        for (int k = 0; k < PK_COUNT; k++) {
            const struct peak *pk = &d->pressure[k];
            if (!pk->n)
                continue;   /* not recorded: absent, as another kind's columns */
            c[C_PRESSURE + 2 * k] = cell_fixed2(pk->max);
            c[C_PRESSURE + 2 * k + 1] = cell_int(pk->at);
        }
        table_row(&tb, c);
    }
    for (int k = 0; k < FIT_COUNT; k++) {
        const struct outcome *o = &oc[k];
        none(c);
        c[C_KIND] = cell_str("fit");
        c[C_METRIC] = cell_str(o->metric);
        c[C_DAYS] = cell_uint(t->ndays);
        c[C_SLOPE] = t->ndays >= 2 ? cell_fixed2(o->slope) : cell_null();
        c[C_INTERCEPT] = t->ndays >= 2 ? cell_fixed2(o->intercept) : cell_null();
        c[C_R2] = t->ndays >= 2 && !isnan(o->r2) ? cell_fixed2(o->r2) : cell_null();
        c[C_LIMIT] = o->have_limit ? cell_int(llround(o->limit)) : cell_null();
        c[C_STATUS] = cell_str(o->status);
        c[C_REACHES_DAY] = strcmp(o->status, "ok") == 0 ? cell_str(o->reaches_day) : cell_null();
        c[C_REACHES_EPOCH] = strcmp(o->status, "ok") == 0 ? cell_int(o->reaches_epoch) : cell_null();
        c[C_MESSAGE] = cell_str(o->message);
        table_row(&tb, c);
    }
    for (size_t i = 0; i < nprocs && (long)i < top; i++) {
        const struct ident *id = &t->ids[i];
        none(c);
        c[C_KIND] = cell_str("process");
        c[C_BOOT] = cell_str(t->map.boots[id->boot]);
        c[C_PID] = cell_int(id->pid);
        c[C_COMM] = cell_str(id->comm);
        c[C_SAMPLES] = cell_uint(id->samples);
        c[C_FIRST_EPOCH] = cell_int(id->first_ts);
        c[C_LAST_EPOCH] = cell_int(id->last_ts);
        c[C_FIRST_RSS] = cell_uint(id->first_rss);
        c[C_LAST_RSS] = cell_uint(id->last_rss);
        c[C_PEAK_RSS] = cell_uint(id->peak_rss);
        c[C_CHANGE] = cell_int(id->change);
        c[C_SLOPE] = id->fitted ? cell_fixed2(id->slope) : cell_null();
        c[C_R2] = id->fitted && !isnan(id->r2) ? cell_fixed2(id->r2) : cell_null();
        table_row(&tb, c);
    }
    table_end(&tb);
}

int render_trend(const struct report_opts *o, struct render_ctx *ctx, const struct cap_window *w)
{
    struct trend t;
    memset(&t, 0, sizeof t);
    t.t0 = w->first_ts;
    struct cap_stream cs = { on_point, on_procs, 0, &t };
    int status = cap_run(w, &cs);
    if (status == 0) {
        struct outcome oc[FIT_COUNT];
        for (int k = 0; k < FIT_COUNT; k++)
            outcome_of(&t, (enum fit_kind)k, &oc[k]);
        size_t nprocs = rank_processes(&t);
        if (o->format == FMT_CSV || o->format == FMT_JSON) {
            if (!t.samples)
                say_empty_window();
            print_table(ctx, &t, oc, nprocs, o->procs.top, o->format == FMT_JSON);
        }
        else
            print_text(ctx, &t, oc, nprocs, o->procs.top);
    }
    free(t.days);
    free(t.ids);
    identmap_free(&t.map);
    return status;
}
