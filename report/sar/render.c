/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Helpers every output format of the sar selection shares (see render.h).
 */
#include "render.h"

size_t row_prev(const struct selection *sel, const struct event *seg, size_t j)
{
    return j == 0 ? seg->ref : sel->rows[seg->first_row + j - 1];
}

long interval_seconds(const struct rec *prev, const struct rec *curr)
{
    uint64_t itv = curr->uptime_cs - prev->uptime_cs;
    long seconds = (long)(itv / 100);
    if (itv % 100 >= 50)
        seconds++;
    return seconds;
}

void print_plain_values(FILE *out, char separator, const struct value *vals, int n)
{
    for (int i = 0; i < n; i++) {
        if (vals[i].type == VT_KB)
            fprintf(out, "%c%llu", separator, (unsigned long long)vals[i].u);
        else
            fprintf(out, "%c%.2f", separator, vals[i].d);
    }
}
