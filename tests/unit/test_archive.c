/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of the archive: what is appended reads back the same, keys of
 * newer kernels get their own column, a duplicate second or a second writer
 * is refused, and files that are not ours, or are newer, are told apart.
 */
#include "check.h"
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archive.h"
#include "model.h"


static char dir[] = "/tmp/memtrail-test-XXXXXX";
static char err[512];

static void make_sample(struct sample *s, int64_t ts, const char *boot, uint64_t free_kb)
{
    struct swap_list swaps = s->swaps;   /* its array is reused */
    memset(s, 0, sizeof *s);
    s->swaps = swaps;
    swap_list_reset(&s->swaps);
    s->ts = ts;
    s->utc_offset = 3600;
    s->uptime_cs = (uint64_t)(ts - 1795600000) * 100 + 7;
    snprintf(s->boot_id, sizeof s->boot_id, "%s", boot);
    kv_set(&s->meminfo, "MemTotal", 24684084);
    kv_set(&s->meminfo, "MemFree", free_kb);
    kv_set(&s->meminfo, "Active(anon)", 1520);
    kv_set(&s->meminfo, "VmallocTotal", 34359738367ULL);
    kv_set(&s->vmstat, "pgpgin", 369773);
    kv_set(&s->vmstat, "pgsteal_anon", 12);
    swap_list_add(&s->swaps);
    snprintf(s->swaps.dev[0].name, sizeof s->swaps.dev[0].name, "/swapfile");
    snprintf(s->swaps.dev[0].type, sizeof s->swaps.dev[0].type, "file");
    s->swaps.dev[0].size_kb = 65532;
    s->swaps.dev[0].used_kb = 33144;
    s->swaps.dev[0].priority = -2;
}

static void make_host(struct host_facts *h)
{
    memset(h, 0, sizeof *h);
    strcpy(h->sysname, "Linux");
    strcpy(h->nodename, "testhost");
    strcpy(h->release, "6.1.0-test");
    strcpy(h->machine, "x86_64");
    strcpy(h->timezone, "CET");
    h->ncpu = 4;
    h->page_size = 4096;
}

static struct sample got[8];
static int ngot;
static int collect(const struct sample *s, void *ctx)
{
    (void)ctx;
    if (ngot < 8) {
        struct swap_list *copy = &got[ngot].swaps;
        swap_list_clear(copy);
        struct swap_list keep = *copy;
        got[ngot] = *s;   /* the swap list is the reader's: copied below */
        got[ngot].swaps = keep;
        for (unsigned i = 0; i < s->swaps.n; i++) {
            struct swap_device *d = swap_list_add(copy);
            if (d)
                *d = s->swaps.dev[i];
        }
        ngot++;
    }
    return 0;
}

static const char boot_a[] = "1ac9eb53-43c1-4786-a220-44c0c0a20bcb";
static const char boot_b[] = "2bd0fc64-54d2-5897-b331-55d1d1b31cdc";

