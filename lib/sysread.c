/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The live readers (see sysread.h).  Each /proc file is read whole with one
 * bounded read loop into a stack buffer, then handed to the pure parsers.
 */
#define _GNU_SOURCE
#include "sysread.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "parse.h"

/* Large enough for /proc/vmstat on big NUMA machines; larger text is cut. */
#define PROC_TEXT_MAX (64 * 1024)

/* Reads FD (then closes it) into BUF, to its end or (ONE_READ) to the end
 * of a read that did not fill the buffer. */
static int read_fd_text(int fd, int one_read, char *buf, size_t cap, size_t *len)
{
    if (fd < 0)
        return -errno;
    size_t total = 0;
    while (total + 1 < cap) {
        ssize_t n = read(fd, buf + total, cap - 1 - total);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            int e = errno;
            close(fd);
            return -e;
        }
        if (n == 0)
            break;
        total += (size_t)n;
        if (one_read && total + 1 < cap)
            break;
    }
    close(fd);
    buf[total] = '\0';
    *len = total;
    return 0;
}

int read_text_file(const char *path, char *buf, size_t cap, size_t *len)
{
    return read_fd_text(open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY), 0, buf, cap, len);
}

int read_small_text_at(int dirfd, const char *name, char *buf, size_t cap, size_t *len)
{
    int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    return read_fd_text(fd, 1, buf, cap, len);
}

/* Room for SWAP_DEV_LIMIT devices and one more line (the one that shows the
 * limit was hit), with names as long as SWAP_NAME_MAX. */
#define SWAPS_TEXT_MAX ((size_t)(SWAP_DEV_LIMIT + 2) * (SWAP_NAME_MAX + 96))

/* /proc/swaps into SWAPS, in BUF when it fits (it always does on a real
 * kernel), else in a larger buffer taken for the moment. */
static void read_swaps(struct swap_list *swaps, char *buf, size_t cap)
{
    size_t len;
    swap_list_reset(swaps);
    if (read_text_file("/proc/swaps", buf, cap, &len) != 0)
        return;
    char *big = NULL;
    if (len + 1 >= cap && (big = malloc(SWAPS_TEXT_MAX)) != NULL &&
        read_text_file("/proc/swaps", big, SWAPS_TEXT_MAX, &len) == 0)
        buf = big;
    parse_swaps(buf, len, swaps);
    free(big);
}

/* When /proc/uptime is unreadable, CLOCK_BOOTTIME is the same clock. */
static uint64_t boottime_cs(void)
{
    struct timespec t;
    if (clock_gettime(CLOCK_BOOTTIME, &t) != 0)
        return 0;
    return (uint64_t)t.tv_sec * 100 + (uint64_t)t.tv_nsec / 10000000;
}

int read_sample(struct sample *s, char *err, size_t err_cap)
{
    static char text[PROC_TEXT_MAX];
    size_t len;
    struct timespec now;

    if (clock_gettime(CLOCK_REALTIME, &now) != 0) {
        snprintf(err, err_cap, "cannot read the clock: %s", strerror(errno));
        return -1;
    }
    s->ts = now.tv_sec;
    struct tm local;
    time_t t = now.tv_sec;
    s->utc_offset = localtime_r(&t, &local) ? (int32_t)local.tm_gmtoff : 0;

    if (read_text_file("/proc/uptime", text, sizeof text, &len) != 0 ||
        parse_uptime(text, len, &s->uptime_cs) != 0)
        s->uptime_cs = boottime_cs();

    s->boot_id[0] = '\0';
    if (read_text_file("/proc/sys/kernel/random/boot_id", text, sizeof text, &len) == 0)
        if (parse_boot_id(text, len, s->boot_id) != 0)
            s->boot_id[0] = '\0';

    s->meminfo.n = 0;
    if (read_text_file("/proc/meminfo", text, sizeof text, &len) == 0)
        parse_meminfo(text, len, &s->meminfo);
    s->vmstat.n = 0;
    if (read_text_file("/proc/vmstat", text, sizeof text, &len) == 0)
        parse_vmstat(text, len, &s->vmstat);
    read_swaps(&s->swaps, text, sizeof text);
    /* absent before 4.20 and without CONFIG_PSI; EOPNOTSUPP on read with psi=0 */
    if (read_text_file("/proc/pressure/memory", text, sizeof text, &len) != 0 ||
        parse_psi(text, len, &s->psi_mem) != 0)
        memset(&s->psi_mem, 0, sizeof s->psi_mem);
    return 0;
}

void read_host_facts(struct host_facts *h, time_t ts)
{
    struct utsname u;
    memset(h, 0, sizeof *h);
    if (uname(&u) == 0) {
        snprintf(h->sysname, sizeof h->sysname, "%s", u.sysname);
        snprintf(h->nodename, sizeof h->nodename, "%s", u.nodename);
        snprintf(h->release, sizeof h->release, "%s", u.release);
        snprintf(h->machine, sizeof h->machine, "%s", u.machine);
    }
    long ncpu = sysconf(_SC_NPROCESSORS_CONF);
    h->ncpu = ncpu > 0 ? (int)ncpu : 1;
    h->page_size = sysconf(_SC_PAGESIZE);
    struct tm local;
    if (localtime_r(&ts, &local))
        strftime(h->timezone, sizeof h->timezone, "%Z", &local);
}
