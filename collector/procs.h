/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Processes for the collector, read with libproc2 (procps-ng 4.0.x).
 *
 * libproc2 is loaded with dlopen("libproc2.so.0") on the first call, so a
 * memcollect run that samples no processes never loads it (loading it and
 * the libraries it needs costs more CPU than a whole system-wide sample).
 * Nothing to link: dlopen is in glibc's libc.  Only collector/procs.c sees
 * libproc2's API.
 */
#ifndef MEMTRAIL_COLLECTOR_PROCS_H
#define MEMTRAIL_COLLECTOR_PROCS_H

#include <stddef.h>

#include "model.h"

/* Longest command line kept, including the NUL (longer ones are cut). */
#define PROC_CMDLINE_MAX 4096

struct procs_options {
    int want_pss;   /* read PSS (smaps_rollup: ~3.3 µs per MiB of RSS); root only */
};

/* Fills LIST (cleared first; scanned=1) with every process (not thread):
 * pid, ppid, effective uid, start_ticks, comm, kernel_thread,
 * rss/anon/file/shmem, swap, vsz, minflt/majflt.  pss_kb is -1 unless want_pss, running as root and the
 * process's smaps_rollup readable; a process without an address space (a
 * kernel thread, a zombie) has pss_kb 0 then.  cmdline stays NULL.
 * Processes that exit during the scan are left out; zombies are kept, with
 * zero memory.  Returns 0, or -1 with ERR ("cannot load libproc2: ...", ...). */
int procs_scan(struct proc_list *list, const struct procs_options *o, char *err, size_t err_cap);

/* Reads the command lines of the processes whose NEED[i] is set (NEED has
 * list->n entries), as libproc2 gives them (control characters escaped,
 * kernel threads as "[name]"), cut to PROC_CMDLINE_MAX-1 bytes; with
 * CGROUP_VERSION 1 or 2, also their memory cgroup's path in that hierarchy
 * (/proc/PID/cgroup through libproc2, into proc.cgroup).  A process
 * that exited meanwhile, or whose pid now belongs to another process (start
 * time differs), keeps cmdline NULL: not an error.  Returns 0, or -1 with ERR. */
int procs_read_cmdlines(struct proc_list *list, const unsigned char *need, int cgroup_version,
                        char *err, size_t err_cap);

/* --procs-max MAX: keeps the MAX processes largest by RSS (ties: lower pid
 * first), in their order in LIST, and replaces the others by one row at the
 * end: pid PROC_AGGREGATE_PID, comm "(others)", ppid/uid/start_ticks 0, the
 * sums of rss/anon/file/shmem/swap/vsz/minflt/majflt, pss summed when every
 * folded pss is known (else -1).  list->aggregated counts the folded
 * processes.  No-op when list->n <= MAX. */
void procs_keep_largest(struct proc_list *list, size_t max);

/* Frees libproc2's contexts kept between calls (optional: at exit, for leak
 * checkers).  The library itself stays loaded. */
void procs_release(void);

#endif
