/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The burst table (bursts.h, schema/bursts.sql): written by memcollect
 * --watch between its samples, read by memreport --bursts and --verify.
 * Every value read back is checked, as every byte of an archive is
 * untrusted.
 */
#include "bursts.h"

#include <stdio.h>
#include <string.h>

#include "internal.h"

extern const char schema_bursts_sql[];   /* schema/bursts.sql */

static const char *const cause_names[] = { "psi", "cgroup", "oom", "poll", "memavail", "asked" };
#define NCAUSES (sizeof cause_names / sizeof cause_names[0])

void burst_why_text(unsigned why, char out[BURST_WHY_MAX])
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < NCAUSES; i++)
        if (why & (1u << i))
            used += (size_t)snprintf(out + used, BURST_WHY_MAX - used, "%s%s", used ? "," : "",
                                     cause_names[i]);
}

unsigned burst_why_parse(const char *text)
{
    unsigned why = 0;
    while (text && *text) {
        size_t len = strcspn(text, ",");
        for (size_t i = 0; i < NCAUSES; i++)
            if (strlen(cause_names[i]) == len && strncmp(text, cause_names[i], len) == 0)
                why |= 1u << i;
        text += len + (text[len] == ',');
    }
    return why;
}

static void bind_peak(sqlite3_stmt *st, int index, int32_t peak)
{
    if (peak < 0)
        sqlite3_bind_null(st, index);
    else
        sqlite3_bind_int64(st, index, peak);
}