static void test_round_trip(const char *path)
{
    static struct sample s;
    struct host_facts h;
    struct archive *ar;
    make_host(&h);
    CHECK(archive_open_writer(path, 0, &ar, err, sizeof err) == ARCHIVE_OK);
    make_sample(&s, 1795609000, boot_a, 1000);
    CHECK(archive_append(ar, &s, &h, err, sizeof err) == ARCHIVE_OK);
    make_sample(&s, 1795609060, boot_a, 2000);
    kv_set(&s.meminfo, "BrandNewKey", 77);           /* a newer kernel's key */
    CHECK(archive_append(ar, &s, &h, err, sizeof err) == ARCHIVE_OK);
    make_sample(&s, 1795609060, boot_a, 3000);       /* the same second again */
    CHECK(archive_append(ar, &s, &h, err, sizeof err) == ARCHIVE_DUPLICATE);
    make_sample(&s, 1795609120, boot_b, 4000);
    CHECK(archive_append(ar, &s, &h, err, sizeof err) == ARCHIVE_OK);

    /* a second writer waits, then is told the archive is busy */
    struct archive *second;
    CHECK(archive_open_writer(path, 50, &second, err, sizeof err) == ARCHIVE_BUSY);
    archive_close(ar);

    struct stat st;
    CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0640);

    CHECK(archive_open_reader(path, &ar, err, sizeof err) == ARCHIVE_OK);
    ngot = 0;
    CHECK(archive_each_sample(ar, INT64_MIN, INT64_MAX, 0, collect, NULL, err, sizeof err) ==
          ARCHIVE_OK);
    CHECK(ngot == 3);
    CHECK(got[0].ts == 1795609000 && got[1].ts == 1795609060 && got[2].ts == 1795609120);
    CHECK(kv_get(&got[0].meminfo, "MemFree") == 1000 && kv_get(&got[1].meminfo, "MemFree") == 2000);
    CHECK(kv_get(&got[0].meminfo, "VmallocTotal") == 34359738367ULL);
    CHECK(kv_get(&got[0].meminfo, "Active(anon)") == 1520);
    CHECK(kv_get(&got[1].meminfo, "BrandNewKey") == 77);
    CHECK(kv_get(&got[0].meminfo, "BrandNewKey") == 0 && got[0].meminfo.n == 4);  /* unknown, not 0 */
    CHECK(kv_get(&got[2].vmstat, "pgsteal_anon") == 12);
    CHECK(got[0].uptime_cs == 900007 && got[0].utc_offset == 3600);
    CHECK(strcmp(got[0].boot_id, boot_a) == 0 && strcmp(got[2].boot_id, boot_b) == 0);
    CHECK(got[1].swaps.n == 1 && got[1].swaps.dev[0].used_kb == 33144 &&
          got[1].swaps.dev[0].priority == -2 && strcmp(got[1].swaps.dev[0].name, "/swapfile") == 0);
    ngot = 0;
    archive_each_sample(ar, 1795609001, 1795609060, 0, collect, NULL, err, sizeof err);
    CHECK(ngot == 1 && got[0].ts == 1795609060);
    struct host_facts back;
    CHECK(archive_host_at(ar, 1795609000, &back, err, sizeof err) == ARCHIVE_OK);
    CHECK(strcmp(back.nodename, "testhost") == 0 && back.ncpu == 4 && back.page_size == 4096);
    archive_close(ar);
}

/* Hundreds of keys, more than the field array first holds: each gets its
 * column, and a writer that reopens the archive finds them all again. */
static void many_keys(struct sample *s, int64_t ts, uint64_t base)
{
    make_sample(s, ts, boot_a, 1000);
    char key[32];
    for (int i = 0; i < 250; i++) {
        snprintf(key, sizeof key, "Extra%03d", i);
        kv_set(&s->meminfo, key, base + (uint64_t)i);
        snprintf(key, sizeof key, "extra_%03d", i);
        kv_set(&s->vmstat, key, 2 * base + (uint64_t)i);
    }
}

static void test_many_fields(const char *path)
{
    static struct sample s;
    struct host_facts h;
    struct archive *ar;
    make_host(&h);
    for (int round = 0; round < 2; round++) {
        CHECK(archive_open_writer(path, 0, &ar, err, sizeof err) == ARCHIVE_OK);
        many_keys(&s, 1795609000 + 60 * round, 1000 * (uint64_t)(round + 1));
        CHECK(archive_append(ar, &s, &h, err, sizeof err) == ARCHIVE_OK);
        archive_close(ar);
    }
    CHECK(archive_open_reader(path, &ar, err, sizeof err) == ARCHIVE_OK);
    ngot = 0;
    CHECK(archive_each_sample(ar, INT64_MIN, INT64_MAX, 0, collect, NULL, err, sizeof err) ==
          ARCHIVE_OK);
    CHECK(ngot == 2);
    for (int i = 0; i < ngot && i < 2; i++) {
        uint64_t base = 1000 * (uint64_t)(i + 1);
        CHECK(got[i].meminfo.n == 254 && got[i].vmstat.n == 252);
        CHECK(kv_get(&got[i].meminfo, "Extra000") == base);
        CHECK(kv_get(&got[i].meminfo, "Extra249") == base + 249);
        CHECK(kv_get(&got[i].vmstat, "extra_249") == 2 * base + 249);
        CHECK(kv_get(&got[i].meminfo, "MemFree") == 1000);
    }
    archive_close(ar);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
}

