/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What every output format receives: the series, the records selected, and
 * how the user asked to see them.  Each format is one file with one render
 * function behind its own header; memreport.c lists them.  The helpers here
 * are render.c's.
 */
#ifndef MEMTRAIL_RENDER_H
#define MEMTRAIL_RENDER_H

#include <stdio.h>
#include <time.h>

#include "metrics.h"
#include "select.h"
#include "series.h"

struct render_ctx {
    const struct series *sr;
    const struct selection *sel;
    unsigned outputs;         /* bit (1 << enum output) for each output shown */
    int mem_all;              /* -r ALL */
    struct time_opts time;
    int human;                /* --human / -h */
    int dec;                  /* --dec=N, or -1 */
    int iso;                  /* S_TIME_FORMAT=ISO */
    int rows;                 /* lines between repeated headers (a terminal's height) */
    const char *avg_label;    /* "Average:", translated as sar does */
    int64_t file_ts;          /* the banner's date: the archive's first sample, or with
                                 MARK_DAYS the first row shown */
    int32_t file_utc_offset;
    int mark_days;            /* text: a banner line again where the rows' date changes */
    FILE *out;
    const struct sgr_palette *sgr;   /* sar's colours for the sar activities (colour.h),
                                        or NULL: plain text */
};

struct sgr_palette;

/* One output format (sar_text.h, sadf.h, csv.h, json.h); memreport.c lists them. */
typedef int (*render_fn)(const struct render_ctx *ctx);

/* The record before row J of a segment: the previous row, or the reference. */
size_t row_prev(const struct selection *sel, const struct event *seg, size_t j);
/* sadf's interval column: seconds between two records, rounded. */
long interval_seconds(const struct rec *prev, const struct rec *curr);
/* VALS as sadf -d and CSV write them: SEPARATOR before each, integers as
 * they are, the rest with two decimals (in the current LC_NUMERIC). */
void print_plain_values(FILE *out, char separator, const struct value *vals, int n);

#endif
