/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Exports for a fleet's engine: memreport --format=openmetrics (openmetrics.c),
 * --format=influx (influx.c) and --format=csv-long (csvlong.c).
 *
 * All three write the same numbers: every meminfo key, the vmstat counters,
 * each swap device, each NUMA node's meminfo keys and numastat counters, and
 * the processes of the --top N identities (boot, pid, start time) with the
 * largest peak RSS over the window (--pid, --comm and --user filter them;
 * the --procs-max aggregate row is left out), labelled by comm and pid.  So a
 * window never gives more than N process label sets, whatever the pid churn.
 *
 * The window is that of --growth: each segment's reference record plus its
 * rows.  The archives are read three times: once for the selection, once for
 * the system-wide values and the ranking of processes, once for the chosen
 * processes.  Each series is buffered in time order as it is read; a point
 * whose time is not after the series' last (a clock stepped back) is dropped,
 * with a count on stderr, so every series is strictly increasing in time.
 */
#ifndef MEMTRAIL_EXPORT_H
#define MEMTRAIL_EXPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "options.h"
#include "render.h"
#include "xstore.h"

/* memreport's entry for the three formats; LOAD is memreport's loader of
 * the archives O names into a series (called once per pass), WRITE the
 * format memreport chose (openmetrics.h, influx.h, csvlong.h). */
typedef int (*export_load_fn)(struct series *sr, const struct report_opts *o);
int export_replay(const struct report_opts *o, struct render_ctx *ctx, export_load_fn load,
                  export_write_fn write);

#endif
