/* SPDX-License-Identifier: GPL-2.0-or-later */
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

/* Adds P's name and command line to the names; its index, or -1. */
static long add_name(struct pstore *ps, const struct proc *p)
{
    if (ps->nnames >= UINT32_MAX ||
        grow_array((void **)&ps->names, &ps->cap_names, ps->nnames + 1, sizeof *ps->names) != 0)
        return -1;
    struct pname *n = &ps->names[ps->nnames];
    memcpy(n->comm, p->comm, sizeof n->comm);
    n->comm[COMM_MAX - 1] = '\0';
    n->cmdline = NULL;
    if (p->cmdline && !(n->cmdline = strdup(p->cmdline)))
        return -1;
    return (long)ps->nnames++;
}

static int same_text(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

static int in_earlier(const struct pident *id, const char *comm)
{
    for (size_t at = 0; at < id->earlier_len; at += strlen(id->earlier + at) + 1)
        if (strcmp(id->earlier + at, comm) == 0)
            return 1;
    return 0;
}

/* ID's name at P: its latest, or a new one (P exec'd); -1 when out of memory. */
static long name_of(struct pstore *ps, struct pident *id, const struct proc *p)
{
    const struct pname *last = &ps->names[id->name];
    if (strncmp(last->comm, p->comm, COMM_MAX) == 0 && same_text(last->cmdline, p->cmdline))
        return id->name;
    if (strncmp(last->comm, p->comm, COMM_MAX) != 0 && !in_earlier(id, id->comm)) {
        size_t len = strlen(id->comm) + 1;
        char *grown = realloc(id->earlier, id->earlier_len + len);
        if (!grown)
            return -1;
        memcpy(grown + id->earlier_len, id->comm, len);
        id->earlier = grown;
        id->earlier_len += len;
    }
    long k = add_name(ps, p);
    if (k < 0)
        return -1;
    id->name = (uint32_t)k;
    memcpy(id->comm, ps->names[k].comm, sizeof id->comm);
    id->cmdline = ps->names[k].cmdline;
    return k;
}

/* Keeps P's cgroup as ID's latest: a process can be moved to another. */
static int note_cgroup(struct pident *id, const struct proc *p)
{
    if (!p->cgroup || (id->cgroup && strcmp(id->cgroup, p->cgroup) == 0))
        return 0;
    char *copy = strdup(p->cgroup);
    if (!copy)
        return -1;
    free(id->cgroup);
    id->cgroup = copy;
    return 0;
}

/* The index of P's identity, its static facts copied when it is new, and
 * the index of its name at P in *NAME. */
static long intern_ident(struct pstore *ps, uint32_t boot, const struct proc *p, uint32_t *name)
{
    long k = identmap_add(&ps->map, boot, p->pid, p->start_ticks);
    if (k < 0)
        return k;
    if ((size_t)k < ps->nids) {
        long n = name_of(ps, &ps->ids[k], p);
        *name = (uint32_t)n;
        return n < 0 || note_cgroup(&ps->ids[k], p) != 0 ? -1 : k;
    }
    if (grow_array((void **)&ps->ids, &ps->cap_ids, ps->nids + 1, sizeof *ps->ids) != 0)
        return -1;
    long n = add_name(ps, p);
    if (n < 0)
        return -1;
    struct pident *id = &ps->ids[ps->nids++];
    memset(id, 0, sizeof *id);
    id->boot = boot;
    id->pid = p->pid;
    id->ppid = p->ppid;
    id->uid = p->uid;
    id->start_ticks = p->start_ticks;
    id->name = *name = (uint32_t)n;
    memcpy(id->comm, ps->names[n].comm, sizeof id->comm);
    id->cmdline = ps->names[n].cmdline;
    return note_cgroup(id, p) != 0 ? -1 : k;
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
            uint32_t name;
            long id = intern_ident(ps, (uint32_t)boot, p, &name);
            if (id < 0)
                return -1;
            struct pentry *e = &ps->entries[ps->nentries + sm->n];
            *e = (struct pentry){ .ident = (uint32_t)id, .name = name, .pss_kb = p->pss_kb,
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
    if (cgrecs_add(&ps->cg, (uint32_t)boot, &s->cgroups, &sm->cg) != 0)
        return -1;
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
    cgrecs_drop(&ps->cg, &sm->cg);
}

void pstore_free(struct pstore *ps)
{
    for (size_t i = 0; i < ps->nids; i++) {
        free(ps->ids[i].earlier);
        free(ps->ids[i].cgroup);
    }
    free(ps->ids);
    for (size_t i = 0; i < ps->nnames; i++)
        free(ps->names[i].cmdline);
    free(ps->names);
    identmap_free(&ps->map);
    free(ps->entries);
    free(ps->nodes);
    free(ps->samples);
    cgrecs_free(&ps->cg);
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

const struct pident *pstore_ident_at(const struct pstore *ps, const struct pentry *e,
                                     struct pident *buf)
{
    const struct pident *id = &ps->ids[e->ident];
    if (e->name == id->name)
        return id;
    *buf = *id;
    memcpy(buf->comm, ps->names[e->name].comm, sizeof buf->comm);
    buf->cmdline = ps->names[e->name].cmdline;
    return buf;
}

int pident_had_comm(const struct pident *id, const char *comm)
{
    return strcmp(id->comm, comm) == 0 || in_earlier(id, comm);
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
