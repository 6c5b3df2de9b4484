/*
 * Exports for a fleet's engine: memreport --format=openmetrics (openmetrics.c),
 * --format=influx (influx.c) and --format=csv-long (csvlong.c).
 *
 * All three write the same numbers: every meminfo key, the vmstat counters,
 * each swap device, each NUMA node's meminfo keys and numastat counters, and
 * the processes of the --top N identities (boot, pid, start time) with the
 * largest peak RSS over the window (--pid, --comm and --user filter them;
 * the --procs-max aggregate row is left out), labelled by comm and pid.  So a
 * window never gives more than N process label sets, whatever the pid churn.
 *
 * The window is that of --growth: each segment's reference record plus its
 * rows.  The archives are read three times: once for the selection, once for
 * the system-wide values and the ranking of processes, once for the chosen
 * processes.  Each series is buffered in time order as it is read; a point
 * whose time is not after the series' last (a clock stepped back) is dropped,
 * with a count on stderr, so every series is strictly increasing in time.
 */
#ifndef MEMTRAIL_EXPORT_H
#define MEMTRAIL_EXPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "options.h"
#include "render.h"

enum xtype { X_GAUGE, X_COUNTER, X_UNKNOWN };
enum xkind { XG_MEMINFO, XG_VMSTAT, XG_SWAP, XG_NUMA, XG_PROCESS, XG_HOST };

struct xpoint {
    int64_t ts;
    int64_t v;              /* in the archive's unit (kB, pages, counts) */
};

struct xseries {
    uint32_t group, family;
    char *field;            /* InfluxDB field key, CSV metric's second part: "MemTotal", "rss_kb" */
    char *labels;           /* OpenMetrics labels after instance and job, escaped: field="X" (or "") */
    int64_t scale;          /* OpenMetrics value = v x scale (1024 for kB: bytes) */
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
    const char *measurement;   /* "meminfo", "vmstat", "swap", "numa", "process", "host" */
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

/* memreport's entry for the three formats; LOAD is memreport's loader of
 * the archives O names into a series (called once per pass). */
typedef int (*export_load_fn)(struct series *sr, const struct report_opts *o);
int export_replay(const struct report_opts *o, struct render_ctx *ctx, export_load_fn load);

int write_openmetrics(const struct xstore *x, FILE *out);
int write_influx(const struct xstore *x, FILE *out);
int write_csv_long(const struct xstore *x, FILE *out);

/* Appends V as decimal to the buffer at P; returns the end. */
char *x_itoa(char *p, int64_t v);
/* Appends S to the buffer at P with each byte that is not part of valid
 * UTF-8 written as its Latin-1 reading (0xFF becomes U+00FF), so that a
 * name's bytes stay apart and the output is valid UTF-8; ESCAPE (may be
 * NULL) is called for every other character and returns the bytes to write
 * instead, or NULL.  Returns the end; the buffer needs 2 x 6 bytes per byte. */
char *x_utf8(char *p, const char *s, const char *(*escape)(unsigned char c));

#endif
