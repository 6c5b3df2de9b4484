/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Writes the synthetic archives tests/cgreport/run.sh reports on, through
 * archive_append():  cgroups_fixture DIR  makes DIR/cg.db (five samples a
 * minute apart, from 2026-11-26 13:33:20 UTC, with memory cgroups and
 * processes that name their cgroup) and DIR/nocg.db (the same processes, no
 * cgroups) and DIR/huge.db (cg.db's, with sizes no memory has: web.service
 * at 2^63 + 4096 and at CGROUP_UNLIMITED, as damaged bytes could give).
 * Without an argument (the unit-test run) it only checks that it
 * can build a sample, and exits 0.
 *
 * The cgroups (v2), their values in MiB at sample k (0..4):
 *   /                           not given (the v2 root has no memory.current)
 *   /system.slice               the sum of its children below
 *   /system.slice/web.service   current 100 + 8k (anon 3/4, file 1/4, shmem 1,
 *                               swap k), max 200, high unlimited, oom_kill 0 0 0 1 1,
 *                               pressure some 600000 us per minute (1 %)
 *   /system.slice/db.service    current 300, no limit
 *   /system.slice/batch.service born at k = 2: 20 + 10 (k - 2)
 *   /system.slice/old.service   ended after k = 1: 30
 *   HOSTILE                     50 - k, a path with a newline, an escape,
 *                               spreadsheet text and a byte that is not UTF-8
 *   ...                         the cgroups beyond the bound: 5, 3 of them
 * Processes: 100 nginx in web.service, 200 postgres in db.service, 300 sh in
 * /user.slice/user-1000.slice/session-3.scope, 400 evil in HOSTILE.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archive.h"
#include "fixture.h"
#include "model.h"

#define T0 1795700000   /* 2026-11-26 13:33:20 UTC */
#define UP0 100000      /* uptime at the first sample, 1/100 s */
#define MIB (1024ULL * 1024)
#define HUGE 2   /* write_archive()'s CGROUPS: cg.db's with impossible sizes */
static const char boot[] = "11111111-2222-3333-4444-666666666666";
static const char hostile[] = "/system.slice/evil\n\x1b[31m=cmd|' /C calc'!A0,\"x\";\xff.service";

static struct proc mk(int pid, const char *comm, uint64_t rss, char *cgroup)
{
    struct proc p;
    memset(&p, 0, sizeof p);
    p.pid = pid;
    p.ppid = 1;
    p.start_ticks = 500 + (uint64_t)pid;
    snprintf(p.comm, sizeof p.comm, "%s", comm);
    p.rss_kb = rss;
    p.anon_kb = rss;
    p.vsz_kb = rss * 2;
    p.pss_kb = -1;
    p.cgroup = cgroup;
    return p;
}

static struct cgroup_mem cg(const char *path, uint64_t id, uint64_t current_mib)
{
    struct cgroup_mem c;
    memset(&c, 0xff, sizeof c);   /* every value CGROUP_ABSENT */
    c.path = (char *)path;
    c.id = id;
    c.current = current_mib * MIB;
    c.anon = current_mib * MIB;
    c.file = 0;
    c.shmem = 0;
    c.swap = 0;
    c.max = c.high = CGROUP_UNLIMITED;
    c.ev_oom_kill = 0;
    c.psi_some_us = c.psi_full_us = 0;
    return c;
}

