/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * memreport --growth --cgroup [PATH]: one row per cgroup (boot, path, id)
 * of the window, in PATH's subtree, ranked by its contribution to the
 * memory that appeared (CHANGE, the rule of contrib.h applied to
 * memory.current, v1 usage_in_bytes: a cgroup made in the window counts
 * from 0, one removed counts down to 0; descending; ties: the larger last
 * value, then the path), --top N rows.  The window's first and last
 * instants are its first and last samples that hold cgroups.  A cgroup's
 * memory includes its children's: /system.slice grows with its services.
 *
 * Text (memtrail's own): sar's banner, a line naming the window, a line
 * saying what CHANGE is, then the header
 *   " %10s" FIRST_KB LAST_KB PEAK_KB CHANGE_KB, " %7s" OOMKILL, " %5s" MARK,
 *   "  Cgroup"
 * with OOMKILL the kills in the cgroup between the window's first and last
 * samples ("-" when not recorded), MARK "+" made in the window, "-" gone
 * by its end.  The row of the cgroups beyond the collector's bound is left
 * out: its members change.  CSV/JSON: the same in bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "cggrowth.h"
#include "cgview.h"
#include "contrib.h"
#include "sar_text.h"

/* No memory is this large (1 EiB): a value at or above it is absent or
 * damage, left out, so that the contributions never overflow. */
#define CG_SIZE_LIMIT ((uint64_t)1 << 60)

struct cg_growth {
    uint32_t ident;
    unsigned long samples;
    size_t first_k, last_k;
    uint64_t first, last, peak;
    int has_kills;
    uint64_t kills;
    int born, ended;
    int64_t change;
};

static const struct cgrecs *growth_cs;
static int by_growth(const void *a, const void *b)
{
    const struct cg_growth *x = a, *y = b;
    if (x->change != y->change)
        return by_contribution(x->change, y->change);
    if (x->last != y->last)
        return x->last > y->last ? -1 : 1;
    return strcmp(growth_cs->ids[x->ident].path, growth_cs->ids[y->ident].path);
}

/* The window's records that hold cgroups, in *W; how many, or -1. */
static long cgroup_records(const struct proc_report *r, size_t **w)
{
    long n = window_records(r->ctx->sel, w);
    long kept = 0;
    for (long i = 0; i < n; i++)
        if (r->ps->samples[(*w)[i]].cg.version)
            (*w)[kept++] = (*w)[i];
    return n < 0 ? -1 : kept;
}

/* Follows entry E of record K (the window's WI-th) in its row G. */
static void follow(const struct proc_report *r, const size_t *w, long wi, const struct cgentry *e,
                   struct cg_growth *g)
{
    size_t k = w[wi];
    if (g->samples++ == 0) {
        g->first_k = k;
        g->first = e->v.current;
        g->born = wi > 0;
    } else {
        struct cg_interval iv;
        cg_interval_of(r->ps, r->ctx->sr, w[wi - 1], k, e, &iv);
        g->has_kills |= iv.has_kills;
        g->kills += iv.has_kills ? iv.kills : 0;
    }
    g->last_k = k;
    g->last = e->v.current;
    if (e->v.current > g->peak)
        g->peak = e->v.current;
}

/* Every cgroup of the window with its figures, sorted; the count, or -1. */
static long compute(const struct proc_report *r, const size_t *w, long nw, struct cg_growth **out)
{
    const struct cgrecs *cs = &r->ps->cg;
    long *slot = malloc((cs->nids + 1) * sizeof *slot);
    struct cg_growth *g = calloc(cs->nids + 1, sizeof *g);
    if (!slot || !g) {
        free(slot);
        free(g);
        return -1;
    }
    for (size_t i = 0; i < cs->nids; i++)
        slot[i] = -1;
    long n = 0;
    for (long wi = 0; wi < nw; wi++) {
        const struct cgsample *sm = &r->ps->samples[w[wi]].cg;
        for (size_t q = sm->first; q < sm->first + sm->n; q++) {
            const struct cgentry *e = &cs->entries[q];
            const struct cgident *id = &cs->ids[e->ident];
            if (id->aggregate || e->v.current >= CG_SIZE_LIMIT ||
                !cgroup_in_subtree(id->path, r->po->cgroup_path))
                continue;
            if (slot[e->ident] < 0) {
                slot[e->ident] = n;
                g[n++].ident = e->ident;
            }
            follow(r, w, wi, e, &g[slot[e->ident]]);
        }
    }
    for (long i = 0; i < n; i++) {
        g[i].ended = g[i].last_k != w[nw - 1];
        g[i].change = rss_contribution(g[i].born, g[i].ended, g[i].first, g[i].last);
    }
    growth_cs = cs;
    qsort(g, (size_t)n, sizeof *g, by_growth);
    free(slot);
    *out = g;
    return n;
}

static const char *mark(const struct cg_growth *x)
{
    return x->born ? (x->ended ? "+-" : "+") : (x->ended ? "-" : "");
}

static const char *const cols[] = {
    "boot_id", "cgroup", "cgroup_id", "first_epoch", "last_epoch", "samples", "first_bytes",
    "last_bytes", "peak_bytes", "change_bytes", "oom_kills", "started", "ended",
};
#define NCOLS (sizeof cols / sizeof *cols)

static void text_head(const struct proc_report *r, const size_t *w, long nw)
{
    const struct render_ctx *ctx = r->ctx;
    sar_banner(ctx, ctx->file_ts, ctx->file_utc_offset, ctx->sr->host.ncpu);
    if (nw) {
        char from[64], to[64];
        proc_span(r, w[0], w[nw - 1], from, to, sizeof from);
        fprintf(ctx->out, "\nCgroup memory growth from %s to %s\n", from, to);
    }
    fprintf(ctx->out, "CHANGE_KB: each cgroup's share of the memory that appeared: last "
                      "memory.current - first, a cgroup made in the window counted from 0 (MARK "
                      "+), one removed down to 0 (MARK -); a cgroup includes its children\n");
    fprintf(ctx->out, "%10s %10s %10s %10s %7s %5s  Cgroup\n", "FIRST_KB", "LAST_KB", "PEAK_KB",
            "CHANGE_KB", "OOMKILL", "MARK");
}

static void text_row(const struct proc_report *r, const struct cg_growth *x)
{
    FILE *o = r->ctx->out;
    sar_kb(r->ctx, (double)x->first / 1024, 9, 0);
    sar_kb(r->ctx, (double)x->last / 1024, 10, 0);
    sar_kb(r->ctx, (double)x->peak / 1024, 10, 0);
    sar_kb(r->ctx, (double)x->change / 1024, 10, 0);
    if (x->has_kills)
        fprintf(o, " %7llu", (unsigned long long)x->kills);
    else
        fprintf(o, " %7s", "-");
    fprintf(o, " %5s  ", mark(x));
    text_safe_put(o, r->ps->cg.ids[x->ident].path);
    fputc('\n', o);
}

static void table_cells(const struct proc_report *r, const struct cg_growth *x, struct cell *c)
{
    const struct cgident *id = &r->ps->cg.ids[x->ident];
    const struct rec *recs = r->ctx->sr->recs;
    c[0] = cell_str(r->ps->map.boots[id->boot]);
    c[1] = cell_str(id->path);
    c[2] = id->id ? cell_uint(id->id) : cell_null();
    c[3] = cell_int(recs[x->first_k].ts);
    c[4] = cell_int(recs[x->last_k].ts);
    c[5] = cell_uint(x->samples);
    c[6] = cell_uint(x->first);
    c[7] = cell_uint(x->last);
    c[8] = cell_uint(x->peak);
    c[9] = cell_int(x->change);
    c[10] = x->has_kills ? cell_uint(x->kills) : cell_null();
    c[11] = cell_int(x->born);
    c[12] = cell_int(x->ended);
}

int render_cgroup_growth(const struct proc_report *r)
{
    size_t *w;
    long nw = cgroup_records(r, &w);
    if (nw < 0)
        return 2;
    if (r->ctx->sel->nrows && !cg_recorded(r->ps, w, nw, "--growth --cgroup")) {
        free(w);
        return 1;
    }
    struct cg_growth *g = NULL;
    long n = compute(r, w, nw, &g);
    if (n < 0) {
        free(w);
        return 2;
    }
    if (r->po->top > 0 && n > r->po->top)
        n = r->po->top;
    struct table t;
    if (r->po->text)
        text_head(r, w, nw);
    else
        table_begin(&t, r->ctx, r->po->json, "cgroup-growth", cols, (int)NCOLS);
    for (long i = 0; i < n; i++) {
        if (r->po->text) {
            text_row(r, &g[i]);
            continue;
        }
        struct cell c[NCOLS];
        table_cells(r, &g[i], c);
        table_row(&t, c);
    }
    if (!r->po->text)
        table_end(&t);
    free(g);
    free(w);
    return 0;
}
