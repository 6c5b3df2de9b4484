/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The report side's copy of each sample's memory cgroups, kept in the
 * process store (pstore.h) so that sample I is record I of the series as
 * the processes are.  A cgroup's identity is (boot, path, id): the same
 * path made anew after a removal is another cgroup on v2 (a new inode),
 * and counters start again with each boot.  Identities are interned once;
 * a sample holds compact entries.
 */
#ifndef MEMTRAIL_CGRECS_H
#define MEMTRAIL_CGRECS_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"

#define CG_AGGREGATE_PATH "..."     /* the row summing the cgroups beyond the bound */
#define CG_AGGREGATE_NAME "(others)"   /* what the reports call it */

struct cgident {
    uint32_t boot;
    uint64_t id;               /* v2 inode; 0 on v1 */
    char *path;                /* as recorded (hostile bytes included) */
    int aggregate;             /* the "..." row */
};

/* One cgroup in one sample: the model's values (its path pointer unused). */
struct cgentry {
    uint32_t ident;
    struct cgroup_mem v;
};

/* A sample's slice of the entries. */
struct cgsample {
    int version;               /* 0: no cgroup data in this sample */
    uint32_t aggregated;       /* cgroups summed into the aggregate row */
    size_t first, n;
};

struct cgrecs {
    struct cgident *ids;
    size_t nids, cap_ids;
    uint32_t *slots;           /* open addressing over ids: 0 empty, else index + 1 */
    size_t nslots;
    struct cgentry *entries;
    size_t nentries, cap_entries;
};

/* Copies LIST (a sample of boot BOOT) into the store and describes it in
 * *OUT; -1 when out of memory. */
int cgrecs_add(struct cgrecs *cs, uint32_t boot, const struct cgroup_list *list,
                struct cgsample *out);
/* Takes back the entries added from OUT's sample (the last one added). */
void cgrecs_drop(struct cgrecs *cs, const struct cgsample *sm);
void cgrecs_free(struct cgrecs *cs);

/* The entry of IDENT in the sample SM, or NULL. */
const struct cgentry *cgrecs_find(const struct cgrecs *cs, const struct cgsample *sm,
                                   uint32_t ident);
/* Whether PATH is SUBTREE or below it ("/a" holds "/a" and "/a/b", not
 * "/ab"; "/" holds every path).  A NULL SUBTREE holds everything. */
int cgroup_in_subtree(const char *path, const char *subtree);
/* The name a report shows for ID. */
const char *cgident_name(const struct cgident *id);

#endif