static void add_cgroups(struct sample *s, int k)
{
    struct cgroup_mem c[8];
    int n = 0;
    struct cgroup_mem root = cg("/", 1, 0);
    root.current = root.anon = root.file = root.shmem = root.swap = CGROUP_ABSENT;
    root.max = root.high = root.ev_oom_kill = CGROUP_ABSENT;
    root.psi_some_us = 1000000 * (uint64_t)k;
    c[n++] = root;
    uint64_t web = 100 + 8 * (uint64_t)k;
    c[n] = cg("/system.slice/web.service", 11, web);
    c[n].anon = web * MIB / 4 * 3;
    c[n].file = web * MIB - c[n].anon;
    c[n].shmem = MIB;
    c[n].swap = (uint64_t)k * MIB;
    c[n].max = 200 * MIB;
    c[n].ev_oom_kill = k >= 3;
    c[n++].psi_some_us = 600000 * (uint64_t)k;
    c[n++] = cg("/system.slice/db.service", 12, 300);
    uint64_t sum = web + 300;
    if (k >= 2) {
        c[n++] = cg("/system.slice/batch.service", 14, 20 + 10 * (uint64_t)(k - 2));
        sum += 20 + 10 * (uint64_t)(k - 2);
    }
    if (k < 2) {
        c[n++] = cg("/system.slice/old.service", 15, 30);
        sum += 30;
    }
    c[n++] = cg(hostile, 13, 50 - (uint64_t)k);
    sum += 50 - (uint64_t)k;
    c[n++] = cg("/system.slice", 10, sum);
    c[n++] = cg("...", 0, 5);
    s->cgroups.version = 2;
    s->cgroups.aggregated = 3;
    s->cgroups.n = s->cgroups.cap = (size_t)n;
    s->cgroups.items = malloc((size_t)n * sizeof *c);
    if (s->cgroups.items)
        memcpy(s->cgroups.items, c, (size_t)n * sizeof *c);
    else
        s->cgroups.n = 0;
}

static void fill(struct sample *s, int k, int cgroups)
{
    memset(s, 0, sizeof *s);
    s->ts = T0 + k * 60;
    s->uptime_cs = UP0 + (uint64_t)k * 6000;
    memcpy(s->boot_id, boot, sizeof boot);
    kv_set(&s->meminfo, "MemTotal", 4000000);
    kv_set(&s->meminfo, "MemFree", 1000000);
    kv_set(&s->meminfo, "MemAvailable", 2000000 - (uint64_t)k * 8192);
    s->procs.scanned = 1;
    struct proc p[] = {
        mk(100, "nginx", 90000 + (uint64_t)k * 8192, "/system.slice/web.service"),
        mk(200, "postgres", 300000, "/system.slice/db.service"),
        mk(300, "sh", 4000, "/user.slice/user-1000.slice/session-3.scope"),
        mk(400, "evil", 50000, (char *)hostile),
    };
    for (size_t i = 0; i < sizeof p / sizeof *p; i++)
        proc_list_add(&s->procs, &p[i]);
    if (cgroups)
        add_cgroups(s, k);
    if (cgroups == HUGE && s->cgroups.n > 1)   /* items[1] is web.service */
        s->cgroups.items[1].current = k % 2 ? CGROUP_UNLIMITED : (1ULL << 63) + 4096;
}

static int write_archive(const char *path, int cgroups)
{
    static struct sample s;
    struct host_facts h;
    char err[512];
    fixture_host(&h);
    struct archive *ar = fixture_writer(path);
    if (!ar)
        return 1;
    for (int k = 0; k < 5; k++) {
        fill(&s, k, cgroups);
        unsigned char need[8];
        int rc = archive_new_identities(ar, s.boot_id, &s.procs, need, err, sizeof err);
        if (rc == ARCHIVE_OK)
            rc = archive_append(ar, &s, &h, err, sizeof err);
        proc_list_clear(&s.procs);
        free(s.cgroups.items);
        if (rc != ARCHIVE_OK) {
            fprintf(stderr, "%s: %s\n", path, err);
            archive_close(ar);
            return 1;
        }
    }
    archive_close(ar);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        static struct sample s;
        fill(&s, 3, 1);
        int ok = s.procs.n == 4 && s.cgroups.n == 7 && s.cgroups.items &&
                 strcmp(s.cgroups.items[1].path, "/system.slice/web.service") == 0 &&
                 s.cgroups.items[1].current == 124 * MIB;
        proc_list_clear(&s.procs);
        free(s.cgroups.items);
        return ok ? 0 : 1;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/cg.db", argv[1]);
    if (write_archive(path, 1))
        return 1;
    snprintf(path, sizeof path, "%s/huge.db", argv[1]);
    if (write_archive(path, HUGE))
        return 1;
    snprintf(path, sizeof path, "%s/nocg.db", argv[1]);
    return write_archive(path, 0);
}
