/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sadf -d's output (semicolon-separated, one section per output and
 * segment, UTC times), byte for byte as sysstat 12.6.1's sadf prints it for
 * the same records.
 */
#include <string.h>

#include "sadf.h"
#include "textsafe.h"


static void utc_string(int64_t ts, char *buf, size_t cap)
{
    time_t t = (time_t)ts;
    struct tm tm;
    gmtime_r(&t, &tm);
    if (strftime(buf, cap, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
        buf[0] = '\0';
}

static void section(const struct render_ctx *ctx, const struct event *seg, enum output out)
{
    const struct column *cols;
    int ncols = output_columns(out, ctx->mem_all, &cols);
    fputs("# hostname;interval;timestamp", ctx->out);
    for (int i = 0; i < ncols; i++)
        fprintf(ctx->out, ";%s", cols[i].sar);
    fputc('\n', ctx->out);
    for (size_t j = 0; j < seg->nrows; j++) {
        const struct rec *curr = &ctx->sr->recs[ctx->sel->rows[seg->first_row + j]];
        const struct rec *prev = &ctx->sr->recs[row_prev(ctx->sel, seg, j)];
        struct value vals[MAX_COLUMNS];
        char when[64], node[65];
        int n = output_row(out, ctx->mem_all, prev, curr, vals);
        utc_string(curr->ts, when, sizeof when);
        fprintf(ctx->out, "%s;%ld;%s", text_safe(ctx->sr->host.nodename, node, sizeof node),
                interval_seconds(prev, curr), when);
        print_plain_values(ctx->out, ';', vals, n);
        fputc('\n', ctx->out);
    }
}

int render_sadf(const struct render_ctx *ctx)
{
    for (size_t e = 0; e < ctx->sel->nevents; e++) {
        const struct event *ev = &ctx->sel->events[e];
        if (ev->kind == EV_RESTART) {
            const struct rec *r = &ctx->sr->recs[ev->rec];
            char when[64], node[65];
            utc_string(r->ts, when, sizeof when);
            fprintf(ctx->out, "%s;-1;%s;LINUX-RESTART\t(%d CPU)\n",
                    text_safe(ctx->sr->host.nodename, node, sizeof node), when, r->ncpu > 0 ? r->ncpu : 1);
            continue;
        }
        for (int out = 0; out < OUT_COUNT; out++)
            if (ctx->outputs & (1u << out))
                section(ctx, ev, (enum output)out);
    }
    return 0;
}
