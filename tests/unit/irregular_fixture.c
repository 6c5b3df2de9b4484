/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Writes the day tests/irregular/run.sh weighs by time, through
 * archive_append():  irregular_fixture DIR  makes DIR/memtrail-20261126.db,
 * the UTC day 2026-11-26 (T0 = its midnight) of minute samples with a burst
 * of 600 one-second samples at noon, the way the minute timer and
 * memcollect --watch interleave them.  Without an argument (the unit-test
 * run) it checks that the day has the samples it should, and exits 0.
 *
 * The values (the test computes what the reports must say from these):
 *   samples    T0 + 60 k (k = 0..1439), except those the burst covers,
 *              (B, B + 600] with B = T0 + 12 h; and the burst: B + 1 + j,
 *              j = 0..599.  uptime_cs = 100000 + 100 (ts - T0), one boot.
 *   meminfo    MemTotal 1000000, MemAvailable 600000 (burst: 100000 + 100 j),
 *              MemFree = MemAvailable - 50000, Buffers 10000, Cached 200000,
 *              Slab 40000, Committed_AS 300000, CommitLimit 900000,
 *              SwapTotal 500000, SwapFree 500000 (burst: 500000 - 100 j).
 *   vmstat     pswpin 0; pswpout = (ts - T0) + 499 min(max(ts - B, 0), 600):
 *              1 page/s, 500 in the burst.
 *   process    pid 100 "worker": RSS 10000 + (ts - T0) / 60 kB (burst: 50000
 *              more), minflt = 100 (ts - T0) + 900 min(max(ts - B, 0), 600):
 *              100 faults/s, 1000 in the burst.
 */
#include <stdio.h>
#include <string.h>

#include "archive.h"
#include "model.h"

#define T0 1795651200LL          /* 2026-11-26 00:00:00 UTC */
#define BURST (T0 + 12 * 3600)   /* the burst's samples are BURST + 1 .. BURST + 600 */
#define BURST_N 600
static const char boot[] = "99999999-8888-7777-6666-555555555555";

static long long in_burst(long long ts)
{
    long long d = ts - BURST;
    return d < 0 ? 0 : d > BURST_N ? BURST_N : d;
}

/* Sample TS; J is its index in the burst, or -1. */
static void fill(struct sample *s, long long ts, int j)
{
    memset(s, 0, sizeof *s);
    s->ts = ts;
    s->uptime_cs = 100000 + (uint64_t)(ts - T0) * 100;
    memcpy(s->boot_id, boot, sizeof boot);
    uint64_t avail = j < 0 ? 600000 : 100000 + 100 * (uint64_t)j;
    kv_set(&s->meminfo, "MemTotal", 1000000);
    kv_set(&s->meminfo, "MemFree", avail - 50000);
    kv_set(&s->meminfo, "MemAvailable", avail);
    kv_set(&s->meminfo, "Buffers", 10000);
    kv_set(&s->meminfo, "Cached", 200000);
    kv_set(&s->meminfo, "Slab", 40000);
    kv_set(&s->meminfo, "Committed_AS", 300000);
    kv_set(&s->meminfo, "CommitLimit", 900000);
    kv_set(&s->meminfo, "SwapTotal", 500000);
    kv_set(&s->meminfo, "SwapFree", j < 0 ? 500000 : 500000 - 100 * (uint64_t)j);
    kv_set(&s->vmstat, "pswpin", 0);
    kv_set(&s->vmstat, "pswpout", (uint64_t)(ts - T0 + 499 * in_burst(ts)));
    struct proc p;
    memset(&p, 0, sizeof p);
    p.pid = 100;
    p.ppid = 1;
    p.start_ticks = 50;
    snprintf(p.comm, sizeof p.comm, "worker");
    p.rss_kb = 10000 + (uint64_t)(ts - T0) / 60 + (j < 0 ? 0 : 50000);
    p.anon_kb = p.rss_kb;
    p.vsz_kb = p.rss_kb * 2;
    p.minflt = (uint64_t)(100 * (ts - T0) + 900 * in_burst(ts));
    p.pss_kb = -1;
    s->procs.scanned = 1;
    proc_list_add(&s->procs, &p);
}

/* Calls FN for every sample of the day in time order; returns how many. */
static long each_sample(int (*fn)(long long ts, int j, void *ctx), void *ctx)
{
    long n = 0;
    for (long long ts = T0; ts < T0 + 86400; ts += 60) {
        if (ts > BURST && ts <= BURST + BURST_N)
            continue;
        if (fn && fn(ts, -1, ctx) != 0)
            return -1;
        n++;
        if (ts == BURST) {
            for (int j = 0; j < BURST_N; j++, n++)
                if (fn && fn(BURST + 1 + j, j, ctx) != 0)
                    return -1;
        }
    }
    return n;
}

struct writer {
    struct archive *ar;
    struct host_facts host;
    char err[512];
};

static int append(long long ts, int j, void *ctx)
{
    struct writer *w = ctx;
    static struct sample s;
    fill(&s, ts, j);
    unsigned char need[1];
    int rc = archive_new_identities(w->ar, s.boot_id, &s.procs, need, w->err, sizeof w->err);
    if (rc == ARCHIVE_OK)
        rc = archive_append(w->ar, &s, &w->host, w->err, sizeof w->err);
    proc_list_clear(&s.procs);
    return rc == ARCHIVE_OK ? 0 : -1;
}

int main(int argc, char **argv)
{
    if (argc < 2)   /* 1440 minutes, 10 of them inside the burst, and the burst */
        return each_sample(NULL, NULL) == 1440 - 10 + BURST_N ? 0 : 1;
    struct writer w;
    memset(&w, 0, sizeof w);
    strcpy(w.host.sysname, "Linux");
    strcpy(w.host.nodename, "bursthost");
    strcpy(w.host.release, "6.1.0-test");
    strcpy(w.host.machine, "x86_64");
    strcpy(w.host.timezone, "UTC");
    w.host.ncpu = 2;
    w.host.page_size = 4096;
    char path[4096];
    snprintf(path, sizeof path, "%s/memtrail-20261126.db", argv[1]);
    if (archive_open_writer(path, 0, &w.ar, w.err, sizeof w.err) != ARCHIVE_OK) {
        fprintf(stderr, "%s: %s\n", path, w.err);
        return 1;
    }
    long n = each_sample(append, &w);
    archive_close(w.ar);
    if (n < 0) {
        fprintf(stderr, "%s: %s\n", path, w.err);
        return 1;
    }
    return 0;
}
