/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of cgroup storage (archive/cgstore.c) through archive_append
 * and archive_each_sample(..., PART_CGROUPS, ...): values, limits and
 * absent values read back exactly; cgroups appear and vanish between
 * samples; later samples are stored as differences from a key blob; a
 * damaged key blob costs the samples stored against it (with a warning),
 * no others; --verify finds it; a day held in .db and .db.gz reads as
 * their union, cgroups included, and --maintain merges them.
 */
#include "check.h"
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "archive.h"
#include "cgroup_parse.h"
#include "model.h"

static char dir[] = "/tmp/memtrail-cgstore-XXXXXX";
static char err[512];
static const char boot[] = "1ac9eb53-43c1-4786-a220-44c0c0a20bcb";

#define NSAMPLES 6
#define T0 1795600000

/* Cgroup I of sample K: "/svc/I" (and "/" for I 0), values that move for
 * a few of them only; "/svc/3" exists in samples 2 and 3 only. */
static int present(int k, int i) { return i != 3 || k == 2 || k == 3; }

static void make_cgroup(struct cgroup_mem *m, char *path, size_t cap, int k, int i)
{
    cgroup_mem_absent(m);
    snprintf(path, cap, i == 0 ? "/" : "/svc/%d", i);
    m->path = path;
    m->id = 1000 + (uint64_t)i;
    m->current = (uint64_t)(i + 1) * 1048576 + (i == 1 ? (uint64_t)k * 4096 : 0);
    m->max = i == 2 ? 268435456 : CGROUP_UNLIMITED;
    m->anon = (uint64_t)i * 4096;
    m->file = 8192;
    m->ev_oom_kill = i == 2 ? (uint64_t)k / 2 : 0;
    m->psi_some_us = (uint64_t)i * 1000 + (uint64_t)k;
}

static void make_sample(struct sample *s, int k)
{
    static char paths[8][32];
    memset(s, 0, sizeof *s);
    s->ts = T0 + k * 60;
    s->uptime_cs = 100000 + (uint64_t)k * 6000;
    snprintf(s->boot_id, sizeof s->boot_id, "%s", boot);
    kv_set(&s->meminfo, "MemTotal", 24684084);
    kv_set(&s->meminfo, "MemFree", 1000 + (uint64_t)k);
    s->cgroups.version = 2;
    for (int i = 0; i < 6; i++) {
        struct cgroup_mem m;
        if (!present(k, i))
            continue;
        make_cgroup(&m, paths[i], sizeof paths[i], k, i);
        cgroup_list_add(&s->cgroups, &m);
    }
    s->cgroups.aggregated = k == 4 ? 7 : 0;
}

static int same_cgroup(const struct cgroup_mem *a, const struct cgroup_mem *b)
{
    return strcmp(a->path, b->path) == 0 && a->id == b->id && a->current == b->current &&
           a->max == b->max && a->high == b->high && a->anon == b->anon &&
           a->file == b->file && a->kernel == b->kernel && a->ev_oom_kill == b->ev_oom_kill &&
           a->psi_some_us == b->psi_some_us && a->psi_full_us == b->psi_full_us &&
           a->refault_file == b->refault_file;
}

struct seen {
    int samples, with_cgroups, exact;
};

/* Each sample read against the one it was made from. */
static int compare(const struct sample *s, void *ctx)
{
    struct seen *seen = ctx;
    int k = (int)((s->ts - T0) / 60);
    seen->samples++;
    if (s->cgroups.version == 0)
        return 0;
    seen->with_cgroups++;
    static struct sample want;
    make_sample(&want, k);
    int ok = s->cgroups.version == 2 && s->cgroups.n == want.cgroups.n &&
             s->cgroups.aggregated == want.cgroups.aggregated;
    for (size_t i = 0; ok && i < want.cgroups.n; i++) {
        int matched = 0;
        for (size_t j = 0; j < s->cgroups.n; j++)
            matched |= same_cgroup(&want.cgroups.items[i], &s->cgroups.items[j]);
        ok &= matched;
    }
    seen->exact += ok;
    cgroup_list_clear(&want.cgroups);
    return 0;
}

