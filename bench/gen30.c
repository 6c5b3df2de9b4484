/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Writes a directory of synthetic daily archives through archive_append(),
 * for bench/capacity.sh (30 days of one-minute samples, ~600 processes) and
 * tests/export/run.sh (a few days with a reboot):
 *
 *   gen30 DIR START_EPOCH SAMPLES STEP_S PROCS [REBOOT_AT_SAMPLE]
 *
 * The meminfo and vmstat keys (and swap devices) are this machine's, read
 * once from /proc and then varied: MemFree, MemAvailable, Cached, AnonPages,
 * Committed_AS and SwapFree follow a daily wave and a slow upward trend of
 * use; the counters grow.  Two NUMA nodes.  PROCS processes, one of them with
 * an odd name (space, comma, equals, quote, backslash, a byte that is not
 * UTF-8); one identity in 60 is replaced every hour (new pid and start time),
 * and RSS wanders.  Samples go into DIR/memtrail-YYYYMMDD.db by local date,
 * like memcollect's.  Each archive_append() syncs: put DIR on a tmpfs.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "archive.h"
#include "model.h"
#include "sysread.h"

static const char odd_comm[] = "odd name,x=1\"q\\\xff";

static uint64_t rnd_state = 88172645463325252ULL;
static uint64_t rnd(void)
{
    rnd_state ^= rnd_state << 13;
    rnd_state ^= rnd_state >> 7;
    rnd_state ^= rnd_state << 17;
    return rnd_state;
}

struct slot {
    int32_t pid;
    uint64_t start;
    uint64_t rss, minflt;
    char comm[COMM_MAX];
    char cmdline[96];
};

static void set_kv(struct kv_list *l, const char *name, uint64_t v)
{
    kv_set(l, name, v);
}

