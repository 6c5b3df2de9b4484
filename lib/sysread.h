/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading the live system into the model: the collector's readers, also used
 * by memreport's live mode.  Missing files (no swap, a container, an old
 * kernel) leave their part of the sample empty; they are not errors.
 */
#ifndef MEMTRAIL_SYSREAD_H
#define MEMTRAIL_SYSREAD_H

#include <stddef.h>

#include "model.h"

/* Reads PATH into BUF (at most CAP-1 bytes, NUL-terminated); -errno on failure. */
int read_text_file(const char *path, char *buf, size_t cap, size_t *len);
/* The same for NAME in the directory DIRFD, never through a symbolic link,
 * in one read unless it fills the buffer: the read that says "end of file"
 * would be a tenth of the cost of sampling 2,000 cgroups.  A read that
 * fills less than asked had the whole file where the file is one record:
 * a cgroup file without its own seq_start (every memory.* file; not
 * cgroup.procs) gets kernfs's single_open() iterator, and seq_read_iter
 * grows its buffer until that record fits whole, then copies as much of it
 * as asked.  tmpfs (the test fixtures) reads up to the size asked or the
 * end of the file. */
int read_small_text_at(int dirfd, const char *name, char *buf, size_t cap, size_t *len);

/* Fills S from /proc and the clock.  Returns 0, or -1 with ERR set when not
 * even the wall clock could be read. */
int read_sample(struct sample *s, char *err, size_t err_cap);

/* /proc/pressure/memory through parse_psi (read_sample's and --watch's
 * one reader): 0, or -1 with OUT all 0 (not available) when it is absent,
 * unreadable (psi=0) or malformed. */
int read_psi_mem(struct psi *out);

/* Fills H from uname(2), sysconf(3) and the local time zone at TS. */
void read_host_facts(struct host_facts *h, time_t ts);

#endif
