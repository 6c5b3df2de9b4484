/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Building a series from an archive or from live samples (see series.h).
 * The reduction follows sysstat 12.6.1's readers: a missing key is 0, the
 * pgscan and pgsteal figures are sums over every counter with that prefix.
 */
#include "series.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archive.h"
#include "util.h"

static const char *const mem_keys[] = {
    [M_TOTAL] = "MemTotal", [M_FREE] = "MemFree", [M_AVAIL] = "MemAvailable",
    [M_BUFFERS] = "Buffers", [M_CACHED] = "Cached", [M_SWAPCACHED] = "SwapCached",
    [M_ACTIVE] = "Active", [M_INACTIVE] = "Inactive", [M_SWAPTOTAL] = "SwapTotal",
    [M_SWAPFREE] = "SwapFree", [M_DIRTY] = "Dirty", [M_COMMITTED] = "Committed_AS",
    [M_ANON] = "AnonPages", [M_SLAB] = "Slab", [M_KSTACK] = "KernelStack",
    [M_PGTBL] = "PageTables", [M_VMUSED] = "VmallocUsed",
};

/* Where each looked-up key sat in the previous sample: samples of one
 * archive list their keys in the same order, so this saves the searches. */
static unsigned mem_hints[M_NFIELDS + 5], vm_hints[V_NFIELDS];

static uint64_t mem_value(const struct sample *s, int slot, const char *key)
{
    const struct kv *found = kv_find(&s->meminfo, key, &mem_hints[slot]);
    return found ? found->value : 0;
}

static uint64_t vm_value(const struct sample *s, int slot, const char *key)
{
    const struct kv *found = kv_find(&s->vmstat, key, &vm_hints[slot]);
    return found ? found->value : 0;
}

/* PAGES x PAGE_KB: a product past 64 bits is no real size but damage,
 * refused with a warning and taken as a missing key (sar's 0). */
static uint64_t huge_kb(const struct sample *s, uint64_t pages, uint64_t page_kb, const char *key)
{
    uint64_t kb;
    if (!__builtin_mul_overflow(pages, page_kb, &kb))
        return kb;
    fprintf(stderr, "%s: warning: the sample at @%lld: %s x Hugepagesize is out of range:"
            " left out\n", progname, (long long)s->ts, key);
    return 0;
}

void rec_from_sample(const struct sample *s, int ncpu, struct rec *out)
{
    memset(out, 0, sizeof *out);
    out->ts = s->ts;
    out->utc_offset = s->utc_offset;
    out->uptime_cs = s->uptime_cs;
    out->ncpu = ncpu;
    for (int f = 0; f < M_HUGE_TOTAL; f++)
        out->mem[f] = mem_value(s, f, mem_keys[f]);
    uint64_t page_kb = mem_value(s, M_NFIELDS, "Hugepagesize");
    static const char *const huge_keys[] = {
        "HugePages_Total", "HugePages_Free", "HugePages_Rsvd", "HugePages_Surp"
    };
    for (int f = M_HUGE_TOTAL; f <= M_HUGE_SURP; f++)
        out->mem[f] = huge_kb(s, mem_value(s, f, huge_keys[f - M_HUGE_TOTAL]), page_kb,
                              huge_keys[f - M_HUGE_TOTAL]);

    const struct kv_list *vm = &s->vmstat;
    out->vm[V_PGPGIN] = vm_value(s, V_PGPGIN, "pgpgin");
    out->vm[V_PGPGOUT] = vm_value(s, V_PGPGOUT, "pgpgout");
    out->vm[V_PSWPIN] = vm_value(s, V_PSWPIN, "pswpin");
    out->vm[V_PSWPOUT] = vm_value(s, V_PSWPOUT, "pswpout");
    out->vm[V_PGFAULT] = vm_value(s, V_PGFAULT, "pgfault");
    out->vm[V_PGMAJFAULT] = vm_value(s, V_PGMAJFAULT, "pgmajfault");
    out->vm[V_PGFREE] = vm_value(s, V_PGFREE, "pgfree");
    out->vm[V_PGSCANK] = kv_sum_prefix(vm, "pgscan_kswapd");
    out->vm[V_PGSCAND] = kv_sum_prefix(vm, "pgscan_direct");
    out->vm[V_PGSTEAL] = kv_sum_prefix(vm, "pgsteal_");
    out->psi = s->psi_mem;
}

/* The index of BOOT_ID among the boots seen so far, added when new. */
static long boot_index(struct series *sr, const char *boot_id)
{
    for (size_t i = sr->nboots; i-- > 0;)
        if (strncmp(sr->boot_ids[i], boot_id, BOOT_ID_LEN) == 0)
            return (long)i;
    char (*grown)[BOOT_ID_LEN + 1] = realloc(sr->boot_ids, (sr->nboots + 1) * sizeof *grown);
    if (!grown)
        return -1;
    sr->boot_ids = grown;
    snprintf(grown[sr->nboots], sizeof grown[0], "%s", boot_id);
    return (long)sr->nboots++;
}

