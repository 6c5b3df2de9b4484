/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The memory cgroup reports: memreport --cgroup (cgroups.c), --growth
 * --cgroup (cggrowth.h) and the cgroups of --at (cgat.h).  They read the
 * cgroups the process store keeps (cgrecs.h) and take the per-process
 * reports' options and arguments (procview.h).  This header holds
 * cgroups.c's report and the helpers the three share.
 */
#ifndef MEMTRAIL_CGVIEW_H
#define MEMTRAIL_CGVIEW_H

#include <stddef.h>
#include <stdint.h>

#include "procview.h"

/* What one cgroup did over one interval: OOM kills (memory.events
 * oom_kill; v1 oom_control) and the share of time some or all of its tasks
 * stalled on memory (memory.pressure), as sar computes %smem.  A figure the
 * kernel did not give, or that has no previous sample to start from, is
 * not HAS_. */
struct cg_interval {
    int has_kills, has_psi;
    uint64_t kills;
    uint64_t stall_some_us, stall_full_us, itv_cs;
};

/* memreport --cgroup (proc_render_fn). */
int render_cgroups(const struct proc_report *r);

/* Indexes into ps->cg.entries of sample K in --cgroup PATH's subtree,
 * largest memory.current first (ties: path), at most po->top, the row of
 * the cgroups beyond the collector's bound last when no PATH is given;
 * OUT holds ps->samples[K].cg.n + 1.  Returns how many. */
size_t cg_ranked(const struct proc_opts *po, const struct pstore *ps, size_t k, size_t *out);
/* The interval of entry E of sample K since sample PREV. */
void cg_interval_of(const struct pstore *ps, const struct series *sr, size_t prev, size_t k,
                    const struct cgentry *e, struct cg_interval *out);
/* Whether any of the N records W holds cgroup data; if none, says so on
 * stderr (naming OPTION) and returns 0. */
int cg_recorded(const struct pstore *ps, const size_t *w, long n, const char *option);

/* The text layout: a header (TIME in the first column), and the row of
 * cgroup ID with the values V (bytes, as recorded) and the interval IV. */
void cg_text_header(const struct proc_report *r, const char *time);
void cg_text_row(const struct proc_report *r, const char *time, const struct cgident *id,
                 const struct cgroup_mem *v, const struct cg_interval *iv);

/* --at's cgroups: those of sample K (ranked into RANKED, which holds
 * ps->samples[K].cg.n + 1) with their interval since PREV, after a blank
 * line, or a line saying it recorded none. */
void cg_at_text(const struct proc_report *r, const char *time, size_t prev, size_t k,
                size_t *ranked);

/* A cgroup's CSV and JSON columns, shared by --cgroup and --at (whose
 * tables name the boot in a column of their own). */
#define CG_NCOLS 30
extern const char *const cg_cols[CG_NCOLS];
void cg_cells(const struct proc_report *r, size_t prev, size_t k, const struct cgentry *e,
              struct cell *cells);

#endif
