/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Live mode (sar.c's read_stats): the collector's own readers take a sample
 * every interval; each is printed against the one before, and the Average
 * covers everything since the first.  With more than one output every
 * sample repeats every header, as sar does.
 */
#define _GNU_SOURCE
#include "live.h"

#include <errno.h>
#include <libintl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "sar_text.h"
#include "sysread.h"
#include "util.h"

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
    (void)sig;
    interrupted = 1;
}

static int take(struct rec *r, int ncpu)
{
    static struct sample s;
    char err[256];
    if (read_sample(&s, err, sizeof err) != 0) {
        report_error("cannot take a sample", err);
        return -1;
    }
    rec_from_sample(&s, ncpu, r);
    return 0;
}

static int output_count(unsigned outputs)
{
    int n = 0;
    for (int out = 0; out < OUT_COUNT; out++)
        n += (outputs >> out) & 1;
    return n;
}

static void print_outputs(const struct render_ctx *ctx, const struct rec *prev,
                          const struct rec *curr, int dish, struct level_sums *sums)
{
    char prev_time[64], time[64];
    struct value vals[MAX_COLUMNS];
    sar_time_string(ctx, prev, prev_time, sizeof prev_time);
    sar_time_string(ctx, curr, time, sizeof time);
    for (int out = 0; out < OUT_COUNT; out++) {
        if (!(ctx->outputs & (1u << out)))
            continue;
        if (dish)
            sar_header(ctx, prev_time, (enum output)out);
        int n = output_row((enum output)out, ctx->mem_all, prev, curr, vals);
        sar_row(ctx, time, vals, n);
    }
    if (sums)
        level_sums_add(sums, curr);
}

static void print_averages(const struct render_ctx *ctx, const struct rec *first,
                           const struct rec *last, const struct level_sums *sums, int dish)
{
    struct value vals[MAX_COLUMNS];
    for (int out = 0; out < OUT_COUNT; out++) {
        if (!(ctx->outputs & (1u << out)))
            continue;
        if (dish)
            sar_header(ctx, ctx->avg_label, (enum output)out);
        int n = sar_average_values(ctx, (enum output)out, first, last, sums, vals);
        sar_row(ctx, ctx->avg_label, vals, n);
    }
}

/* sar -r 0: one row against a zero record at boot, no Average. */
static int since_boot(const struct render_ctx *ctx, const struct rec *now)
{
    struct rec boot;
    memset(&boot, 0, sizeof boot);
    boot.ts = now->ts;
    boot.utc_offset = now->utc_offset;
    print_outputs(ctx, &boot, now, 1, NULL);
    return 0;
}

static int sleep_until(const struct timespec *start, long n, long interval)
{
    struct timespec at = *start;
    at.tv_sec += (time_t)(n * interval);
    while (!interrupted) {
        int rc = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &at, NULL);
        if (rc == 0)
            return 1;
        if (rc != EINTR)
            return 0;
    }
    return 0;
}

int live_run(struct render_ctx *ctx, const struct window *w, long interval, long count)
{
    static struct series sr;
    static struct rec recs[3];   /* [0] the first sample, then [1] and [2] in turn */
    read_host_facts(&sr.host, time(NULL));
    ctx->sr = &sr;
    ctx->time = w->time;
    if (take(&recs[0], sr.host.ncpu) != 0)
        return 2;
    if (!recs[0].psi.available)   /* a kernel without PSI: no pressure to show, not zeros */
        ctx->outputs &= ~(1u << OUT_PSI);
    if (!ctx->outputs) {
        fputs(dgettext("sysstat", "Requested activities not available\n"), stderr);
        return 1;
    }
    sar_banner(ctx, recs[0].ts, recs[0].utc_offset, sr.host.ncpu);
    if (interval == 0)
        return since_boot(ctx, &recs[0]);

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigaction(SIGINT, &sa, NULL);

    int several = output_count(ctx->outputs) > 1;
    struct level_sums sums;
    memset(&sums, 0, sizeof sums);
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    const struct rec *prev = &recs[0], *last = NULL;
    long lines = ctx->rows;
    for (long n = 1; (count == 0 || n <= count) && !ferror(ctx->out); n++) {
        if (!sleep_until(&start, n, interval))
            break;
        struct rec *curr = &recs[1 + (n & 1)];
        if (take(curr, sr.host.ncpu) != 0)
            return 2;
        struct tm shown;
        rec_time(curr, &w->time, &shown);
        if (w->end.use && datecmp_rec(curr, &shown, &w->end, 0) > 0)
            break;
        int dish = several;
        if (!several) {
            dish = lines / ctx->rows != 0;
            if (dish)
                lines %= ctx->rows;
            lines++;
        }
        print_outputs(ctx, prev, curr, dish, &sums);
        prev = last = curr;
    }
    if (interrupted)
        fputc('\n', ctx->out);
    if (last)
        print_averages(ctx, &recs[0], last, &sums, several);
    return 0;
}
