/*
 * Unit tests of the archive: what is appended reads back the same, keys of
 * newer kernels get their own column, a duplicate second or a second writer
 * is refused, and files that are not ours, or are newer, are told apart.
 */
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archive.h"
#include "model.h"

static int passed, failed;
#define CHECK(cond) check((cond), #cond, __LINE__)
static void check(int ok, const char *what, int line)
{
    if (ok) {
        passed++;
    } else {
        failed++;
        printf("FAIL test_archive.c:%d: %s\n", line, what);
    }
}

static char dir[] = "/tmp/memtrail-test-XXXXXX";
static char err[512];

static void make_sample(struct sample *s, int64_t ts, const char *boot, uint64_t free_kb)
{
    memset(s, 0, sizeof *s);
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
    s->swaps.n = 1;
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
    if (ngot < 8)
        got[ngot++] = *s;
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
    CHECK(archive_each_sample(ar, INT64_MIN, INT64_MAX, collect, NULL, err, sizeof err) ==
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
    archive_each_sample(ar, 1795609001, 1795609060, collect, NULL, err, sizeof err);
    CHECK(ngot == 1 && got[0].ts == 1795609060);
    struct host_facts back;
    CHECK(archive_host_at(ar, 1795609000, &back, err, sizeof err) == ARCHIVE_OK);
    CHECK(strcmp(back.nodename, "testhost") == 0 && back.ncpu == 4 && back.page_size == 4096);
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
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        printf("warning: could not remove %s\n", dir);
    printf("test_archive: %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
