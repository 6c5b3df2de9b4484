/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * memreport --verify (archive.h, archive_verify()): what is damaged in one
 * archive, plain or compressed, without writing to it.  Three looks, each
 * of which finds what the others cannot:
 *   - the open itself: the header and the schema (archive_guard());
 *   - PRAGMA integrity_check: every page and index of the file, the damaged
 *     pages named by the table they belong to;
 *   - every sample read the way the reports read it, with its process,
 *     NUMA, cgroup and swap data: each part the reports would skip is listed with
 *     its time (a process blob's CRC-32, identities, unreadable pages), and
 *     then every process blob no sample refers to is checked too, and
 *     every row of the bursts of memcollect --watch.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bursts.h"
#include "internal.h"
#include "util.h"

#define MESSAGES_MAX 100   /* integrity_check messages listed per file */

struct verify_run {
    struct archive *ar;
    FILE *out;
    unsigned long problems;
    int64_t *seen;           /* the times of the samples read, increasing */
    size_t nseen, cap_seen;
};

static void problem(struct verify_run *v, const char *table, const char *what, const char *why)
{
    fprintf(v->out, "%s: %s: %s%s%s\n", archive_name(v->ar), table, what, why[0] ? ": " : "", why);
    v->problems++;
}

/* One line of integrity_check and the table of the page it names. */
struct finding {
    char *text;
    long page;               /* 0: names none */
    char table[COL_NAME_MAX + 16];
};

/* Names the table of every finding's page: roots from the schema, other
 * pages in one walk of dbstat (best effort: a damaged tree ends the walk). */
static void name_tables(struct archive *ar, struct finding *f, size_t n)
{
    static const char *const sql[] = {
        "SELECT rootpage, name FROM sqlite_master",
        "SELECT pageno, name FROM dbstat",
    };
    for (int q = 0; q < 2; q++) {
        sqlite3_stmt *st;
        if (sqlite3_prepare_v2(ar->db, sql[q], -1, &st, NULL) != SQLITE_OK)
            continue;
        while (sqlite3_step(st) == SQLITE_ROW) {
            long page = (long)sqlite3_column_int64(st, 0);
            const unsigned char *name = sqlite3_column_text(st, 1);
            for (size_t i = 0; name && page && i < n; i++)
                if (f[i].page == page && !f[i].table[0])
                    copy_text(f[i].table, sizeof f[i].table, (const char *)name);
        }
        sqlite3_finalize(st);
    }
}

/* Keeps LINE ("Page 7: ..." or "Tree 7 page 9 ...") in F[*N]. */
static void keep_finding(struct finding *f, size_t *n, const char *line)
{
    if (*n >= MESSAGES_MAX || strncmp(line, "*** in database", 15) == 0)
        return;
    struct finding *k = &f[*n];
    memset(k, 0, sizeof *k);
    if (sscanf(line, "Page %ld", &k->page) != 1 && sscanf(line, "Tree %ld", &k->page) != 1)
        k->page = 0;
    k->text = strdup(line);
    if (k->text)
        (*n)++;
}

static void check_integrity(struct verify_run *v)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(v->ar->db, "PRAGMA integrity_check(100)", -1, &st, NULL) !=
        SQLITE_OK) {
        problem(v, "file", "integrity_check", sqlite3_errmsg(v->ar->db));
        return;
    }
    static struct finding found[MESSAGES_MAX];
    size_t n = 0;
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *text = (const char *)sqlite3_column_text(st, 0);
        if (!text || strcmp(text, "ok") == 0)
            continue;
        /* a row may hold several lines, the first "*** in database main ***" */
        char *copy = strdup(text), *save = NULL;
        for (char *line = copy ? strtok_r(copy, "\n", &save) : NULL; line;
             line = strtok_r(NULL, "\n", &save))
            keep_finding(found, &n, line);
        free(copy);
    }
    if (step != SQLITE_DONE)
        keep_finding(found, &n, sqlite3_errmsg(v->ar->db));
    sqlite3_finalize(st);
    name_tables(v->ar, found, n);
    for (size_t i = 0; i < n; i++) {
        problem(v, found[i].table[0] ? found[i].table : "file", "integrity_check", found[i].text);
        free(found[i].text);
    }
}

static int remember_sample(const struct sample *s, void *arg)
{
    struct verify_run *v = arg;
    if (v->nseen == v->cap_seen) {
        size_t cap = v->cap_seen ? 2 * v->cap_seen : 1024;
        int64_t *grown = realloc(v->seen, cap * sizeof *grown);
        if (!grown)
            return 1;
        v->seen = grown;
        v->cap_seen = cap;
    }
    v->seen[v->nseen++] = s->ts;
    return 0;
}

static int was_seen(const struct verify_run *v, int64_t ts)
{
    size_t lo = 0, hi = v->nseen;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v->seen[mid] == ts)
            return 1;
        if (v->seen[mid] < ts)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

