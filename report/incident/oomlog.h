/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The OOM kills and kernel log readings of the samples a report loaded
 * (archive PART_OOM), gathered beside the series: what --events and --oom
 * print, and what -p, --growth and --at mark processes with.  The SVG's
 * markers (V_visual) read the same: oom_log_in_window() gives the kills of
 * a window in time order.
 */
#ifndef MEMTRAIL_OOMLOG_H
#define MEMTRAIL_OOMLOG_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"
#include "pstore.h"
#include "series.h"

/* One kill: the victim, its boot, and the sample that recorded it. */
struct oom_kill_seen {
    struct oom_event ev;       /* ev.ts: the kill's own time */
    char boot_id[BOOT_ID_LEN + 1];
    int64_t sample_ts;
    int32_t utc_offset;        /* the recording collector's, for -t */
};

/* What each loaded sample says of the kernel log and the vmstat counter. */
struct oom_mark {
    int64_t ts;
    int has_counter;           /* /proc/vmstat oom_kill was recorded (kernel >= 4.13) */
    uint64_t counter;          /* its value */
    int kmsg_read;             /* the collector read the kernel log */
    uint64_t lost;             /* records overwritten before they were read */
};

struct oom_log {
    struct oom_kill_seen *kills;   /* by kill time once oom_log_finish() ran */
    size_t nkills, cap_kills;
    struct oom_mark *marks;        /* by sample time once oom_log_finish() ran */
    size_t nmarks, cap_marks;
};

/* series.h's EACH hook (with each_parts PART_OOM): keeps S's kills and
 * marks.  Non-zero when out of memory. */
int oom_log_take(const struct series *sr, const struct sample *s, void *ctx);
/* Sorts what was taken and drops a kill stored twice (the same boot and
 * record number: a day's first sample without the day before's position). */
void oom_log_finish(struct oom_log *log);
void oom_log_free(struct oom_log *log);

/* The mark of the sample at TS, or NULL. */
const struct oom_mark *oom_log_mark(const struct oom_log *log, int64_t ts);
/* The kills with FROM <= time <= TO: the index of the first in *FIRST and
 * how many. */
size_t oom_log_in_window(const struct oom_log *log, int64_t from, int64_t to, size_t *first);
/* The kill of process PID named COMM (15 bytes compared: the kernel's comm)
 * in boot BOOT_ID that happened after LAST_TS, the last sample that showed
 * it, and no later than GONE_TS, the first that did not; or NULL. */
const struct oom_kill_seen *oom_log_victim(const struct oom_log *log, const char *boot_id,
                                           int32_t pid, const char *comm, int64_t last_ts,
                                           int64_t gone_ts);

/* The kill of identity IDENT of PS right after record K of SR: it is not
 * in sample K + 1 (when that sample holds processes), and a kill of its boot,
 * pid and name falls between the two samples; or NULL. */
const struct oom_kill_seen *oom_log_killed_after(const struct oom_log *log,
                                                 const struct series *sr,
                                                 const struct pstore *ps, size_t k,
                                                 uint32_t ident);

#endif
