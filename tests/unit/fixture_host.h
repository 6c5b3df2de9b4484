/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The host the fixture writers (procs_fixture.c, oom_fixture.c) put in
 * their archives, and the open that starts them.  Header-only: each
 * program includes it once.
 */
#ifndef MEMTRAIL_TEST_FIXTURE_HOST_H
#define MEMTRAIL_TEST_FIXTURE_HOST_H

#include <stdio.h>
#include <string.h>

#include "archive.h"

/* Fills H with the fixture host and opens PATH for writing into *AR;
 * 0, or 1 with the reason on stderr. */
static inline int fixture_open(const char *path, struct host_facts *h, struct archive **ar)
{
    char err[512];
    memset(h, 0, sizeof *h);
    strcpy(h->sysname, "Linux");
    strcpy(h->nodename, "fixturehost");
    strcpy(h->release, "6.1.0-test");
    strcpy(h->machine, "x86_64");
    strcpy(h->timezone, "UTC");
    h->ncpu = 2;
    h->page_size = 4096;
    if (archive_open_writer(path, 0, ar, err, sizeof err) != ARCHIVE_OK) {
        fprintf(stderr, "%s: %s\n", path, err);
        return 1;
    }
    return 0;
}

#endif
