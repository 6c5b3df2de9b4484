/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sar 12.6.1's text output for -r [ALL], -S, -W, -B and -H (pr_stats.c and
 * sar.c's file mode): banner, one block per output and segment with its
 * header line, rows and Average, LINUX RESTART between boots.
 * Beyond sar, when the render context asks for day marks (every report that
 * sar cannot make from one file: a directory's days, the process and NUMA
 * reports), a row whose local date is not the last banner's gets the banner
 * line again, with its date, and its header: rows of different days never
 * look alike.
 * With a colour palette (colour.h), each value and LINUX RESTART carry sar's
 * escape sequences, in sar's places: a human unit or '%' after the reset.
 */
#include <string.h>

#include "colour.h"
#include "render.h"
#include "sar_text.h"
#include "textsafe.h"


void sar_time_string(const struct render_ctx *ctx, const struct rec *r, char *buf, size_t cap)
{
    struct tm t;
    rec_time(r, &ctx->time, &t);
    if (strftime(buf, cap, ctx->iso ? "%H:%M:%S" : "%X", &t) == 0)
        buf[0] = '\0';
}

/* The date a banner shows for the instant TS: local, or with -t the
 * collector's (UTC_OFFSET), as sar takes it from the file header. */
static void banner_date(const struct render_ctx *ctx, int64_t ts, int32_t utc_offset, struct tm *t)
{
    time_t when = (time_t)ts;
    if (ctx->time.true_time) {
        when = (time_t)(ts + utc_offset);
        gmtime_r(&when, t);
    } else {
        localtime_r(&when, t);
    }
}

static long day_number(const struct render_ctx *ctx, int64_t ts, int32_t utc_offset)
{
    struct tm t;
    banner_date(ctx, ts, utc_offset, &t);
    return (t.tm_year + 1900L) * 10000 + (t.tm_mon + 1) * 100 + t.tm_mday;
}

static void date_string(const struct render_ctx *ctx, const struct tm *t, char *buf, size_t cap)
{
    if (strftime(buf, cap, ctx->iso ? "%Y-%m-%d" : "%x", t) == 0)
        buf[0] = '\0';
}

void sar_banner(const struct render_ctx *ctx, int64_t ts, int32_t utc_offset, int ncpu)
{
    const struct host_facts *h = &ctx->sr->host;
    struct tm t;
    banner_date(ctx, ts, utc_offset, &t);
    char date[64];
    date_string(ctx, &t, date, sizeof date);
    char sys[65], rel[65], node[65], mach[65];   /* an archive's bytes: textsafe.h */
    fprintf(ctx->out, "%s %s (%s) \t%s \t_%s_\t(%d CPU)\n", text_safe(h->sysname, sys, sizeof sys),
            text_safe(h->release, rel, sizeof rel), text_safe(h->nodename, node, sizeof node), date,
            text_safe(h->machine, mach, sizeof mach), ncpu > 0 ? ncpu : 1);
}

long sar_banner_day(const struct render_ctx *ctx)
{
    return day_number(ctx, ctx->file_ts, ctx->file_utc_offset);
}

int sar_day_change(const struct render_ctx *ctx, long *day, const struct rec *r)
{
    long now = day_number(ctx, r->ts, r->utc_offset);
    if (!ctx->mark_days || now == *day)
        return 0;
    *day = now;
    fputc('\n', ctx->out);
    sar_banner(ctx, r->ts, r->utc_offset, ctx->sr->host.ncpu);
    return 1;
}

void sar_when(const struct render_ctx *ctx, const struct rec *r, int with_date, char *buf,
              size_t cap)
{
    size_t n = 0;
    if (with_date) {
        struct tm t;
        banner_date(ctx, r->ts, r->utc_offset, &t);
        date_string(ctx, &t, buf, cap);
        n = strlen(buf);
        if (n + 1 < cap)
            buf[n++] = ' ';
    }
    sar_time_string(ctx, r, buf + n, cap - n);
}

