/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * OOM kills in the archive (archive/events.c), and the fixture archive
 * tests/oom reports on, written through archive_append():
 *   oom_fixture DIR  makes DIR/oom.db: five samples a minute apart; "hog"
 *   (pid 4242) grows until the OOM killer kills it between samples 1 and 2,
 *   a second victim with a hostile name dies with it, sample 3 found kernel
 *   log records lost, sample 4's collector could not read the log, and
 *   vmstat's oom_kill counter goes 0, 0, 2, 2, 3.
 * Without an argument (the unit-test run) it writes the archive to a
 * temporary directory and checks what reads back: the kills, the kernel log
 * position per boot, the lost records, and PART_OOM.
 */
#include "check.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "archive.h"
#include "fixture_host.h"
#include "model.h"

#define T0 1795700000   /* 2026-11-26 ... UTC */
#define UP0 100000      /* uptime at the first sample, 1/100 s */
static const char boot[] = "11111111-2222-3333-4444-555555555555";
static const char odd_victim[] = "a,b\"=(x)\n\x1b";

static struct proc mk(int pid, uint64_t start, const char *comm, uint64_t rss)
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

static struct oom_event kill_event(int32_t pid, const char *comm, int64_t ts, uint64_t seq,
                                   int memcg)
{
    struct oom_event ev;
    memset(&ev, 0, sizeof ev);
    ev.seq = seq;
    ev.ts = ts;
    ev.mono_us = (ts - T0) * 1000000 + UP0 * 10000;
    ev.pid = pid;
    snprintf(ev.comm, sizeof ev.comm, "%s", comm);
    ev.uid = memcg ? 0 : 1000;
    ev.total_vm_kb = 400000;
    ev.anon_rss_kb = 190000;
    ev.file_rss_kb = 5000;
    ev.shmem_rss_kb = 0;
    ev.pgtables_kb = memcg ? 400 : -1;
    ev.has_oom_score_adj = memcg;
    ev.oom_score_adj = memcg ? 0 : 0;
    ev.memcg_oom = memcg;
    if (memcg) {
        snprintf(ev.constraint, sizeof ev.constraint, "CONSTRAINT_MEMCG");
        snprintf(ev.oom_memcg, sizeof ev.oom_memcg, "/lim");
        snprintf(ev.task_memcg, sizeof ev.task_memcg, "/lim/job");
    }
    return ev;
}

static void fill(struct sample *s, int k)
{
    static const uint64_t oom_kills[] = { 0, 0, 2, 2, 3 };
    oom_event_list_clear(&s->oom);
    proc_list_clear(&s->procs);
    struct oom_event_list keep = s->oom;
    memset(s, 0, sizeof *s);
    s->oom = keep;
    s->ts = T0 + k * 60;
    s->uptime_cs = UP0 + (uint64_t)k * 6000;
    memcpy(s->boot_id, boot, sizeof boot);
    kv_set(&s->meminfo, "MemTotal", 1000000);
    kv_set(&s->meminfo, "MemFree", 500000 - (k == 1 ? 190000 : 0));
    kv_set(&s->vmstat, "oom_kill", oom_kills[k]);
    s->procs.scanned = 1;
    struct proc p[3];
    int n = 0;
    p[n++] = mk(200, 600, "steady", 50000);
    if (k < 2)
        p[n++] = mk(4242, 900, "hog", 100000 + (uint64_t)k * 90000);
    if (k >= 3)   /* pid 4242 reused by another process: not the victim */
        p[n++] = mk(4242, UP0 + 2 * 6000 + 100, "hog", 1000);
    for (int i = 0; i < n; i++)
        proc_list_add(&s->procs, &p[i]);
    if (k == 4)
        return;   /* the collector could not read the kernel log */
    s->oom.read = 1;
    s->oom.next_seq = 1000 + (uint64_t)k * 10;
    s->oom.has_read_oom_kill = 1;
    s->oom.read_oom_kill = oom_kills[k];
    if (k == 2) {
        struct oom_event a = kill_event(4242, "hog", T0 + 100, 1015, 1);
        struct oom_event b = kill_event(4243, odd_victim, T0 + 101, 1017, 0);
        oom_event_list_add(&s->oom, &a);
        oom_event_list_add(&s->oom, &b);
    }
    if (k == 3)
        s->oom.lost = 5;
}

static int write_archive(const char *path)
{
    static struct sample s;
    struct host_facts h;
    struct archive *ar;
    char err[512];
    if (fixture_open(path, &h, &ar) != 0)
        return 1;
    int rc = 0;
    for (int k = 0; k < 5 && rc == 0; k++) {
        fill(&s, k);
        unsigned char need[4];
        if (archive_new_identities(ar, s.boot_id, &s.procs, need, err, sizeof err) != ARCHIVE_OK ||
            archive_append(ar, &s, &h, err, sizeof err) != ARCHIVE_OK) {
            fprintf(stderr, "%s: %s\n", path, err);
            rc = 1;
        }
    }
    proc_list_clear(&s.procs);
    oom_event_list_clear(&s.oom);
    archive_close(ar);
    return rc;
}

