/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * memreport --bursts (burstview.h).  A burst that crossed midnight has a row
 * in both days' files with the same start (schema/bursts.sql): the one that
 * ends last is kept.  Text:
 *
 *   START                END        SECONDS  SAMPLES  SOME10%  FULL10% OOMKILLS  WOKEN BY
 *   2026-12-01 13:20:05  13:20:21        16       17     7.60     2.10        0  psi
 *
 * (END with its date when the burst ended another day; "(open)" after WOKEN
 * BY for a burst its watcher was still in, or died in.)  CSV and JSON: the
 * same columns as the process reports write them (table.h).
 */
#define _GNU_SOURCE
#include "burstview.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "archive.h"
#include "bursts.h"
#include "days.h"
#include "empty.h"
#include "output.h"
#include "series.h"
#include "table.h"
#include "util.h"

#define BURSTS_MAX 1000000   /* rows kept from a window: far beyond any real one */

struct burst_set {
    struct burst *items;
    size_t n, cap;
    int64_t from, to;
};

/* Keeps B; a burst already kept with the same start keeps the later end.
 * Days are read in order and rows by start, so a burst's row in the day
 * before is among the last few kept. */
static int keep_burst(const struct burst *b, void *ctx)
{
    struct burst_set *set = ctx;
    for (size_t i = set->n; i-- > 0 && i + 8 >= set->n;)
        if (set->items[i].start == b->start) {
            if (b->end > set->items[i].end || (b->end == set->items[i].end && !b->open))
                set->items[i] = *b;
            return 0;
        }
    if (set->n == set->cap) {
        size_t cap = set->cap ? set->cap * 2 : 16;
        struct burst *grown = cap <= BURSTS_MAX ? realloc(set->items, cap * sizeof *grown) : NULL;
        if (!grown)
            return 1;
        set->items = grown;
        set->cap = cap;
    }
    set->items[set->n++] = *b;
    return 0;
}

static int by_start(const void *a, const void *b)
{
    const struct burst *x = a, *y = b;
    return (x->start > y->start) - (x->start < y->start);
}

/* The bursts of PATH in the window; HOST filled from it when not yet. */
static int read_file(const char *path, struct burst_set *set, struct host_facts *host,
                     int *have_host)
{
    char err[512];
    struct archive *ar;
    int rc = archive_open_reader(path, &ar, err, sizeof err);
    if (rc != ARCHIVE_OK) {
        report_error(path, rc == ARCHIVE_MISSING ? strerror(ENOENT) : err);
        return rc;
    }
    rc = archive_each_burst(ar, set->from, set->to, keep_burst, set, err, sizeof err);
    if (rc != ARCHIVE_OK)
        report_error(path, err);
    if (!*have_host && archive_host_at(ar, set->from, host, err, sizeof err) == ARCHIVE_OK)
        *have_host = 1;
    archive_close(ar);
    return rc;
}

/* Local midnight of the local day DAY (YYYYMMDD), plus SECONDS. */
static int64_t local_instant(long day, long seconds)
{
    struct tm tm = { .tm_year = (int)(day / 10000) - 1900, .tm_mon = (int)(day / 100 % 100) - 1,
                     .tm_mday = (int)(day % 100), .tm_isdst = -1 };
    return (int64_t)mktime(&tm) + seconds;
}

/* A bound of O: an instant, a time of day on DAY, or FALLBACK. */
static int64_t bound(const struct tstamp *t, long day, int64_t fallback)
{
    if (!t->use)
        return fallback;
    if (t->absolute)
        return t->epoch;
    return local_instant(day, t->hour * 3600L + t->min * 60L + t->sec);
}

/* The files and window O names: every burst kept in SET. */
static int collect(const struct report_opts *o, struct burst_set *set, struct host_facts *host,
                   int *have_host)
{
    long day = local_day((int64_t)time(NULL) - (int64_t)o->day_offset * 86400);
    int dir = is_directory(o->file);
    /* a directory without a window: its day; a file: all of it */
    set->from = bound(&o->start, day, dir ? local_instant(day, 0) : INT64_MIN);
    set->to = bound(&o->end, day, dir ? local_instant(day, 86400) - 1 : INT64_MAX);
    if (!dir)
        return read_file(o->file, set, host, have_host) == ARCHIVE_OK ? 0 : 2;
    char **paths;
    size_t n;
    /* a day either side: a burst across midnight, local days not UTC days */
    if (days_list(o->file, local_day(set->from - 86400), local_day(set->to + 86400), &paths, &n)) {
        report_error(o->file, strerror(errno));
        return 2;
    }
    size_t read = 0;
    for (size_t i = 0; i < n; i++)
        if (read_file(paths[i], set, host, have_host) == ARCHIVE_OK)
            read++;
    days_free(paths, n);
    return n && !read ? 2 : 0;
}

