/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The window of a capacity report and the one pass over it (capacity.h).
 *
 * Which files: with -f FILE, that file.  With -f DIR: every daily file
 * that may hold part of an absolute window (--since/--until, -s/-e with a
 * date or @EPOCH); with -N (-1, -2, ...) or -s/-e times of day, that one day's
 * file (today's with -s/-e alone); otherwise every daily file of DIR.
 * Times of day are taken on the local date of that day (-f DIR) or of the
 * file's first sample (-f FILE).
 */
#define _GNU_SOURCE
#include "capacity.h"

#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "archive.h"
#include "days.h"
#include "empty.h"
#include "grow.h"
#include "sar_text.h"
#include "series.h"
#include "util.h"

/* ---- local time ---- */

int64_t cap_period_start(int64_t ts, enum cap_period p)
{
    time_t t = (time_t)ts;
    struct tm tm;
    localtime_r(&t, &tm);
    if (p == PERIOD_HOUR)   /* offsets that are not whole hours shift the hour, too */
        return ts - (((ts + tm.tm_gmtoff) % 3600) + 3600) % 3600;
    tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
    if (p == PERIOD_WEEK)
        tm.tm_mday -= (tm.tm_wday + 6) % 7;   /* back to Monday (ISO 8601) */
    tm.tm_isdst = -1;
    return (int64_t)mktime(&tm);
}

int64_t cap_period_next(int64_t start, enum cap_period p)
{
    if (p == PERIOD_HOUR)
        return start + 3600;
    time_t t = (time_t)start;
    struct tm tm;
    localtime_r(&t, &tm);
    tm.tm_mday += p == PERIOD_WEEK ? 7 : 1;
    tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
    tm.tm_isdst = -1;
    return (int64_t)mktime(&tm);
}

void cap_period_label(int64_t start, enum cap_period p, char *buf, size_t cap)
{
    time_t t = (time_t)start;
    struct tm tm;
    localtime_r(&t, &tm);
    const char *fmt = p == PERIOD_HOUR ? "%Y-%m-%d %H:%M" : p == PERIOD_DAY ? "%Y-%m-%d" : "%G-W%V";
    if (strftime(buf, cap, fmt, &tm) == 0 && cap)
        buf[0] = '\0';
}

void cap_local_time(int64_t ts, char *buf, size_t cap)
{
    time_t t = (time_t)ts;
    struct tm tm;
    localtime_r(&t, &tm);
    if (strftime(buf, cap, "%Y-%m-%d %H:%M:%S", &tm) == 0 && cap)
        buf[0] = '\0';
}

int cap_text_head(const struct render_ctx *ctx, unsigned long samples, int64_t first_ts,
                  int64_t last_ts, char *from, char *to)
{
    if (!samples) {
        say_empty_window();   /* and no banner of a window that is not there */
        return -1;
    }
    sar_banner(ctx, first_ts, 0, ctx->sr->host.ncpu);
    cap_local_time(first_ts, from, 32);
    cap_local_time(last_ts, to, 32);
    return 0;
}

/* ---- least squares ---- */

void fit_add_weighted(struct fit *f, double x, double y, double w)
{
    f->points += 1;
    f->n += w;
    f->sx += w * x;
    f->sy += w * y;
    f->sxx += w * x * x;
    f->sxy += w * x * y;
    f->syy += w * y * y;
}

void fit_add(struct fit *f, double x, double y)
{
    fit_add_weighted(f, x, y, 1);
}

void fit_result(const struct fit *f, double *slope, double *intercept, double *r2)
{
    double n = f->n;
    double vxx = n * f->sxx - f->sx * f->sx;
    double vyy = n * f->syy - f->sy * f->sy;
    double vxy = n * f->sxy - f->sx * f->sy;
    if (f->points < 2 || vxx <= 1e-9 * (n * f->sxx + 1)) {
        *slope = 0;
        *intercept = n > 0 ? f->sy / n : 0;
        *r2 = NAN;
        return;
    }
    *slope = vxy / vxx;
    *intercept = (f->sy - *slope * f->sx) / n;
    /* a constant y: the line explains nothing, and nothing is left to explain */
    *r2 = vyy <= 1e-12 * (n * f->syy + 1) ? 0 : (vxy * vxy) / (vxx * vyy);
}

/* ---- the window ---- */

static int cannot_open(const char *path, const char *why)
{
    fprintf(stderr, "Cannot open %s: %s\n", path, why);
    return 2;
}

static int add_path(struct cap_window *w, const char *path)
{
    char **grown = realloc(w->paths, (w->npaths + 1) * sizeof *grown);
    if (!grown)
        return -1;
    w->paths = grown;
    if (!(w->paths[w->npaths] = strdup(path)))
        return -1;
    w->npaths++;
    return 0;
}

/* The daily files of DIR from local day FIRST to LAST (YYYYMMDD), in order. */
static int list_days(struct cap_window *w, const char *dir, long first, long last)
{
    if (days_list(dir, first, last, &w->paths, &w->npaths) != 0)
        return cannot_open(dir, strerror(errno));
    return 0;
}

/* The time of day T on the local date of DAY_TS. */
static int64_t on_day(int64_t day_ts, const struct tstamp *t)
{
    time_t when = (time_t)day_ts;
    struct tm tm;
    localtime_r(&when, &tm);
    tm.tm_hour = t->hour;
    tm.tm_min = t->min;
    tm.tm_sec = t->sec;
    tm.tm_isdst = -1;
    return (int64_t)mktime(&tm);
}

static int open_status(int rc, const char *path, const char *err)
{
    if (rc == ARCHIVE_MISSING)
        return cannot_open(path, strerror(ENOENT));
    if (rc == ARCHIVE_NOT_OURS || rc == ARCHIVE_TOO_NEW) {
        fprintf(stderr, "Invalid system activity file: %s\n", path);
        if (strchr(err, ':'))   /* why, beyond sar's words: a schema that is not ours */
            report_error(path, err);
        return 3;
    }
    if (rc == ARCHIVE_DAMAGED) {
        report_error(path, err);
        return 2;
    }
    return cannot_open(path, err);
}

static void skipped(const char *path, const char *err)
{
    fprintf(stderr, "%s: warning: %s: %s: skipped, the other days read\n", progname, path, err);
}

/* A damaged day costs that day only: the window's first and last readable
 * days bound it (cap_run skips one in between). */
static void drop_unreadable_ends(struct cap_window *w)
{
    for (int end = 0; end < 2; end++) {
        while (w->npaths > 1) {
            size_t at = end ? w->npaths - 1 : 0;
            char err[512];
            struct archive *ar;
            if (archive_open_reader(w->paths[at], &ar, err, sizeof err) == ARCHIVE_OK) {
                archive_close(ar);
                break;
            }
            skipped(w->paths[at], err);
            free(w->paths[at]);
            memmove(w->paths + at, w->paths + at + 1, (w->npaths - at - 1) * sizeof *w->paths);
            w->npaths--;
        }
    }
}

int cap_window_open(const struct report_opts *o, struct cap_window *w)
{
    memset(w, 0, sizeof *w);
    int abs_start = o->start.use && o->start.absolute, abs_end = o->end.use && o->end.absolute;
    int tod = (o->start.use && !o->start.absolute) || (o->end.use && !o->end.absolute);
    w->from = abs_start ? o->start.epoch : INT64_MIN;
    w->to = abs_end ? o->end.epoch : INT64_MAX;
    int64_t day_ts = (int64_t)time(NULL) - (int64_t)o->day_offset * 86400;
    int status = 0;
    if (is_directory(o->file)) {
        if (abs_start || abs_end) {
            status = list_days(w, o->file, abs_start ? local_day(w->from - 86400) : 0,
                               abs_end ? local_day(w->to + 86400) : 99999999);
        } else if (o->day_offset > 0 || tod) {
            char path[PATH_MAX];
            day_path(o->file, local_day(day_ts), path, sizeof path);
            status = add_path(w, path) ? 2 : 0;
        } else {
            status = list_days(w, o->file, 0, 99999999);
        }
    } else {
        status = add_path(w, o->file) ? 2 : 0;
    }
    if (status)
        return status;
    if (w->npaths == 0) {
        fprintf(stderr, "%s: no archive in %s for that window\n", progname, o->file);
        return 2;
    }
    drop_unreadable_ends(w);
    char err[512];
    struct archive *ar;
    int rc = archive_open_reader(w->paths[0], &ar, err, sizeof err);
    if (rc != ARCHIVE_OK)
        return open_status(rc, w->paths[0], err);
    int64_t first = 0;
    if (archive_first_ts(ar, &first, err, sizeof err) == ARCHIVE_OK)
        archive_host_at(ar, first, &w->host, err, sizeof err);
    archive_close(ar);
    if (tod) {
        int64_t base = is_directory(o->file) ? day_ts : first;
        if (o->start.use && !o->start.absolute)
            w->from = on_day(base, &o->start);
        if (o->end.use && !o->end.absolute)
            w->to = on_day(base, &o->end);
    }
    w->first_ts = first > w->from ? first : w->from;
    w->last_ts = w->first_ts;
    rc = archive_open_reader(w->paths[w->npaths - 1], &ar, err, sizeof err);
    if (rc != ARCHIVE_OK)
        return open_status(rc, w->paths[w->npaths - 1], err);
    int64_t last;
    if (archive_last_ts(ar, &last, err, sizeof err) == ARCHIVE_OK)
        w->last_ts = last < w->to ? last : w->to;
    archive_close(ar);
    if (w->last_ts < w->first_ts)
        w->last_ts = w->first_ts;
    return 0;
}

void cap_window_free(struct cap_window *w)
{
    days_free(w->paths, w->npaths);
    memset(w, 0, sizeof *w);
}

/* ---- the pass ---- */

struct instant {
    struct cap_point p;
};

struct run {
    const struct cap_window *w;
    struct cap_stream *cs;
    int have_prev;
    char prev_boot[BOOT_ID_LEN + 1];
    uint64_t prev_uptime, prev_in, prev_out;
    struct psi prev_psi;
    int64_t step, next_grid;     /* process instants */
    struct instant *inst;        /* this file's */
    size_t ninst, cap_inst;
    size_t at;                   /* pass 2: the instant being read */
    int64_t last_instant;        /* the last instant of the files before */
    int have_instant;
    int failed;
};

/* The pressure of P: PSI now, and the stall since PREV (NULL: another boot),
 * ITV_CS before, as sar's %smem and %fmem. */
static void psi_point(const struct psi *psi, const struct psi *prev, uint64_t itv_cs,
                      struct cap_point *p)
{
    if (!psi->available)
        return;
    p->have_psi = 1;
    p->some_avg10 = psi->some.avg10 / 100.0;
    p->full_avg10 = psi->full.avg10 / 100.0;
    if (!prev || !prev->available || !itv_cs || psi->some.total_us < prev->some.total_us ||
        psi->full.total_us < prev->full.total_us)
        return;
    p->have_psi_rates = 1;
    p->some_pct = (double)(psi->some.total_us - prev->some.total_us) / (double)itv_cs / 100;
    p->full_pct = (double)(psi->full.total_us - prev->full.total_us) / (double)itv_cs / 100;
}

static void point_from_sample(struct run *r, const struct sample *s, struct cap_point *p)
{
    struct rec rec;
    rec_from_sample(s, 0, &rec);
    const uint64_t *m = rec.mem;
    memset(p, 0, sizeof *p);
    p->ts = s->ts;
    p->total = (double)m[M_TOTAL];
    p->free = (double)m[M_FREE];
    p->avail = (double)m[M_AVAIL];
    p->buffers = (double)m[M_BUFFERS];
    p->cached = (double)m[M_CACHED];
    p->slab = (double)m[M_SLAB];
    uint64_t nouse = m[M_FREE] + m[M_BUFFERS] + m[M_CACHED] + m[M_SLAB];
    p->used = nouse > m[M_TOTAL] ? 0 : (double)(m[M_TOTAL] - nouse);
    p->memused_pct = m[M_TOTAL] ? p->used / (double)m[M_TOTAL] * 100 : 0;
    p->committed = (double)m[M_COMMITTED];
    p->commit_limit = (double)kv_get(&s->meminfo, "CommitLimit");
    uint64_t limit = m[M_TOTAL] + m[M_SWAPTOTAL];
    p->commit_pct = limit ? (double)m[M_COMMITTED] / (double)limit * 100 : 0;
    p->swap_total = (double)m[M_SWAPTOTAL];
    p->swap_used = m[M_SWAPFREE] > m[M_SWAPTOTAL] ? 0 : (double)(m[M_SWAPTOTAL] - m[M_SWAPFREE]);
    p->huge_used = m[M_HUGE_FREE] > m[M_HUGE_TOTAL] ? 0 : (double)(m[M_HUGE_TOTAL] - m[M_HUGE_FREE]);
    int same_boot = r->have_prev && strcmp(r->prev_boot, s->boot_id) == 0 &&
                    s->uptime_cs >= r->prev_uptime;
    p->restart = r->have_prev && !same_boot;
    if (same_boot)
        p->interval_cs = s->uptime_cs - r->prev_uptime;
    if (same_boot && s->uptime_cs > r->prev_uptime && rec.vm[V_PSWPIN] >= r->prev_in &&
        rec.vm[V_PSWPOUT] >= r->prev_out) {
        double secs = (double)(s->uptime_cs - r->prev_uptime) / 100;
        p->have_rates = 1;
        p->swpin_s = (double)(rec.vm[V_PSWPIN] - r->prev_in) / secs;
        p->swpout_s = (double)(rec.vm[V_PSWPOUT] - r->prev_out) / secs;
    }
    psi_point(&s->psi_mem, same_boot ? &r->prev_psi : NULL, s->uptime_cs - r->prev_uptime, p);
    r->prev_psi = s->psi_mem;
    r->have_prev = 1;
    memcpy(r->prev_boot, s->boot_id, sizeof r->prev_boot);
    r->prev_uptime = s->uptime_cs;
    r->prev_in = rec.vm[V_PSWPIN];
    r->prev_out = rec.vm[V_PSWPOUT];
}

static int on_sample(const struct sample *s, void *arg)
{
    struct run *r = arg;
    struct cap_point p;
    point_from_sample(r, s, &p);
    if (r->cs->point && r->cs->point(&p, s, r->cs->ctx) != 0) {
        r->failed = 1;
        return 1;
    }
    if (r->cs->procs && s->ts >= r->next_grid) {
        if (grow_array((void **)&r->inst, &r->cap_inst, r->ninst + 1, sizeof *r->inst) != 0) {
            r->failed = 1;
            return 1;
        }
        r->inst[r->ninst++].p = p;
        /* the first grid point after S: unsigned, as the grid may start at
         * INT64_MIN when the first file had no sample to begin it */
        uint64_t behind = (uint64_t)s->ts - (uint64_t)r->next_grid;
        uint64_t steps = behind / (uint64_t)r->step + 1;
        r->next_grid = (int64_t)((uint64_t)r->next_grid + steps * (uint64_t)r->step);
    }
    return 0;
}

/* The seconds each of this file's instants covers: since the instant before
 * (in an earlier file too), for the window's first until the next one, and
 * 1 for an instant alone.  A clock set back counts as 1 s. */
static void instants_cover(struct run *r)
{
    for (size_t a = 0; a < r->ninst; a++) {
        int64_t before = a ? r->inst[a - 1].p.ts : r->last_instant;
        int64_t dt = a || r->have_instant ? r->inst[a].p.ts - before
                   : r->ninst > 1 ? r->inst[1].p.ts - r->inst[0].p.ts : 1;
        r->inst[a].p.instant_s = dt > 0 ? (double)dt : 1;
    }
    if (r->ninst) {
        r->last_instant = r->inst[r->ninst - 1].p.ts;
        r->have_instant = 1;
    }
}

static int on_procs(const struct sample *s, void *arg)
{
    struct run *r = arg;
    if (r->cs->procs(&r->inst[r->at].p, s, r->cs->ctx) != 0) {
        r->failed = 1;
        return 1;
    }
    return 0;
}

/* The span between process instants: the bounds may be the int64 limits
 * (a window without --since/--until whose files had no first sample), so
 * the span is taken unsigned, and capped so that the grid never overflows. */
static int64_t grid_step(const struct cap_window *w)
{
    if (w->last_ts <= w->first_ts)
        return 1;
    uint64_t step = ((uint64_t)w->last_ts - (uint64_t)w->first_ts) / CAP_PROC_INSTANTS;
    if (step > (uint64_t)ARCHIVE_TS_MAX)
        step = (uint64_t)ARCHIVE_TS_MAX;
    return step < 1 ? 1 : (int64_t)step;
}

int cap_run(const struct cap_window *w, struct cap_stream *cs)
{
    struct run r;
    memset(&r, 0, sizeof r);
    r.w = w;
    r.cs = cs;
    r.step = grid_step(w);
    r.next_grid = w->first_ts;
    int status = 0;
    for (size_t i = 0; i < w->npaths && status == 0; i++) {
        char err[512];
        struct archive *ar;
        int rc = archive_open_reader(w->paths[i], &ar, err, sizeof err);
        if (rc != ARCHIVE_OK && w->npaths > 1) {
            skipped(w->paths[i], err);
            continue;
        }
        if (rc != ARCHIVE_OK) {
            status = open_status(rc, w->paths[i], err);
            break;
        }
        r.ninst = 0;
        rc = archive_each_sample(ar, w->from, w->to, cs->want_numa ? PART_NUMA : 0, on_sample, &r,
                                 err, sizeof err);
        instants_cover(&r);
        for (r.at = 0; rc == ARCHIVE_OK && !r.failed && r.at < r.ninst; r.at++) {
            int64_t ts = r.inst[r.at].p.ts;
            rc = archive_each_sample(ar, ts, ts, PART_PROCS, on_procs, &r, err, sizeof err);
        }
        if (rc != ARCHIVE_OK)
            status = open_status(rc, w->paths[i], err);
        else if (r.failed)
            status = 2;
        archive_close(ar);
    }
    free(r.inst);
    if (status == 2 && r.failed)
        report_error("capacity report", "out of memory");
    return status;
}

/* ---- memreport's entry ---- */

int capacity_main(const struct report_opts *o, struct render_ctx *ctx, cap_render_fn render)
{
    struct cap_window w;
    int status = cap_window_open(o, &w);
    if (status) {
        cap_window_free(&w);
        return status;
    }
    struct series sr;
    memset(&sr, 0, sizeof sr);
    sr.host = w.host;
    sr.have_host = 1;
    ctx->sr = &sr;
    ctx->file_ts = w.first_ts;
    if (o->format != FMT_SAR)
        setlocale(LC_NUMERIC, "C");
    status = render(o, ctx, &w);
    cap_window_free(&w);   /* write errors: memreport's output_finish() */
    ctx->sr = NULL;
    return status;
}