static struct oom_kill_row rows[4];
static int nrows;
static int collect_kill(const struct oom_kill_row *k, void *ctx)
{
    (void)ctx;
    if (nrows < 4)
        rows[nrows] = *k;
    nrows++;
    return 0;
}

static int64_t loss_ts;
static uint64_t loss_n;
static int collect_loss(int64_t ts, uint64_t lost, void *ctx)
{
    (void)ctx;
    loss_ts = ts;
    loss_n += lost;
    return 0;
}

static unsigned oom_read_mask, oom_events_at[5];
static int collect_sample(const struct sample *s, void *ctx)
{
    (void)ctx;
    int k = (int)((s->ts - T0) / 60);
    if (k >= 0 && k < 5) {
        oom_read_mask |= (unsigned)s->oom.read << k;
        oom_events_at[k] = s->oom.n;
    }
    return 0;
}

static void check_read_back(const char *path)
{
    struct archive *ar;
    char err[512];
    struct kmsg_position pos;
    CHECK(archive_open_reader(path, &ar, err, sizeof err) == ARCHIVE_OK);
    CHECK(archive_each_oom_kill(ar, INT64_MIN, INT64_MAX, collect_kill, NULL, err, sizeof err) ==
          ARCHIVE_OK);
    CHECK(nrows == 2);
    CHECK(rows[0].ev.pid == 4242 && strcmp(rows[0].ev.comm, "hog") == 0);
    CHECK(rows[0].ev.ts == T0 + 100 && rows[0].sample_ts == T0 + 120 && rows[0].ev.seq == 1015);
    CHECK(strcmp(rows[0].boot_id, boot) == 0);
    CHECK(rows[0].ev.anon_rss_kb == 190000 && rows[0].ev.pgtables_kb == 400);
    CHECK(rows[0].ev.has_oom_score_adj && rows[0].ev.memcg_oom);
    CHECK(strcmp(rows[0].ev.constraint, "CONSTRAINT_MEMCG") == 0);
    CHECK(strcmp(rows[0].ev.oom_memcg, "/lim") == 0 && strcmp(rows[0].ev.task_memcg, "/lim/job") == 0);
    CHECK(strcmp(rows[1].ev.comm, odd_victim) == 0);   /* the exact bytes */
    CHECK(rows[1].ev.pgtables_kb == -1 && !rows[1].ev.has_oom_score_adj && !rows[1].ev.memcg_oom);
    CHECK(rows[1].ev.constraint[0] == '\0' && rows[1].ev.uid == 1000);
    /* the window is the kill's own time */
    nrows = 0;
    archive_each_oom_kill(ar, T0 + 101, T0 + 200, collect_kill, NULL, err, sizeof err);
    CHECK(nrows == 1 && rows[0].ev.pid == 4243);
    CHECK(archive_each_kmsg_loss(ar, INT64_MIN, INT64_MAX, collect_loss, NULL, err, sizeof err) ==
          ARCHIVE_OK);
    CHECK(loss_ts == T0 + 180 && loss_n == 5);
    /* sample 4 did not read the log: the position is sample 3's */
    CHECK(archive_kmsg_position(ar, boot, &pos, err, sizeof err) == ARCHIVE_OK);
    CHECK(pos.found && pos.next_seq == 1030 && pos.has_oom_kill && pos.oom_kill == 2);
    CHECK(archive_kmsg_position(ar, "99999999-2222-3333-4444-555555555555", &pos, err,
                                sizeof err) == ARCHIVE_OK && !pos.found);
    CHECK(archive_each_sample(ar, INT64_MIN, INT64_MAX, PART_OOM, collect_sample, NULL, err,
                              sizeof err) == ARCHIVE_OK);
    CHECK(oom_read_mask == 0xf);
    CHECK(oom_events_at[2] == 2 && oom_events_at[1] == 0 && oom_events_at[3] == 0);
    archive_close(ar);
}

int main(int argc, char **argv)
{
    char path[4096];
    if (argc >= 2) {
        snprintf(path, sizeof path, "%s/oom.db", argv[1]);
        return write_archive(path);
    }
    char dir[] = "/tmp/memtrail-oom-XXXXXX";
    if (!mkdtemp(dir))
        return 1;
    snprintf(path, sizeof path, "%s/oom.db", dir);
    CHECK(write_archive(path) == 0);
    check_read_back(path);
    unlink(path);
    rmdir(dir);
    return CHECK_SUMMARY("oom_fixture");
}
