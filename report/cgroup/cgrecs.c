/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The per-sample copy of the memory cgroups (see cgrecs.h). */
#include "cgrecs.h"

#include <stdlib.h>
#include <string.h>

#include "grow.h"

/* FNV-1a over what makes an identity. */
static uint64_t ident_hash(uint32_t boot, uint64_t id, const char *path)
{
    uint64_t h = 1469598103934665603ULL;
    const unsigned char *p = (const unsigned char *)path;
    for (; *p; p++)
        h = (h ^ *p) * 1099511628211ULL;
    h = (h ^ boot) * 1099511628211ULL;
    return (h ^ id) * 1099511628211ULL;
}

static int same_ident(const struct cgident *x, uint32_t boot, uint64_t id, const char *path)
{
    return x->boot == boot && x->id == id && strcmp(x->path, path) == 0;
}

/* The slot where the identity is, or the empty one where it goes. */
static size_t slot_of(const struct cgrecs *cs, uint32_t boot, uint64_t id, const char *path)
{
    size_t mask = cs->nslots - 1, s = (size_t)ident_hash(boot, id, path) & mask;
    while (cs->slots[s] && !same_ident(&cs->ids[cs->slots[s] - 1], boot, id, path))
        s = (s + 1) & mask;
    return s;
}

/* Keeps the table at most half full. */
static int rehash(struct cgrecs *cs)
{
    if (cs->nslots && (cs->nids + 1) * 2 <= cs->nslots)
        return 0;
    size_t nslots = cs->nslots ? cs->nslots * 2 : 256;
    uint32_t *slots = calloc(nslots, sizeof *slots);
    if (!slots)
        return -1;
    free(cs->slots);
    cs->slots = slots;
    cs->nslots = nslots;
    for (size_t i = 0; i < cs->nids; i++) {
        const struct cgident *x = &cs->ids[i];
        cs->slots[slot_of(cs, x->boot, x->id, x->path)] = (uint32_t)(i + 1);
    }
    return 0;
}

/* The index of the identity of C, added when new; -1 when out of memory. */
static long intern(struct cgrecs *cs, uint32_t boot, const struct cgroup_mem *c)
{
    const char *path = c->path ? c->path : "";
    if (cs->nids >= UINT32_MAX - 1 || rehash(cs) != 0)
        return -1;
    size_t s = slot_of(cs, boot, c->id, path);
    if (cs->slots[s])
        return (long)cs->slots[s] - 1;
    if (grow_array((void **)&cs->ids, &cs->cap_ids, cs->nids + 1, sizeof *cs->ids) != 0)
        return -1;
    char *copy = strdup(path);
    if (!copy)
        return -1;
    cs->ids[cs->nids] = (struct cgident){ .boot = boot, .id = c->id, .path = copy,
                                          .aggregate = strcmp(path, CG_AGGREGATE_PATH) == 0 };
    cs->slots[s] = (uint32_t)(cs->nids + 1);
    return (long)cs->nids++;
}

static int by_ident(const void *a, const void *b)
{
    uint32_t x = ((const struct cgentry *)a)->ident, y = ((const struct cgentry *)b)->ident;
    return x < y ? -1 : x > y;
}

int cgrecs_add(struct cgrecs *cs, uint32_t boot, const struct cgroup_list *list,
                struct cgsample *out)
{
    memset(out, 0, sizeof *out);
    out->first = cs->nentries;
    if (!list->version)
        return 0;
    out->version = list->version;
    out->aggregated = list->aggregated;
    if (grow_array((void **)&cs->entries, &cs->cap_entries, cs->nentries + list->n + 1,
                   sizeof *cs->entries) != 0)
        return -1;
    struct cgentry *e = &cs->entries[cs->nentries];
    for (size_t i = 0; i < list->n; i++) {
        long id = intern(cs, boot, &list->items[i]);
        if (id < 0)
            return -1;
        e[out->n].ident = (uint32_t)id;
        e[out->n].v = list->items[i];
        e[out->n].v.path = NULL;   /* the identity holds it */
        out->n++;
    }
    qsort(e, out->n, sizeof *e, by_ident);
    /* a cgroup listed twice in one sample (damaged data) is kept once */
    size_t kept = 0;
    for (size_t i = 0; i < out->n; i++)
        if (kept == 0 || e[kept - 1].ident != e[i].ident)
            e[kept++] = e[i];
    out->n = kept;
    cs->nentries += kept;
    return 0;
}

void cgrecs_drop(struct cgrecs *cs, const struct cgsample *sm)
{
    cs->nentries = sm->first;
}

void cgrecs_free(struct cgrecs *cs)
{
    for (size_t i = 0; i < cs->nids; i++)
        free(cs->ids[i].path);
    free(cs->ids);
    free(cs->slots);
    free(cs->entries);
    memset(cs, 0, sizeof *cs);
}

const struct cgentry *cgrecs_find(const struct cgrecs *cs, const struct cgsample *sm,
                                   uint32_t ident)
{
    size_t lo = 0, hi = sm->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        uint32_t at = cs->entries[sm->first + mid].ident;
        if (at == ident)
            return &cs->entries[sm->first + mid];
        if (at < ident)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

int cgroup_in_subtree(const char *path, const char *subtree)
{
    if (!subtree)
        return 1;
    if (!path)
        return 0;
    size_t len = strlen(subtree);
    while (len > 1 && subtree[len - 1] == '/')   /* "/a/" is "/a" */
        len--;
    if (len == 1 && subtree[0] == '/')
        return path[0] == '/';
    return strncmp(path, subtree, len) == 0 && (path[len] == '\0' || path[len] == '/');
}

const char *cgident_name(const struct cgident *id)
{
    return id->aggregate ? CG_AGGREGATE_NAME : id->path;
}