static void test_not_ours_and_newer(const char *path)
{
    struct archive *ar;
    char other[600];
    snprintf(other, sizeof other, "%s/passwd", dir);
    write_file(other, "root:x:0:0:root:/root:/bin/bash\n");
    CHECK(archive_open_reader(other, &ar, err, sizeof err) == ARCHIVE_NOT_OURS);
    CHECK(archive_open_writer(other, 0, &ar, err, sizeof err) == ARCHIVE_NOT_OURS);
    snprintf(other, sizeof other, "%s/empty", dir);
    write_file(other, "");
    CHECK(archive_open_reader(other, &ar, err, sizeof err) == ARCHIVE_NOT_OURS);
    snprintf(other, sizeof other, "%s/missing", dir);
    CHECK(archive_open_reader(other, &ar, err, sizeof err) == ARCHIVE_MISSING);

    /* another program's SQLite database is not ours */
    sqlite3 *db;
    snprintf(other, sizeof other, "%s/other.db", dir);
    sqlite3_open(other, &db);
    sqlite3_exec(db, "CREATE TABLE t(x)", NULL, NULL, NULL);
    sqlite3_close(db);
    CHECK(archive_open_reader(other, &ar, err, sizeof err) == ARCHIVE_NOT_OURS);
    struct archive *w;
    static struct sample s;
    struct host_facts h;
    make_host(&h);
    make_sample(&s, 1795609000, boot_a, 1000);
    CHECK(archive_open_writer(other, 0, &w, err, sizeof err) == ARCHIVE_OK &&
          archive_append(w, &s, &h, err, sizeof err) == ARCHIVE_NOT_OURS);
    archive_close(w);

    /* an archive of a newer format: refused with a clear message, never written */
    sqlite3_open(path, &db);
    sqlite3_exec(db, "PRAGMA user_version=99", NULL, NULL, NULL);
    sqlite3_close(db);
    CHECK(archive_open_reader(path, &ar, err, sizeof err) == ARCHIVE_TOO_NEW);
    CHECK(strstr(err, "newer") != NULL);
    CHECK(archive_open_writer(path, 0, &w, err, sizeof err) == ARCHIVE_OK &&
          archive_append(w, &s, &h, err, sizeof err) == ARCHIVE_TOO_NEW);
    archive_close(w);
}

static void test_symlink_refused(void)
{
    char link[600], target[600];
    struct archive *ar;
    snprintf(target, sizeof target, "%s/target", dir);
    snprintf(link, sizeof link, "%s/link.db", dir);
    CHECK(symlink(target, link) == 0);
    CHECK(archive_open_writer(link, 0, &ar, err, sizeof err) == ARCHIVE_ERROR);
    CHECK(strstr(err, "symbolic link") != NULL);
    CHECK(access(target, F_OK) != 0);   /* nothing created through it */
}

static struct proc make_proc(int32_t pid, uint64_t start, const char *comm, uint64_t rss)
{
    struct proc p;
    memset(&p, 0, sizeof p);
    p.pid = pid;
    p.ppid = 1;
    p.uid = 1000;
    p.start_ticks = start;
    snprintf(p.comm, sizeof p.comm, "%s", comm);
    p.anon_kb = rss;
    p.rss_kb = rss;
    p.vsz_kb = rss * 4;
    p.minflt = 7;
    p.pss_kb = -1;
    return p;
}

static int proc_samples_seen, damaged_seen;
static struct proc seen[3][4];
static size_t seen_n[3];
static int collect_procs(const struct sample *s, void *ctx)
{
    (void)ctx;
    int k = proc_samples_seen++;
    if (k < 3) {
        seen_n[k] = s->procs.scanned ? s->procs.n : 99;
        for (size_t i = 0; i < s->procs.n && i < 4; i++)
            seen[k][i] = s->procs.procs[i];
        if (s->numa.available && k == 0)
            damaged_seen += (int)s->numa.n * 100 +
                            (int)kv_get(&s->numa.nodes[0].values, "FilePages");
    }
    return 0;
}

