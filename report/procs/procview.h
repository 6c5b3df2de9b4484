/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The per-process and NUMA reports (beyond sar): memreport -p (pidstat -r's
 * layout, procs.c), --growth (growth.h), --at TIME (at.h) and --numa
 * (numaview.h).  Each renders the series and the process store in sar text,
 * CSV or JSON.  This header holds what they share: their options and their
 * arguments, and procs.c's helpers and report.
 */
#ifndef MEMTRAIL_PROCVIEW_H
#define MEMTRAIL_PROCVIEW_H

#include <stddef.h>
#include <stdint.h>

#include "pstore.h"
#include "render.h"
#include "select.h"
#include "table.h"

enum report_kind { REPORT_SAR, REPORT_PROCS, REPORT_GROWTH, REPORT_AT, REPORT_NUMA,
                   REPORT_EVENTS, REPORT_OOM /* report/incident/ */,
                   REPORT_CGROUP /* --cgroup: report/cgroup/cgview.h */ };

#define FILTER_PIDS_MAX 64
#define NODES_MAX 64

struct proc_opts {
    enum report_kind kind;
    long top;                    /* --top N, default 10 */
    int npids;                   /* --pid PID[,PID...] */
    int32_t pids[FILTER_PIDS_MAX];
    const char *comm;            /* --comm NAME: any comm the process had */
    int cmdline;                 /* -l: text rows show the command line (pidstat -l) */
    int have_uid;                /* --user NAME|UID */
    uint32_t uid;
    struct tstamp at;            /* --at TIME */
    int at_worst;                /* --at worst: the lowest MemAvailable */
    int cgroup;                  /* --cgroup: the cgroup report, or --growth's of cgroups */
    const char *cgroup_path;     /* --cgroup PATH: that subtree only (processes too) */
    int nnodes;                  /* --numa n,m; 0: every node */
    int nodes[NODES_MAX];
    int json;                    /* --format=json (else csv, when not text) */
    int text;                    /* sar-style text */
    int start_given;             /* -s, --since: the window has a start (the incident reports) */
};

struct oom_log;

/* What the reports share. */
struct proc_report {
    const struct render_ctx *ctx;
    const struct proc_opts *po;
    const struct pstore *ps;
    const struct oom_log *oom;   /* the window's OOM kills (oomlog.h); NULL: not loaded */
};

typedef int (*proc_render_fn)(const struct proc_report *r);
int render_procs(const struct proc_report *r);

/* Helpers shared by the four (procs.c). */
int proc_passes_filters(const struct proc_opts *po, const struct pident *id);
/* Indexes into ps->entries of sample I that pass the filters, largest RSS
 * first (ties: lower pid), at most po->top of them, the aggregate row last
 * when no filter is set; returns how many (OUT holds ps->samples[i].n). */
size_t proc_ranked(const struct proc_opts *po, const struct pstore *ps, size_t i, size_t *out);
/* Faults per second of entry E of sample I since sample PREV (see procs.c). */
void proc_rates(const struct pstore *ps, const struct series *sr, size_t prev, size_t i,
                const struct pentry *e, double *minflt_s, double *majflt_s);
/* sar's time column for record K. */
void proc_time(const struct proc_report *r, size_t k, char *buf, size_t cap);
/* The times of records FIRST and LAST (a window's ends), each after its
 * date when they fall on different dates. */
void proc_span(const struct proc_report *r, size_t first, size_t last, char *from, char *to,
               size_t cap);
/* The window's records in order: each segment's reference (a sample, even
 * without rows: --at and the exports show it), then its rows.
 * Returns how many (malloc'd into *OUT), or -1. */
long window_records(const struct selection *sel, size_t **out);
/* The leading CSV/JSON cells of a row about record K (timestamp, local_time
 * (CSV only), epoch, interval since PREV); ISO is the buffer the timestamp
 * cell points to. */
#define SAMPLE_NCOLS 4
#define SAMPLE_COLS "timestamp", "local_time", "epoch", "interval"
void sample_cells(const struct series *sr, size_t prev, size_t k, char *iso, size_t cap,
                  struct cell *cells);

/* A process's columns in CSV and JSON (procs.c), shared by -p and --at. */
#define PROC_NCOLS 18
extern const char *const proc_cols[PROC_NCOLS];
/* The cells of entry E of record K; PREV is the record its rates start from. */
void proc_cells(const struct proc_report *r, size_t prev, size_t k, const struct pentry *e,
                struct cell *cells);
/* pidstat -r's header and rows; OOM_KILLED adds " [oom-killed]" after the
 * command (the process's last row before the OOM killer killed it). */
void proc_text_header(const struct proc_report *r, const char *time);
void proc_text_row(const struct proc_report *r, const char *time, const struct pident *id,
                   double minflt_s, double majflt_s, double vsz, double rss, double mem_pct,
                   int oom_killed);
/* The OOM kill of entry E's process right after record K (oomlog.h), or NULL. */
const struct oom_kill_seen *proc_oom_killed(const struct proc_report *r, size_t k,
                                            const struct pentry *e);
/* The name a row shows: "(others)" for the aggregate row. */
const char *proc_name(const struct pident *id);
/* What a text row shows in its Command column: the name, or with -l the
 * command line (the name when none was recorded), as pidstat -l does. */
const char *proc_label(const struct proc_report *r, const struct pident *id);

#endif
