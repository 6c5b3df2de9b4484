/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Record selection as sar 12.6.1 does it in file mode: -s picks each
 * segment's reference record (never printed), -e ends the rows (inclusive),
 * -i or a positional interval keeps the records nearest each multiple of the
 * interval, a count limits the rows of each segment, and a restart (a new
 * boot) starts a new segment.  Every output format renders the same events.
 */
#ifndef MEMTRAIL_SELECT_H
#define MEMTRAIL_SELECT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "series.h"

/* A -s or -e bound: a time of day as sar takes it, or an absolute instant. */
struct tstamp {
    int use;
    int absolute;       /* compare EPOCH with the record's UTC seconds */
    int64_t epoch;
    int hour, min, sec; /* hour may be 24+ for a window that crosses midnight */
};

struct time_opts {
    int true_time;      /* -t: the collector's local time of day */
    int utc;            /* show UTC (sadf's default) instead of local time */
};

struct window {
    struct tstamp start, end;
    long interval;      /* -i or positional interval; 1 keeps every record */
    long count;         /* rows per segment; -1 for all */
    struct time_opts time;
};

enum event_kind { EV_SEGMENT, EV_RESTART };

struct event {
    enum event_kind kind;
    size_t rec;             /* EV_RESTART: the first record after the restart */
    size_t ref;             /* EV_SEGMENT: the reference record */
    size_t first_row;       /* EV_SEGMENT: index into the selection's rows[] */
    size_t nrows;
    int ended_by_count;     /* the count stopped the rows (sar's Average header quirk) */
};

struct selection {
    struct event *events;
    size_t nevents;
    size_t *rows;           /* record indexes shown, segment after segment */
    size_t nrows;
};

/* The broken-down time a record is shown with. */
void rec_time(const struct rec *r, const struct time_opts *t, struct tm *out);
/* sar's datecmp(): <0, 0, >0 as the record is before, at or after the bound. */
int datecmp_rec(const struct rec *r, const struct tm *shown, const struct tstamp *bound,
                int cross_day);

int select_records(const struct series *sr, const struct window *w, struct selection *out);
/* The first row shown, else the first segment's reference, else NULL: the
 * record whose date a report's banner names. */
const struct rec *selection_first_shown(const struct series *sr, const struct selection *sel);
void selection_free(struct selection *sel);

#endif
