/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The bursts of memcollect --watch (schema/bursts.sql): when the watcher
 * woke, why, how long it sampled every second, the worst pressure it saw
 * and the OOM kills in it.  memcollect stores them, memreport --bursts
 * lists them: the index an on-call engineer opens first.
 */
#ifndef MEMTRAIL_BURSTS_H
#define MEMTRAIL_BURSTS_H

#include <stddef.h>
#include <stdint.h>

#include "archive.h"

/* What woke the watcher (struct burst.why), in the order they are named. */
enum burst_cause {
    BURST_PSI = 1u,       /* "psi": the trigger on /proc/pressure/memory */
    BURST_CGROUP = 2u,    /* "cgroup": a v2 cgroup's memory.pressure trigger */
    BURST_OOM = 4u,       /* "oom": an OOM kill in the kernel log */
    BURST_POLL = 8u,      /* "poll": pressure seen by polling (no triggers) */
    BURST_MEMAVAIL = 16u, /* "memavail": MemAvailable low (no PSI) */
    BURST_ASKED = 32u     /* "asked": memcollect --burst N */
};
#define BURST_WHY_MAX 48  /* "psi,cgroup,oom,poll,memavail,asked" and its NUL */
#define BURST_NO_PSI (-1) /* a peak never seen: no PSI */

struct burst {
    int64_t start, end;            /* its first and last sample, UTC seconds */
    uint32_t samples;
    unsigned why;                  /* enum burst_cause bits */
    int32_t peak_some_avg10;       /* hundredths of a percent, or BURST_NO_PSI */
    int32_t peak_full_avg10;
    uint64_t oom_kills;            /* /proc/vmstat oom_kill's rise over it */
    int open;                      /* the watcher was still in it when stored */
};

/* WHY as its names joined by ',' ("psi,oom"); "" for none. */
void burst_why_text(unsigned why, char out[BURST_WHY_MAX]);
/* The bits of such a text; names it does not know are ignored. */
unsigned burst_why_parse(const char *text);

/* Stores B (the row of its start replaced), creating the table the first
 * time: one transaction.  A writer's archive (between appends). */
int archive_store_burst(struct archive *ar, const struct burst *b, char *err, size_t err_cap);

typedef int (*burst_fn)(const struct burst *b, void *ctx);
/* Calls FN for every burst of AR that overlaps FROM..TO, by start; stops
 * when FN returns non-zero.  None when the archive has no burst table.  A
 * row out of range (times, counts) is damage: skipped with archive_warn()'s
 * warning.  ARCHIVE_DAMAGED when the table cannot be read. */
int archive_each_burst(struct archive *ar, int64_t from, int64_t to, burst_fn fn, void *ctx,
                       char *err, size_t err_cap);

#endif