/* Processes and nodes: identities stored once, a reused pid is a new
 * identity, unknown PSS stays unknown, and a damaged blob costs one sample. */
static void test_procs(const char *path)
{
    static struct sample s;
    struct host_facts h;
    struct archive *ar;
    make_host(&h);
    CHECK(archive_open_writer(path, 0, &ar, err, sizeof err) == ARCHIVE_OK);
    for (int k = 0; k < 3; k++) {
        make_sample(&s, 1795700000 + k * 60, boot_a, 1000);
        memset(&s.procs, 0, sizeof s.procs);
        s.procs.scanned = 1;
        struct proc a = make_proc(100, 5000, "daemon", 1000 + (uint64_t)k * 8192);
        a.cmdline = "/usr/sbin/daemon --flag";
        proc_list_add(&s.procs, &a);
        /* pid 200 is reused by another process at the third sample */
        struct proc b = make_proc(200, k < 2 ? 6000 : 9000, k < 2 ? "old" : "new, \"odd\"", 50);
        b.pss_kb = k == 1 ? 42 : -1;
        proc_list_add(&s.procs, &b);
        unsigned char need[2];
        CHECK(archive_new_identities(ar, boot_a, &s.procs, need, err, sizeof err) == ARCHIVE_OK);
        CHECK(k == 0 ? need[0] && need[1] : !need[0] && need[1] == (k == 2));
        struct numa_node node = { .id = 2, .total_kb = 8000, .free_kb = 3000 };
        kv_set(&node.values, "FilePages", 1234);
        kv_set(&node.values, "numa_hit", 99);
        s.numa.available = 1;
        s.numa.n = 1;
        s.numa.nodes = &node;
        CHECK(archive_append(ar, &s, &h, err, sizeof err) == ARCHIVE_OK);
        s.numa.nodes = NULL;
        s.numa.n = 0;
        proc_list_clear(&s.procs);
    }
    archive_close(ar);

    sqlite3 *db;
    sqlite3_open(path, &db);
    sqlite3_stmt *st;
    sqlite3_prepare_v2(db, "SELECT count(*), sum(cmdline IS NOT NULL) FROM proc", -1, &st, NULL);
    CHECK(sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) == 3 &&
          sqlite3_column_int(st, 1) == 1);
    sqlite3_finalize(st);
    /* damage the middle sample's blob */
    sqlite3_exec(db, "UPDATE proc_sample SET data = zeroblob(length(data)) WHERE ts = 1795700060",
                 NULL, NULL, NULL);
    sqlite3_close(db);

    CHECK(archive_open_reader(path, &ar, err, sizeof err) == ARCHIVE_OK);
    proc_samples_seen = damaged_seen = 0;
    CHECK(archive_each_sample(ar, 1795700000, 1795700120, PART_PROCS | PART_NUMA, collect_procs,
                              NULL, err, sizeof err) == ARCHIVE_OK);
    archive_close(ar);
    CHECK(proc_samples_seen == 3);
    CHECK(seen_n[0] == 2 && seen_n[1] == 99 && seen_n[2] == 2);   /* the damaged one skipped */
    CHECK(seen[0][0].pid == 100 && seen[0][0].rss_kb == 1000 && seen[2][0].rss_kb == 1000 + 2 * 8192);
    CHECK(seen[0][1].pid == 200 && strcmp(seen[0][1].comm, "old") == 0 && seen[0][1].pss_kb == -1);
    CHECK(seen[2][1].pid == 200 && strcmp(seen[2][1].comm, "new, \"odd\"") == 0 &&
          seen[2][1].start_ticks == 9000);
    CHECK(damaged_seen == 100 + 1234);   /* one node, its FilePages */
}

static char names_seen[4][2][64], cmdlines_seen[4][64];
static int names_samples;
static int collect_names(const struct sample *s, void *ctx)
{
    (void)ctx;
    int k = names_samples++;
    for (size_t i = 0; k < 4 && i < s->procs.n && i < 2; i++)
        snprintf(names_seen[k][i], sizeof names_seen[k][i], "%s", s->procs.procs[i].comm);
    if (k < 4 && s->procs.n)
        snprintf(cmdlines_seen[k], sizeof cmdlines_seen[k], "%s",
                 s->procs.procs[0].cmdline ? s->procs.procs[0].cmdline : "(null)");
    return 0;
}

