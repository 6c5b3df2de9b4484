/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A process's contribution to the memory that appeared in a window (contrib.h). */
#include "contrib.h"

#include "pstore.h"

int born_in_window(const struct window_start *w, uint32_t boot, uint64_t start_ticks)
{
    return boot != w->boot || start_ticks * (100 / USER_HZ) > w->uptime_cs;
}

int64_t rss_contribution(int born, int ended, uint64_t first_rss, uint64_t last_rss)
{
    return (ended ? 0 : (int64_t)last_rss) - (born ? 0 : (int64_t)first_rss);
}

int by_contribution(int64_t a, int64_t b)
{
    return a == b ? 0 : a > b ? -1 : 1;
}
