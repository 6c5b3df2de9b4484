/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * memreport --numa (numa.c): each node's meminfo and numastat per record;
 * and the node helpers --at shares.
 */
#ifndef MEMTRAIL_NUMAVIEW_H
#define MEMTRAIL_NUMAVIEW_H

#include <stddef.h>
#include <stdio.h>

#include "procview.h"

int render_numa(const struct proc_report *r);

/* A node's columns in CSV and JSON (numa.c), shared by --numa and --at. */
#define NODE_NCOLS 14
extern const char *const node_cols[NODE_NCOLS];
void node_cells(const struct proc_report *r, size_t prev, size_t k, const struct pnode *n,
                struct cell *cells);
/* The nodes of record K shown (every node, or those --numa names); how many. */
size_t nodes_shown(const struct proc_report *r, size_t k, const struct pnode **out, size_t cap);
/* The line saying no NUMA data was recorded. */
void numa_missing(const struct proc_report *r, FILE *out);
/* sar-style node header and row for record K (PREV for the rates). */
void node_text_header(const struct proc_report *r, const char *time);
void node_text_row(const struct proc_report *r, const char *time, size_t prev, size_t k,
                   const struct pnode *n);

#endif
