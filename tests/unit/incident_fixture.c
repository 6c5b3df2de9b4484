/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The fixture archives tests/visual charts and exports, written through
 * archive_append():
 *   incident_fixture DIR  makes
 *     DIR/incident.db  30 samples a minute apart from T0 with every incident
 *                      signal: memory pressure (calm, then from sample 10 to
 *                      19 some avg10 40.00 and full avg10 15.00, the totals
 *                      growing 12 s and 4.5 s a minute: %smem 20, %fmem 7.5),
 *                      two OOM kills recorded by sample 17 (pid 4242 "hog"
 *                      at T0 + 990 and pid 4243, a hostile name, at
 *                      T0 + 991), and v2 memory cgroups: /system.slice with
 *                      db.service (steady 500 MiB) and leak.service (100 MiB
 *                      growing 40 MiB a sample), /machine.slice/ctr-new
 *                      (300 MiB, born at sample 10), /tmp.slice/gone (400 MiB,
 *                      gone from sample 20), a steady cgroup with a hostile
 *                      path under /user.slice, the root, and the "..." row;
 *     DIR/calm.db      the same memory without pressure (no PSI recorded),
 *                      kills or cgroups.
 * Without an argument (the unit-test run) it writes both to a temporary
 * directory and checks what reads back.
 */
#include "check.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "archive.h"
#include "fixture.h"
#include "model.h"

#define T0 1795700000   /* 2026-11-26 ... UTC */
#define UP0 100000      /* uptime at the first sample, 1/100 s */
#define NSAMPLES 30
#define MiB 1048576ULL
static const char boot[] = "22222222-3333-4444-5555-666666666666";
/* XML's specials, a C0 control, DEL, a stray byte and U+FFFE */
static const char odd_victim[] = "<b>&\"'\x01\x7f\xff\xef\xbf\xbe";
static const char odd_cgroup[] = "/user.slice/a<b>&\"'\x01\x7f\xff\xef\xbf\xbe\\ x,y=z\n";

static struct oom_event kill_event(int32_t pid, const char *comm, int64_t ts, uint64_t seq)
{
    struct oom_event ev;
    memset(&ev, 0, sizeof ev);
    ev.seq = seq;
    ev.ts = ts;
    ev.mono_us = (ts - T0) * 1000000 + UP0 * 10000;
    ev.pid = pid;
    snprintf(ev.comm, sizeof ev.comm, "%s", comm);
    ev.uid = 1000;
    ev.total_vm_kb = 900000;
    ev.anon_rss_kb = 800000;
    ev.file_rss_kb = 1000;
    ev.pgtables_kb = 1800;
    ev.has_oom_score_adj = 1;
    snprintf(ev.constraint, sizeof ev.constraint, "CONSTRAINT_NONE");
    return ev;
}

static struct cgroup_mem *add_cgroup(struct cgroup_list *l, const char *path, uint64_t id,
                                     uint64_t bytes)
{
    struct cgroup_mem m;
    memset(&m, 0xff, sizeof m);   /* CGROUP_ABSENT everywhere */
    m.path = (char *)path;
    m.id = id;
    m.current = bytes;
    m.anon = bytes * 3 / 4;
    m.file = bytes / 4;
    m.max = m.high = CGROUP_UNLIMITED;
    m.ev_low = m.ev_high = m.ev_max = m.ev_oom = m.ev_oom_kill = m.ev_oom_group_kill = 0;
    return cgroup_list_add(l, &m);
}

static void cgroups(struct cgroup_list *l, int k)
{
    uint64_t leak = 100 * MiB + (uint64_t)k * 40 * MiB, db = 500 * MiB;
    uint64_t ctr = k >= 10 ? 300 * MiB : 0, gone = k < 20 ? 400 * MiB : 0, odd = 50 * MiB;
    l->version = 2;
    add_cgroup(l, "/", 1, 0);
    add_cgroup(l, "/system.slice", 100, leak + db);
    add_cgroup(l, "/system.slice/db.service", 101, db);
    struct cgroup_mem *lk = add_cgroup(l, "/system.slice/leak.service", 102, leak);
    if (lk) {   /* at its limit from sample 17: one OOM kill */
        lk->max = 2048 * MiB;
        lk->ev_max = k >= 17 ? (uint64_t)k * 3 : 0;
        lk->ev_oom = lk->ev_oom_kill = k >= 17;
    }
    add_cgroup(l, odd_cgroup, 103, odd);
    if (ctr)
        add_cgroup(l, "/machine.slice/ctr-new", 104, ctr);
    if (gone)
        add_cgroup(l, "/tmp.slice/gone", 105, gone);
    add_cgroup(l, "...", 0, 10 * MiB);
    l->aggregated = 3;
}

static void pressure(struct psi *p, int k)
{
    static const uint64_t calm_us = 1000000000;   /* stall before the window */
    int hot = k >= 10 && k < 20, after = k < 10 ? 0 : k < 20 ? k - 10 : 10;
    p->available = 1;
    p->has_full = 1;
    p->some.avg10 = hot ? 4000 : 0;
    p->some.avg60 = hot ? 2500 : 0;
    p->some.avg300 = hot ? 900 : 0;
    p->full.avg10 = hot ? 1500 : 0;
    p->full.avg60 = hot ? 900 : 0;
    p->full.avg300 = hot ? 300 : 0;
    p->some.total_us = calm_us + (uint64_t)after * 12000000;
    p->full.total_us = calm_us / 2 + (uint64_t)after * 4500000;
}

