/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A local wall-clock time (what a user types after --since) turned into
 * the instant it names, with daylight saving made explicit rather than left
 * to mktime()'s guess: a time the clocks skipped is refused with the gap it
 * fell in, a time the clocks showed twice is its first occurrence (the one
 * sar's -s/-e time of day matches first in a file).
 */
#ifndef MEMTRAIL_WALLCLOCK_H
#define MEMTRAIL_WALLCLOCK_H

#include <time.h>

enum wall_result { WALL_OK, WALL_INVALID, WALL_GAP };

/* Where the clocks jumped: "02:00 CET" and "03:00 CEST", and the UTC
 * offset before the jump ("+01:00"). */
struct wall_gap {
    char from[32], to[32], offset[8];
};

/* The instant of local time WALL (tm_year .. tm_sec; the rest ignored).
 * WALL_INVALID: no such date (February 30); WALL_GAP: the clocks skipped it,
 * and GAP says where. */
enum wall_result wall_to_instant(const struct tm *wall, time_t *out, struct wall_gap *gap);

#endif
