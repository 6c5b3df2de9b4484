/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * memreport --oom: OOM kills per interval, in the shape of sar -B (sar has
 * no such activity): the delta of the kernel's own oom_kill counter
 * (/proc/vmstat, kernel >= 4.13) between each row and the one before it,
 * which counts every kill whether or not the kernel log could be read, and
 * beside it the kills whose victim the kernel log named (--events).
 *
 * Text layout (memtrail's own): sar's banner, then sar's row shape:
 *   "%-11s" time, " %9s" oomkill/s, kills, victims
 * kills and victims are counts in the row's interval, oomkill/s the kills
 * over its seconds (uptime, as sar's rates); "-" where a sample lacks the
 * counter.  Restarts as sar prints them.  The Average line: the rate over
 * every row's seconds, and the mean counts per row.
 * CSV/JSON: the sample's columns, then oom_kill (the interval's count),
 * oom_kill_per_s, victims, kmsg_read (0/1) and kmsg_lost.
 */
#include <stdlib.h>
#include <string.h>

#include "oomcount.h"
#include "oomlog.h"
#include "sar_text.h"

struct interval {
    int known;                 /* both samples recorded the counter, in one boot */
    uint64_t kills;
    double per_s, seconds;
    unsigned long victims;
    const struct oom_mark *mark;   /* the row's sample */
};

static unsigned long victims_between(const struct oom_log *log, int64_t after, int64_t upto)
{
    unsigned long n = 0;
    for (size_t i = 0; i < log->nkills; i++)
        n += log->kills[i].sample_ts > after && log->kills[i].sample_ts <= upto;
    return n;
}

static struct interval measure(const struct proc_report *r, const struct rec *prev,
                               const struct rec *cur)
{
    struct interval iv = { 0 };
    const struct oom_mark *a = oom_log_mark(r->oom, prev->ts);
    iv.mark = oom_log_mark(r->oom, cur->ts);
    iv.seconds = cur->uptime_cs > prev->uptime_cs ? (double)(cur->uptime_cs - prev->uptime_cs) / 100 : 0;
    iv.victims = victims_between(r->oom, prev->ts, cur->ts);
    if (a && iv.mark && a->has_counter && iv.mark->has_counter && prev->boot == cur->boot) {
        iv.known = 1;
        iv.kills = iv.mark->counter >= a->counter ? iv.mark->counter - a->counter : 0;
        iv.per_s = iv.seconds > 0 ? (double)iv.kills / iv.seconds : 0;
    }
    return iv;
}

static void text_row(const struct render_ctx *ctx, const char *time, const struct interval *iv)
{
    if (iv->known)
        fprintf(ctx->out, "%-11s %9.2f %9llu %9lu\n", time, iv->per_s,
                (unsigned long long)iv->kills, iv->victims);
    else
        fprintf(ctx->out, "%-11s %9s %9s %9lu\n", time, "-", "-", iv->victims);
}

static int render_text(const struct proc_report *r)
{
    const struct render_ctx *ctx = r->ctx;
    const struct selection *sel = ctx->sel;
    char time[64];
    double seconds = 0;
    unsigned long long kills = 0, victims = 0;
    unsigned long rows = 0, known = 0;
    sar_banner(ctx, ctx->file_ts, ctx->file_utc_offset, ctx->sr->host.ncpu);
    for (size_t e = 0; e < sel->nevents; e++) {
        const struct event *ev = &sel->events[e];
        if (ev->kind == EV_RESTART) {
            sar_restart(ctx, &ctx->sr->recs[ev->rec]);
            continue;
        }
        sar_time_string(ctx, &ctx->sr->recs[ev->ref], time, sizeof time);
        fprintf(ctx->out, "\n%-11s %9s %9s %9s\n", time, "oomkill/s", "kills", "victims");
        for (size_t j = 0; j < ev->nrows; j++) {
            const struct rec *cur = &ctx->sr->recs[sel->rows[ev->first_row + j]];
            struct interval iv = measure(r, &ctx->sr->recs[row_prev(sel, ev, j)], cur);
            sar_time_string(ctx, cur, time, sizeof time);
            text_row(ctx, time, &iv);
            rows++;
            victims += iv.victims;
            if (iv.known) {
                known++;
                kills += iv.kills;
                seconds += iv.seconds;
            }
        }
    }
    if (rows) {
        struct interval avg = { .known = known > 0 };
        if (known)
            fprintf(ctx->out, "%-11s %9.2f %9.2f %9.2f\n", ctx->avg_label,
                    seconds > 0 ? (double)kills / seconds : 0, (double)kills / (double)known,
                    (double)victims / (double)rows);
        else
            text_row(ctx, ctx->avg_label, &avg);
    }
    if (rows && !known)
        fprintf(ctx->out, "\nThe kernel's oom_kill counter (/proc/vmstat, kernel 4.13 and "
                          "later) was not recorded in this window.\n");
    return 0;
}

static const char *const own_cols[] = {
    "oom_kill", "oom_kill_per_s", "victims", "kmsg_read", "kmsg_lost",
};
#define OWN_NCOLS (sizeof own_cols / sizeof *own_cols)

static int render_table(const struct proc_report *r)
{
    const struct render_ctx *ctx = r->ctx;
    const struct selection *sel = ctx->sel;
    enum { SAMPLE = 0, OWN = SAMPLE_NCOLS, NCOLS = OWN + OWN_NCOLS };
    static const char *const sample_cols[SAMPLE_NCOLS] = { SAMPLE_COLS };
    const char *cols[NCOLS];
    memcpy(cols + SAMPLE, sample_cols, sizeof sample_cols);
    memcpy(cols + OWN, own_cols, sizeof own_cols);
    struct table t;
    table_begin(&t, ctx, r->po->json, "oom", cols, NCOLS);
    for (size_t e = 0; e < sel->nevents; e++) {
        const struct event *ev = &sel->events[e];
        for (size_t j = 0; ev->kind == EV_SEGMENT && j < ev->nrows; j++) {
            size_t k = sel->rows[ev->first_row + j], prev = row_prev(sel, ev, j);
            struct interval iv = measure(r, &ctx->sr->recs[prev], &ctx->sr->recs[k]);
            struct cell c[NCOLS];
            char iso[48];
            sample_cells(ctx->sr, prev, k, iso, sizeof iso, c + SAMPLE);
            c[OWN] = iv.known ? cell_uint(iv.kills) : cell_null();
            c[OWN + 1] = iv.known ? cell_fixed2(iv.per_s) : cell_null();
            c[OWN + 2] = cell_uint(iv.victims);
            c[OWN + 3] = cell_int(iv.mark && iv.mark->kmsg_read);
            c[OWN + 4] = iv.mark && iv.mark->kmsg_read ? cell_uint(iv.mark->lost) : cell_null();
            table_row(&t, c);
        }
    }
    table_end(&t);
    return 0;
}

int render_oom(const struct proc_report *r)
{
    return r->po->text ? render_text(r) : render_table(r);
}
