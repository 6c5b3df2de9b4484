/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Local wall-clock times to instants (see wallclock.h). */
#define _GNU_SOURCE
#include "wallclock.h"

#include <stdio.h>
#include <string.h>

static long offset_at(time_t t)
{
    struct tm tm;
    localtime_r(&t, &tm);
    return tm.tm_gmtoff;
}

static int same_wall(const struct tm *a, const struct tm *b)
{
    return a->tm_year == b->tm_year && a->tm_mon == b->tm_mon && a->tm_mday == b->tm_mday &&
           a->tm_hour == b->tm_hour && a->tm_min == b->tm_min && a->tm_sec == b->tm_sec;
}

/* "02:00 CET": the wall time the offset OFF gives at instant T, and the
 * zone's name at instant ZONE_AT. */
static void describe(time_t t, long off, time_t zone_at, char *buf, size_t cap)
{
    struct tm wall, zone;
    time_t shifted = t + off;
    gmtime_r(&shifted, &wall);
    localtime_r(&zone_at, &zone);
    snprintf(buf, cap, "%02d:%02d %s", wall.tm_hour, wall.tm_min, zone.tm_zone ? zone.tm_zone : "");
}

/* The transition between BEFORE and AFTER (offsets differ): the first
 * second whose offset is not BEFORE's. */
static time_t transition(time_t lo, time_t hi)
{
    long before = offset_at(lo);
    while (hi - lo > 1) {
        time_t mid = lo + (hi - lo) / 2;
        if (offset_at(mid) == before)
            lo = mid;
        else
            hi = mid;
    }
    return hi;
}

enum wall_result wall_to_instant(const struct tm *wall, time_t *out, struct wall_gap *gap)
{
    struct tm fields = *wall, check;
    fields.tm_isdst = 0;
    time_t naive = timegm(&fields);   /* the wall time read as UTC */
    if (naive == (time_t)-1 || !gmtime_r(&naive, &check) || !same_wall(&check, wall))
        return WALL_INVALID;
    /* a zone's offset changes at most once within a day either side */
    time_t lo = naive - 86400, hi = naive + 86400;
    long offsets[3] = { offset_at(lo), offset_at(naive), offset_at(hi) };
    int found = 0;
    for (int i = 0; i < 3; i++) {
        time_t t = naive - offsets[i];
        struct tm back;
        localtime_r(&t, &back);
        if (same_wall(&back, wall) && (!found || t < *out)) {
            *out = t;
            found = 1;
        }
    }
    if (found)
        return WALL_OK;
    time_t jump = transition(lo, hi);
    describe(jump, offsets[0], jump - 1, gap->from, sizeof gap->from);
    describe(jump, offsets[2], jump, gap->to, sizeof gap->to);
    long east = offsets[0] < 0 ? -offsets[0] : offsets[0];
    snprintf(gap->offset, sizeof gap->offset, "%c%02ld:%02ld", offsets[0] < 0 ? '-' : '+',
             east / 3600 % 100, east % 3600 / 60);
    return WALL_GAP;
}