int sar_same_day(const struct render_ctx *ctx, const struct rec *a, const struct rec *b)
{
    return day_number(ctx, a->ts, a->utc_offset) == day_number(ctx, b->ts, b->utc_offset);
}

void sar_header(const struct render_ctx *ctx, const char *time, enum output out)
{
    const struct column *cols;
    int n = output_columns(out, ctx->mem_all, &cols);
    fprintf(ctx->out, "\n%-11s", time);
    for (int i = 0; i < n; i++)
        fprintf(ctx->out, " %9s", cols[i].sar);
    fputc('\n', ctx->out);
}

/* sar's cprintf_unit(): kB divided by 1024 while >= 1024, past petabytes
 * '?' as the unit.  sar leaves a negative value (its unclamped kbmemused
 * Average) in kB; memtrail's own signed figures scale their magnitude
 * (SCALE_NEGATIVE). */
static void print_unit(const struct render_ctx *ctx, double kb, int width, int scale_negative,
                       const char *colour_off)
{
    static const char units[] = "kMGTP";
    int negative = kb < 0 && scale_negative;
    double size = negative ? -kb : kb;
    int unit = 0;
    while (size >= 1024) {
        size /= 1024;
        unit++;
    }
    fprintf(ctx->out, " %*.*f%s%c", width - 1, ctx->dec == 0 ? 0 : 1, negative ? -size : size,
            colour_off, unit < (int)sizeof units - 1 ? units[unit] : '?');
}

void sar_kb(const struct render_ctx *ctx, double kb, int width, int plain_decimals)
{
    const char *off = ctx->sgr ? ctx->sgr->normal : "";
    if (ctx->sgr)   /* pidstat's cprintf_u64: zero is the integer zero */
        fputs(sgr_for_count(ctx->sgr, kb >= 1 ? (unsigned long long)kb : 0), ctx->out);
    if (ctx->human)
        print_unit(ctx, kb, width, 1, off);
    else
        fprintf(ctx->out, " %*.*f%s", width, plain_decimals, kb, off);
}

/* The escape sequence sar puts before V: none without a palette. */
static const char *value_colour(const struct render_ctx *ctx, const struct value *v, int decimals)
{
    if (!ctx->sgr)
        return "";
    switch (v->type) {
    case VT_KB:
        return sgr_for_count(ctx->sgr, (unsigned long long)v->u);
    case VT_KB_AVG:   /* sar prints these with 0 decimals, --dec or not */
        return sgr_for_decimal(ctx->sgr, v->d, 0);
    case VT_PCT:
        return sgr_for_percent(ctx->sgr, v->d, ctx->human ? (ctx->dec == 0 ? 0 : 1) : decimals);
    default:
        return sgr_for_decimal(ctx->sgr, v->d, decimals);
    }
}

void sar_value(const struct render_ctx *ctx, const struct value *v)
{
    int decimals = ctx->dec < 0 || ctx->dec > 2 ? 2 : ctx->dec;
    const char *off = ctx->sgr ? ctx->sgr->normal : "";
    fputs(value_colour(ctx, v, decimals), ctx->out);
    switch (v->type) {
    case VT_KB:
        if (ctx->human)
            print_unit(ctx, (double)v->u, 9, 0, off);
        else   /* exact, also for a wrapped unsigned value as sar prints it */
            fprintf(ctx->out, " %9llu%s", (unsigned long long)v->u, off);
        break;
    case VT_KB_AVG:
        if (ctx->human)
            print_unit(ctx, v->d, 9, 0, off);
        else
            fprintf(ctx->out, " %9.0f%s", v->d, off);
        break;
    case VT_PCT:
        if (ctx->human)
            fprintf(ctx->out, " %8.*f%s%%", ctx->dec == 0 ? 0 : 1, v->d, off);
        else
            fprintf(ctx->out, " %9.*f%s", decimals, v->d, off);
        break;
    case VT_RATE:
        fprintf(ctx->out, " %9.*f%s", decimals, v->d, off);
        break;
    }
}

void sar_row(const struct render_ctx *ctx, const char *time, const struct value *vals, int n)
{
    fprintf(ctx->out, "%-11s", time);
    for (int i = 0; i < n; i++)
        sar_value(ctx, &vals[i]);
    fputc('\n', ctx->out);
}

