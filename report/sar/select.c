/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sar 12.6.1's file-mode record selection (see select.h), written once so
 * that sar text, sadf, CSV and JSON all show the same records.
 */
#include "select.h"

#include <stdlib.h>
#include <string.h>

void rec_time(const struct rec *r, const struct time_opts *t, struct tm *out)
{
    time_t ts = (time_t)r->ts;
    if (t->utc)
        gmtime_r(&ts, out);
    else
        localtime_r(&ts, out);
    if (t->true_time) {
        /* sar -t: the date as usual, the time of day as the collector saw it */
        struct tm creator;
        time_t local = (time_t)(r->ts + r->utc_offset);
        gmtime_r(&local, &creator);
        out->tm_hour = creator.tm_hour;
        out->tm_min = creator.tm_min;
        out->tm_sec = creator.tm_sec;
    }
}

int datecmp_rec(const struct rec *r, const struct tm *shown, const struct tstamp *bound,
                int cross_day)
{
    if (bound->absolute)
        return r->ts < bound->epoch ? -1 : r->ts > bound->epoch ? 1 : 0;
    int hour = shown->tm_hour + (cross_day ? 24 : 0);
    if (hour != bound->hour)
        return hour - bound->hour;
    if (shown->tm_min != bound->min)
        return shown->tm_min - bound->min;
    return shown->tm_sec - bound->sec;
}

/* sa_common.c's next_slice(): whether the record at UPTIME is the one kept
 * for the nearest multiple of INTERVAL seconds since the reference. */
static int next_slice(uint64_t uptime_ref, uint64_t uptime, int reset, long interval,
                      uint64_t *last_uptime)
{
    if (!*last_uptime || reset)
        *last_uptime = uptime_ref;
    double f = (double)((uptime - *last_uptime) & 0xffffffff) / 100;
    unsigned long file_interval = (unsigned long)f;
    if (f * 10 - (double)file_interval * 10 >= 5)
        file_interval++;
    *last_uptime = uptime;
    if (interval == 1)
        return 1;
    f = (double)((uptime - uptime_ref) & 0xffffffff) / 100;
    unsigned long entry = (unsigned long)f;
    if (f * 10 - (double)entry * 10 >= 5)
        entry++;
    int min = (int)(entry - file_interval / 2);
    int max = (int)(entry + file_interval / 2 + (file_interval & 1));
    int pt1 = (int)((entry / (unsigned long)interval) * (unsigned long)interval);
    int pt2 = (int)((entry / (unsigned long)interval + 1) * (unsigned long)interval);
    return (pt1 >= min && pt1 < max) || (pt2 >= min && pt2 < max);
}

static int in_reference_window(const struct rec *r, const struct window *w)
{
    struct tm t;
    rec_time(r, &w->time, &t);
    if (w->start.use && datecmp_rec(r, &t, &w->start, 0) < 0)
        return 0;
    if (w->end.use && datecmp_rec(r, &t, &w->end, 0) >= 0)
        return 0;
    return 1;
}

static int restart_shown(const struct rec *r, const struct window *w)
{
    struct tm t;
    rec_time(r, &w->time, &t);
    return !((w->start.use && datecmp_rec(r, &t, &w->start, 0) < 0) ||
             (w->end.use && datecmp_rec(r, &t, &w->end, 0) > 0));
}

static int push_event(struct selection *sel, const struct event *ev)
{
    struct event *grown = realloc(sel->events, (sel->nevents + 1) * sizeof *grown);
    if (!grown)
        return -1;
    sel->events = grown;
    sel->events[sel->nevents++] = *ev;
    return 0;
}

/* The rows of one segment: records REF+1 .. END-1 that sar would print. */
static void segment_rows(const struct series *sr, const struct window *w, size_t ref,
                         size_t end, struct selection *sel, struct event *ev)
{
    uint64_t last_uptime = 0;
    int reset = 1, cross_day = 0;
    long cnt = w->count;
    size_t prev = ref;
    ev->first_row = sel->nrows;
    for (size_t k = ref + 1; k < end; k++) {
        const struct rec *r = &sr->recs[k], *p = &sr->recs[prev];
        int keep = next_slice(sr->recs[ref].uptime_cs, r->uptime_cs, reset, w->interval,
                              &last_uptime);
        reset = 0;
        if (!keep)
            continue;
        struct tm now, before;
        rec_time(r, &w->time, &now);
        rec_time(p, &w->time, &before);
        if (w->start.use && p->ts && r->ts > p->ts && now.tm_hour < before.tm_hour)
            cross_day = 1;
        if (w->end.use && datecmp_rec(r, &now, &w->end, cross_day) > 0)
            break;
        sel->rows[sel->nrows++] = k;
        prev = k;
        if (cnt > 0 && --cnt == 0) {
            ev->ended_by_count = 1;
            break;
        }
    }
    ev->nrows = sel->nrows - ev->first_row;
}

static int emit_restart(struct selection *sel, const struct series *sr, size_t i,
                        const struct window *w)
{
    if (!restart_shown(&sr->recs[i], w))
        return 0;
    struct event ev = { .kind = EV_RESTART, .rec = i };
    return push_event(sel, &ev);
}

int select_records(const struct series *sr, const struct window *w, struct selection *out)
{
    memset(out, 0, sizeof *out);
    out->rows = malloc((sr->n ? sr->n : 1) * sizeof *out->rows);
    if (!out->rows)
        return -1;
    size_t told = 0;   /* the restart before record TOLD is already dealt with */
    size_t i = 0;
    while (i < sr->n) {
        /* the reference: the first record inside the window */
        size_t ref = sr->n;
        for (; i < sr->n; i++) {
            if (sr->recs[i].restart_before && i != told) {
                told = i;
                if (emit_restart(out, sr, i, w) != 0)
                    return -1;
            }
            if (in_reference_window(&sr->recs[i], w)) {
                ref = i;
                break;
            }
        }
        if (ref == sr->n)
            break;
        size_t end = ref + 1;
        while (end < sr->n && !sr->recs[end].restart_before)
            end++;
        struct event ev = { .kind = EV_SEGMENT, .ref = ref };
        segment_rows(sr, w, ref, end, out, &ev);
        if (push_event(out, &ev) != 0)
            return -1;
        i = end;
        if (i < sr->n) {
            told = i;
            if (emit_restart(out, sr, i, w) != 0)
                return -1;
        }
    }
    return 0;
}

const struct rec *selection_first_shown(const struct series *sr, const struct selection *sel)
{
    if (sel->nrows)
        return &sr->recs[sel->rows[0]];
    for (size_t e = 0; e < sel->nevents; e++)
        if (sel->events[e].kind == EV_SEGMENT)
            return &sr->recs[sel->events[e].ref];
    return NULL;
}

void selection_free(struct selection *sel)
{
    free(sel->events);
    free(sel->rows);
    memset(sel, 0, sizeof *sel);
}
