/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Memory pressure in the archive (schema/psi.sql): one row per sample that
 * had it, beside the sample's row, so that archives of kernels without PSI
 * carry no table at all and older archives stay as they are.
 */
#include <string.h>

#include "internal.h"

extern const char schema_psi_sql[];   /* schema/psi.sql */

/* Values beyond SQLite's integers (a total near 2^64 µs: 584,000 years of
 * stall) are clamped: a reader takes a negative value for damage. */
static sqlite3_int64 clamp_i64(uint64_t v)
{
    return v > INT64_MAX ? INT64_MAX : (sqlite3_int64)v;
}

static void bind_line(sqlite3_stmt *st, int first, const struct psi_line *l)
{
    sqlite3_bind_int64(st, first, l->avg10);
    sqlite3_bind_int64(st, first + 1, l->avg60);
    sqlite3_bind_int64(st, first + 2, l->avg300);
    sqlite3_bind_int64(st, first + 3, clamp_i64(l->total_us));
}

int psistore_append(struct archive *ar, const struct sample *s, char *err, size_t cap)
{
    if (!ar->have_psi_table) {
        int rc = archive_exec(ar, schema_psi_sql, err, cap);
        if (rc != ARCHIVE_OK)
            return rc;
        ar->have_psi_table = 1;
    }
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(ar->db, "INSERT INTO psi_mem VALUES (?,?,?,?,?,?,?,?,?)", -1, &st,
                           NULL) != SQLITE_OK)
        return archive_sql_fail(ar, err, cap, "cannot store the memory pressure");
    sqlite3_bind_int64(st, 1, s->ts);
    bind_line(st, 2, &s->psi_mem.some);
    if (s->psi_mem.has_full)
        bind_line(st, 6, &s->psi_mem.full);   /* else NULL: not printed by the kernel */
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return archive_sql_fail(ar, err, cap, "cannot store the memory pressure");
    return ARCHIVE_OK;
}

int psistore_cursor_open(struct archive *ar, int64_t from, int64_t to, struct part_cursor *c,
                         char *err, size_t cap)
{
    return part_cursor_open(ar, "psi_mem",
                            "SELECT ts, some_avg10, some_avg60, some_avg300, some_total,"
                            " full_avg10, full_avg60, full_avg300, full_total FROM psi_mem"
                            " WHERE ts BETWEEN ?1 AND ?2 ORDER BY ts", from, to, c, err, cap);
}

/* Columns FIRST.. of the cursor's row into L; -1 when one is not a count
 * the writer could have stored (negative, too large an average, not an
 * integer). */
static int line_from_row(sqlite3_stmt *st, int first, struct psi_line *l)
{
    int64_t v[4];
    for (int i = 0; i < 4; i++) {
        if (sqlite3_column_type(st, first + i) != SQLITE_INTEGER)
            return -1;
        v[i] = sqlite3_column_int64(st, first + i);
        if (v[i] < 0 || (i < 3 && v[i] > UINT32_MAX))
            return -1;
    }
    l->avg10 = (uint32_t)v[0];
    l->avg60 = (uint32_t)v[1];
    l->avg300 = (uint32_t)v[2];
    l->total_us = (uint64_t)v[3];
    return 0;
}

void psistore_fill(struct archive *ar, struct part_cursor *c, struct sample *s)
{
    struct psi *p = &s->psi_mem;
    memset(p, 0, sizeof *p);
    int row = part_cursor_seek(c, s->ts);
    if (row == 0)
        return;
    const char *why = row < 0 ? sqlite3_errmsg(ar->db) : NULL;
    if (row == 1) {
        p->has_full = sqlite3_column_type(c->st, 5) != SQLITE_NULL;
        if (line_from_row(c->st, 1, &p->some) != 0 ||
            (p->has_full && line_from_row(c->st, 5, &p->full) != 0))
            why = "a value out of range";
    }
    if (why) {   /* damaged: no pressure rather than a wrong one */
        char text[200];
        snprintf(text, sizeof text, "damaged (%s)", why);
        archive_warn(ar, s->ts, "psi_mem", "the memory pressure", text);
        memset(p, 0, sizeof *p);
        return;
    }
    p->available = 1;
}
