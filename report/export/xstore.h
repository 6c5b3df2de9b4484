/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the exports hold between reading the window (export.c) and writing
 * it (openmetrics.c, influx.c, csvlong.c): each series' points in time
 * order, grouped by family (OpenMetrics) and by measurement and tags
 * (InfluxDB).  Types only, so that the writers need nothing of the reader.
 */
#ifndef MEMTRAIL_XSTORE_H
#define MEMTRAIL_XSTORE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "model.h"

enum xtype { X_GAUGE, X_COUNTER, X_UNKNOWN };
enum xkind { XG_MEMINFO, XG_VMSTAT, XG_SWAP, XG_NUMA, XG_PROCESS, XG_HOST, XG_PSI };

struct xpoint {
    int64_t ts;
    int64_t v;              /* in the archive's unit (kB, pages, counts) */
};

struct xseries {
    uint32_t group, family;
    char *field;            /* InfluxDB field key, CSV metric's second part: "MemTotal", "rss_kb" */
    char *labels;           /* OpenMetrics labels after instance and job, escaped: field="X" (or "") */
    int64_t scale;          /* OpenMetrics value = v x scale (1024 for kB: bytes); below 0,
                             * v / -scale, a power of ten, in decimals (µs: -1000000 for seconds) */
    struct xpoint *pts;
    size_t n, cap;
};

struct xfamily {
    char *name;             /* OpenMetrics family name */
    enum xtype type;
    const char *unit;       /* "bytes", or NULL */
    char *help;
    size_t *series;
    size_t n, cap;
};

struct xgroup {
    enum xkind kind;
    const char *measurement;   /* "meminfo", "vmstat", "swap", "numa", "process", "host",
                                * "pressure" */
    char *tags;             /* InfluxDB tags after the measurement, escaped and sorted: ",device=..,host=.." */
    char *node, *device, *comm, *pid, *type;   /* raw label values (NULL: none) */
    char *cmdline;          /* process: its command line (NULL: not recorded) */
    size_t *series;
    size_t n, cap;
};

struct xslot {
    char *key;
    size_t index;
};

struct xmap {
    struct xslot *slots;
    size_t n, cap;
};

struct xstore {
    int node_names;         /* --names=node */
    char host[65];
    struct host_facts facts;
    struct xfamily *families;
    size_t nfamilies, cap_families;
    struct xseries *series;
    size_t nseries, cap_series;
    struct xgroup *groups;
    size_t ngroups, cap_groups;
    struct xmap series_map, group_map, family_map;
    int64_t *times;         /* the window's distinct times, increasing */
    size_t ntimes;
    unsigned long dropped;  /* points not after their series' last */
};

/* One of the three formats: writes X to OUT; 0, or -1 when out of memory
 * (write errors: memreport's output_finish()). */
typedef int (*export_write_fn)(const struct xstore *x, FILE *out);

#endif
