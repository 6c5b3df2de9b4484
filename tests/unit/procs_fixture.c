/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Writes the synthetic archives tests/procs/run.sh reports on, through
 * archive_append():  procs_fixture DIR  makes DIR/procs.db (five samples a
 * minute apart with processes and two NUMA nodes) and DIR/nonuma.db (the
 * same processes, no nodes).  Without an argument (the unit-test run) it
 * only checks that it can build a sample, and exits 0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archive.h"
#include "fixture.h"
#include "model.h"

#define T0 1795700000   /* 2026-11-26 ... UTC */
#define UP0 100000      /* uptime at the first sample, 1/100 s */
static const char boot[] = "11111111-2222-3333-4444-555555555555";
const char odd_name[] = "a b,c\"d;(e)\nf\xff";
const char odd_cmd[] = "/bin/odd --x=\"1,2\";echo (hi)\n\xfe\xc3\xa9";

static struct proc mk(int pid, uint32_t uid, uint64_t start, const char *comm, uint64_t rss,
                      uint64_t minflt, uint64_t majflt)
{
    struct proc p;
    memset(&p, 0, sizeof p);
    p.pid = pid;
    p.ppid = 1;
    p.uid = uid;
    p.start_ticks = start;
    snprintf(p.comm, sizeof p.comm, "%s", comm);
    p.rss_kb = rss;
    p.anon_kb = rss / 2;
    p.file_kb = rss - rss / 2;
    p.vsz_kb = rss * 3;
    p.minflt = minflt;
    p.majflt = majflt;
    p.pss_kb = -1;
    return p;
}

static void fill(struct sample *s, int k, int numa, struct numa_node *nodes)
{
    memset(s, 0, sizeof *s);
    s->ts = T0 + k * 60;
    s->uptime_cs = UP0 + (uint64_t)k * 6000;
    memcpy(s->boot_id, boot, sizeof boot);
    kv_set(&s->meminfo, "MemTotal", 1000000);
    kv_set(&s->meminfo, "MemFree", 500000);
    kv_set(&s->meminfo, "MemAvailable", 600000 - (uint64_t)k * 1000);
    kv_set(&s->meminfo, "SwapTotal", 100000);
    kv_set(&s->meminfo, "SwapFree", 75000);
    s->procs.scanned = 1;
    struct proc p[8];
    int n = 0;
    p[n++] = mk(100, 1000, 500, "leaker", 10000 + (uint64_t)k * 8192, 1000 + (uint64_t)k * 600,
                (uint64_t)k * 6);
    p[n++] = mk(200, 0, 600, "steady", 50000, 77, 0);
    p[n] = mk(300, 1000, 700, odd_name, 20000 - (uint64_t)k * 1000, 5, 0);
    p[n++].cmdline = (char *)odd_cmd;
    if (k < 2)
        p[n++] = mk(400, 0, 800, "old", 3000, 10, 0);
    if (k >= 3)   /* pid 400 reused, started after sample 2 */
        p[n++] = mk(400, 0, UP0 + 2 * 6000 + 100, "new", 4000 + (uint64_t)k * 10, 30 * (uint64_t)k, 0);
    p[n++] = mk(PROC_AGGREGATE_PID, 0, 0, "(others)", 1000, 0, 0);
    for (int i = 0; i < n; i++)
        proc_list_add(&s->procs, &p[i]);
    if (!numa)
        return;
    for (int i = 0; i < 2; i++) {
        memset(&nodes[i], 0, sizeof nodes[i]);
        nodes[i].id = i * 2;   /* sparse: nodes 0 and 2 */
        nodes[i].total_kb = 800000;
        nodes[i].free_kb = 400000 - (uint64_t)k * 1000 * (uint64_t)(i + 1);
        kv_set(&nodes[i].values, "FilePages", 1000 + (uint64_t)k);
        kv_set(&nodes[i].values, "AnonPages", 2000);
        kv_set(&nodes[i].values, "Slab", 300);
        kv_set(&nodes[i].values, "Shmem", 40);
        kv_set(&nodes[i].values, "numa_hit", 1000 + (uint64_t)k * 6000 * (uint64_t)(i + 1));
        kv_set(&nodes[i].values, "numa_miss", (uint64_t)k * 60);
        kv_set(&nodes[i].values, "numa_foreign", 0);
        kv_set(&nodes[i].values, "local_node", 1000 + (uint64_t)k * 6000);
        kv_set(&nodes[i].values, "other_node", (uint64_t)k * 120);
    }
    s->numa.available = 1;
    s->numa.n = 2;
    s->numa.nodes = nodes;
}

static int write_archive(const char *path, int numa)
{
    static struct sample s;
    struct numa_node nodes[2];
    struct host_facts h;
    char err[512];
    fixture_host(&h);
    struct archive *ar = fixture_writer(path);
    if (!ar)
        return 1;
    for (int k = 0; k < 5; k++) {
        fill(&s, k, numa, nodes);
        unsigned char need[8];
        if (archive_new_identities(ar, s.boot_id, &s.procs, need, err, sizeof err) != ARCHIVE_OK ||
            archive_append(ar, &s, &h, err, sizeof err) != ARCHIVE_OK) {
            fprintf(stderr, "%s: %s\n", path, err);
            return 1;
        }
        s.numa.nodes = NULL;
        proc_list_clear(&s.procs);
    }
    archive_close(ar);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        static struct sample s;
        struct numa_node nodes[2];
        fill(&s, 3, 1, nodes);
        int ok = s.procs.n == 5 && s.numa.n == 2;
        proc_list_clear(&s.procs);
        return ok ? 0 : 1;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/procs.db", argv[1]);
    if (write_archive(path, 1))
        return 1;
    snprintf(path, sizeof path, "%s/nonuma.db", argv[1]);
    return write_archive(path, 0);
}