/* The process blobs no sample read: their CRC-32 and encoding. */
static void check_other_blobs(struct verify_run *v)
{
    if (!archive_has_table(v->ar, "proc_sample"))
        return;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(v->ar->db, "SELECT ts, codec, crc32, rawsize, data FROM proc_sample"
                           " ORDER BY ts", -1, &st, NULL) != SQLITE_OK) {
        problem(v, "proc_sample", "cannot be read", sqlite3_errmsg(v->ar->db));
        return;
    }
    int step;
    int64_t last = INT64_MIN;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t ts = last = sqlite3_column_int64(st, 0);
        if (was_seen(v, ts))
            continue;
        struct proc_values *values = NULL;
        size_t n = 0;
        uint32_t aggregated;
        char why[128], what[96], when[64];
        int64_t rawsize = sqlite3_column_int64(st, 3);
        if (rawsize < 0 ||
            proc_blob_decode((int)sqlite3_column_int64(st, 1), (uint32_t)sqlite3_column_int64(st, 2),
                             (size_t)rawsize, sqlite3_column_blob(st, 4),
                             (size_t)sqlite3_column_bytes(st, 4), &values, &n, &aggregated, why,
                             sizeof why) != 0) {
            archive_time_text(ts, when, sizeof when);
            snprintf(what, sizeof what, "the process data at %s (no sample)", when);
            problem(v, "proc_sample", what, rawsize < 0 ? "size" : why);
        }
        free(values);
    }
    if (step != SQLITE_DONE) {
        char what[96], when[64];
        archive_time_text(last, when, sizeof when);
        snprintf(what, sizeof what, "unreadable after %s", last == INT64_MIN ? "its start" : when);
        problem(v, "proc_sample", what, sqlite3_errmsg(v->ar->db));
    }
    sqlite3_finalize(st);
}

/* Each burst row is checked as memreport --bursts reads it (bursts.c). */
static int every_burst(const struct burst *b, void *ctx)
{
    (void)b;
    (void)ctx;
    return 0;
}

/* An archive too damaged to open as one (its field table unreadable):
 * integrity_check still tells which pages, on a bare read-only connection. */
static void check_unopenable(const char *path, struct verify_run *v)
{
    struct archive bare;
    memset(&bare, 0, sizeof bare);
    bare.name = (char *)path;
    int opened = archive_is_compressed(path)
                 ? archive_open_compressed(path, &bare.db, 0, (char[256]){ 0 }, 256) == ARCHIVE_OK
                 : sqlite3_open_v2(path, &bare.db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK;
    if (opened) {
        sqlite3_db_config(bare.db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, (int *)NULL);
        sqlite3_db_config(bare.db, SQLITE_DBCONFIG_DEFENSIVE, 1, (int *)NULL);
        v->ar = &bare;
        check_integrity(v);
        v->ar = NULL;
    }
    sqlite3_close(bare.db);
}

int archive_verify(const char *path, FILE *out, unsigned long *problems)
{
    char err[512];
    struct verify_run v = { .out = out };
    int rc = archive_open_reader(path, &v.ar, err, sizeof err);
    if (rc != ARCHIVE_OK) {
        fprintf(out, "%s: %s\n", path, err);
        if (rc == ARCHIVE_DAMAGED)
            check_unopenable(path, &v);
        *problems = 1 + v.problems;
        return rc == ARCHIVE_MISSING || rc == ARCHIVE_ERROR ? rc : ARCHIVE_DAMAGED;
    }
    v.ar->warn_to = out;
    check_integrity(&v);
    rc = archive_each_sample(v.ar, INT64_MIN, INT64_MAX,
                             PART_PROCS | PART_NUMA | PART_OOM | PART_CGROUPS, remember_sample,
                             &v, err, sizeof err);
    if (rc != ARCHIVE_OK)
        problem(&v, "sample", "cannot be read", err);
    check_other_blobs(&v);
    if (archive_each_burst(v.ar, INT64_MIN, INT64_MAX, every_burst, NULL, err, sizeof err) !=
        ARCHIVE_OK)
        problem(&v, "burst", "cannot be read", err);
    v.problems += v.ar->warnings;
    *problems = v.problems;
    archive_close(v.ar);
    free(v.seen);
    return v.problems ? ARCHIVE_DAMAGED : ARCHIVE_OK;
}

/* memtrail-YYYYMMDD.db and memtrail-YYYYMMDD.db.gz: both, when a day has
 * both (a reader sees their union). */
static int is_day_file(const struct dirent *e)
{
    const char *n = e->d_name;
    if (strncmp(n, "memtrail-", 9) != 0 || strspn(n + 9, "0123456789") != 8)
        return 0;
    return strcmp(n + 17, ".db") == 0 || strcmp(n + 17, ".db.gz") == 0;
}

static int verify_one(const char *path, FILE *out, struct verify_totals *t)
{
    unsigned long problems = 0;
    int rc = archive_verify(path, out, &problems);
    t->files++;
    if (rc == ARCHIVE_OK)
        fprintf(out, "%s: ok\n", path);
    else if (rc == ARCHIVE_DAMAGED)
        t->damaged++;
    else
        t->unchecked++;
    return rc;
}

int archive_verify_path(const char *path, FILE *out, struct verify_totals *t)
{
    struct stat st;
    memset(t, 0, sizeof *t);
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
        return verify_one(path, out, t);
    struct dirent **days;
    int n = scandir(path, &days, is_day_file, alphasort);
    if (n < 0) {
        fprintf(out, "%s: %s\n", path, strerror(errno));
        return ARCHIVE_ERROR;
    }
    int worst = ARCHIVE_OK;
    for (int i = 0; i < n; i++) {
        char file[4096];
        snprintf(file, sizeof file, "%s/%s", path, days[i]->d_name);
        int rc = verify_one(file, out, t);
        if (rc != ARCHIVE_OK && worst != ARCHIVE_DAMAGED)
            worst = rc;
        free(days[i]);
    }
    free(days);
    return worst;
}
