/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * memreport --numa [ALL|n,m] (-N): per-node rows in sar's layout, like sar's
 * per-device activities: for each sample a blank line and the header
 * ("%-11s" time, " %9s" each column), one row per node ("%-11s" time,
 * " %9d" node, then sar's value formats: " %9llu" kB, " %9.2f" percent and
 * rates, --human and --dec as in sar -r), and per segment the Average block
 * with one line per node: mean levels (" %9.0f"), %memused of the mean
 * used over the mean total, rates over the whole span.  A sample of another
 * local date than the banner's gets the banner line again, with its date.
 * Sizes are kB; numa_hit/s ... other/s are numastat counters, in pages, per
 * second of uptime between samples.  A node missing from the previous
 * sample, or a counter that went back, gives 0.00.
 */
#include <stdlib.h>
#include <string.h>

#include "numaview.h"
#include "sar_text.h"

static const char *const text_cols[] = {
    "NODE", "kbmemfree", "kbmemused", "%memused", "kbfilepg", "kbanonpg", "kbslab", "kbshmem",
    "numa_hit/s", "numa_miss/s", "numa_foreign/s", "local/s", "other/s",
};
static const enum node_field rate_fields[] = { NF_HIT, NF_MISS, NF_FOREIGN, NF_LOCAL, NF_OTHER };
#define NRATES 5

const char *const node_cols[NODE_NCOLS] = {
    "node", "memtotal_kb", "memfree_kb", "memused_kb", "memused_pct", "filepg_kb", "anonpg_kb",
    "slab_kb", "node_shmem_kb", "numa_hit_s", "numa_miss_s", "numa_foreign_s", "local_s", "other_s",
};

static int node_wanted(const struct proc_opts *po, int id)
{
    if (po->nnodes == 0)
        return 1;
    for (int i = 0; i < po->nnodes; i++)
        if (po->nodes[i] == id)
            return 1;
    return 0;
}

size_t nodes_shown(const struct proc_report *r, size_t k, const struct pnode **out, size_t cap)
{
    const struct psample *sm = &r->ps->samples[k];
    size_t n = 0;
    for (size_t i = 0; i < sm->nnodes && n < cap; i++) {
        const struct pnode *nd = &r->ps->nodes[sm->node_first + i];
        if (node_wanted(r->po, nd->id))
            out[n++] = nd;
    }
    return n;
}

/* Pages per second of field F between node P in record PREV and N in K. */
static double node_rate(const struct proc_report *r, size_t prev, size_t k,
                        const struct pnode *p, const struct pnode *n, enum node_field f)
{
    const struct series *sr = r->ctx->sr;
    if (!p || prev >= k || r->ps->samples[prev].boot != r->ps->samples[k].boot ||
        sr->recs[k].uptime_cs <= sr->recs[prev].uptime_cs || n->v[f] < p->v[f])
        return 0;
    return (double)(n->v[f] - p->v[f]) * 100 / (double)(sr->recs[k].uptime_cs - sr->recs[prev].uptime_cs);
}

static uint64_t used_kb(const struct pnode *n)
{
    return n->total_kb >= n->free_kb ? n->total_kb - n->free_kb : 0;
}

void node_cells(const struct proc_report *r, size_t prev, size_t k, const struct pnode *n,
                struct cell *c)
{
    const struct pnode *p = pstore_node(r->ps, prev, n->id);
    c[0] = cell_int(n->id);
    c[1] = cell_uint(n->total_kb);
    c[2] = cell_uint(n->free_kb);
    c[3] = cell_uint(used_kb(n));
    c[4] = cell_fixed2(n->total_kb ? (double)used_kb(n) / (double)n->total_kb * 100 : 0);
    c[5] = cell_uint(n->v[NF_FILEPG]);
    c[6] = cell_uint(n->v[NF_ANONPG]);
    c[7] = cell_uint(n->v[NF_SLAB]);
    c[8] = cell_uint(n->v[NF_SHMEM]);
    for (int i = 0; i < NRATES; i++)
        c[9 + i] = cell_fixed2(node_rate(r, prev, k, p, n, rate_fields[i]));
}

