/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The collector's reading of the kernel log (/dev/kmsg): the OOM kills
 * logged since the previous sample, with their victims.
 */
#ifndef MEMTRAIL_COLLECTOR_KMSG_H
#define MEMTRAIL_COLLECTOR_KMSG_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"

#define KMSG_PATH "/dev/kmsg"

/* Reads PATH (KMSG_PATH; another path for tests) to its end and fills OUT
 * (cleared first) with the kills of records numbered FROM on (every record
 * when HAVE_FROM is 0: the first reading of a boot), next_seq, and lost:
 * records between FROM and the oldest the kernel still held (overwritten
 * before this reading), never guessed at.  0 with OUT->read = 1; -1 with
 * OUT->read = 0 when the log cannot be opened, ERRNO_OUT saying why (EACCES
 * or EPERM: no privilege to read it, which is not an error of the sample). */
int kmsg_collect(const char *path, int have_from, uint64_t from, struct oom_event_list *out,
                 int *errno_out);

#endif