int series_add(struct series *sr, const struct sample *s, int ncpu)
{
    if (sr->n == sr->cap) {
        size_t cap = sr->cap ? sr->cap * 2 : 1024;
        struct rec *grown = realloc(sr->recs, cap * sizeof *grown);
        if (!grown)
            return -1;
        sr->recs = grown;
        sr->cap = cap;
    }
    long boot = boot_index(sr, s->boot_id);
    if (boot < 0)
        return -1;
    struct rec *r = &sr->recs[sr->n];
    rec_from_sample(s, ncpu, r);
    r->boot = (uint32_t)boot;
    r->restart_before = sr->n > 0 && sr->recs[sr->n - 1].boot != r->boot;
    sr->n++;
    return 0;
}

static int in_order(const struct rec *a, const struct rec *b)
{
    return a->boot < b->boot || (a->boot == b->boot && a->uptime_cs <= b->uptime_cs);
}

static const struct rec *order_recs;
static int by_taken(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    const struct rec *p = &order_recs[x], *q = &order_recs[y];
    if (p->boot != q->boot)
        return p->boot < q->boot ? -1 : 1;
    if (p->uptime_cs != q->uptime_cs)
        return p->uptime_cs < q->uptime_cs ? -1 : 1;
    return x < y ? -1 : x > y;
}

int series_order(struct series *sr)
{
    size_t i = 1;
    while (i < sr->n && in_order(&sr->recs[i - 1], &sr->recs[i]))
        i++;
    if (i >= sr->n)
        return 0;
    int with_ps = sr->ps && sr->ps->nsamples == sr->n;
    size_t *perm = malloc(sr->n * sizeof *perm);
    struct rec *recs = malloc(sr->n * sizeof *recs);
    struct psample *samples = with_ps ? malloc(sr->n * sizeof *samples) : NULL;
    if (!perm || !recs || (with_ps && !samples)) {
        free(perm);
        free(recs);
        free(samples);
        return -1;
    }
    for (i = 0; i < sr->n; i++)
        perm[i] = i;
    order_recs = sr->recs;
    qsort(perm, sr->n, sizeof *perm, by_taken);
    for (i = 0; i < sr->n; i++) {
        recs[i] = sr->recs[perm[i]];
        recs[i].restart_before = i > 0 && recs[i - 1].boot != recs[i].boot;
        if (with_ps)
            samples[i] = sr->ps->samples[perm[i]];
    }
    memcpy(sr->recs, recs, sr->n * sizeof *recs);
    if (with_ps)
        memcpy(sr->ps->samples, samples, sr->n * sizeof *samples);
    free(perm);
    free(recs);
    free(samples);
    return 0;
}

struct load_ctx {
    struct series *sr;
    struct archive *ar;
    int failed;
};

static int load_one(const struct sample *s, void *arg)
{
    struct load_ctx *ctx = arg;
    if (series_add(ctx->sr, s, ctx->sr->host.ncpu) != 0) {
        ctx->failed = 1;
        return 1;
    }
    if (ctx->sr->ps && pstore_add(ctx->sr->ps, s) != 0) {
        pstore_drop_last(ctx->sr->ps);
        ctx->sr->n--;
        ctx->failed = 1;
        return 1;
    }
    if (ctx->sr->each && ctx->sr->each(ctx->sr, s, ctx->sr->each_ctx) != 0) {
        ctx->failed = 1;
        return 1;
    }
    return 0;
}

int series_load(struct series *sr, const char *path, int64_t from, int64_t to,
                char *err, size_t err_cap)
{
    struct archive *ar;
    int rc = archive_open_reader(path, &ar, err, err_cap);
    if (rc != ARCHIVE_OK)
        return rc;
    int64_t first;
    if (!sr->have_host && archive_first_ts(ar, &first, err, err_cap) == ARCHIVE_OK) {
        rc = archive_host_at(ar, first, &sr->host, err, err_cap);
        sr->have_host = rc == ARCHIVE_OK;
        sr->file_ts = first;
    }
    struct load_ctx ctx = { sr, ar, 0 };
    if (rc == ARCHIVE_OK)
        rc = archive_each_sample(ar, from, to, (sr->ps ? PART_PROCS | PART_NUMA : 0) | sr->each_parts,
                                 load_one,
                                 &ctx, err, err_cap);
    if (rc == ARCHIVE_OK && ctx.failed) {
        strncpy(err, "out of memory", err_cap - 1);
        err[err_cap - 1] = '\0';
        rc = ARCHIVE_ERROR;
    }
    archive_close(ar);
    return rc;
}

void series_load_last(struct series *sr, const char *path)
{
    struct archive *ar;
    char err[256];
    int64_t last;
    if (archive_open_reader(path, &ar, err, sizeof err) != ARCHIVE_OK)
        return;
    int ok = archive_last_ts(ar, &last, err, sizeof err) == ARCHIVE_OK;
    archive_close(ar);
    if (ok)
        series_load(sr, path, last, last, err, sizeof err);
    /* the day's own file names the host and the banner's date */
    sr->have_host = 0;
}

void series_free(struct series *sr)
{
    free(sr->recs);
    free(sr->boot_ids);
    memset(sr, 0, sizeof *sr);
}
