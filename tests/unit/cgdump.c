/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The cgroups of an archive as text, for tests/cgroups: reads it through
 * archive_each_sample(..., PART_CGROUPS | PART_PROCS, ...), the reports'
 * path, and prints one line per cgroup and per process with a cgroup:
 *   C TS VERSION AGGREGATED ID CURRENT MAX HIGH SWAP ANON FILE SHMEM KERNEL
 *     SOCK DIRTY WRITEBACK MAPPED REFAULT_ANON REFAULT_FILE LOW HIGH MAX OOM
 *     OOM_KILL OOM_GROUP_KILL PSI_SOME PSI_FULL PATH
 *   P TS PID CGROUP
 * "-" is an absent value, "max" an unlimited one.  Without an argument it
 * checks that an archive of its own reads back (make check runs every
 * program here).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "archive.h"
#include "cg_codec.h"
#include "cgroup_parse.h"

static void print_value(uint64_t v)
{
    if (v == CGROUP_ABSENT)
        fputs(" -", stdout);
    else if (v == CGROUP_UNLIMITED)
        fputs(" max", stdout);
    else
        printf(" %llu", (unsigned long long)v);
}

static int print_sample(const struct sample *s, void *ctx)
{
    int *lines = ctx;
    for (size_t i = 0; i < s->cgroups.n; i++) {
        const struct cgroup_mem *m = &s->cgroups.items[i];
        struct cg_values v;
        cg_values_of(m, 0, &v);
        printf("C %lld %d %u %llu", (long long)s->ts, s->cgroups.version, s->cgroups.aggregated,
               (unsigned long long)m->id);
        for (int c = 0; c < CG_NVALUES; c++)
            print_value(v.v[c]);
        printf(" %s\n", m->path);
        (*lines)++;
    }
    for (size_t i = 0; i < s->procs.n; i++)
        if (s->procs.procs[i].cgroup)
            printf("P %lld %d %s\n", (long long)s->ts, (int)s->procs.procs[i].pid,
                   s->procs.procs[i].cgroup);
    return 0;
}

static int dump(const char *path, int *lines)
{
    struct archive *ar;
    char err[512];
    if (archive_open_reader(path, &ar, err, sizeof err) != ARCHIVE_OK ||
        archive_each_sample(ar, INT64_MIN, INT64_MAX, PART_CGROUPS | PART_PROCS, print_sample,
                            lines, err, sizeof err) != ARCHIVE_OK) {
        fprintf(stderr, "cgdump: %s: %s\n", path, err);
        return 1;
    }
    archive_close(ar);
    return 0;
}

static int self_check(void)
{
    char dir[] = "/tmp/memtrail-cgdump-XXXXXX", path[64];
    static struct sample s;
    struct host_facts host;
    struct archive *ar;
    char err[256];
    int lines = 0;
    if (!mkdtemp(dir))
        return 1;
    snprintf(path, sizeof path, "%s/a.db", dir);
    memset(&host, 0, sizeof host);
    s.ts = 1795600000;
    snprintf(s.boot_id, sizeof s.boot_id, "1ac9eb53-43c1-4786-a220-44c0c0a20bcb");
    s.cgroups.version = 1;
    struct cgroup_mem m;
    memset(&m, 0, sizeof m);
    cgroup_mem_absent(&m);
    m.path = "/";
    m.current = 4096;
    int rc = !cgroup_list_add(&s.cgroups, &m) ||
             archive_open_writer(path, 1000, &ar, err, sizeof err) != ARCHIVE_OK;
    if (!rc) {
        rc = archive_append(ar, &s, &host, err, sizeof err) != ARCHIVE_OK;
        archive_close(ar);
    }
    cgroup_list_clear(&s.cgroups);
    fflush(stdout);
    rc = rc || dump(path, &lines) != 0 || lines != 1;
    unlink(path);
    rmdir(dir);
    return rc;
}

int main(int argc, char **argv)
{
    int lines = 0;
    return argc < 2 ? self_check() : dump(argv[1], &lines);
}