void node_text_header(const struct proc_report *r, const char *time)
{
    fprintf(r->ctx->out, "\n%-11s", time);
    for (size_t i = 0; i < sizeof text_cols / sizeof *text_cols; i++)
        fprintf(r->ctx->out, " %9s", text_cols[i]);
    fputc('\n', r->ctx->out);
}

static void text_values(const struct proc_report *r, const char *time, int id,
                        const struct value *vals, int n)
{
    fprintf(r->ctx->out, "%-11s %9d", time, id);
    for (int i = 0; i < n; i++)
        sar_value(r->ctx, &vals[i]);
    fputc('\n', r->ctx->out);
}

void node_text_row(const struct proc_report *r, const char *time, size_t prev, size_t k,
                   const struct pnode *n)
{
    const struct pnode *p = pstore_node(r->ps, prev, n->id);
    struct value v[12];
    v[0] = (struct value){ .type = VT_KB, .u = n->free_kb };
    v[1] = (struct value){ .type = VT_KB, .u = used_kb(n) };
    v[2] = (struct value){ .type = VT_PCT,
                           .d = n->total_kb ? (double)used_kb(n) / (double)n->total_kb * 100 : 0 };
    for (int f = NF_FILEPG; f <= NF_SHMEM; f++)
        v[3 + f] = (struct value){ .type = VT_KB, .u = n->v[f] };
    for (int i = 0; i < NRATES; i++)
        v[7 + i] = (struct value){ .type = VT_RATE, .d = node_rate(r, prev, k, p, n, rate_fields[i]) };
    text_values(r, time, n->id, v, 12);
}

/* One node's sums over a segment, for its Average line. */
struct node_sum {
    int id;
    unsigned long count;
    double free_kb, used_kb, total_kb, v[4];
    size_t first_prev, first, last;   /* records for the rates over the span */
    const struct pnode *first_node;
};

static int by_node(const void *a, const void *b)
{
    int x = ((const struct node_sum *)a)->id, y = ((const struct node_sum *)b)->id;
    return x < y ? -1 : x > y;
}

static void average_block(const struct proc_report *r, struct node_sum *sums, size_t n)
{
    const struct series *sr = r->ctx->sr;
    const char *label = r->ctx->avg_label;
    qsort(sums, n, sizeof *sums, by_node);
    node_text_header(r, label);
    for (size_t i = 0; i < n; i++) {
        const struct node_sum *s = &sums[i];
        double c = (double)s->count;
        struct value v[12];
        v[0] = (struct value){ .type = VT_KB_AVG, .d = s->free_kb / c };
        v[1] = (struct value){ .type = VT_KB_AVG, .d = s->used_kb / c };
        v[2] = (struct value){ .type = VT_PCT, .d = s->total_kb ? s->used_kb / s->total_kb * 100 : 0 };
        for (int f = 0; f < 4; f++)
            v[3 + f] = (struct value){ .type = VT_KB_AVG, .d = s->v[f] / c };
        const struct pnode *from = pstore_node(r->ps, s->first_prev, s->id);
        const struct pnode *to = pstore_node(r->ps, s->last, s->id);
        uint64_t itv = sr->recs[s->last].uptime_cs - sr->recs[s->first_prev].uptime_cs;
        for (int k = 0; k < NRATES; k++) {
            enum node_field f = rate_fields[k];
            double rate = 0;
            if (from && to && itv && to->v[f] >= from->v[f])
                rate = (double)(to->v[f] - from->v[f]) * 100 / (double)itv;
            v[7 + k] = (struct value){ .type = VT_RATE, .d = rate };
        }
        text_values(r, label, s->id, v, 12);
    }
}

static int any_nodes(const struct proc_report *r)
{
    for (size_t i = 0; i < r->ps->nsamples; i++)
        if (r->ps->samples[i].nnodes)
            return 1;
    return 0;
}

