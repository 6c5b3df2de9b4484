/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A process's contribution to the memory that appeared in a window: the rule
 * --growth, --trend's process part and the SVG's process panel rank by, kept
 * in one place so that the three agree.
 *
 * The contribution is the process's RSS at the window's last instant minus
 * its RSS at the first, counting 0 where it is not: a process born in the
 * window counts from 0 (a job already at 300 MB in its first sample brought
 * 300 MB), one that ended counts down to 0, one present throughout counts
 * last - first.  The contributions add up to the change of the total RSS.
 */
#ifndef MEMTRAIL_CONTRIB_H
#define MEMTRAIL_CONTRIB_H

#include <stdint.h>

/* The window's first instant: its boot (any index that tells boots apart)
 * and its uptime. */
struct window_start {
    uint32_t boot;
    uint64_t uptime_cs;
};

/* Whether a process of BOOT started at START_TICKS (1/USER_HZ s after boot)
 * started after the window's first instant W. */
int born_in_window(const struct window_start *w, uint32_t boot, uint64_t start_ticks);

/* The contribution of a process first seen at FIRST_RSS and last at LAST_RSS
 * (kB); BORN: it started in the window; ENDED: it is not in the window's last
 * instant. */
int64_t rss_contribution(int born, int ended, uint64_t first_rss, uint64_t last_rss);

/* qsort order of two contributions: the larger first; 0 when equal. */
int by_contribution(int64_t a, int64_t b);

#endif
