/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Archives are data, not code (see internal.h, archive_guard()).  A file
 * handed to memreport may come from anywhere: SQLite would run whatever
 * its schema says (a view over an endless recursive CTE, a trigger inside
 * the collector's transaction, functions in generated columns).  So every
 * open, reader or writer, first switches off what a schema could make
 * SQLite do, then checks that the schema holds only what memtrail itself
 * creates, and puts a bound on the work of any query.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "internal.h"
#include "util.h"

/* Tables every archive has, and the ones made with the first sample that
 * needs them: each, when present, must be an ordinary table. */
static const char *const our_tables[] = {
    "host", "boot", "sample", "field", "swap", "proc", "proc_sample", "numa", "psi_mem",
    "kmsg_read", "oom_kill", "cgroup", "cgroup_sample", "cgroup_path", "proc_cgroup", "burst",
    NULL
};
/* The one view of schema/archive.sql, for people with the sqlite3 shell:
 * memtrail never reads it. */
static const char our_view[] = "sample_time";

/* The progress handler runs every PROGRESS_OPS virtual-machine steps; a
 * connection may take WORK_PER_PAGE steps per page of its file in all
 * (a full scan of "sample" costs about 5,000 per 4 kB page: reports read
 * each file a few times, and the capacity reports look up to 2,400
 * instants at about 1,000 steps each), and never fewer than WORK_MIN. */
#define PROGRESS_OPS 10000
#define WORK_PER_PAGE 200000LL
#define WORK_MIN 50000000LL

static int progress(void *arg)
{
    struct archive *ar = arg;
    ar->work_left -= PROGRESS_OPS;
    return ar->work_left < 0;
}

static int refuse(char *err, size_t cap, const char *what, const char *name)
{
    return archive_fail(err, cap, ARCHIVE_NOT_OURS, "not a memtrail archive: %s%s", what, name);
}

static int is_our_table(const char *name)
{
    for (int i = 0; our_tables[i]; i++)
        if (strcmp(name, our_tables[i]) == 0)
            return 1;
    return 0;
}

/* Whether the word W (upper case) starts at P, case aside. */
static int word_at(const char *p, const char *w, const char *start)
{
    size_t n = strlen(w);
    if (strncasecmp(p, w, n) != 0 || (p > start && (isalnum((unsigned char)p[-1]) || p[-1] == '_')))
        return 0;
    return !isalnum((unsigned char)p[n]) && p[n] != '_';
}

/* Generated columns compute values, with functions, on every read: their
 * declaration says "AS (" (after "GENERATED ALWAYS" or not).  Looked for in
 * the CREATE TABLE text, outside quotes: pragma table_xinfo per table cost
 * the one-shot collector a millisecond a sample. */
static int has_generated_column(const char *sql)
{
    for (const char *p = sql; *p; p++) {
        if (*p == '\'' || *p == '"' || *p == '`' || *p == '[') {
            char close = *p == '[' ? ']' : *p;
            const char *end = strchr(p + 1, close);
            if (!end)
                return 0;
            p = end;
            continue;
        }
        char c = (char)(*p & ~0x20);   /* upper case, for letters */
        if (c == 'G' && word_at(p, "GENERATED", sql))
            return 1;
        if (c == 'A' && word_at(p, "AS", sql)) {
            const char *q = p + 2;
            while (isspace((unsigned char)*q))
                q++;
            if (*q == '(')
                return 1;
        }
    }
    return 0;
}

static int check_object(const char *type, const char *name, const char *sql,
                        char *err, size_t cap)
{
    char what[COL_NAME_MAX + 48];
    if (strcmp(type, "trigger") == 0)
        return refuse(err, cap, "it has a trigger: ", name);
    if (strcmp(type, "view") == 0) {
        if (strcmp(name, our_view) == 0)
            return ARCHIVE_OK;
        snprintf(what, sizeof what, "\"%.*s\" is a view", COL_NAME_MAX, name);
        return refuse(err, cap, what, is_our_table(name) ? ", not a table" : "");
    }
    if (strcmp(type, "table") == 0) {
        if (sql && strncmp(sql, "CREATE TABLE", 12) != 0)
            return refuse(err, cap, "it has a virtual table: ", name);
        if (sql && has_generated_column(sql))
            return refuse(err, cap, "it has generated columns in ", name);
        return ARCHIVE_OK;
    }
    if (strcmp(type, "index") == 0)
        return ARCHIVE_OK;
    return refuse(err, cap, "unknown schema object: ", name);
}

static int check_schema(struct archive *ar, char *err, size_t cap)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(ar->db, "SELECT type, name, sql FROM sqlite_master", -1, &st, NULL) !=
        SQLITE_OK)
        return archive_read_fail(ar, err, cap, "cannot read the schema");
    int rc = ARCHIVE_OK, step;
    while (rc == ARCHIVE_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *type = (const char *)sqlite3_column_text(st, 0);
        const char *name = (const char *)sqlite3_column_text(st, 1);
        const char *sql = (const char *)sqlite3_column_text(st, 2);
        rc = check_object(type ? type : "", name ? name : "", sql, err, cap);
    }
    if (rc == ARCHIVE_OK && step != SQLITE_DONE)
        rc = archive_read_fail(ar, err, cap, "cannot read the schema");
    sqlite3_finalize(st);
    return rc;
}

