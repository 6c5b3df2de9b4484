/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * CSV for spreadsheets (RFC 4180: comma, CRLF, one header row): one row per
 * sample shown, with the selected outputs' columns side by side, an ISO 8601
 * local timestamp with its UTC offset, the same local time without the
 * offset (local_time, which a spreadsheet reads as a date-time), and the epoch.  Numbers always use a
 * '.' decimal point whatever the locale, so the file opens as is anywhere.
 */
#include <string.h>

#include "csv.h"
#include "table.h"

static void header(const struct render_ctx *ctx)
{
    fputs("timestamp,local_time,epoch,interval,restart", ctx->out);
    for (int out = 0; out < OUT_COUNT; out++) {
        if (!(ctx->outputs & (1u << out)))
            continue;
        const struct column *cols;
        int n = output_columns((enum output)out, ctx->mem_all, &cols);
        for (int i = 0; i < n; i++)
            fprintf(ctx->out, ",%s", cols[i].sar);
    }
    fputs("\r\n", ctx->out);
}

static void row(const struct render_ctx *ctx, const struct rec *prev, const struct rec *curr,
                int after_restart)
{
    char when[48], local[32];
    iso_local(curr->ts, when, sizeof when);
    spreadsheet_time(curr->ts, local, sizeof local);
    fprintf(ctx->out, "%s,%s,%lld,%ld,%d", when, local, (long long)curr->ts,
            interval_seconds(prev, curr), after_restart);
    for (int out = 0; out < OUT_COUNT; out++) {
        if (!(ctx->outputs & (1u << out)))
            continue;
        struct value vals[MAX_COLUMNS];
        if (!output_recorded((enum output)out, prev, curr)) {   /* empty cells, not 0 */
            const struct column *cols;
            for (int i = output_columns((enum output)out, ctx->mem_all, &cols); i > 0; i--)
                fputc(',', ctx->out);
            continue;
        }
        int n = output_row((enum output)out, ctx->mem_all, prev, curr, vals);
        print_plain_values(ctx->out, ',', vals, n);
    }
    fputs("\r\n", ctx->out);
}

int render_csv(const struct render_ctx *ctx)
{
    const struct selection *sel = ctx->sel;
    int after_restart = 0;
    header(ctx);
    for (size_t e = 0; e < sel->nevents && !ferror(ctx->out); e++) {   /* output.h */
        const struct event *ev = &sel->events[e];
        if (ev->kind == EV_RESTART) {
            after_restart = 1;
            continue;
        }
        for (size_t j = 0; j < ev->nrows; j++) {
            row(ctx, &ctx->sr->recs[row_prev(sel, ev, j)],
                &ctx->sr->recs[sel->rows[ev->first_row + j]], after_restart);
            after_restart = 0;
        }
    }
    return 0;
}
