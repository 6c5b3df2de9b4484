/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Pieces of sar's text format, shared by file mode and live mode. */
#ifndef MEMTRAIL_SAR_TEXT_H
#define MEMTRAIL_SAR_TEXT_H

#include "render.h"

/* sar's text format of the selection (render_fn). */
int render_sar(const struct render_ctx *ctx);

void sar_time_string(const struct render_ctx *ctx, const struct rec *r, char *buf, size_t cap);
void sar_banner(const struct render_ctx *ctx, int64_t ts, int32_t utc_offset, int ncpu);
/* The date of the first banner (ctx->file_ts), for sar_day_change(). */
long sar_banner_day(const struct render_ctx *ctx);
/* Before a row (or restart line) of record R: with ctx->mark_days, when R's
 * local date is not *DAY, the last banner's, a blank line and the banner
 * again with R's date (*DAY updated); 1 when it printed one, and the caller
 * then repeats its header. */
int sar_day_change(const struct render_ctx *ctx, long *day, const struct rec *r);
/* R's time as the rows show it, after its date as the banner shows it
 * when WITH_DATE. */
void sar_when(const struct render_ctx *ctx, const struct rec *r, int with_date, char *buf,
              size_t cap);
/* Whether A and B fall on the same date as the banner shows dates. */
int sar_same_day(const struct render_ctx *ctx, const struct rec *a, const struct rec *b);
void sar_header(const struct render_ctx *ctx, const char *time, enum output out);
/* A kB figure after one space, in a column WIDTH wide: with PLAIN_DECIMALS
 * decimals, or with --human in sar's cprintf_unit() units: divided by 1024
 * while it is >= 1024 (k, M, G, T, P; '?' past that), one decimal (none with
 * --dec=0) and the unit letter; a negative figure by its magnitude.  A
 * --human figure takes at most 7 characters (8 when negative), so every
 * report keeps its widths.  The one place kB figures of the text reports
 * get --human (sar_value() too). */
void sar_kb(const struct render_ctx *ctx, double kb, int width, int plain_decimals);
/* One value as sar prints it (leading space, width 9, --human, --dec). */
void sar_value(const struct render_ctx *ctx, const struct value *v);
void sar_row(const struct render_ctx *ctx, const char *time, const struct value *vals, int n);
void sar_restart(const struct render_ctx *ctx, const struct rec *r);
/* A report of segments (one event of the selection), given *DAY, the date of
 * the last banner, for its sar_day_change() calls, and its own ARG. */
typedef void (*sar_segment_fn)(const struct event *ev, long *day, void *arg);
/* The text shape sar and the reports of samples share: the banner, then the
 * selection's events in order: for a restart its date line (where the day
 * changed) and the LINUX RESTART line, for a segment SEGMENT. */
void sar_text_walk(const struct render_ctx *ctx, sar_segment_fn segment, void *arg);
int sar_average_values(const struct render_ctx *ctx, enum output out, const struct rec *ref,
                       const struct rec *last, const struct level_sums *sums,
                       struct value *vals);

#endif
