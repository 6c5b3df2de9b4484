/*
 * memreport --at TIME: the sample nearest TIME (an instant, or a time of day
 * as -s takes it, compared with the time column as sar shows it; a tie goes
 * to the earlier sample), among the samples the window options select.
 * Text: sar's banner, the sample's time, a system summary line
 *   "%-11s" time, " %10s" kbmemtotal kbavail kbswpused %swpused
 * then its largest processes in pidstat -r's layout (rates since the
 * previous sample of the same boot) and every node in --numa's layout.
 * CSV/JSON: one table, a row per process and per node, column "kind"
 * ("process" or "node") first, then the sample's columns and the
 * process's or the node's (the other kind's columns empty / left out).
 */
#include <stdlib.h>
#include <string.h>

#include "procview.h"
#include "sar_text.h"

static long distance(const struct proc_report *r, size_t k)
{
    const struct tstamp *at = &r->po->at;
    const struct rec *rec = &r->ctx->sr->recs[k];
    if (at->absolute) {
        int64_t d = rec->ts - at->epoch;
        return (long)(d < 0 ? -d : d);
    }
    struct tm t;
    rec_time(rec, &r->ctx->time, &t);
    long d = labs((t.tm_hour * 3600L + t.tm_min * 60 + t.tm_sec) -
                  (at->hour * 3600L + at->min * 60 + at->sec));
    return d > 43200 ? 86400 - d : d;
}

#define SYS_NCOLS 4
static const char *const sys_cols[SYS_NCOLS] = {
    "mem_total_kb", "mem_available_kb", "swap_total_kb", "swap_used_kb",
};

int render_at(const struct proc_report *r)
{
    const struct render_ctx *ctx = r->ctx;
    const struct series *sr = ctx->sr;
    const struct pstore *ps = r->ps;
    size_t *w;
    long nw = window_records(ctx->sel, &w);
    if (nw < 0)
        return 2;
    if (nw == 0) {
        free(w);
        fprintf(stderr, "%s: --at: no sample in the selected window\n", "memreport");
        return 1;
    }
    size_t k = w[0];
    for (long i = 1; i < nw; i++)
        if (distance(r, w[i]) < distance(r, k))
            k = w[i];
    free(w);
    size_t prev = k > 0 ? k - 1 : k;
    const struct rec *rec = &sr->recs[k];
    uint64_t swap_used = rec->mem[M_SWAPTOTAL] >= rec->mem[M_SWAPFREE]
                             ? rec->mem[M_SWAPTOTAL] - rec->mem[M_SWAPFREE] : 0;
    size_t *ranked = malloc((ps->samples[k].n + 1) * sizeof *ranked);
    if (!ranked)
        return 2;
    size_t nprocs = ps->samples[k].scanned ? proc_ranked(r->po, ps, k, ranked) : 0;
    const struct pnode *nodes[NODES_MAX * 4];
    size_t nnodes = nodes_shown(r, k, nodes, sizeof nodes / sizeof *nodes);

    if (r->po->text) {
        char time[64], iso[48];
        sar_banner(ctx, rec->ts, rec->utc_offset, sr->host.ncpu);
        proc_time(r, k, time, sizeof time);
        iso_local(rec->ts, iso, sizeof iso);
        fprintf(ctx->out, "\nSample nearest the time asked: %s\n", iso);
        fprintf(ctx->out, "\n%-11s %10s %10s %10s %10s\n", time, "kbmemtotal", "kbavail",
                "kbswpused", "%swpused");
        fprintf(ctx->out, "%-11s", time);
        sar_kb(ctx, (double)rec->mem[M_TOTAL], 10, 0);
        sar_kb(ctx, (double)rec->mem[M_AVAIL], 10, 0);
        sar_kb(ctx, (double)swap_used, 10, 0);
        fprintf(ctx->out, " %10.2f\n",
                rec->mem[M_SWAPTOTAL] ? (double)swap_used * 100 / (double)rec->mem[M_SWAPTOTAL] : 0);
        if (!ps->samples[k].scanned)
            fprintf(ctx->out, "\nNo process data was recorded in this sample.\n");
        else if (nprocs)
            proc_text_header(r, time);
        for (size_t q = 0; q < nprocs; q++) {
            const struct pentry *e = &ps->entries[ranked[q]];
            double minflt_s, majflt_s;
            proc_rates(ps, sr, prev, k, e, &minflt_s, &majflt_s);
            proc_text_row(r, time, &ps->ids[e->ident], minflt_s, majflt_s, (double)e->vsz_kb,
                          (double)e->rss_kb,
                          rec->mem[M_TOTAL] ? (double)e->rss_kb * 100 / (double)rec->mem[M_TOTAL] : 0);
        }
        if (nnodes) {
            node_text_header(r, time);
        } else {
            fputc('\n', ctx->out);
            numa_missing(r, ctx->out);
        }
        for (size_t q = 0; q < nnodes; q++)
            node_text_row(r, time, prev, k, nodes[q]);
        free(ranked);
        return 0;
    }

    enum { KIND = 0, SAMPLE = 1, SYS = SAMPLE + SAMPLE_NCOLS, PROC = SYS + SYS_NCOLS,
           NODE = PROC + PROC_NCOLS, NCOLS = NODE + NODE_NCOLS };
    static const char *const sample_cols[SAMPLE_NCOLS] = { SAMPLE_COLS };
    const char *cols[NCOLS];
    cols[KIND] = "kind";
    memcpy(cols + SAMPLE, sample_cols, sizeof sample_cols);
    memcpy(cols + SYS, sys_cols, sizeof sys_cols);
    memcpy(cols + PROC, proc_cols, sizeof proc_cols);
    memcpy(cols + NODE, node_cols, sizeof node_cols);
    struct table t;
    table_begin(&t, ctx, r->po->json, "at", cols, NCOLS);
    for (size_t q = 0; q < nprocs + nnodes; q++) {
        struct cell c[NCOLS];
        char iso[48];
        memset(c, 0, sizeof c);   /* CELL_NONE */
        c[KIND] = cell_str(q < nprocs ? "process" : "node");
        sample_cells(sr, prev, k, iso, sizeof iso, c + SAMPLE);
        c[SYS] = cell_uint(rec->mem[M_TOTAL]);
        c[SYS + 1] = cell_uint(rec->mem[M_AVAIL]);
        c[SYS + 2] = cell_uint(rec->mem[M_SWAPTOTAL]);
        c[SYS + 3] = cell_uint(swap_used);
        if (q < nprocs)
            proc_cells(r, prev, k, &ps->entries[ranked[q]], c + PROC);
        else
            node_cells(r, prev, k, nodes[q - nprocs], c + NODE);
        table_row(&t, c);
    }
    table_end(&t);
    free(ranked);
    return 0;
}