static void local_text(int64_t ts, const char *fmt, char *out, size_t cap)
{
    time_t t = (time_t)ts;
    struct tm tm;
    if (!localtime_r(&t, &tm) || !strftime(out, cap, fmt, &tm))
        snprintf(out, cap, "@%lld", (long long)ts);
}

static void peak_text(int32_t peak, char *out, size_t cap)
{
    if (peak < 0)
        snprintf(out, cap, "-");
    else
        snprintf(out, cap, "%d.%02d", peak / 100, peak % 100);
}

static void write_text(FILE *out, const struct burst_set *set)
{
    fprintf(out, "%-19s  %-9s %8s %8s %8s %8s %8s  %s\n", "START", "END", "SECONDS", "SAMPLES",
            "SOME10%", "FULL10%", "OOMKILLS", "WOKEN BY");
    for (size_t i = 0; i < set->n; i++) {
        const struct burst *b = &set->items[i];
        char start[32], end[32], some[16], full[16], why[BURST_WHY_MAX];
        local_text(b->start, "%Y-%m-%d %H:%M:%S", start, sizeof start);
        local_text(b->end, local_day(b->end) == local_day(b->start) ? "%H:%M:%S"
                                                                    : "%Y-%m-%d %H:%M:%S",
                   end, sizeof end);
        peak_text(b->peak_some_avg10, some, sizeof some);
        peak_text(b->peak_full_avg10, full, sizeof full);
        burst_why_text(b->why, why);
        fprintf(out, "%-19s  %-9s %8lld %8lu %8s %8s %8llu  %s%s\n", start, end,
                (long long)(b->end - b->start), (unsigned long)b->samples, some, full,
                (unsigned long long)b->oom_kills, why[0] ? why : "-", b->open ? " (open)" : "");
    }
}

static struct cell peak_cell(int32_t peak)
{
    return peak < 0 ? cell_null() : cell_fixed2(peak / 100.0);
}

static void write_table(const struct render_ctx *ctx, int json, const struct burst_set *set)
{
    static const char *const cols[] = { "start_local", "start", "end_local", "end", "seconds",
                                        "samples", "peak_some_avg10", "peak_full_avg10",
                                        "oom_kills", "woken_by", "open" };
    struct table t;
    table_begin(&t, ctx, json, "bursts", cols, (int)(sizeof cols / sizeof cols[0]));
    for (size_t i = 0; i < set->n; i++) {
        const struct burst *b = &set->items[i];
        char why[BURST_WHY_MAX];
        burst_why_text(b->why, why);
        struct cell cells[] = {
            cell_local_time(b->start), cell_int(b->start), cell_local_time(b->end),
            cell_int(b->end), cell_int(b->end - b->start), cell_uint(b->samples),
            peak_cell(b->peak_some_avg10), peak_cell(b->peak_full_avg10),
            cell_uint(b->oom_kills), cell_str(why), cell_int(b->open),
        };
        table_row(&t, cells);
    }
    table_end(&t);
}

int list_bursts(const struct report_opts *o)
{
    static struct series sr;   /* only its host, for the JSON's "host" */
    struct burst_set set = { 0 };
    const char *file = o->file ? o->file : DEFAULT_ARCHIVE_DIR;
    struct report_opts with_file = *o;
    with_file.file = file;
    if (o->format != FMT_SAR && o->format != FMT_CSV && o->format != FMT_JSON) {
        fprintf(stderr, "%s: --bursts: in the sar (text), csv or json format\n", progname);
        return 1;
    }
    int status = collect(&with_file, &set, &sr.host, &sr.have_host);
    if (status != 0) {
        free(set.items);
        return status;
    }
    if (set.n > 1)
        qsort(set.items, set.n, sizeof *set.items, by_start);
    struct report_output out;
    if (output_open(&out, o->output) != 0) {
        free(set.items);
        return 2;
    }
    if (!set.n)
        say_empty_window();
    struct render_ctx ctx = { .sr = &sr, .out = out.stream };
    if (o->format == FMT_SAR)
        write_text(out.stream, &set);
    else
        write_table(&ctx, o->format == FMT_JSON, &set);
    free(set.items);
    return output_finish(&out, 0);
}
