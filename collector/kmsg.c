/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * OOM kills from /dev/kmsg (kmsg.h).  Every opener of /dev/kmsg has its
 * own position, starting at the oldest record the kernel still holds:
 * reading never takes records from journald or dmesg, and they never take
 * ours.  (lseek SEEK_DATA would start after the last "dmesg -C" instead,
 * and so skip kills someone cleared from the syslog view: the open's own
 * position is the one wanted.)  A one-shot collector cannot seek to a
 * sequence number, so it reads from the oldest record and skips by the
 * record header up to the stored position; the records before it still go
 * through the OOM parser, so that a kill whose summary line was logged
 * before the previous sample and its "Killed process" line after is whole.
 */
#define _GNU_SOURCE
#include "kmsg.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kmsg_parse.h"

/* Reads in one sample: the kernel's largest log buffer holds fewer records
 * than this, so only a log written faster than it is read reaches it. */
#define KMSG_READS_MAX (1L << 21)

/* The kernel stamps each record with local_clock(): nanoseconds since boot
 * of the scheduler clock, which, like CLOCK_MONOTONIC, stops while the
 * machine is suspended, and drifts from it only by the clocks' rate
 * difference (NTP slews CLOCK_MONOTONIC, not local_clock).  So a record's
 * wall time is its timestamp plus (CLOCK_REALTIME - CLOCK_MONOTONIC) taken
 * now: the error is that drift over the record's age, well under a second
 * for records read within minutes, as memcollect reads them.  Records older
 * than a suspend would come out early by the suspended time; a kill is
 * never placed after the moment it was read. */
static int64_t wall_offset_us(int64_t *now_s)
{
    struct timespec real, mono;
    clock_gettime(CLOCK_REALTIME, &real);
    clock_gettime(CLOCK_MONOTONIC, &mono);
    *now_s = (int64_t)real.tv_sec;
    return ((int64_t)real.tv_sec - (int64_t)mono.tv_sec) * 1000000 +
           ((int64_t)real.tv_nsec - (int64_t)mono.tv_nsec) / 1000;
}

int kmsg_collect(const char *path, int have_from, uint64_t from, struct oom_event_list *out,
                 int *errno_out)
{
    static char buf[KMSG_RECORD_MAX + 64];
    static struct kmsg_reading r;
    oom_event_list_clear(out);
    *errno_out = 0;
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        *errno_out = errno;
        return -1;
    }
    int64_t now_s, offset_us = wall_offset_us(&now_s);
    kmsg_reading_start(&r, out, have_from, from, offset_us, now_s);
    for (long reads = 0; reads < KMSG_READS_MAX; reads++) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n > 0)
            kmsg_reading_take(&r, buf, (size_t)n);
        else if (n < 0 && (errno == EINTR || errno == EPIPE))
            continue;   /* EPIPE: overwritten under us; the next read gives the oldest, and the gap counts */
        else
            break;      /* EAGAIN: read to the end; 0 or another error: nothing more to read */
    }
    close(fd);
    kmsg_reading_finish(&r);
    return 0;
}
