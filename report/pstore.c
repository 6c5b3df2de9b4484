/* The per-process and per-node copy of each sample (see pstore.h). */
#include "pstore.h"

#include <stdlib.h>
#include <string.h>

static const char *const node_keys[NF_COUNT] = {
    [NF_FILEPG] = "FilePages", [NF_ANONPG] = "AnonPages", [NF_SLAB] = "Slab",
    [NF_SHMEM] = "Shmem", [NF_HIT] = "numa_hit", [NF_MISS] = "numa_miss",
    [NF_FOREIGN] = "numa_foreign", [NF_INTERLEAVE] = "interleave_hit",
    [NF_LOCAL] = "local_node", [NF_OTHER] = "other_node",
};

const char *node_field_key(enum node_field f)
{
    return node_keys[f];
}

static int grow(void **array, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return 0;
    size_t cap2 = *cap ? *cap * 2 : 256;
    while (cap2 < need)
        cap2 *= 2;
    void *grown = realloc(*array, cap2 * size);
    if (!grown)
        return -1;
    *array = grown;
    *cap = cap2;
    return 0;
}

static uint64_t ident_hash(uint32_t boot, int32_t pid, uint64_t start)
{
    uint64_t h = ((uint64_t)boot << 40) ^ (uint64_t)(uint32_t)pid ^ (start * 0x9E3779B97F4A7C15ULL);
    h ^= h >> 29;
    h *= 0xBF58476D1CE4E5B9ULL;
    return h ^ (h >> 32);
}

static int rehash(struct pstore *ps)
{
    size_t n = ps->nslots ? ps->nslots * 2 : 1024;
    uint32_t *slots = calloc(n, sizeof *slots);
    if (!slots)
        return -1;
    for (size_t i = 0; i < ps->nids; i++) {
        const struct pident *id = &ps->ids[i];
        size_t k = ident_hash(id->boot, id->pid, id->start_ticks) & (n - 1);
        while (slots[k])
            k = (k + 1) & (n - 1);
        slots[k] = (uint32_t)i + 1;
    }
    free(ps->slots);
    ps->slots = slots;
    ps->nslots = n;
    return 0;
}

static long intern_boot(struct pstore *ps, const char *boot_id)
{
    for (size_t i = 0; i < ps->nboots; i++)
        if (strcmp(ps->boots[i], boot_id) == 0)
            return (long)i;
    void *grown = realloc(ps->boots, (ps->nboots + 1) * sizeof *ps->boots);
    if (!grown)
        return -1;
    ps->boots = grown;
    memcpy(ps->boots[ps->nboots], boot_id, sizeof ps->boots[0]);
    ps->boots[ps->nboots][BOOT_ID_LEN] = '\0';
    return (long)ps->nboots++;
}

static long intern_ident(struct pstore *ps, uint32_t boot, const struct proc *p)
{
    if ((ps->nids + 1) * 2 > ps->nslots && rehash(ps) != 0)
        return -1;
    size_t k = ident_hash(boot, p->pid, p->start_ticks) & (ps->nslots - 1);
    for (; ps->slots[k]; k = (k + 1) & (ps->nslots - 1)) {
        const struct pident *id = &ps->ids[ps->slots[k] - 1];
        if (id->boot == boot && id->pid == p->pid && id->start_ticks == p->start_ticks)
            return (long)ps->slots[k] - 1;
    }
    if (grow((void **)&ps->ids, &ps->cap_ids, ps->nids + 1, sizeof *ps->ids) != 0)
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
    if (p->cmdline && !(id->cmdline = strdup(p->cmdline)))
        return -1;
    ps->slots[k] = (uint32_t)ps->nids + 1;
    return (long)ps->nids++;
}

static int by_ident(const void *a, const void *b)
{
    uint32_t x = ((const struct pentry *)a)->ident, y = ((const struct pentry *)b)->ident;
    return x < y ? -1 : x > y;
}

int pstore_add(struct pstore *ps, const struct sample *s)
{
    if (grow((void **)&ps->samples, &ps->cap_samples, ps->nsamples + 1, sizeof *ps->samples) != 0)
        return -1;
    long boot = intern_boot(ps, s->boot_id);
    if (boot < 0)
        return -1;
    struct psample *sm = &ps->samples[ps->nsamples];
    memset(sm, 0, sizeof *sm);
    sm->boot = (uint32_t)boot;
    sm->scanned = s->procs.scanned;
    sm->first = ps->nentries;
    sm->node_first = ps->nnodes;
    if (s->procs.scanned) {
        if (grow((void **)&ps->entries, &ps->cap_entries, ps->nentries + s->procs.n,
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
        if (grow((void **)&ps->nodes, &ps->cap_nodes, ps->nnodes + s->numa.n, sizeof *ps->nodes) != 0)
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
    free(ps->slots);
    free(ps->boots);
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