/* Readers only: a writer's connection lives as long as the collector, and
 * runs only its own statements on a schema checked to hold no code. */
static void bound_queries(struct archive *ar)
{
    int64_t pages = 0;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(ar->db, "PRAGMA page_count", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        pages = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    ar->work_left = pages > 0 && pages < INT64_MAX / WORK_PER_PAGE ? pages * WORK_PER_PAGE : 0;
    if (ar->work_left < WORK_MIN)
        ar->work_left = WORK_MIN;
    sqlite3_progress_handler(ar->db, PROGRESS_OPS, progress, ar);
}

int archive_guard(struct archive *ar, const char *path, int bound_work, char *err, size_t cap)
{
    free(ar->name);
    ar->name = strdup(path);
    if (!ar->name)
        return archive_fail(err, cap, ARCHIVE_ERROR, "out of memory%s%s", "", "");
    /* the flag PRAGMA trusted_schema=OFF sets, without parsing a statement */
    if (sqlite3_db_config(ar->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, (int *)NULL) != SQLITE_OK ||
        sqlite3_db_config(ar->db, SQLITE_DBCONFIG_DEFENSIVE, 1, (int *)NULL) != SQLITE_OK)
        return archive_read_fail(ar, err, cap, "cannot open");
    if (bound_work)
        bound_queries(ar);
    return check_schema(ar, err, cap);
}

const char *archive_name(const struct archive *ar)
{
    return ar->name ? ar->name : "archive";
}

int archive_read_fail(struct archive *ar, char *err, size_t cap, const char *what)
{
    int code = sqlite3_errcode(ar->db);
    if (code == SQLITE_INTERRUPT)
        return archive_fail(err, cap, ARCHIVE_DAMAGED, "%s: %s", what,
                            "gave up: reading it takes more work than its size allows");
    if (code == SQLITE_NOTADB)
        return archive_fail(err, cap, ARCHIVE_NOT_OURS, "not a memtrail archive: %s: %s", what,
                            sqlite3_errmsg(ar->db));
    if (code == SQLITE_CORRUPT || code == SQLITE_IOERR ||
        code == SQLITE_RANGE || code == SQLITE_MISMATCH || code == SQLITE_FORMAT)
        return archive_fail(err, cap, ARCHIVE_DAMAGED, "damaged: %s: %s", what,
                            sqlite3_errmsg(ar->db));
    return archive_sql_fail(ar, err, cap, what);
}

/* Consecutive samples skipped for the same reason make one message: a
 * damaged page or identity table can cost a whole day's samples. */
void archive_warn(struct archive *ar, int64_t ts, const char *table, const char *part,
                  const char *why)
{
    struct warn_run *w = &ar->pending;
    ar->warnings++;
    if (w->n && strcmp(w->table, table) == 0 && strcmp(w->part, part) == 0 &&
        strcmp(w->why, why) == 0) {
        w->last = ts;
        w->n++;
        return;
    }
    archive_warn_flush(ar);
    copy_text(w->table, sizeof w->table, table);
    copy_text(w->part, sizeof w->part, part);
    copy_text(w->why, sizeof w->why, why);
    w->first = w->last = ts;
    w->n = 1;
}

void archive_warn_flush(struct archive *ar)
{
    struct warn_run *w = &ar->pending;
    if (!w->n)
        return;
    char first[64], last[64], which[192];
    archive_time_text(w->first, first, sizeof first);
    archive_time_text(w->last, last, sizeof last);
    if (w->n == 1)
        snprintf(which, sizeof which, "the sample at %s", first);
    else
        snprintf(which, sizeof which, "%lu samples from %s to %s", w->n, first, last);
    if (ar->warn_to)
        fprintf(ar->warn_to, "%s: %s: %s: %s: %s\n", archive_name(ar), w->table, which, w->part,
                w->why);
    else
        fprintf(stderr, "%s: warning: %s: %s of %s: %s: skipped\n", progname, archive_name(ar),
                w->part, which, w->why);
    w->n = 0;
}

void archive_time_text(int64_t ts, char *buf, size_t cap)
{
    struct tm tm;
    time_t t = (time_t)ts;
    if (ts < ARCHIVE_TS_MIN || ts > ARCHIVE_TS_MAX || !gmtime_r(&t, &tm) ||
        strftime(buf, cap, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
        snprintf(buf, cap, "@%lld", (long long)ts);
}
