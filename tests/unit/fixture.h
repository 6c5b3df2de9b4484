/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the fixture writers (procs_fixture.c, cgroups_fixture.c, oom_fixture.c,
 * incident_fixture.c) share: the host their archives name, the writer they
 * open, their processes, and the append of a sample.  Header-only: each
 * program includes it once.
 */
#ifndef MEMTRAIL_FIXTURE_H
#define MEMTRAIL_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archive.h"

static inline void fixture_host(struct host_facts *h)
{
    memset(h, 0, sizeof *h);
    strcpy(h->sysname, "Linux");
    strcpy(h->nodename, "fixturehost");
    strcpy(h->release, "6.1.0-test");
    strcpy(h->machine, "x86_64");
    strcpy(h->timezone, "UTC");
    h->ncpu = 2;
    h->page_size = 4096;
}

/* A writer of PATH, or NULL after saying why on stderr. */
static inline struct archive *fixture_writer(const char *path)
{
    struct archive *ar;
    char err[512];
    if (archive_open_writer(path, 0, &ar, err, sizeof err) == ARCHIVE_OK)
        return ar;
    fprintf(stderr, "%s: %s\n", path, err);
    return NULL;
}

/* A process of the fixtures: anonymous memory only, VSZ twice the RSS. */
static inline struct proc fixture_proc(int pid, uint64_t start, const char *comm, uint64_t rss_kb,
                                       const char *cgroup)
{
    struct proc p;
    memset(&p, 0, sizeof p);
    p.pid = pid;
    p.ppid = 1;
    p.start_ticks = start;
    snprintf(p.comm, sizeof p.comm, "%s", comm);
    p.rss_kb = p.anon_kb = rss_kb;
    p.vsz_kb = rss_kb * 2;
    p.pss_kb = -1;
    p.cgroup = (char *)cgroup;   /* borrowed: the fixtures' lists copy it */
    return p;
}

/* Appends S, as the fixture host's, to AR (the writer of PATH), its
 * processes' identities first, as memcollect does: 0, or 1 after saying
 * why on stderr. */
static inline int fixture_store(struct archive *ar, const char *path, const struct sample *s)
{
    struct host_facts h;
    fixture_host(&h);
    char err[512] = "out of memory";
    unsigned char *need = calloc(s->procs.n + 1, 1);
    int rc = need ? archive_new_identities(ar, s->boot_id, &s->procs, need, err, sizeof err)
                  : ARCHIVE_ERROR;
    if (rc == ARCHIVE_OK)
        rc = archive_append(ar, s, &h, err, sizeof err);
    free(need);
    if (rc == ARCHIVE_OK)
        return 0;
    fprintf(stderr, "%s: %s\n", path, err);
    return 1;
}

#endif