/* Names over time: an exec (same pid and start, another comm) is recorded
 * from its sample on, with the command line read then, also when the
 * collector did not look the identities up first (--no-cmdline); a kernel
 * thread's changing name is not; each sample reads back the name it had. */
static void test_names(const char *path)
{
    static struct sample s;
    static const char *const comms[4] = { "sh", "sh", "python3", "worker" };
    static const char *const cmdlines[4] = { "sh -c x", NULL, "python3 app.py", NULL };
    struct host_facts h;
    struct archive *ar;
    make_host(&h);
    CHECK(archive_open_writer(path, 0, &ar, err, sizeof err) == ARCHIVE_OK);
    for (int k = 0; k < 4; k++) {
        make_sample(&s, 1795800000 + k * 60, boot_a, 1000);
        memset(&s.procs, 0, sizeof s.procs);
        s.procs.scanned = 1;
        struct proc a = make_proc(300, 7000, comms[k], 100);
        struct proc kt = make_proc(2000, 10, k % 2 ? "kworker/0:1-mm" : "kworker/0:1-events", 0);
        kt.kernel_thread = 1;
        proc_list_add(&s.procs, &a);
        proc_list_add(&s.procs, &kt);
        if (k < 3) {   /* the collector's path; the last sample as with --no-cmdline */
            unsigned char need[2];
            CHECK(archive_new_identities(ar, boot_a, &s.procs, need, err, sizeof err) == ARCHIVE_OK);
            CHECK(need[0] == (k == 0 || k == 2) && need[1] == (k == 0));
            if (need[0] && cmdlines[k])
                s.procs.procs[0].cmdline = strdup(cmdlines[k]);
        }
        CHECK(archive_append(ar, &s, &h, err, sizeof err) == ARCHIVE_OK);
        proc_list_clear(&s.procs);
    }
    archive_close(ar);

    sqlite3 *db;
    sqlite3_stmt *st;
    sqlite3_open(path, &db);
    sqlite3_prepare_v2(db, "SELECT group_concat(comm || '@' || ts, ' ') FROM proc_name", -1, &st,
                       NULL);
    CHECK(sqlite3_step(st) == SQLITE_ROW &&
          strcmp((const char *)sqlite3_column_text(st, 0),
                 "python3@1795800120 worker@1795800180") == 0);
    sqlite3_finalize(st);
    sqlite3_close(db);

    CHECK(archive_open_reader(path, &ar, err, sizeof err) == ARCHIVE_OK);
    names_samples = 0;
    CHECK(archive_each_sample(ar, INT64_MIN, INT64_MAX, PART_PROCS, collect_names, NULL, err,
                              sizeof err) == ARCHIVE_OK);
    archive_close(ar);
    CHECK(names_samples == 4);
    for (int k = 0; k < 4; k++) {
        CHECK(strcmp(names_seen[k][0], comms[k]) == 0);
        CHECK(strcmp(names_seen[k][1], "kworker/0:1-events") == 0);
    }
    CHECK(strcmp(cmdlines_seen[0], "sh -c x") == 0 && strcmp(cmdlines_seen[1], "sh -c x") == 0);
    CHECK(strcmp(cmdlines_seen[2], "python3 app.py") == 0);
    CHECK(strcmp(cmdlines_seen[3], "(null)") == 0);   /* renamed, command line not read */
}

int main(void)
{
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    char path[600];
    snprintf(path, sizeof path, "%s/a.db", dir);
    test_round_trip(path);
    test_not_ours_and_newer(path);
    test_symlink_refused();
    snprintf(path, sizeof path, "%s/procs.db", dir);
    test_procs(path);
    snprintf(path, sizeof path, "%s/names.db", dir);
    test_names(path);
    snprintf(path, sizeof path, "%s/fields.db", dir);
    test_many_fields(path);
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        printf("warning: could not remove %s\n", dir);
    return CHECK_SUMMARY("test_archive");
}