int main(int argc, char **argv)
{
    if (argc < 6) {
        fprintf(stderr, "usage: gen30 DIR START_EPOCH SAMPLES STEP_S PROCS [REBOOT_AT]\n");
        return 1;
    }
    const char *dir = argv[1];
    int64_t start = atoll(argv[2]);
    long samples = atol(argv[3]), step = atol(argv[4]), nprocs = atol(argv[5]);
    long reboot_at = argc > 6 ? atol(argv[6]) : -1;
    static struct sample base, s;
    char err[512];
    if (read_sample(&base, err, sizeof err) != 0) {
        fprintf(stderr, "gen30: %s\n", err);
        return 2;
    }
    proc_list_clear(&base.procs);
    numa_list_clear(&base.numa);
    struct host_facts host;
    memset(&host, 0, sizeof host);
    read_host_facts(&host, (time_t)start);
    snprintf(host.nodename, sizeof host.nodename, "genhost");

    struct slot *slots = calloc((size_t)nprocs, sizeof *slots);
    int32_t next_pid = 1000;
    for (long i = 0; i < nprocs; i++) {
        slots[i].pid = next_pid++;
        slots[i].start = 500 + (uint64_t)i;
        slots[i].rss = 2000 + rnd() % 200000;
        if (i == 3) {   /* among the largest, so that --top keeps it */
            snprintf(slots[i].comm, sizeof slots[i].comm, "%s", odd_comm);
            slots[i].rss = 400000;
        }
        else
            snprintf(slots[i].comm, sizeof slots[i].comm, "worker%ld", i % 50);
        snprintf(slots[i].cmdline, sizeof slots[i].cmdline, "/usr/bin/%s --id=%ld", slots[i].comm, i);
    }
    uint64_t mem_total = kv_get(&base.meminfo, "MemTotal");
    uint64_t swap_total = kv_get(&base.meminfo, "SwapTotal");
    char boot[BOOT_ID_LEN + 1] = "0badc0de-0000-4000-8000-000000000001";
    uint64_t uptime_cs = 360000;
    struct archive *ar = NULL;
    char day_open[16] = "";
    struct numa_node nodes[2];
    for (long k = 0; k < samples; k++) {
        int64_t ts = start + k * step;
        if (k == reboot_at) {
            boot[BOOT_ID_LEN - 1] = (char)('2' + (k % 7));
            uptime_cs = 3000;
            for (long i = 0; i < nprocs; i++) {
                slots[i].pid = 300 + (int32_t)i;
                slots[i].start = 100 + (uint64_t)i;
                slots[i].minflt = 0;
            }
        }
        time_t t = (time_t)ts;
        struct tm tm;
        localtime_r(&t, &tm);
        char day[16];
        strftime(day, sizeof day, "%Y%m%d", &tm);
        if (strcmp(day, day_open) != 0) {
            if (ar)
                archive_close(ar);
            char path[4096];
            snprintf(path, sizeof path, "%s/memtrail-%s.db", dir, day);
            if (archive_open_writer(path, 0, &ar, err, sizeof err) != ARCHIVE_OK) {
                fprintf(stderr, "gen30: %s: %s\n", path, err);
                return 2;
            }
            snprintf(day_open, sizeof day_open, "%s", day);
        }
        /* system-wide: a daily wave and a slow trend */
        s.meminfo = base.meminfo;
        s.vmstat = base.vmstat;
        s.swaps = base.swaps;
        double wave = sin(2 * M_PI * (double)(ts % 86400) / 86400.0);
        double trend = (double)k / (double)(samples > 1 ? samples : 1);
        double used = mem_total * (0.35 + 0.10 * wave + 0.25 * trend) + (double)(rnd() % 4096);
        uint64_t avail = (uint64_t)(mem_total - used);
        set_kv(&s.meminfo, "MemAvailable", avail);
        set_kv(&s.meminfo, "MemFree", avail / 3);
        set_kv(&s.meminfo, "Cached", avail / 2);
        set_kv(&s.meminfo, "AnonPages", (uint64_t)(used * 0.8));
        set_kv(&s.meminfo, "Committed_AS", (uint64_t)(used * 1.3));
        if (swap_total)
            set_kv(&s.meminfo, "SwapFree", swap_total - (uint64_t)(swap_total * 0.1 * trend));
        for (unsigned i = 0; i < s.vmstat.n; i++)
            s.vmstat.items[i].value += (uint64_t)k * (1 + i % 7) * 10;
        s.ts = ts;
        s.utc_offset = (int32_t)tm.tm_gmtoff;
        s.uptime_cs = uptime_cs;
        memcpy(s.boot_id, boot, sizeof boot);
        /* two NUMA nodes */
        for (int n = 0; n < 2; n++) {
            memset(&nodes[n], 0, sizeof nodes[n]);
            nodes[n].id = n;
            nodes[n].total_kb = mem_total / 2;
            nodes[n].free_kb = avail / 6;
            set_kv(&nodes[n].values, "MemTotal", mem_total / 2);
            set_kv(&nodes[n].values, "MemFree", avail / 6);
            set_kv(&nodes[n].values, "FilePages", avail / 4);
            set_kv(&nodes[n].values, "AnonPages", (uint64_t)(used * 0.4));
            set_kv(&nodes[n].values, "Slab", 50000 + (uint64_t)n);
            set_kv(&nodes[n].values, "Shmem", 1000);
            set_kv(&nodes[n].values, "HugePages_Total", 0);
            set_kv(&nodes[n].values, "numa_hit", 1000000 + (uint64_t)k * 5000);
            set_kv(&nodes[n].values, "numa_miss", (uint64_t)k * 3);
            set_kv(&nodes[n].values, "numa_foreign", (uint64_t)k * 3);
            set_kv(&nodes[n].values, "interleave_hit", 200);
            set_kv(&nodes[n].values, "local_node", 1000000 + (uint64_t)k * 4990);
            set_kv(&nodes[n].values, "other_node", (uint64_t)k * 10);
        }
        s.numa.available = 1;
        s.numa.n = 2;
        s.numa.nodes = nodes;
        /* processes: churn one in 60 per hour, RSS wanders */
        if (k > 0 && ts % 3600 == 0)
            for (long i = (ts / 3600) % 60; i < nprocs; i += 60) {
                slots[i].pid = next_pid++;
                slots[i].start = uptime_cs / 100 * 100;
                slots[i].rss = 1000 + rnd() % 100000;
                slots[i].minflt = 0;
            }
        s.procs.scanned = 1;
        for (long i = 0; i < nprocs; i++) {
            struct slot *sl = &slots[i];
            sl->rss += rnd() % 64;
            if (rnd() % 8 == 0 && sl->rss > 200)
                sl->rss -= rnd() % 128;
            sl->minflt += rnd() % 100;
            struct proc p;
            memset(&p, 0, sizeof p);
            p.pid = sl->pid;
            p.ppid = 1;
            p.uid = (uint32_t)(i % 3) * 1000;
            p.start_ticks = sl->start;
            memcpy(p.comm, sl->comm, sizeof p.comm);
            p.cmdline = sl->cmdline;
            p.rss_kb = sl->rss;
            p.anon_kb = sl->rss / 2;
            p.file_kb = sl->rss - sl->rss / 2;
            p.vsz_kb = sl->rss * 3;
            p.swap_kb = sl->rss / 50;
            p.minflt = sl->minflt;
            p.majflt = sl->minflt / 1000;
            p.pss_kb = -1;
            proc_list_add(&s.procs, &p);
        }
        unsigned char *need = malloc((size_t)nprocs + 1);
        if (archive_new_identities(ar, s.boot_id, &s.procs, need, err, sizeof err) != ARCHIVE_OK ||
            archive_append(ar, &s, &host, err, sizeof err) != ARCHIVE_OK) {
            fprintf(stderr, "gen30: sample %ld: %s\n", k, err);
            return 2;
        }
        free(need);
        s.numa.nodes = NULL;
        s.numa.n = 0;
        proc_list_clear(&s.procs);
        uptime_cs += (uint64_t)step * 100;
    }
    if (ar)
        archive_close(ar);
    free(slots);
    return 0;
}
