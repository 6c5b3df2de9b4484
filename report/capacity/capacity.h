/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Capacity planning over weeks (memreport --summary, --trend, --format=svg):
 * the window's samples are streamed once, file after file, and never held
 * all at once.  Each sample is reduced to a cap_point (sar's definitions);
 * process data, which costs far more to decode than the system-wide
 * columns, is read at no more than CAP_PROC_INSTANTS instants spread evenly
 * over the window (every sample when the window has fewer).
 *
 * The reports use this file; it never calls them: memreport chooses one and
 * hands it to capacity_main().
 */
#ifndef MEMTRAIL_CAPACITY_H
#define MEMTRAIL_CAPACITY_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"
#include "options.h"
#include "render.h"

#define CAP_PROC_INSTANTS 2400

/* One sample, system-wide, in kB unless named otherwise. */
struct cap_point {
    int64_t ts;
    int restart;             /* a new boot begins here (not at the window's first sample) */
    double total, free, avail, buffers, cached, slab;
    double used;             /* sar's kbmemused: MemTotal - (MemFree + Buffers + Cached + Slab), >= 0 */
    double memused_pct;      /* used / MemTotal */
    double committed, commit_limit;  /* Committed_AS, CommitLimit */
    double commit_pct;       /* sar's %commit: Committed_AS / (MemTotal + SwapTotal) */
    double swap_total, swap_used;
    double huge_used;        /* (HugePages_Total - HugePages_Free) x Hugepagesize */
    uint64_t interval_cs;    /* uptime since the previous sample of the same boot, 1/100 s:
                              * the time this sample covers (0: none, the window's or a
                              * boot's first sample); --summary weighs samples by it */
    int have_rates;          /* the previous sample is of the same boot */
    double swpin_s, swpout_s;  /* pswpin, pswpout: pages per second since the previous sample */
    /* memory pressure (-q MEM), for the reports' peaks and the SVG's panel */
    int have_psi;            /* this sample recorded it (0: no PSI, psi=0: leave it out) */
    double some_avg10, full_avg10;   /* the kernel's 10 s averages, % (%smem-10, %fmem-10) */
    int have_psi_rates;      /* and so did the previous sample, of the same boot */
    double some_pct, full_pct;       /* % of the time stalled since it (sar's %smem, %fmem) */
    double instant_s;        /* procs() only: the seconds this sampled instant covers, since
                              * the previous instant (the first: until the next; 1 alone) */
};

struct cap_stream {
    /* every sample of the window, in time order; S holds its NUMA nodes when WANT_NUMA */
    int (*point)(const struct cap_point *p, const struct sample *s, void *ctx);
    /* the sampled instants' processes (NULL: processes are not read) */
    int (*procs)(const struct cap_point *p, const struct sample *s, void *ctx);
    int want_numa;
    void *ctx;
};

struct cap_window {
    char **paths;            /* the archives, in time order */
    size_t npaths;
    int64_t from, to;        /* inclusive bounds (INT64_MIN / INT64_MAX: none) */
    int64_t first_ts, last_ts;  /* the first and last sample inside the bounds (estimates) */
    struct host_facts host;
};

/* Works out the window of O: its files and bounds.  Returns 0, or the exit
 * status after printing why not. */
int cap_window_open(const struct report_opts *o, struct cap_window *w);
void cap_window_free(struct cap_window *w);
/* Streams the window through CS; returns 0 or an exit status. */
int cap_run(const struct cap_window *w, struct cap_stream *cs);

/* One of the three reports (summary.h, trend.h, svg.h) over window W. */
typedef int (*cap_render_fn)(const struct report_opts *o, struct render_ctx *ctx,
                             const struct cap_window *w);
/* memreport's entry for the three reports: opens O's window and has RENDER,
 * which memreport chooses, write it. */
int capacity_main(const struct report_opts *o, struct render_ctx *ctx, cap_render_fn render);

/* Local-time helpers.  The start of the local day, hour or ISO week
 * (Monday 00:00) holding TS, and the start of the next one. */
enum cap_period { PERIOD_HOUR = 1, PERIOD_DAY, PERIOD_WEEK };
int64_t cap_period_start(int64_t ts, enum cap_period p);
int64_t cap_period_next(int64_t start, enum cap_period p);
/* "2026-11-02 14:00", "2026-11-02", "2026-W45". */
void cap_period_label(int64_t start, enum cap_period p, char *buf, size_t cap);
/* "2026-11-02 14:05:00" in local time. */
void cap_local_time(int64_t ts, char *buf, size_t cap);
/* The start of --summary's and --trend's text: sar's banner, then the
 * window's first and last sample as local times into FROM and TO (32 bytes
 * each); 0, or -1 after saying on stderr that the window holds no sample
 * (empty.h), with nothing on stdout. */
int cap_text_head(const struct render_ctx *ctx, unsigned long samples, int64_t first_ts,
                  int64_t last_ts, char *from, char *to);

/* A least-squares line y = a + b x, each point with a weight (the time its
 * sample covers, for samples at irregular intervals). */
struct fit {
    double points;
    double n, sx, sy, sxx, sxy, syy;   /* weighted sums; n: of the weights */
};
void fit_add(struct fit *f, double x, double y);   /* weight 1 */
void fit_add_weighted(struct fit *f, double x, double y, double w);
/* Slope, intercept and R² (R² is 1 for a perfect line, 0 when y does not vary
 * with x; NAN with fewer than two distinct x). */
void fit_result(const struct fit *f, double *slope, double *intercept, double *r2);

#endif
