/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The report side's view of an archive: every sample reduced to the numbers
 * sar's memory activities show, in time order, with restarts marked.  Every
 * output format renders a series; none reads the archive or /proc itself.
 */
#ifndef MEMTRAIL_SERIES_H
#define MEMTRAIL_SERIES_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"
#include "pstore.h"

/* /proc/meminfo values as sadc's read_meminfo() keeps them (kB). */
enum mem_field {
    M_TOTAL, M_FREE, M_AVAIL, M_BUFFERS, M_CACHED, M_SWAPCACHED, M_ACTIVE,
    M_INACTIVE, M_SWAPTOTAL, M_SWAPFREE, M_DIRTY, M_COMMITTED, M_ANON, M_SLAB,
    M_KSTACK, M_PGTBL, M_VMUSED,
    M_HUGE_TOTAL, M_HUGE_FREE, M_HUGE_RSVD, M_HUGE_SURP,  /* kB: pages x Hugepagesize */
    M_NFIELDS
};

/* /proc/vmstat counters as sadc's read_vmstat_swap/paging() keep them. */
enum vm_field {
    V_PGPGIN, V_PGPGOUT, V_PSWPIN, V_PSWPOUT, V_PGFAULT, V_PGMAJFAULT, V_PGFREE,
    V_PGSCANK, V_PGSCAND, V_PGSTEAL,
    V_NFIELDS
};

struct rec {
    int64_t ts;
    int32_t utc_offset;       /* the collector's, for -t */
    uint64_t uptime_cs;
    uint32_t boot;            /* index into the series' boot ids */
    int restart_before;       /* the machine rebooted just before this sample */
    int ncpu;
    uint64_t mem[M_NFIELDS];
    uint64_t vm[V_NFIELDS];
    struct psi psi;           /* memory pressure; available 0 when not recorded */
};

struct series {
    struct rec *recs;
    size_t n, cap;
    struct host_facts host;   /* as of the first sample */
    int have_host;
    int64_t file_ts;          /* the first archive's first sample: sar's file date */
    char (*boot_ids)[BOOT_ID_LEN + 1];   /* in the order first seen */
    size_t nboots;
    struct pstore *ps;        /* when set, series_load() also keeps processes and nodes */
    /* when set, series_load() also passes each sample (decoded with EACH_PARTS,
     * an archive.h sample_parts mask) to EACH, just after it became record
     * n - 1; a non-zero return stops the load as out of memory */
    int (*each)(const struct series *sr, const struct sample *s, void *ctx);
    void *each_ctx;
    unsigned each_parts;
};

/* The record for one sample; PREV (or NULL) tells whether a restart lies between. */
void rec_from_sample(const struct sample *s, int ncpu, struct rec *out);
/* Appends S to the series, marking a restart when the boot changed.  A
 * wall clock stepped within one boot is no restart: see series_order(). */
int series_add(struct series *sr, const struct sample *s, int ncpu);
/* Puts the records (and the process store's samples) in the order they
 * were taken: boot after boot, as first seen, and by uptime within a boot,
 * as sar reads its records in file order.  Archives are read by wall time,
 * which a clock stepped back within a boot reorders.  -1 when out of memory. */
int series_order(struct series *sr);
/* Loads every sample of the archive at PATH with FROM <= ts <= TO.  Returns an
 * archive_status; ERR says why. */
int series_load(struct series *sr, const char *path, int64_t from, int64_t to,
                char *err, size_t err_cap);
/* Loads only the last sample of the archive at PATH (the reference for the
 * next day's first sample); nothing, and no error, when it cannot. */
void series_load_last(struct series *sr, const char *path);
void series_free(struct series *sr);

#endif
