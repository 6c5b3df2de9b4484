/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Process identities to dense indexes.  A process is the same one across
 * samples when its boot, pid and start time match (a pid alone is reused);
 * the reports that follow processes over time (pstore.h, the trend, the
 * chart, the exports) number each identity 0, 1, 2 ... in the order first
 * seen and keep their own per-identity data in arrays by that number.
 *
 * Boot ids are interned too, in the order first seen: an identity's boot
 * is an index into BOOTS.
 */
#ifndef MEMTRAIL_IDENTMAP_H
#define MEMTRAIL_IDENTMAP_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"

struct ident_key {
    uint32_t boot;
    int32_t pid;
    uint64_t start_ticks;
};

struct identmap {
    struct ident_key *keys;    /* by index */
    size_t n, cap;
    uint32_t *slots;           /* open addressing over keys, 0 = empty, else index + 1 */
    size_t nslots;
    char (*boots)[BOOT_ID_LEN + 1];
    size_t nboots;
};

/* The index of BOOT_ID among the boots, added when new; -1 when out of memory. */
long identmap_boot(struct identmap *m, const char *boot_id);
/* The index of the identity, or -1 when it is not there. */
long identmap_find(const struct identmap *m, uint32_t boot, int32_t pid, uint64_t start_ticks);
/* The index of the identity, added as index m->n when new (so a caller
 * tells a new one by its index); -1 when out of memory. */
long identmap_add(struct identmap *m, uint32_t boot, int32_t pid, uint64_t start_ticks);
void identmap_free(struct identmap *m);

#endif