void sar_restart(const struct render_ctx *ctx, const struct rec *r)
{
    char time[64];
    sar_time_string(ctx, r, time, sizeof time);
    /* sar colours the whole message, its newline included */
    fprintf(ctx->out, "\n%-11s%s  LINUX RESTART\t(%d CPU)\n%s", time, ctx->sgr ? ctx->sgr->restart : "",
            r->ncpu > 0 ? r->ncpu : 1, ctx->sgr ? ctx->sgr->normal : "");
}

/* The Average row of OUT: a rate over the whole span, or sar's level means. */
int sar_average_values(const struct render_ctx *ctx, enum output out, const struct rec *ref,
                       const struct rec *last, const struct level_sums *sums,
                       struct value *vals)
{
    if (output_is_rate(out))
        return output_row(out, ctx->mem_all, ref, last, vals);
    if (out == OUT_PSI)
        return psi_average(sums, ref, last, vals);
    return level_average(out, ctx->mem_all, sums, last, vals);
}

/* One output's block of one segment, as handle_curr_act_stats() prints it. */
static void render_block(const struct render_ctx *ctx, const struct event *seg, enum output out,
                         long *day)
{
    const struct series *sr = ctx->sr;
    const struct selection *sel = ctx->sel;
    struct level_sums sums;
    struct value vals[MAX_COLUMNS];
    char time[64], prev_time[64];
    int lines = 0, dish = 1;
    memset(&sums, 0, sizeof sums);
    const struct rec *last = NULL;
    for (size_t j = 0; j < seg->nrows; j++) {
        const struct rec *curr = &sr->recs[sel->rows[seg->first_row + j]];
        const struct rec *prev = &sr->recs[row_prev(sel, seg, j)];
        if (!output_recorded(out, prev, curr))
            continue;
        last = curr;
        dish = lines == 0 || lines >= ctx->rows;
        if (sar_day_change(ctx, day, curr))
            dish = 1;
        if (dish) {
            lines = 0;
            sar_time_string(ctx, prev, prev_time, sizeof prev_time);
            sar_header(ctx, prev_time, out);
        }
        sar_time_string(ctx, curr, time, sizeof time);
        int n = output_row(out, ctx->mem_all, prev, curr, vals);
        sar_row(ctx, time, vals, n);
        level_sums_add(&sums, curr);
        lines++;
    }
    if (!last)
        return;   /* nothing of OUT recorded in this segment */
    if (!seg->ended_by_count)
        dish = lines >= ctx->rows;
    if (dish)
        sar_header(ctx, ctx->avg_label, out);
    int n = sar_average_values(ctx, out, &sr->recs[seg->ref], last, &sums, vals);
    sar_row(ctx, ctx->avg_label, vals, n);
}

void sar_text_walk(const struct render_ctx *ctx, sar_segment_fn segment, void *arg)
{
    const struct series *sr = ctx->sr;
    sar_banner(ctx, ctx->file_ts, ctx->file_utc_offset, sr->host.ncpu);
    long day = sar_banner_day(ctx);
    for (size_t e = 0; e < ctx->sel->nevents; e++) {
        const struct event *ev = &ctx->sel->events[e];
        if (ev->kind == EV_RESTART) {
            sar_day_change(ctx, &day, &sr->recs[ev->rec]);
            sar_restart(ctx, &sr->recs[ev->rec]);
        } else {
            segment(ev, &day, arg);
        }
    }
}

/* One segment's blocks, one per output asked for. */
static void sar_segment(const struct event *ev, long *day, void *arg)
{
    const struct render_ctx *ctx = arg;
    if (ev->nrows == 0)
        return;
    for (int out = 0; out < OUT_COUNT; out++)
        if (ctx->outputs & (1u << out))
            render_block(ctx, ev, (enum output)out, day);
}

int render_sar(const struct render_ctx *ctx)
{
    sar_text_walk(ctx, sar_segment, (void *)ctx);
    return 0;
}
