/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the fixture writers (procs_fixture, oom_fixture, incident_fixture)
 * share: one made-up host, and the loop that appends their samples through
 * archive_append() as memcollect does.  Header-only, as check.h.
 */
#ifndef MEMTRAIL_TEST_FIXTURE_H
#define MEMTRAIL_TEST_FIXTURE_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "archive.h"
#include "model.h"

/* A process of PID, started START_TICKS after boot, named COMM, with RSS kB
 * resident, all of it anonymous; no PSS. */
static inline struct proc fixture_proc(int pid, uint64_t start, const char *comm, uint64_t rss)
{
    struct proc p;
    memset(&p, 0, sizeof p);
    p.pid = pid;
    p.ppid = 1;
    p.start_ticks = start;
    snprintf(p.comm, sizeof p.comm, "%s", comm);
    p.rss_kb = p.anon_kb = rss;
    p.vsz_kb = rss * 2;
    p.pss_kb = -1;
    return p;
}

/* An OOM kill of PID named COMM logged at TS (MONO_US after boot) as
 * kernel log record SEQ; the caller fills in the rest. */
static inline struct oom_event fixture_kill(int32_t pid, const char *comm, int64_t ts,
                                            int64_t mono_us, uint64_t seq)
{
    struct oom_event ev;
    memset(&ev, 0, sizeof ev);
    ev.seq = seq;
    ev.ts = ts;
    ev.mono_us = mono_us;
    ev.pid = pid;
    snprintf(ev.comm, sizeof ev.comm, "%s", comm);
    return ev;
}

/* Sample K of the archive into S (CTX: the writer's own); it frees what
 * S held from sample K - 1 first. */
typedef void (*fixture_fill_fn)(struct sample *s, int k, void *ctx);

/* Writes a new archive PATH of N samples made by FILL; 0, or 1 after
 * saying why on stderr.  S is the writer's sample, left as the last one. */
static inline int fixture_write(const char *path, int n, fixture_fill_fn fill, void *ctx,
                                struct sample *s)
{
    struct host_facts h;
    struct archive *ar;
    char err[512];
    memset(&h, 0, sizeof h);
    strcpy(h.sysname, "Linux");
    strcpy(h.nodename, "fixturehost");
    strcpy(h.release, "6.1.0-test");
    strcpy(h.machine, "x86_64");
    strcpy(h.timezone, "UTC");
    h.ncpu = 2;
    h.page_size = 4096;
    if (archive_open_writer(path, 0, &ar, err, sizeof err) != ARCHIVE_OK) {
        fprintf(stderr, "%s: %s\n", path, err);
        return 1;
    }
    int rc = 0;
    for (int k = 0; k < n && rc == 0; k++) {
        fill(s, k, ctx);
        unsigned char need[8];   /* one per process: fixtures have at most 8 */
        if (archive_new_identities(ar, s->boot_id, &s->procs, need, err, sizeof err) != ARCHIVE_OK ||
            archive_append(ar, s, &h, err, sizeof err) != ARCHIVE_OK) {
            fprintf(stderr, "%s: %s\n", path, err);
            rc = 1;
        }
    }
    archive_close(ar);
    return rc;
}

#endif
