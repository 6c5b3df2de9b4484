/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What each sar output shows, computed from two records with sysstat
 * 12.6.1's formulas (pr_stats.c), including its unsigned arithmetic: every
 * output format takes its values from here.
 */
#ifndef MEMTRAIL_METRICS_H
#define MEMTRAIL_METRICS_H

#include <stdint.h>

#include "series.h"

/* In sar's act[] order, which fixes the order of blocks. */
enum output { OUT_SWAPPG, OUT_PAGING, OUT_MEMORY, OUT_SWAP, OUT_HUGE, OUT_PSI, OUT_COUNT };

enum vtype { VT_KB, VT_KB_AVG, VT_PCT, VT_RATE };

struct value {
    enum vtype type;
    uint64_t u;   /* VT_KB */
    double d;     /* the others */
};

struct column {
    const char *sar;    /* sar's header, sadf -d's field name */
    const char *json;   /* sadf -j's key */
    enum vtype type;    /* as a row shows it */
};

#define MAX_COLUMNS 16

/* The columns of OUT (-r ALL adds five when MEM_ALL); returns how many. */
int output_columns(enum output out, int mem_all, const struct column **cols);
/* Whether a row of OUT can be shown for CURR after PREV: always, but for
 * the pressure (-q MEM), which needs both to have recorded it (a kernel
 * without PSI, psi=0): it is left out, never shown as 0. */
int output_recorded(enum output out, const struct rec *prev, const struct rec *curr);
/* A row of OUT for CURR, PREV being the record before it (for rates). */
int output_row(enum output out, int mem_all, const struct rec *prev, const struct rec *curr,
               struct value *vals);

/* Sums for the Average of the level outputs (-r, -S, -H), kept as sar keeps them. */
struct level_sums {
    unsigned long long count;
    uint64_t mem[M_NFIELDS];
    uint64_t nouse;
    uint64_t psi_avg[6];   /* -q MEM: some then full avg10, avg60, avg300, hundredths */
};
void level_sums_add(struct level_sums *s, const struct rec *r);
/* The Average row of a level output; LAST is the last record shown. */
int level_average(enum output out, int mem_all, const struct level_sums *s,
                  const struct rec *last, struct value *vals);
/* The Average row of -q MEM: the mean of each average, and the stall over
 * the whole span from REF to LAST. */
int psi_average(const struct level_sums *s, const struct rec *ref, const struct rec *last,
                struct value *vals);
/* Whether OUT's Average is a rate over the whole span (-W, -B). */
int output_is_rate(enum output out);

#endif
