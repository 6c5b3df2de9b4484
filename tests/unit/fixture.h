/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the fixture writers (procs_fixture.c, cgroups_fixture.c) share: the
 * host their archives name, and the writer they open.
 */
#ifndef MEMTRAIL_FIXTURE_H
#define MEMTRAIL_FIXTURE_H

#include <stdio.h>
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

#endif
