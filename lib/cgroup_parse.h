/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Pure parsers of the memory files of a cgroup, v1 and v2, into one
 * struct cgroup_mem (model.h), and of a process's /proc/PID/cgroup lines.
 * They never read a file: the collector (collector/cgroups.c) reads, the
 * unit tests feed fixtures.  cgroupfs text is not trusted: every line is
 * bounded, unknown or malformed lines are skipped, a value that is not a
 * number stays CGROUP_ABSENT.
 */
#ifndef MEMTRAIL_CGROUP_PARSE_H
#define MEMTRAIL_CGROUP_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"

/* v1 writes "no limit" as PAGE_COUNTER_MAX pages in bytes (on 4 kB pages
 * 0x7ffffffffffff000); anything at or above this is unlimited. */
#define CGROUP_V1_UNLIMITED_MIN 0x7ffffffffffff000ULL

/* Sets every value of M to CGROUP_ABSENT (path and id untouched). */
void cgroup_mem_absent(struct cgroup_mem *m);

/* A file holding one number (memory.current, memory.swap.current,
 * memory.usage_in_bytes, memory.failcnt): 0, or -1 when it holds none. */
int cgroup_parse_number(const char *text, size_t len, uint64_t *out);
/* v2 memory.max / memory.high: a number, or "max" (CGROUP_UNLIMITED). */
int cgroup_parse_limit(const char *text, size_t len, uint64_t *out);
/* v1 memory.limit_in_bytes: a number; CGROUP_V1_UNLIMITED_MIN and above
 * are CGROUP_UNLIMITED. */
int cgroup_parse_v1_limit(const char *text, size_t len, uint64_t *out);

/* memory.stat: v2 keys anon, file, shmem, kernel, sock, file_dirty,
 * file_writeback, file_mapped, workingset_refault_anon/_file; v1 (VERSION
 * 1) rss, cache, shmem, mapped_file, dirty, writeback, swap and the
 * workingset_refault pair, each replaced by its hierarchical total_* key
 * when the file has one (usage_in_bytes counts descendants too), and max
 * CGROUP_UNLIMITED when hierarchical_memory_limit is unlimited (the least
 * limit of the cgroup and its ancestors: its own is unlimited too); a
 * finite, missing or malformed one leaves max for memory.limit_in_bytes.
 * Keys it lacks stay as they were. */
void cgroup_parse_stat(const char *text, size_t len, int version, struct cgroup_mem *m);
/* v2 memory.events: low, high, max, oom, oom_kill, oom_group_kill. */
void cgroup_parse_events(const char *text, size_t len, struct cgroup_mem *m);
/* v1 memory.oom_control: oom_kill (kernels from 4.13). */
void cgroup_parse_oom_control(const char *text, size_t len, struct cgroup_mem *m);
/* memory.pressure (or /proc/pressure/memory): the some and full totals, µs. */
void cgroup_parse_pressure(const char *text, size_t len, struct cgroup_mem *m);

/* One line of /proc/PID/cgroup ("4:memory:/a/b" or "0::/a/b"): the path of
 * the memory hierarchy into OUT (CAP bytes) when the line is the one of
 * VERSION (2: the "0::" line; 1: a line whose controllers include
 * "memory").  1 when found, 0 when not that line, -1 when too long. */
int cgroup_parse_proc_line(const char *line, size_t len, int version, char *out, size_t cap);

/* One line of /proc/self/mountinfo: for a cgroup2 mount (VERSION 2) or a
 * cgroup v1 mount with the memory controller (VERSION 1), its mount point
 * into MNT and the hierarchy path it shows into ROOT ("/" usually; another
 * in a container), octal escapes ("\040") decoded.  1 when it is one of
 * those, 0 when not (or too long for MNT/ROOT). */
int cgroup_parse_mountinfo_line(const char *line, size_t len, int *version, char *mnt,
                                size_t mnt_cap, char *root, size_t root_cap);

#endif
