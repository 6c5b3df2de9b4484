/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bench/textfile.sh's harness: what memcollect --textfile adds to a sample.
 * Takes one real sample (system-wide values and every process), then writes
 * DIR/memtrail.prom N times through textfile_write, with and without an
 * fsync of the result (to show what syncing it would cost), and prints the
 * CPU and wall time per write.  A benchmark: it prints figures, never fails
 * on them.
 *
 *   textfile DIR N TOP
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "model.h"
#include "procs.h"
#include "sysread.h"
#include "textfile.h"

static double seconds(clockid_t clock)
{
    struct timespec t;
    clock_gettime(clock, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* N writes; with SYNC, the written file is also fsync'd each time. */
static int run(const char *dir, int n, unsigned top, int sync, const struct sample *s)
{
    char err[256], path[4096];
    snprintf(path, sizeof path, "%s/" TEXTFILE_NAME, dir);
    double cpu = seconds(CLOCK_PROCESS_CPUTIME_ID), wall = seconds(CLOCK_MONOTONIC);
    for (int i = 0; i < n; i++) {
        if (textfile_write(dir, top, s, err, sizeof err) != 0) {
            fprintf(stderr, "textfile: %s: %s\n", path, err);
            return -1;
        }
        int fd = sync ? open(path, O_RDONLY) : -1;
        if (fd >= 0) {
            fsync(fd);
            close(fd);
        }
    }
    printf("  %zu processes, top %u%s: %.0f us CPU, %.0f us wall per write\n", s->procs.n, top,
           sync ? ", fsync'd" : "", (seconds(CLOCK_PROCESS_CPUTIME_ID) - cpu) / n * 1e6,
           (seconds(CLOCK_MONOTONIC) - wall) / n * 1e6);
    return 0;
}

int main(int argc, char **argv)
{
    static struct sample s;
    char err[256];
    struct procs_options po = { 0 };
    if (argc != 4) {
        fprintf(stderr, "usage: textfile DIR N TOP\n");
        return 1;
    }
    if (read_sample(&s, err, sizeof err) != 0 || procs_scan(&s.procs, &po, err, sizeof err) != 0) {
        fprintf(stderr, "textfile: cannot take a sample: %s\n", err);
        return 1;
    }
    int n = atoi(argv[2]);
    unsigned top = (unsigned)atoi(argv[3]);
    int rc = n > 0 && run(argv[1], n, top, 0, &s) == 0 && run(argv[1], n, top, 1, &s) == 0;
    proc_list_clear(&s.procs);
    procs_release();
    return rc ? 0 : 1;
}
