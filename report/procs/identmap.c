/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Process identities to dense indexes (see identmap.h). */
#include "identmap.h"

#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "util.h"

long identmap_boot(struct identmap *m, const char *boot_id)
{
    /* a window holds a handful of boots: a list is enough */
    for (size_t i = 0; i < m->nboots; i++)
        if (strcmp(m->boots[i], boot_id) == 0)
            return (long)i;
    void *grown = realloc(m->boots, (m->nboots + 1) * sizeof *m->boots);
    if (!grown)
        return -1;
    m->boots = grown;
    copy_text(m->boots[m->nboots], sizeof m->boots[0], boot_id);
    return (long)m->nboots++;
}

static size_t ident_hash(uint32_t boot, int32_t pid, uint64_t start)
{
    uint64_t h = ((uint64_t)boot << 40) ^ (uint64_t)(uint32_t)pid ^ (start * 0x9E3779B97F4A7C15ULL);
    h ^= h >> 29;
    h *= 0xBF58476D1CE4E5B9ULL;
    return (size_t)(h ^ (h >> 32));
}

/* The slot holding the identity, or the empty slot where it would go. */
static size_t slot_of(const struct identmap *m, uint32_t boot, int32_t pid, uint64_t start_ticks)
{
    size_t k = ident_hash(boot, pid, start_ticks) & (m->nslots - 1);
    for (; m->slots[k]; k = (k + 1) & (m->nslots - 1)) {
        const struct ident_key *id = &m->keys[m->slots[k] - 1];
        if (id->boot == boot && id->pid == pid && id->start_ticks == start_ticks)
            break;
    }
    return k;
}

/* Doubles the slots, kept at most half full so that probes stay short. */
static int rehash(struct identmap *m)
{
    size_t n = m->nslots ? m->nslots * 2 : 1024;
    uint32_t *slots = calloc(n, sizeof *slots);
    if (!slots)
        return -1;
    for (size_t i = 0; i < m->n; i++) {
        const struct ident_key *id = &m->keys[i];
        size_t k = ident_hash(id->boot, id->pid, id->start_ticks) & (n - 1);
        while (slots[k])
            k = (k + 1) & (n - 1);
        slots[k] = (uint32_t)i + 1;
    }
    free(m->slots);
    m->slots = slots;
    m->nslots = n;
    return 0;
}

long identmap_find(const struct identmap *m, uint32_t boot, int32_t pid, uint64_t start_ticks)
{
    if (!m->nslots)
        return -1;
    size_t k = slot_of(m, boot, pid, start_ticks);
    return (long)m->slots[k] - 1;
}

long identmap_add(struct identmap *m, uint32_t boot, int32_t pid, uint64_t start_ticks)
{
    if ((m->n + 1) * 2 > m->nslots && rehash(m) != 0)
        return -1;
    size_t k = slot_of(m, boot, pid, start_ticks);
    if (m->slots[k])
        return (long)m->slots[k] - 1;
    if (grow_array((void **)&m->keys, &m->cap, m->n + 1, sizeof *m->keys) != 0)
        return -1;
    m->keys[m->n] = (struct ident_key){ boot, pid, start_ticks };
    m->slots[k] = (uint32_t)m->n + 1;
    return (long)m->n++;
}

void identmap_free(struct identmap *m)
{
    free(m->keys);
    free(m->slots);
    free(m->boots);
    memset(m, 0, sizeof *m);
}
