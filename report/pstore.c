/* The per-process and per-node copy of each sample (see pstore.h). */
#include "pstore.h"

#include <stdlib.h>
#include <string.h>

#include "grow.h"

static const char *const node_keys[NF_COUNT] = {
    [NF_FILEPG] = "FilePages", [NF_ANONPG] = "AnonPages", [NF_SLAB] = "Slab",
    [NF_SHMEM] = "Shmem", [NF_HIT] = "numa_hit", [NF_MISS] = "numa_miss",
    [NF_FOREIGN] = "numa_foreign", [NF_INTERLEAVE] = "interleave_hit",
    [NF_LOCAL] = "local_node", [NF_OTHER] = "other_node",
};

/* The index of P's identity, its static facts copied when it is new. */
static long intern_ident(struct pstore *ps, uint32_t boot, const struct proc *p)
{
    long k = identmap_add(&ps->map, boot, p->pid, p->start_ticks);
    if (k < 0 || (size_t)k < ps->nids)
        return k;
    if (grow_array((void **)&ps->ids, &ps->cap_ids, ps->nids + 1, sizeof *ps->ids) != 0)
        return -1;
    struct pident *id = &ps->ids[ps->nids];
    memset(id, 0, sizeof *id);
    id->boot = boot;
    id->pid = p->pid;
    id->ppid = p->ppid;
    id->uid = p->uid;
    id->start_ticks = p->start_ticks;
    memcpy(id->comm, p->comm, sizeof id->comm);
    id->comm[COMM_MAX - 1] = '\0';
    ps->nids++;   /* counted before the strdup, so that pstore_free frees it */
    if (p->cmdline && !(id->cmdline = strdup(p->cmdline)))
        return -1;
    return k;
}

static int by_ident(const void *a, const void *b)
{
    uint32_t x = ((const struct pentry *)a)->ident, y = ((const struct pentry *)b)->ident;
    return x < y ? -1 : x > y;
}

int pstore_add(struct pstore *ps, const struct sample *s)
{
    if (grow_array((void **)&ps->samples, &ps->cap_samples, ps->nsamples + 1, sizeof *ps->samples) != 0)
        return -1;
    long boot = identmap_boot(&ps->map, s->boot_id);
    if (boot < 0)
        return -1;
    struct psample *sm = &ps->samples[ps->nsamples];
    memset(sm, 0, sizeof *sm);
    sm->boot = (uint32_t)boot;
    sm->scanned = s->procs.scanned;
    sm->first = ps->nentries;
    sm->node_first = ps->nnodes;
    if (s->procs.scanned) {
        if (grow_array((void **)&ps->entries, &ps->cap_entries, ps->nentries + s->procs.n,
                 sizeof *ps->entries) != 0)
            return -1;
        for (size_t i = 0; i < s->procs.n; i++) {
            const struct proc *p = &s->procs.procs[i];
            long id = intern_ident(ps, (uint32_t)boot, p);
            if (id < 0)
                return -1;
            struct pentry *e = &ps->entries[ps->nentries + sm->n];
            *e = (struct pentry){ .ident = (uint32_t)id, .pss_kb = p->pss_kb,
                                  .rss_kb = p->rss_kb, .anon_kb = p->anon_kb,
                                  .file_kb = p->file_kb, .shmem_kb = p->shmem_kb,
                                  .swap_kb = p->swap_kb, .vsz_kb = p->vsz_kb,
                                  .minflt = p->minflt, .majflt = p->majflt };
            sm->n++;
        }
        struct pentry *e = &ps->entries[sm->first];
        qsort(e, sm->n, sizeof *e, by_ident);
        /* an identity listed twice in one sample (damaged data) is kept once */
        size_t kept = 0;
        for (size_t i = 0; i < sm->n; i++)
            if (kept == 0 || e[kept - 1].ident != e[i].ident)
                e[kept++] = e[i];
        sm->n = kept;
        ps->nentries += sm->n;
    }
    if (s->numa.available && s->numa.n) {
        if (grow_array((void **)&ps->nodes, &ps->cap_nodes, ps->nnodes + s->numa.n, sizeof *ps->nodes) != 0)
            return -1;
        for (unsigned i = 0; i < s->numa.n; i++) {
            const struct numa_node *src = &s->numa.nodes[i];
            struct pnode *d = &ps->nodes[ps->nnodes + i];
            d->id = src->id;
            d->total_kb = src->total_kb;
            d->free_kb = src->free_kb;
            for (int f = 0; f < NF_COUNT; f++)
                d->v[f] = kv_get(&src->values, node_keys[f]);
        }
        sm->nnodes = s->numa.n;
        ps->nnodes += s->numa.n;
    }
    ps->nsamples++;
    return 0;
}

void pstore_drop_last(struct pstore *ps)
{
    if (!ps->nsamples)
        return;
    struct psample *sm = &ps->samples[--ps->nsamples];
    ps->nentries = sm->first;
    ps->nnodes = sm->node_first;
}

void pstore_free(struct pstore *ps)
{
    for (size_t i = 0; i < ps->nids; i++)
        free(ps->ids[i].cmdline);
    free(ps->ids);
    identmap_free(&ps->map);
    free(ps->entries);
    free(ps->nodes);
    free(ps->samples);
    memset(ps, 0, sizeof *ps);
}

const struct pentry *pstore_find(const struct pstore *ps, size_t i, uint32_t ident)
{
    if (i >= ps->nsamples)
        return NULL;
    const struct psample *sm = &ps->samples[i];
    size_t lo = 0, hi = sm->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        uint32_t at = ps->entries[sm->first + mid].ident;
        if (at == ident)
            return &ps->entries[sm->first + mid];
        if (at < ident)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

const struct pnode *pstore_node(const struct pstore *ps, size_t i, int id)
{
    if (i >= ps->nsamples)
        return NULL;
    const struct psample *sm = &ps->samples[i];
    for (size_t k = 0; k < sm->nnodes; k++)
        if (ps->nodes[sm->node_first + k].id == id)
            return &ps->nodes[sm->node_first + k];
    return NULL;
}