static struct seen read_all(const char *path)
{
    struct archive *ar;
    struct seen seen = { 0 };
    CHECK(archive_open_reader(path, &ar, err, sizeof err) == ARCHIVE_OK);
    CHECK(archive_each_sample(ar, INT64_MIN, INT64_MAX, PART_CGROUPS, compare, &seen, err,
                              sizeof err) == ARCHIVE_OK);
    archive_close(ar);
    return seen;
}

static long long query(const char *path, const char *sql)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    long long v = -1;
    if (sqlite3_open(path, &db) == SQLITE_OK &&
        sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW)
            v = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    sqlite3_close(db);
    return v;
}

/* Appends samples FROM..TO-1 to PATH (sample 1 without cgroups). */
static void append_samples(const char *path, int from, int to)
{
    struct archive *ar;
    struct host_facts host;
    static struct sample s;
    memset(&host, 0, sizeof host);
    strcpy(host.sysname, "Linux");
    host.ncpu = 1;
    host.page_size = 4096;
    CHECK(archive_open_writer(path, 1000, &ar, err, sizeof err) == ARCHIVE_OK);
    for (int k = from; k < to; k++) {
        make_sample(&s, k);
        if (k == 1)
            s.cgroups.version = 0;   /* not sampled: no row, not an empty one */
        CHECK(archive_append(ar, &s, &host, err, sizeof err) == ARCHIVE_OK);
        cgroup_list_clear(&s.cgroups);
    }
    archive_close(ar);
}

static void test_round_trip(const char *path)
{
    append_samples(path, 0, NSAMPLES);
    struct seen seen = read_all(path);
    CHECK(seen.samples == NSAMPLES && seen.with_cgroups == NSAMPLES - 1);
    CHECK(seen.exact == NSAMPLES - 1);
    /* identities once each; one key blob, the rest differences from it */
    CHECK(query(path, "SELECT count(*) FROM cgroup") == 6);
    CHECK(query(path, "SELECT count(*) FROM cgroup_sample WHERE base_ts IS NULL") == 1);
    CHECK(query(path, "SELECT count(*) FROM cgroup_sample WHERE base_ts = 1795600000") == 4);
    CHECK(query(path, "SELECT max(length(data)) FROM cgroup_sample WHERE base_ts IS NOT NULL") <
          query(path, "SELECT length(data) FROM cgroup_sample WHERE base_ts IS NULL"));
}

static void test_damaged_key(const char *path)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "sqlite3 '%s' \"UPDATE cgroup_sample SET crc32 = crc32 + 1"
             " WHERE base_ts IS NULL\"", path);
    CHECK(system(cmd) == 0);
    fflush(stdout);
    struct seen seen = read_all(path);   /* warnings on stderr */
    CHECK(seen.samples == NSAMPLES && seen.with_cgroups == 0);
    unsigned long problems = 0;
    FILE *out = tmpfile();
    CHECK(archive_verify(path, out, &problems) == ARCHIVE_DAMAGED && problems >= 1);
    char text[4096] = "";
    rewind(out);
    size_t got = fread(text, 1, sizeof text - 1, out);
    text[got] = '\0';
    CHECK(strstr(text, "cgroup_sample") != NULL);
    fclose(out);
}

static void test_union(void)
{
    char path[256], gz[300];
    snprintf(path, sizeof path, "%s/memtrail-20261125.db", dir);
    snprintf(gz, sizeof gz, "%s.gz", path);
    append_samples(path, 0, 3);
    CHECK(archive_compress(path, err, sizeof err) == ARCHIVE_OK);
    append_samples(path, 3, NSAMPLES);   /* a new plain file beside the .gz */
    struct seen seen = read_all(path);
    CHECK(seen.samples == NSAMPLES && seen.exact == NSAMPLES - 1);
    CHECK(archive_merge_day(path, err, sizeof err) == ARCHIVE_OK && access(path, F_OK) != 0);
    seen = read_all(gz);
    CHECK(seen.samples == NSAMPLES && seen.exact == NSAMPLES - 1);
    unlink(gz);
}

int main(void)
{
    char path[256];
    if (!mkdtemp(dir))
        return 2;
    snprintf(path, sizeof path, "%s/cg.db", dir);
    test_round_trip(path);
    test_damaged_key(path);
    test_union();
    unlink(path);
    rmdir(dir);
    return CHECK_SUMMARY("cgstore");
}
