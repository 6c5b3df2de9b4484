/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The report side's copy of each sample's processes and NUMA nodes, kept
 * beside the series (series.h) when a per-process or NUMA report asks for
 * them: sample I of the store is record I of the series.  Identities
 * (boot, pid, start time) are interned once, with their static facts; a
 * sample holds compact entries sorted by identity.  A process's name and
 * command line change when it execs: each entry names the one it had then.
 */
#ifndef MEMTRAIL_PSTORE_H
#define MEMTRAIL_PSTORE_H

#include <stddef.h>
#include <stdint.h>

#include "cgrecs.h"
#include "identmap.h"
#include "model.h"

#define USER_HZ 100   /* /proc/PID/stat start times are in 1/100 s on Linux */

/* A name a process had: its first, then one for each exec seen. */
struct pname {
    char comm[COMM_MAX];
    char *cmdline;             /* NULL when not recorded */
};

struct pident {
    uint32_t boot;             /* index into map.boots */
    int32_t pid, ppid;
    uint32_t uid;
    uint64_t start_ticks;
    /* its latest name in the samples read (cmdline: the store's copy) */
    char comm[COMM_MAX];
    const char *cmdline;       /* NULL when not recorded */
    uint32_t name;             /* index of that name in names */
    char *earlier;             /* its earlier comms, each NUL-ended, after an
                                * exec; NULL when it had one name */
    size_t earlier_len;
    char *cgroup;              /* its memory cgroup as last recorded; NULL: unknown */
};

struct pentry {
    uint32_t ident;
    uint32_t name;             /* index into names: the name at this sample */
    int64_t pss_kb;            /* -1: unknown */
    uint64_t rss_kb, anon_kb, file_kb, shmem_kb, swap_kb, vsz_kb, minflt, majflt;
};

/* A node's numbers: sizes in kB, numastat counters in pages. */
enum node_field {
    NF_FILEPG, NF_ANONPG, NF_SLAB, NF_SHMEM,
    NF_HIT, NF_MISS, NF_FOREIGN, NF_INTERLEAVE, NF_LOCAL, NF_OTHER,
    NF_COUNT
};

struct pnode {
    int id;
    uint64_t total_kb, free_kb;
    uint64_t v[NF_COUNT];
};

struct psample {
    int scanned;               /* 0: no process data in this sample */
    uint32_t boot;
    size_t first, n;           /* entries[first .. first+n) */
    size_t node_first, nnodes; /* nodes[...]; nnodes 0: no NUMA data */
    struct cgsample cg;        /* its memory cgroups (cg.version 0: none) */
};

struct pstore {
    struct identmap map;       /* identities and boot ids */
    struct pident *ids;        /* by the map's index */
    size_t nids, cap_ids;
    struct pname *names;
    size_t nnames, cap_names;
    struct pentry *entries;
    size_t nentries, cap_entries;
    struct pnode *nodes;
    size_t nnodes, cap_nodes;
    struct psample *samples;
    size_t nsamples, cap_samples;
    struct cgrecs cg;         /* the samples' memory cgroups */
};

/* Copies what S holds of processes, nodes and cgroups; -1 when out of memory. */
int pstore_add(struct pstore *ps, const struct sample *s);
/* Drops the last sample added (its series record could not be stored). */
void pstore_drop_last(struct pstore *ps);
void pstore_free(struct pstore *ps);

/* The entry of IDENT in sample I, or NULL. */
const struct pentry *pstore_find(const struct pstore *ps, size_t i, uint32_t ident);
/* ID as it was at entry E (its name and command line then), in *BUF. */
const struct pident *pstore_ident_at(const struct pstore *ps, const struct pentry *e,
                                     struct pident *buf);
/* Whether ID was called COMM at any time in the samples read. */
int pident_had_comm(const struct pident *id, const char *comm);
/* Node ID in sample I, or NULL. */
const struct pnode *pstore_node(const struct pstore *ps, size_t i, int id);

#endif
