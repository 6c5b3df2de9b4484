/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Pure parsers of the kernel log as /dev/kmsg gives it: one record
 * ("prio,seq,usec,flags[,...];text" and its " KEY=VALUE" continuation
 * lines), and the OOM killer's lines of kernels 4.19 to 6.x into struct
 * oom_event.  They read no file, so fixtures test every variant, and they
 * trust nothing: every length is bounded, and a line that does not match
 * is skipped, never half-used.
 */
#ifndef MEMTRAIL_KMSG_PARSE_H
#define MEMTRAIL_KMSG_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"

/* The longest record the kernel hands to a reader (CONSOLE_EXT_LOG_MAX). */
#define KMSG_RECORD_MAX 8192
/* The kernel's own facility: userspace writing to /dev/kmsg cannot claim it,
 * so only these records can be the OOM killer's. */
#define KMSG_FACILITY_KERNEL 0

struct kmsg_record {
    unsigned facility, level;
    uint64_t seq;
    int64_t usec;              /* the record's timestamp, µs of the kernel's local_clock */
    int continuation;          /* flags 'c': a fragment of a longer line (pr_cont) */
    char text[KMSG_RECORD_MAX];   /* the message with the kernel's \xNN escapes undone */
};

/* One record as read(2) returned it (LEN bytes, not NUL-terminated).
 * 0 when well-formed, -1 otherwise (OUT undefined).  The text ends at the
 * first newline; the continuation lines after it are dictionary entries
 * (SUBSYSTEM=, DEVICE=) that carry nothing memtrail keeps. */
int kmsg_parse_record(const char *buf, size_t len, struct kmsg_record *out);

/* The OOM killer writes one kill as several records: the one-line summary
 * ("oom-kill:constraint=...,task=...,pid=...,uid=..."), on 4.19 a "Kill
 * process ... or sacrifice child" line, then "Killed process PID (comm)
 * total-vm:...".  The parser keeps what the earlier lines said until the
 * "Killed process" record that completes the event. */
struct oom_parser {
    int have_summary;
    uint64_t summary_seq;
    char summary[KMSG_RECORD_MAX];   /* the summary's text, parsed once the victim's comm is known */
    int memcg_hint;                  /* 4.19: "Memory cgroup out of memory: Kill process" */
};

void oom_parser_init(struct oom_parser *p);
/* Feeds one record (any facility: only the kernel's are looked at).
 * Returns 1 and fills *OUT (seq and mono_us from the record, ts left 0)
 * when REC completed a kill, else 0. */
int oom_parser_feed(struct oom_parser *p, const struct kmsg_record *rec, struct oom_event *out);

/* Kills kept from one reading, far above any real burst: the rest are
 * counted in lost, as records the sample could not keep. */
#define KMSG_KILLS_MAX 4096

/* One reading of the log, record after record as read(2) returns them, from
 * the oldest the kernel holds: records numbered below FROM were read by an
 * earlier sample (they still go through the parser, so that a kill whose
 * summary came before FROM is whole); a gap in the numbers at or after FROM
 * is records the kernel overwrote before this reading, counted in
 * out->lost.  Kills get their wall time as the record's µs plus OFFSET_US,
 * never later than NOW_S. */
struct kmsg_reading {
    struct oom_event_list *out;
    struct oom_parser parser;
    struct kmsg_record rec;
    int have_expected;
    uint64_t expected;         /* the next record number not yet seen */
    int64_t offset_us, now_s;
};

/* Starts a reading into OUT (cleared): HAVE_FROM 0 keeps every record (a
 * boot's first reading: nothing can be said lost). */
void kmsg_reading_start(struct kmsg_reading *r, struct oom_event_list *out, int have_from,
                        uint64_t from, int64_t offset_us, int64_t now_s);
/* One record as read(2) gave it (LEN bytes). */
void kmsg_reading_take(struct kmsg_reading *r, const char *buf, size_t len);
/* Ends the reading: out->read = 1 and out->next_seq, where the next one goes on. */
void kmsg_reading_finish(struct kmsg_reading *r);

#endif