void numa_missing(const struct proc_report *r, FILE *out)
{
    (void)r;
    fprintf(out, "No NUMA data was recorded in the selected samples.\n");
}

/* One segment's blocks of nodes, and their Average block. */
static void numa_segment(const struct event *ev, long *day, void *arg)
{
    const struct proc_report *r = arg;
    const struct selection *sel = r->ctx->sel;
    const struct pnode *shown[NODES_MAX * 4];
    char time[64];
    struct node_sum sums[NODES_MAX * 4];
    size_t nsums = 0;
    for (size_t j = 0; j < ev->nrows; j++) {
        size_t k = sel->rows[ev->first_row + j], prev = row_prev(sel, ev, j);
        size_t n = nodes_shown(r, k, shown, sizeof shown / sizeof *shown);
        if (!n)
            continue;
        sar_day_change(r->ctx, day, &r->ctx->sr->recs[k]);
        proc_time(r, prev, time, sizeof time);
        node_text_header(r, time);
        proc_time(r, k, time, sizeof time);
        for (size_t q = 0; q < n; q++) {
            const struct pnode *nd = shown[q];
            node_text_row(r, time, prev, k, nd);
            size_t s = 0;
            while (s < nsums && sums[s].id != nd->id)
                s++;
            if (s == nsums) {
                if (nsums == sizeof sums / sizeof *sums)
                    continue;
                memset(&sums[nsums], 0, sizeof sums[0]);
                sums[nsums].id = nd->id;
                sums[nsums++].first_prev = prev;
            }
            struct node_sum *sm = &sums[s];
            sm->count++;
            sm->free_kb += (double)nd->free_kb;
            sm->used_kb += (double)used_kb(nd);
            sm->total_kb += (double)nd->total_kb;
            for (int f = 0; f < 4; f++)
                sm->v[f] += (double)nd->v[f];
            sm->last = k;
        }
    }
    if (nsums)
        average_block(r, sums, nsums);
}

static int render_numa_text(const struct proc_report *r)
{
    sar_text_walk(r->ctx, numa_segment, (void *)r);
    return 0;
}

static int render_numa_table(const struct proc_report *r)
{
    static const char *const cols[SAMPLE_NCOLS] = { SAMPLE_COLS };
    const char *all[SAMPLE_NCOLS + NODE_NCOLS];
    memcpy(all, cols, sizeof cols);
    memcpy(all + SAMPLE_NCOLS, node_cols, sizeof node_cols);
    const struct selection *sel = r->ctx->sel;
    const struct pnode *shown[NODES_MAX * 4];
    struct table t;
    table_begin(&t, r->ctx, r->po->json, "numa", all, SAMPLE_NCOLS + NODE_NCOLS);
    for (size_t e = 0; e < sel->nevents; e++) {
        const struct event *ev = &sel->events[e];
        for (size_t j = 0; ev->kind == EV_SEGMENT && j < ev->nrows; j++) {
            size_t k = sel->rows[ev->first_row + j], prev = row_prev(sel, ev, j);
            size_t n = nodes_shown(r, k, shown, sizeof shown / sizeof *shown);
            for (size_t q = 0; q < n; q++) {
                struct cell c[SAMPLE_NCOLS + NODE_NCOLS];
                char iso[48];
                sample_cells(r->ctx->sr, prev, k, iso, sizeof iso, c);
                node_cells(r, prev, k, shown[q], c + SAMPLE_NCOLS);
                table_row(&t, c);
            }
        }
    }
    table_end(&t);
    return 0;
}

int render_numa(const struct proc_report *r)
{
    if (!any_nodes(r) && r->ctx->sel->nrows) {   /* an empty window was said already */
        numa_missing(r, r->po->text ? r->ctx->out : stderr);
        if (r->po->text)
            return 0;
    }
    return r->po->text ? render_numa_text(r) : render_numa_table(r);
}