int archive_store_burst(struct archive *ar, const struct burst *b, char *err, size_t cap)
{
    char why[BURST_WHY_MAX];
    sqlite3_stmt *st = NULL;
    if (sqlite3_exec(ar->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
        int busy = sqlite3_errcode(ar->db) == SQLITE_BUSY;
        archive_sql_fail(ar, err, cap, "cannot start a transaction");
        return busy ? ARCHIVE_BUSY : ARCHIVE_ERROR;
    }
    int rc = archive_has_table(ar, "burst") ? ARCHIVE_OK
                                            : archive_exec(ar, schema_bursts_sql, err, cap);
    if (rc == ARCHIVE_OK &&
        sqlite3_prepare_v2(ar->db, "INSERT OR REPLACE INTO burst(start_ts, end_ts, samples, why,"
                           " peak_some_avg10, peak_full_avg10, oom_kills, open)"
                           " VALUES (?,?,?,?,?,?,?,?)", -1, &st, NULL) != SQLITE_OK)
        rc = archive_sql_fail(ar, err, cap, "cannot store the burst");
    if (rc == ARCHIVE_OK) {
        burst_why_text(b->why, why);
        sqlite3_bind_int64(st, 1, b->start);
        sqlite3_bind_int64(st, 2, b->end);
        sqlite3_bind_int64(st, 3, b->samples);
        sqlite3_bind_text(st, 4, why, -1, SQLITE_STATIC);
        bind_peak(st, 5, b->peak_some_avg10);
        bind_peak(st, 6, b->peak_full_avg10);
        sqlite3_bind_int64(st, 7, (sqlite3_int64)(b->oom_kills > INT64_MAX ? INT64_MAX : b->oom_kills));
        sqlite3_bind_int(st, 8, b->open ? 1 : 0);
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = archive_sql_fail(ar, err, cap, "cannot store the burst");
    }
    sqlite3_finalize(st);
    if (rc == ARCHIVE_OK && sqlite3_exec(ar->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        rc = archive_sql_fail(ar, err, cap, "cannot commit the burst");
    if (rc != ARCHIVE_OK)
        sqlite3_exec(ar->db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

/* A peak column: NULL is BURST_NO_PSI; -1 when out of range (damage). */
static int peak_from(sqlite3_stmt *st, int col, int32_t *out)
{
    if (sqlite3_column_type(st, col) == SQLITE_NULL) {
        *out = BURST_NO_PSI;
        return 0;
    }
    int64_t v = sqlite3_column_int64(st, col);
    if (sqlite3_column_type(st, col) != SQLITE_INTEGER || v < 0 || v > 10000)
        return -1;
    *out = (int32_t)v;
    return 0;
}

/* Row ST as a burst; the reason it is not one, or NULL. */
static const char *burst_from_row(sqlite3_stmt *st, struct burst *b)
{
    const unsigned char *why = sqlite3_column_text(st, 3);
    int64_t samples = sqlite3_column_int64(st, 2), kills = sqlite3_column_int64(st, 6);
    memset(b, 0, sizeof *b);
    b->start = sqlite3_column_int64(st, 0);
    b->end = sqlite3_column_int64(st, 1);
    if (b->start < ARCHIVE_TS_MIN || b->end > ARCHIVE_TS_MAX || b->end < b->start)
        return "times out of range";
    if (samples < 0 || samples > UINT32_MAX || kills < 0)
        return "counts out of range";
    if (peak_from(st, 4, &b->peak_some_avg10) != 0 || peak_from(st, 5, &b->peak_full_avg10) != 0)
        return "pressure out of range";
    b->samples = (uint32_t)samples;
    b->oom_kills = (uint64_t)kills;
    b->why = burst_why_parse(why && sqlite3_column_bytes(st, 3) < 256 ? (const char *)why : "");
    b->open = sqlite3_column_int64(st, 7) != 0;
    return NULL;
}

int archive_each_burst(struct archive *ar, int64_t from, int64_t to, burst_fn fn, void *ctx,
                       char *err, size_t cap)
{
    if (!archive_has_table(ar, "burst"))
        return ARCHIVE_OK;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(ar->db, "SELECT start_ts, end_ts, samples, why, peak_some_avg10,"
                           " peak_full_avg10, oom_kills, open FROM burst"
                           " WHERE start_ts <= ?2 AND end_ts >= ?1 ORDER BY start_ts",
                           -1, &st, NULL) != SQLITE_OK)
        return archive_read_fail(ar, err, cap, "cannot read the bursts");
    sqlite3_bind_int64(st, 1, from);
    sqlite3_bind_int64(st, 2, to);
    int step, stop = 0;
    while (!stop && (step = sqlite3_step(st)) == SQLITE_ROW) {
        struct burst b;
        const char *bad = burst_from_row(st, &b);
        if (bad)
            archive_warn(ar, sqlite3_column_int64(st, 0), "burst", "the burst", bad);
        else
            stop = fn(&b, ctx);
    }
    int rc = ARCHIVE_OK;
    if (!stop && step != SQLITE_DONE)
        rc = archive_read_fail(ar, err, cap, "cannot read the bursts");
    sqlite3_finalize(st);
    archive_warn_flush(ar);
    return rc;
}

/* ---- a day in two files (union.c) ---- */

struct burst_merge {
    struct archive *into;
    size_t *added;
    int rc;
    char *err;
    size_t cap;
};

/* Whether INTO holds B's row (its start) as far as B or farther. */
static int held(struct archive *into, const struct burst *b)
{
    sqlite3_stmt *st;
    int found = 0;
    if (archive_has_table(into, "burst") &&
        sqlite3_prepare_v2(into->db, "SELECT 1 FROM burst WHERE start_ts = ? AND end_ts >= ?",
                           -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, b->start);
        sqlite3_bind_int64(st, 2, b->end);
        found = sqlite3_step(st) == SQLITE_ROW;
        sqlite3_finalize(st);
    }
    return found;
}

static int merge_burst(const struct burst *b, void *ctx)
{
    struct burst_merge *m = ctx;
    if (held(m->into, b))
        return 0;
    if ((m->rc = archive_store_burst(m->into, b, m->err, m->cap)) != ARCHIVE_OK)
        return 1;
    (*m->added)++;
    return 0;
}

int archive_merge_bursts(struct archive *into, struct archive *from, size_t *added, char *err,
                         size_t cap)
{
    struct burst_merge m = { into, added, ARCHIVE_OK, err, cap };
    int rc = archive_each_burst(from, ARCHIVE_TS_MIN, ARCHIVE_TS_MAX, merge_burst, &m, err, cap);
    return rc != ARCHIVE_OK ? rc : m.rc;
}