static void clear(struct sample *s)
{
    oom_event_list_clear(&s->oom);
    proc_list_clear(&s->procs);
    cgroup_list_clear(&s->cgroups);
    memset(s, 0, sizeof *s);
}

static void fill(struct sample *s, int k, int signals)
{
    clear(s);
    s->ts = T0 + k * 60;
    s->uptime_cs = UP0 + (uint64_t)k * 6000;
    memcpy(s->boot_id, boot, sizeof boot);
    uint64_t leak_kb = (100 + (uint64_t)k * 40) * 1024;
    kv_set(&s->meminfo, "MemTotal", 8000000);
    kv_set(&s->meminfo, "MemFree", 4000000 - leak_kb);
    kv_set(&s->meminfo, "MemAvailable", 5000000 - leak_kb);
    kv_set(&s->meminfo, "Buffers", 100000);
    kv_set(&s->meminfo, "Cached", 1000000);
    kv_set(&s->meminfo, "Slab", 200000);
    kv_set(&s->meminfo, "Committed_AS", 3000000 + leak_kb);
    kv_set(&s->meminfo, "CommitLimit", 6000000);
    kv_set(&s->meminfo, "SwapTotal", 1000000);
    kv_set(&s->meminfo, "SwapFree", 1000000);
    kv_set(&s->vmstat, "oom_kill", signals && k >= 17 ? 2 : 0);
    s->procs.scanned = 1;
    struct proc p[2] = {
        fixture_proc(300, 500, "leakd", leak_kb, "/system.slice/leak.service"),
        fixture_proc(301, 600, "dbd", 500 * 1024, "/system.slice/db.service"),
    };
    for (int i = 0; i < 2; i++)
        proc_list_add(&s->procs, &p[i]);
    if (!signals)
        return;
    pressure(&s->psi_mem, k);
    cgroups(&s->cgroups, k);
    s->oom.read = 1;
    s->oom.next_seq = 5000 + (uint64_t)k * 10;
    if (k == 17) {
        struct oom_event a = kill_event(4242, "hog", T0 + 990, 5161);
        struct oom_event b = kill_event(4243, odd_victim, T0 + 991, 5163);
        oom_event_list_add(&s->oom, &a);
        oom_event_list_add(&s->oom, &b);
    }
}

static int write_archive(const char *path, int signals)
{
    static struct sample s;
    struct archive *ar = fixture_writer(path);
    if (!ar)
        return 1;
    int rc = 0;
    for (int k = 0; k < NSAMPLES && rc == 0; k++) {
        fill(&s, k, signals);
        rc = fixture_store(ar, path, &s);
    }
    clear(&s);
    archive_close(ar);
    return rc;
}

struct seen {
    unsigned samples, psi, kills, cgroups, odd;
};

static int count_parts(const struct sample *s, void *ctx)
{
    struct seen *seen = ctx;
    seen->samples++;
    seen->psi += s->psi_mem.available;
    seen->kills += s->oom.n;
    seen->cgroups += (unsigned)s->cgroups.n;
    for (size_t i = 0; i < s->cgroups.n; i++)
        seen->odd += strcmp(s->cgroups.items[i].path, odd_cgroup) == 0;
    return 0;
}

static void check_read_back(const char *path, int signals)
{
    struct archive *ar;
    char err[512];
    struct seen seen = { 0 };
    CHECK(archive_open_reader(path, &ar, err, sizeof err) == ARCHIVE_OK);
    CHECK(archive_each_sample(ar, INT64_MIN, INT64_MAX, PART_OOM | PART_CGROUPS, count_parts,
                              &seen, err, sizeof err) == ARCHIVE_OK);
    CHECK(seen.samples == NSAMPLES);
    /* 30 samples of 7 cgroups, ctr-new in 20 and gone in 20 */
    CHECK(seen.psi == (signals ? NSAMPLES : 0) && seen.kills == (signals ? 2u : 0u));
    CHECK(seen.cgroups == (signals ? 30u * 6 + 20 + 20 : 0u));
    CHECK(seen.odd == (signals ? (unsigned)NSAMPLES : 0u));
    archive_close(ar);
}

int main(int argc, char **argv)
{
    char path[4096], calm[4096];
    if (argc >= 2) {
        snprintf(path, sizeof path, "%s/incident.db", argv[1]);
        snprintf(calm, sizeof calm, "%s/calm.db", argv[1]);
        return write_archive(path, 1) || write_archive(calm, 0);
    }
    char dir[] = "/tmp/memtrail-incident-XXXXXX";
    if (!mkdtemp(dir))
        return 1;
    snprintf(path, sizeof path, "%s/incident.db", dir);
    snprintf(calm, sizeof calm, "%s/calm.db", dir);
    CHECK(write_archive(path, 1) == 0);
    CHECK(write_archive(calm, 0) == 0);
    check_read_back(path, 1);
    check_read_back(calm, 0);
    unlink(path);
    unlink(calm);
    rmdir(dir);
    return CHECK_SUMMARY("incident_fixture");
}
