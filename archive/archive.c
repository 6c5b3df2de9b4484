/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The archive (see archive.h): SQLite files in rollback-journal mode, so an
 * archive is one self-contained file that others can copy and open read-only.
 *
 * The writer takes an flock on the archive itself before SQLite opens it, so
 * two collectors never both write (SQLite's own locks would only make the
 * second one wait, then insert a near-duplicate sample).  The lock's file
 * descriptor stays open until after sqlite3_close(): closing any descriptor
 * of the file would drop SQLite's POSIX locks.
 *
 * Nothing read back from an archive is trusted: column names from "field"
 * are checked before they go into SQL, values are bound, never pasted.
 */
#define _GNU_SOURCE
#include "archive.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "parse.h"
#include "util.h"

extern const char schema_sql[];   /* schema/archive.sql, compiled in */

static const char *const source_names[] = { "meminfo", "vmstat", "node" };
static const char *const sample_base_cols[] = { "ts", "boot_no", "uptime_cs", "utc_offset", NULL };
static const char *const numa_base_cols[] = { "ts", "node", "total_kb", "free_kb", NULL };

/* Older formats are brought forward one version at a time: migrations[v]
 * turns version v+1 into v+2.
 * 1 -> 2: the table proc_name (names after an exec).  Nothing to do here:
 * the writer makes it with its next process sample (schema/procs.sql only
 * makes what is missing), and readers take an archive without it as one
 * where no process changed its name. */
static const char *const migrations[] = { "" };

int archive_fail(char *err, size_t cap, int status, const char *fmt, const char *a,
                 const char *b)
{
    snprintf(err, cap, fmt, a, b);
    return status;
}

int archive_sql_fail(struct archive *ar, char *err, size_t cap, const char *what)
{
    return archive_fail(err, cap, ARCHIVE_ERROR, "%s: %s", what, sqlite3_errmsg(ar->db));
}

int archive_exec(struct archive *ar, const char *sql, char *err, size_t cap)
{
    if (sqlite3_exec(ar->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return archive_sql_fail(ar, err, cap, "SQL failed");
    return ARCHIVE_OK;
}

static int pragma_int(struct archive *ar, const char *sql, int64_t *out)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(ar->db, sql, -1, &st, NULL);
    if (rc != SQLITE_OK)
        return rc;
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *out = sqlite3_column_int64(st, 0);
        rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    return rc;
}

/* Column names come from the archive: only the characters we ever write. */
static int col_name_valid(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n >= COL_NAME_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '_' || c == '(' || c == ')'))
            return 0;
    }
    return 1;
}

/* The slot after the last field, NULL at FIELD_MAX or out of memory.  The
 * array grows on demand so that a one-shot collector touches (and the
 * kernel faults in) only the memory of the fields it has. */
static struct field *next_field_slot(struct archive *ar)
{
    if (ar->nfields < ar->fields_cap)
        return &ar->fields[ar->nfields];
    if (ar->fields_cap >= FIELD_MAX)
        return NULL;
    unsigned grown = ar->fields_cap ? 2 * ar->fields_cap : 192;
    if (grown > FIELD_MAX)
        grown = FIELD_MAX;
    struct field *fields = realloc(ar->fields, grown * sizeof *fields);
    if (!fields)
        return NULL;
    ar->fields = fields;
    ar->fields_cap = grown;
    return &ar->fields[ar->nfields];
}

static int load_fields(struct archive *ar, char *err, size_t cap)
{
    sqlite3_stmt *st;
    ar->nfields = 0;
    if (sqlite3_prepare_v2(ar->db, "SELECT col, source, key FROM field ORDER BY rowid",
                           -1, &st, NULL) != SQLITE_OK)
        return archive_sql_fail(ar, err, cap, "cannot read the field table");
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW && ar->nfields < FIELD_MAX) {
        const char *col = (const char *)sqlite3_column_text(st, 0);
        const char *src = (const char *)sqlite3_column_text(st, 1);
        const char *key = (const char *)sqlite3_column_text(st, 2);
        if (!col || !src || !key || !col_name_valid(col) || !key_name_valid(key))
            continue;
        struct field *f = next_field_slot(ar);
        if (!f) {
            sqlite3_finalize(st);
            return archive_fail(err, cap, ARCHIVE_ERROR, "out of memory%s%s", "", "");
        }
        int known = 0;
        for (int k = 0; k <= SRC_NODE; k++) {
            if (strcmp(src, source_names[k]) == 0) {
                f->source = (enum source)k;
                known = 1;
            }
        }
        if (!known)
            continue;
        copy_text(f->col, sizeof f->col, col);
        copy_text(f->key, sizeof f->key, key);
        ar->nfields++;
    }
    /* without it no value can be told from another: fatal, not zeros */
    int rc = step == SQLITE_ROW || step == SQLITE_DONE ? ARCHIVE_OK
             : archive_read_fail(ar, err, cap, "cannot read the field table");
    sqlite3_finalize(st);
    return rc;
}

/* Checks application_id and user_version of an open archive. */
static int check_format(struct archive *ar, int64_t *version, char *err, size_t cap)
{
    int64_t app_id = 0;
    int rc = pragma_int(ar, "PRAGMA application_id", &app_id);
    if (rc == SQLITE_NOTADB)
        return archive_fail(err, cap, ARCHIVE_NOT_OURS, "not a memtrail archive%s%s", "", "");
    if (rc != SQLITE_OK || pragma_int(ar, "PRAGMA user_version", version) != SQLITE_OK)
        return archive_sql_fail(ar, err, cap, "cannot read the archive header");
    if (app_id == 0 && *version == 0)
        return ARCHIVE_MISSING;     /* an empty SQLite file: no format yet */
    if (app_id != ARCHIVE_APP_ID)
        return archive_fail(err, cap, ARCHIVE_NOT_OURS, "not a memtrail archive%s%s", "", "");
    if (*version > ARCHIVE_FORMAT) {
        char have[24], known[24];
        snprintf(have, sizeof have, "%lld", (long long)*version);
        snprintf(known, sizeof known, "%d", ARCHIVE_FORMAT);
        return archive_fail(err, cap, ARCHIVE_TOO_NEW,
                    "archive format %s is newer than this program reads (%s): "
                    "use a newer memtrail", have, known);
    }
    return ARCHIVE_OK;
}

/* Inside the writer's transaction: create or migrate, then load the fields. */
static int ensure_schema(struct archive *ar, char *err, size_t cap)
{
    int64_t version = 0;
    int rc = check_format(ar, &version, err, cap);
    if (rc == ARCHIVE_MISSING) {
        int64_t objects = 0;
        if (pragma_int(ar, "SELECT count(*) FROM sqlite_master", &objects) != SQLITE_OK)
            return archive_sql_fail(ar, err, cap, "cannot read the archive");
        if (objects != 0)
            return archive_fail(err, cap, ARCHIVE_NOT_OURS, "not a memtrail archive%s%s", "", "");
        char pragmas[96];
        snprintf(pragmas, sizeof pragmas, "PRAGMA application_id=%d; PRAGMA user_version=%d;",
                 ARCHIVE_APP_ID, ARCHIVE_FORMAT);
        if ((rc = archive_exec(ar, schema_sql, err, cap)) != ARCHIVE_OK ||
            (rc = archive_exec(ar, pragmas, err, cap)) != ARCHIVE_OK)
            return rc;
    } else if (rc != ARCHIVE_OK) {
        return rc;
    } else {
        for (int64_t v = version; v < ARCHIVE_FORMAT; v++) {
            char pragma[48];
            if ((rc = archive_exec(ar, migrations[v - 1], err, cap)) != ARCHIVE_OK)
                return rc;
            snprintf(pragma, sizeof pragma, "PRAGMA user_version=%lld", (long long)v + 1);
            if ((rc = archive_exec(ar, pragma, err, cap)) != ARCHIVE_OK)
                return rc;
        }
    }
    if ((rc = load_fields(ar, err, cap)) != ARCHIVE_OK)
        return rc;
    ar->schema_ready = 1;
    return ARCHIVE_OK;
}

/* Whether COL is already a column of the table that SRC's columns go to. */
static int col_taken(const struct archive *ar, enum source src, const char *col)
{
    const char *const *base = src == SRC_NODE ? numa_base_cols : sample_base_cols;
    for (int i = 0; base[i]; i++)
        if (strcasecmp(base[i], col) == 0)
            return 1;
    for (unsigned i = 0; i < ar->nfields; i++)
        if ((ar->fields[i].source == SRC_NODE) == (src == SRC_NODE) &&
            strcasecmp(ar->fields[i].col, col) == 0)
            return 1;
    return 0;
}

/* The field of KEY; HINT carries the position after the last match, since
 * keys come in the same order as the fields were made. */
static const struct field *find_field(const struct archive *ar, enum source src,
                                      const char *key, unsigned *hint)
{
    for (unsigned n = 0; n < ar->nfields; n++) {
        unsigned i = (*hint + n) % ar->nfields;
        if (ar->fields[i].source == src && strcmp(ar->fields[i].key, key) == 0) {
            *hint = i + 1;
            return &ar->fields[i];
        }
    }
    return NULL;
}

/* A column for a key met for the first time: its own name unless taken. */
static int add_field(struct archive *ar, enum source src, const char *key,
                     char *err, size_t cap)
{
    if (ar->nfields >= FIELD_MAX)
        return ARCHIVE_OK;   /* beyond any real kernel: keep what fits */
    struct field *f = next_field_slot(ar);
    if (!f)
        return archive_fail(err, cap, ARCHIVE_ERROR, "out of memory%s%s", "", "");
    copy_text(f->col, sizeof f->col, key);
    if (col_taken(ar, src, f->col))
        snprintf(f->col, sizeof f->col, "%s_%s", source_names[src], key);
    if (col_taken(ar, src, f->col))
        return ARCHIVE_OK;
    f->source = src;
    copy_text(f->key, sizeof f->key, key);

    char sql[128];
    snprintf(sql, sizeof sql, "ALTER TABLE %s ADD COLUMN \"%s\" INTEGER",
             src == SRC_NODE ? "numa" : "sample", f->col);
    int rc = archive_exec(ar, sql, err, cap);
    if (rc != ARCHIVE_OK)
        return rc;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(ar->db, "INSERT INTO field(col, source, key) VALUES (?, ?, ?)",
                           -1, &st, NULL) != SQLITE_OK)
        return archive_sql_fail(ar, err, cap, "cannot record a new field");
    sqlite3_bind_text(st, 1, f->col, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, source_names[src], -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, f->key, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return archive_sql_fail(ar, err, cap, "cannot record a new field");
    ar->nfields++;
    return ARCHIVE_OK;
}

int archive_add_new_fields(struct archive *ar, enum source src, const struct kv_list *kv,
                           char *err, size_t cap)
{
    unsigned hint = 0;
    for (unsigned i = 0; i < kv->n; i++) {
        if (find_field(ar, src, kv->items[i].name, &hint))
            continue;
        int rc = add_field(ar, src, kv->items[i].name, err, cap);
        if (rc != ARCHIVE_OK)
            return rc;
    }
    return ARCHIVE_OK;
}

static int boot_number(struct archive *ar, const struct sample *s, int64_t *boot_no,
                       char *err, size_t cap)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(ar->db, "SELECT boot_no FROM boot WHERE boot_id = ?",
                           -1, &st, NULL) != SQLITE_OK)
        return archive_sql_fail(ar, err, cap, "cannot read boots");
    sqlite3_bind_text(st, 1, s->boot_id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *boot_no = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (rc == SQLITE_ROW)
        return ARCHIVE_OK;
    if (sqlite3_prepare_v2(ar->db, "INSERT INTO boot(boot_id, first_ts) VALUES (?, ?)",
                           -1, &st, NULL) != SQLITE_OK)
        return archive_sql_fail(ar, err, cap, "cannot record a boot");
    sqlite3_bind_text(st, 1, s->boot_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, s->ts);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return archive_sql_fail(ar, err, cap, "cannot record a boot");
    *boot_no = sqlite3_last_insert_rowid(ar->db);
    return ARCHIVE_OK;
}

static const char host_cols[] =
    "sysname, nodename, release, machine, ncpu, page_size, timezone";

static void host_from_row(sqlite3_stmt *st, int first, struct host_facts *h)
{
    char *const texts[] = { h->sysname, h->nodename, h->release, h->machine };
    const size_t caps[] = { sizeof h->sysname, sizeof h->nodename, sizeof h->release,
                            sizeof h->machine };
    memset(h, 0, sizeof *h);
    for (int i = 0; i < 4; i++) {
        const unsigned char *t = sqlite3_column_text(st, first + i);
        copy_text(texts[i], caps[i], (const char *)t);
    }
    int64_t ncpu = sqlite3_column_int64(st, first + 4);
    h->ncpu = ncpu > 0 && ncpu < 1000000 ? (int)ncpu : 1;
    h->page_size = (long)sqlite3_column_int64(st, first + 5);
    const unsigned char *tz = sqlite3_column_text(st, first + 6);
    copy_text(h->timezone, sizeof h->timezone, tz ? (const char *)tz : "");
}

static int host_same(const struct host_facts *a, const struct host_facts *b)
{
    return strcmp(a->sysname, b->sysname) == 0 && strcmp(a->nodename, b->nodename) == 0 &&
           strcmp(a->release, b->release) == 0 && strcmp(a->machine, b->machine) == 0 &&
           a->ncpu == b->ncpu && a->page_size == b->page_size &&
           strcmp(a->timezone, b->timezone) == 0;
}

static int store_host(struct archive *ar, int64_t ts, const struct host_facts *h,
                      char *err, size_t cap)
{
    struct host_facts last;
    char sql[160];
    sqlite3_stmt *st;
    snprintf(sql, sizeof sql, "SELECT %s FROM host ORDER BY ts DESC LIMIT 1", host_cols);
    if (sqlite3_prepare_v2(ar->db, sql, -1, &st, NULL) != SQLITE_OK)
        return archive_sql_fail(ar, err, cap, "cannot read host facts");
    int have_last = sqlite3_step(st) == SQLITE_ROW;
    if (have_last)
        host_from_row(st, 0, &last);
    sqlite3_finalize(st);
    if (have_last && host_same(&last, h))
        return ARCHIVE_OK;

    snprintf(sql, sizeof sql, "INSERT INTO host(ts, %s) VALUES (?,?,?,?,?,?,?,?)", host_cols);
    if (sqlite3_prepare_v2(ar->db, sql, -1, &st, NULL) != SQLITE_OK)
        return archive_sql_fail(ar, err, cap, "cannot store host facts");
    sqlite3_bind_int64(st, 1, ts);
    sqlite3_bind_text(st, 2, h->sysname, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, h->nodename, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, h->release, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, h->machine, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 6, h->ncpu);
    sqlite3_bind_int64(st, 7, h->page_size);
    sqlite3_bind_text(st, 8, h->timezone, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? ARCHIVE_OK : archive_sql_fail(ar, err, cap, "cannot store host facts");
}

/* SQL text built with plain copies: snprintf per column showed in profiles. */
struct sql_text {
    char buf[FIELD_MAX * (COL_NAME_MAX + 8) + 256];
    size_t len;
};

static void sql_add(struct sql_text *t, const char *s)
{
    size_t n = strlen(s);
    if (t->len + n < sizeof t->buf) {
        memcpy(t->buf + t->len, s, n + 1);
        t->len += n;
    }
}

/* Appends PREFIX"col" for every column of "sample" beyond its base ones. */
static void sql_add_columns(struct sql_text *t, const struct archive *ar, const char *prefix)
{
    for (unsigned i = 0; i < ar->nfields; i++) {
        if (ar->fields[i].source == SRC_NODE)
            continue;
        sql_add(t, prefix);
        sql_add(t, "\"");
        sql_add(t, ar->fields[i].col);
        sql_add(t, "\"");
    }
}

static const struct kv_list *field_values(const struct sample *s, enum source src)
{
    return src == SRC_MEMINFO ? &s->meminfo : &s->vmstat;
}

static int bind_kv(sqlite3_stmt *st, int index, const struct kv_list *kv, const char *key,
                   unsigned *hint)
{
    const struct kv *found = kv_find(kv, key, hint);
    /* absent in this sample: unknown.  SQLite integers are signed, and a
     * value past INT64_MAX is no real count either. */
    if (!found || found->value > INT64_MAX)
        return sqlite3_bind_null(st, index);
    return sqlite3_bind_int64(st, index, (sqlite3_int64)found->value);
}

static int store_sample(struct archive *ar, const struct sample *s, int64_t boot_no,
                        char *err, size_t cap)
{
    /* Columns are added in the order of "field", so the INSERT need not name
     * them, which spares SQLite a lookup per column; should an archive's
     * columns have been changed by hand, name them. */
    static struct sql_text sql;
    sqlite3_stmt *st;
    for (;;) {
        sql.len = 0;
        if (ar->named_insert) {
            sql_add(&sql, "INSERT INTO sample(ts,boot_no,uptime_cs,utc_offset");
            sql_add_columns(&sql, ar, ",");
            sql_add(&sql, ") VALUES (?,?,?,?");
        } else {
            sql_add(&sql, "INSERT INTO sample VALUES (?,?,?,?");
        }
        for (unsigned i = 0; i < ar->nfields; i++)
            if (ar->fields[i].source != SRC_NODE)
                sql_add(&sql, ",?");
        sql_add(&sql, ")");
        if (sqlite3_prepare_v2(ar->db, sql.buf, (int)sql.len, &st, NULL) == SQLITE_OK)
            break;
        if (ar->named_insert)
            return archive_sql_fail(ar, err, cap, "cannot store the sample");
        ar->named_insert = 1;
    }
    sqlite3_bind_int64(st, 1, s->ts);
    sqlite3_bind_int64(st, 2, boot_no);
    sqlite3_bind_int64(st, 3, s->uptime_cs > INT64_MAX ? INT64_MAX : (int64_t)s->uptime_cs);
    sqlite3_bind_int(st, 4, s->utc_offset);
    unsigned hints[2] = { 0, 0 };   /* keys come in the order the fields were made */
    int index = 5;
    for (unsigned i = 0; i < ar->nfields; i++) {
        enum source src = ar->fields[i].source;
        if (src == SRC_NODE)
            continue;
        bind_kv(st, index++, field_values(s, src), ar->fields[i].key, &hints[src]);
        hints[src]++;
    }
    int rc = sqlite3_step(st);
    int ext = sqlite3_extended_errcode(ar->db);
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE)
        return ARCHIVE_OK;
    if (ext == SQLITE_CONSTRAINT_PRIMARYKEY)
        return archive_fail(err, cap, ARCHIVE_DUPLICATE,
                    "a sample for this second is already stored%s%s", "", "");
    return archive_sql_fail(ar, err, cap, "cannot store the sample");
}

static int store_swaps(struct archive *ar, const struct sample *s, char *err, size_t cap)
{
    if (s->swaps.n == 0)
        return ARCHIVE_OK;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(ar->db,
                           "INSERT OR REPLACE INTO swap(ts, device, type, size_kb, used_kb,"
                           " priority) VALUES (?,?,?,?,?,?)", -1, &st, NULL) != SQLITE_OK)
        return archive_sql_fail(ar, err, cap, "cannot store swap devices");
    for (unsigned i = 0; i < s->swaps.n; i++) {
        const struct swap_device *d = &s->swaps.dev[i];
        sqlite3_bind_int64(st, 1, s->ts);
        sqlite3_bind_text(st, 2, d->name, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, d->type, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 4, d->size_kb > INT64_MAX ? INT64_MAX : (int64_t)d->size_kb);
        sqlite3_bind_int64(st, 5, d->used_kb > INT64_MAX ? INT64_MAX : (int64_t)d->used_kb);
        sqlite3_bind_int64(st, 6, d->priority);
        int rc = sqlite3_step(st);
        sqlite3_reset(st);
        if (rc != SQLITE_DONE) {
            sqlite3_finalize(st);
            return archive_sql_fail(ar, err, cap, "cannot store swap devices");
        }
    }
    sqlite3_finalize(st);
    return ARCHIVE_OK;
}

static int append_in_transaction(struct archive *ar, const struct sample *s,
                                 const struct host_facts *host, char *err, size_t cap)
{
    int64_t boot_no;
    int rc;
    if (!ar->schema_ready && (rc = ensure_schema(ar, err, cap)) != ARCHIVE_OK)
        return rc;
    if ((rc = archive_add_new_fields(ar, SRC_MEMINFO, &s->meminfo, err, cap)) != ARCHIVE_OK ||
        (rc = archive_add_new_fields(ar, SRC_VMSTAT, &s->vmstat, err, cap)) != ARCHIVE_OK ||
        (rc = boot_number(ar, s, &boot_no, err, cap)) != ARCHIVE_OK ||
        (rc = store_host(ar, s->ts, host, err, cap)) != ARCHIVE_OK ||
        (rc = store_sample(ar, s, boot_no, err, cap)) != ARCHIVE_OK ||
        (rc = store_swaps(ar, s, err, cap)) != ARCHIVE_OK)
        return rc;
    if (s->procs.scanned && (rc = procstore_append(ar, s, boot_no, err, cap)) != ARCHIVE_OK)
        return rc;
    if (s->numa.available && (rc = numastore_append(ar, s, err, cap)) != ARCHIVE_OK)
        return rc;
    if (s->psi_mem.available && (rc = psistore_append(ar, s, err, cap)) != ARCHIVE_OK)
        return rc;
    if (s->oom.read && (rc = eventstore_append(ar, s, boot_no, err, cap)) != ARCHIVE_OK)
        return rc;
    if (s->cgroups.version && (rc = cgstore_append(ar, s, err, cap)) != ARCHIVE_OK)
        return rc;
    return ARCHIVE_OK;
}

int archive_append(struct archive *ar, const struct sample *s,
                   const struct host_facts *host, char *err, size_t cap)
{
    if (sqlite3_exec(ar->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
        int busy = sqlite3_errcode(ar->db) == SQLITE_BUSY;
        archive_sql_fail(ar, err, cap, "cannot start a transaction");
        return busy ? ARCHIVE_BUSY : ARCHIVE_ERROR;
    }
    int rc = append_in_transaction(ar, s, host, err, cap);
    if (rc == ARCHIVE_OK && sqlite3_exec(ar->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        rc = archive_sql_fail(ar, err, cap, "cannot commit the sample");
    if (rc != ARCHIVE_OK) {
        sqlite3_exec(ar->db, "ROLLBACK", NULL, NULL, NULL);
        ar->schema_ready = 0;   /* columns added in memory may have been rolled back */
        ar->have_psi_table = 0;   /* and a table made by this sample */
        ar->have_cg_tables = 0;
        cgstore_forget_key(ar);   /* so may the key blob of cgroups */
    } else {
        ar->stored = 1;
    }
    return rc;
}

int archive_unused(const struct archive *ar)
{
    return ar && ar->empty_at_lock && !ar->stored;
}

struct archive *archive_new(void)
{
    /* Both programs are single-threaded: SQLite's mutexes would be pure cost.
     * No bulk page-cache allocation: SQLite would otherwise set up 20 cache
     * lines (about 90 kB, each page faulted in) on first use, where a
     * one-sample collector needs a handful. */
    static int configured;
    if (!configured) {
        sqlite3_config(SQLITE_CONFIG_SINGLETHREAD);
        sqlite3_config(SQLITE_CONFIG_PAGECACHE, NULL, 0, 0);
        configured = 1;
    }
    struct archive *ar = calloc(1, sizeof *ar);
    if (ar)
        ar->lock_fd = -1;
    return ar;
}

/* Waits for the writer's lock, polling, at most WAIT_MS. */
static int take_lock(int fd, int wait_ms)
{
    for (int waited = 0;; waited += 20) {
        if (flock(fd, LOCK_EX | LOCK_NB) == 0)
            return 0;
        if (errno != EWOULDBLOCK && errno != EINTR)
            return -1;
        if (waited >= wait_ms)
            return 1;
        struct timespec pause = { 0, 20 * 1000 * 1000 };
        nanosleep(&pause, NULL);
    }
}

/* Opens PATH (created when absent) and takes the writer's lock on it.  A
 * writer that removed the file it created (archive_unused()) while this one
 * waited leaves it a lock on an unlinked file: then it starts over. */
static int open_and_lock(struct archive *ar, const char *path, int lock_wait_ms,
                         char *err, size_t cap)
{
    for (int attempt = 0; attempt < 3; attempt++) {
        if (ar->lock_fd >= 0)
            close(ar->lock_fd);
        ar->lock_fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0640);
        if (ar->lock_fd < 0) {
            if (errno == ELOOP)
                return archive_fail(err, cap, ARCHIVE_ERROR,
                                    "refusing to write through a symbolic link%s%s", "", "");
            return archive_fail(err, cap, ARCHIVE_ERROR, "cannot open: %s%s", strerror(errno), "");
        }
        struct stat st;
        if (fstat(ar->lock_fd, &st) != 0 || !S_ISREG(st.st_mode))
            return archive_fail(err, cap, ARCHIVE_ERROR, "not a regular file%s%s", "", "");
        int locked = take_lock(ar->lock_fd, lock_wait_ms);
        if (locked > 0)
            return archive_fail(err, cap, ARCHIVE_BUSY, "another memcollect is writing to it%s%s", "", "");
        if (locked < 0)
            return archive_fail(err, cap, ARCHIVE_ERROR, "cannot lock: %s%s", strerror(errno), "");
        if (fstat(ar->lock_fd, &st) == 0 && st.st_nlink > 0) {
            ar->empty_at_lock = st.st_size == 0;
            return ARCHIVE_OK;
        }
    }
    return archive_fail(err, cap, ARCHIVE_BUSY, "removed by another memcollect meanwhile%s%s", "", "");
}

int archive_open_writer(const char *path, int lock_wait_ms, struct archive **out,
                        char *err, size_t cap)
{
    struct archive *ar = archive_new();
    if (!ar)
        return archive_fail(err, cap, ARCHIVE_ERROR, "out of memory%s%s", "", "");
    int rc = open_and_lock(ar, path, lock_wait_ms, err, cap);
    if (rc != ARCHIVE_OK) {
        archive_close(ar);
        return rc;
    }
    if (sqlite3_open_v2(path, &ar->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW,
                        archive_fd_vfs()) != SQLITE_OK) {
        rc = archive_fail(err, cap, ARCHIVE_ERROR, "cannot open: %s%s",
                      ar->db ? sqlite3_errmsg(ar->db) : "out of memory", "");
        archive_close(ar);
        return rc;
    }
    sqlite3_busy_timeout(ar->db, 10000);
    int guarded = archive_guard(ar, path, 0, err, cap);
    if (guarded != ARCHIVE_OK) {
        archive_close(ar);
        return guarded;
    }
    if (sqlite3_exec(ar->db, "PRAGMA journal_mode=DELETE; PRAGMA synchronous=FULL",
                     NULL, NULL, NULL) != SQLITE_OK) {
        int64_t version;
        rc = check_format(ar, &version, err, cap);
        if (rc == ARCHIVE_OK || rc == ARCHIVE_MISSING)
            rc = archive_sql_fail(ar, err, cap, "cannot open");
        archive_close(ar);
        return rc;
    }
    *out = ar;
    return ARCHIVE_OK;
}

void archive_writer_pause(struct archive *ar)
{
    if (!ar || ar->lock_fd < 0)
        return;
    if (pragma_int(ar, "PRAGMA data_version", &ar->paused_version) != SQLITE_OK)
        ar->paused_version = -1;
    flock(ar->lock_fd, LOCK_UN);
}

int archive_writer_resume(struct archive *ar, int lock_wait_ms, char *err, size_t cap)
{
    struct stat st;
    int64_t version = -2;
    int locked = take_lock(ar->lock_fd, lock_wait_ms);
    if (locked > 0)
        return archive_fail(err, cap, ARCHIVE_BUSY, "another memcollect is writing to it%s%s", "", "");
    if (locked < 0)
        return archive_fail(err, cap, ARCHIVE_ERROR, "cannot lock: %s%s", strerror(errno), "");
    if (fstat(ar->lock_fd, &st) != 0 || st.st_nlink == 0)
        return archive_fail(err, cap, ARCHIVE_MISSING, "removed meanwhile%s%s", "", "");
    /* another writer's sample may have added columns: read them again */
    if (pragma_int(ar, "PRAGMA data_version", &version) != SQLITE_OK ||
        version != ar->paused_version)
        ar->schema_ready = 0;
    ar->empty_at_lock = 0;
    return ARCHIVE_OK;
}

/* A reader's archive once its database is open: ours, and its fields known. */
int archive_reader_ready(struct archive *ar, const char *path, char *err, size_t cap)
{
    sqlite3_busy_timeout(ar->db, 5000);
    int64_t version;
    int rc = check_format(ar, &version, err, cap);
    if (rc == ARCHIVE_MISSING)
        rc = archive_fail(err, cap, ARCHIVE_NOT_OURS, "not a memtrail archive%s%s", "", "");
    if (rc == ARCHIVE_OK)
        rc = archive_guard(ar, path, 1, err, cap);
    if (rc == ARCHIVE_OK)
        rc = load_fields(ar, err, cap);
    return rc;
}

/* Whether PATH has a journal beside it (committed files have none). */
static int has_journal(const char *path)
{
    char journal[PATH_MAX];
    return (size_t)snprintf(journal, sizeof journal, "%s-journal", path) < sizeof journal &&
           access(journal, F_OK) == 0;
}

int archive_open_one(const char *path, struct archive **out, char *err, size_t cap)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return archive_fail(err, cap, errno == ENOENT ? ARCHIVE_MISSING : ARCHIVE_ERROR, "%s%s",
                    strerror(errno), "");
    if (!S_ISREG(st.st_mode))
        return archive_fail(err, cap, ARCHIVE_NOT_OURS, "not a regular file%s%s", "", "");
    /* SQLite would say only "unable to open database file": say why */
    int probe = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (probe < 0)
        return archive_fail(err, cap, ARCHIVE_ERROR, "%s%s", strerror(errno), "");
    close(probe);
    struct archive *ar = archive_new();
    if (!ar)
        return archive_fail(err, cap, ARCHIVE_ERROR, "out of memory%s%s", "", "");
    int rc = ARCHIVE_OK;
    if (archive_is_compressed(path))
        rc = archive_open_compressed(path, &ar->db, 0, err, cap);
    else if (has_journal(path))   /* maybe hot: SQLite would need to write */
        rc = archive_open_journaled(path, &ar->db, 0, err, cap);
    else if (sqlite3_open_v2(path, &ar->db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        rc = archive_fail(err, cap, ARCHIVE_ERROR, "%s%s",
                          ar->db ? sqlite3_errmsg(ar->db) : "out of memory", "");
    if (rc == ARCHIVE_OK)
        rc = archive_reader_ready(ar, path, err, cap);
    if (rc == ARCHIVE_ERROR && !archive_is_compressed(path) && has_journal(path)) {
        /* its writer died after the look for a journal, before SQLite's read */
        sqlite3_close(ar->db);
        ar->db = NULL;
        rc = archive_open_journaled(path, &ar->db, 0, err, cap);
        if (rc == ARCHIVE_OK)
            rc = archive_reader_ready(ar, path, err, cap);
    }
    if (rc != ARCHIVE_OK) {
        archive_close(ar);
        return rc;
    }
    *out = ar;
    return ARCHIVE_OK;
}

/* The plain and compressed names of a daily file PATH that has both. */
static int day_pair(const char *path, char *plain, char *gz, size_t cap)
{
    size_t n = strlen(path);
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    if (strncmp(base, "memtrail-", 9) != 0 || n + 4 > cap)
        return 0;
    if (n > 6 && strcmp(path + n - 6, ".db.gz") == 0) {
        snprintf(gz, cap, "%s", path);
        snprintf(plain, cap, "%.*s", (int)(n - 3), path);
    } else if (n > 3 && strcmp(path + n - 3, ".db") == 0) {
        snprintf(plain, cap, "%s", path);
        snprintf(gz, cap, "%s.gz", path);
    } else {
        return 0;
    }
    return access(plain, F_OK) == 0 && access(gz, F_OK) == 0;
}

int archive_open_reader(const char *path, struct archive **out, char *err, size_t cap)
{
    char plain[PATH_MAX], gz[PATH_MAX];
    if (!day_pair(path, plain, gz, sizeof plain))
        return archive_open_one(path, out, err, cap);
    struct archive *ar = archive_new();
    if (!ar)
        return archive_fail(err, cap, ARCHIVE_ERROR, "out of memory%s%s", "", "");
    struct union_stats stats;
    int rc = archive_open_union(plain, gz, ar, &stats, err, cap);
    if (rc == ARCHIVE_OK)
        rc = archive_reader_ready(ar, plain, err, cap);
    if (rc == ARCHIVE_OK) {
        *out = ar;
        return ARCHIVE_OK;
    }
    /* one of the two is damaged: the other, alone, is still worth reading */
    archive_close(ar);
    char why[512];
    snprintf(why, sizeof why, "%s", err);
    const char *other = strcmp(path, plain) == 0 ? gz : plain;
    int rc_alone = archive_open_one(path, out, err, cap);
    const char *alone = path;
    if (rc_alone != ARCHIVE_OK) {
        rc_alone = archive_open_one(other, out, err, cap);
        alone = other;
    }
    if (rc_alone == ARCHIVE_OK)
        fprintf(stderr, "%s: warning: %s and its .gz cannot be read together (%s): reading %s"
                " alone\n", progname, plain, why, alone);
    return rc_alone;
}

static void sample_from_row(struct archive *ar, sqlite3_stmt *st, struct sample *s)
{
    s->ts = sqlite3_column_int64(st, 0);
    int64_t up = sqlite3_column_int64(st, 1);
    s->uptime_cs = up > 0 ? (uint64_t)up : 0;
    if (up < 0)
        archive_warn(ar, s->ts, "sample", "the uptime", "negative");
    int64_t off = sqlite3_column_int64(st, 2);
    s->utc_offset = off > -86400 && off < 86400 ? (int32_t)off : 0;
    if (off != s->utc_offset)
        archive_warn(ar, s->ts, "sample", "the UTC offset", "a day or more");
    const unsigned char *boot = sqlite3_column_text(st, 3);
    copy_text(s->boot_id, sizeof s->boot_id, boot ? (const char *)boot : "");
    s->meminfo.n = s->vmstat.n = 0;
    swap_list_reset(&s->swaps);
    int col = 4;
    for (unsigned i = 0; i < ar->nfields; i++) {
        if (ar->fields[i].source == SRC_NODE)
            continue;
        if (sqlite3_column_type(st, col++) == SQLITE_NULL)
            continue;
        int64_t value = sqlite3_column_int64(st, col - 1);
        if (value < 0) {   /* counts and sizes: the writer never stores one below 0 */
            archive_warn(ar, s->ts, "sample", ar->fields[i].key, "negative value");
            continue;
        }
        struct kv_list *kv = ar->fields[i].source == SRC_MEMINFO ? &s->meminfo : &s->vmstat;
        kv_append(kv, ar->fields[i].key, (uint64_t)value);
    }
}

static void swap_from_row(sqlite3_stmt *st, struct swap_list *swaps)
{
    struct swap_device *d = swap_list_add(swaps);
    if (!d)
        return;
    const unsigned char *name = sqlite3_column_text(st, 1);
    const unsigned char *type = sqlite3_column_text(st, 2);
    copy_text(d->name, sizeof d->name, name ? (const char *)name : "");
    copy_text(d->type, sizeof d->type, type ? (const char *)type : "");
    d->size_kb = (uint64_t)sqlite3_column_int64(st, 3);
    d->used_kb = (uint64_t)sqlite3_column_int64(st, 4);
    d->priority = sqlite3_column_int64(st, 5);
}

int archive_has_table(struct archive *ar, const char *table)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(ar->db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                           -1, &st, NULL) != SQLITE_OK)
        return 0;
    sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
    int found = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    return found;
}

/* The swap devices of S, from the cursor. */
static void fill_swaps(struct archive *ar, struct part_cursor *c, struct sample *s)
{
    swap_list_reset(&s->swaps);
    int row = part_cursor_seek(c, s->ts);
    for (; row == 1; row = part_cursor_next(c, s->ts)) {
        if (s->swaps.n >= SWAP_DEV_LIMIT) {   /* a damaged tree may repeat rows */
            row = -2;
            break;
        }
        swap_from_row(c->st, &s->swaps);
    }
    if (row < 0) {
        swap_list_reset(&s->swaps);
        char why[160];
        snprintf(why, sizeof why, "damaged (%s)",
                 row == -2 ? "more devices than there can be" : sqlite3_errmsg(ar->db));
        archive_warn(ar, s->ts, "swap", "swap devices", why);
    }
}

/* A stored time outside ARCHIVE_TS_MIN..MAX is damage: refused, so that
 * no report computes with it. */
static int ts_in_range(struct archive *ar, int64_t ts)
{
    if (ts >= ARCHIVE_TS_MIN && ts <= ARCHIVE_TS_MAX)
        return 1;
    archive_warn(ar, ts, "sample", "the time", "out of range (before 1970 or after 9999)");
    return 0;
}

int archive_each_sample(struct archive *ar, int64_t from, int64_t to, unsigned parts,
                        sample_fn fn, void *ctx, char *err, size_t cap)
{
    static struct sql_text sql;
    sqlite3_stmt *st = NULL;
    struct part_cursor swaps = { 0 }, procs = { 0 }, numa = { 0 }, psi = { 0 }, cgroups = { 0 };
    sql.len = 0;
    sql_add(&sql, "SELECT s.ts, s.uptime_cs, s.utc_offset, b.boot_id");
    sql_add_columns(&sql, ar, ",s.");
    sql_add(&sql, " FROM sample s LEFT JOIN boot b ON b.boot_no = s.boot_no"
                  " WHERE s.ts BETWEEN ?1 AND ?2 ORDER BY s.ts");
    int rc = ARCHIVE_OK;
    if (sqlite3_prepare_v2(ar->db, sql.buf, (int)sql.len, &st, NULL) != SQLITE_OK)
        rc = archive_read_fail(ar, err, cap, "cannot read samples");
    if (rc == ARCHIVE_OK)
        rc = part_cursor_open(ar, "swap", "SELECT ts, device, type, size_kb, used_kb, priority"
                              " FROM swap WHERE ts BETWEEN ?1 AND ?2 ORDER BY ts, device",
                              from, to, &swaps, err, cap);
    if (rc == ARCHIVE_OK)
        rc = psistore_cursor_open(ar, from, to, &psi, err, cap);
    if (rc == ARCHIVE_OK && (parts & PART_PROCS))
        rc = procstore_cursor_open(ar, from, to, &procs, err, cap);
    if (rc == ARCHIVE_OK && (parts & PART_NUMA))
        rc = numastore_cursor_open(ar, from, to, &numa, err, cap);
    if (rc == ARCHIVE_OK && (parts & PART_CGROUPS))
        rc = cgstore_cursor_open(ar, from, to, &cgroups, err, cap);
    static struct sample s;
    int step = SQLITE_DONE;
    int64_t prev_ts = INT64_MIN;
    if (rc == ARCHIVE_OK) {
        sqlite3_bind_int64(st, 1, from);
        sqlite3_bind_int64(st, 2, to);
    }
    while (rc == ARCHIVE_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
        sample_from_row(ar, st, &s);
        if (s.ts <= prev_ts) {   /* ts is the key: a damaged tree repeats rows */
            rc = archive_fail(err, cap, ARCHIVE_DAMAGED, "damaged: %s%s",
                              "the rows of the sample table repeat or are out of order", "");
            break;
        }
        prev_ts = s.ts;
        if (!ts_in_range(ar, s.ts))
            continue;
        fill_swaps(ar, &swaps, &s);
        psistore_fill(ar, &psi, &s);
        if (parts & PART_PROCS)
            procstore_fill(ar, &procs, &s);
        if (parts & PART_NUMA)
            numastore_fill(ar, &numa, &s);
        if (parts & PART_OOM)
            eventstore_fill(ar, &s);
        if (parts & PART_CGROUPS)
            cgstore_fill(ar, &cgroups, &s);
        if (fn(&s, ctx) != 0)
            break;
    }
    if (rc == ARCHIVE_OK && step != SQLITE_ROW && step != SQLITE_DONE)
        rc = archive_read_fail(ar, err, cap, "cannot read samples");
    sqlite3_finalize(st);
    part_cursor_close(&swaps);
    part_cursor_close(&procs);
    part_cursor_close(&numa);
    part_cursor_close(&psi);
    part_cursor_close(&cgroups);
    cgroup_list_clear(&s.cgroups);
    proc_list_clear(&s.procs);
    numa_list_clear(&s.numa);
    swap_list_clear(&s.swaps);
    oom_event_list_clear(&s.oom);
    archive_warn_flush(ar);
    return rc;
}

int archive_host_at(struct archive *ar, int64_t ts, struct host_facts *out,
                    char *err, size_t cap)
{
    char sql[200];
    sqlite3_stmt *st;
    snprintf(sql, sizeof sql, "SELECT %s FROM host ORDER BY (ts > ?1), "
             "CASE WHEN ts <= ?1 THEN -ts ELSE ts END LIMIT 1", host_cols);
    if (sqlite3_prepare_v2(ar->db, sql, -1, &st, NULL) != SQLITE_OK)
        return archive_read_fail(ar, err, cap, "cannot read host facts");
    sqlite3_bind_int64(st, 1, ts);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        host_from_row(st, 0, out);
    else
        memset(out, 0, sizeof *out);
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return archive_read_fail(ar, err, cap, "cannot read host facts");
    return ARCHIVE_OK;
}

static int edge_ts(struct archive *ar, const char *sql, int64_t *ts, char *err, size_t cap)
{
    int rc = pragma_int(ar, sql, ts);
    if (rc == SQLITE_OK)
        return ARCHIVE_OK;
    if (rc == SQLITE_DONE) {
        err[0] = '\0';
        return ARCHIVE_ERROR;
    }
    return archive_read_fail(ar, err, cap, "cannot read samples");
}

/* Only times archive_each_sample() accepts (ARCHIVE_TS_MIN..MAX). */
int archive_first_ts(struct archive *ar, int64_t *ts, char *err, size_t cap)
{
    return edge_ts(ar, "SELECT ts FROM sample WHERE ts BETWEEN 0 AND 253402300799"
                   " ORDER BY ts LIMIT 1", ts, err, cap);
}

int archive_last_ts(struct archive *ar, int64_t *ts, char *err, size_t cap)
{
    return edge_ts(ar, "SELECT ts FROM sample WHERE ts BETWEEN 0 AND 253402300799"
                   " ORDER BY ts DESC LIMIT 1", ts, err, cap);
}

void archive_close(struct archive *ar)
{
    if (!ar)
        return;
    archive_warn_flush(ar);
    procstore_free(ar);
    cgstore_free(ar);
    if (ar->db)
        sqlite3_close(ar->db);
    if (ar->lock_fd >= 0)
        close(ar->lock_fd);
    free(ar->fields);
    free(ar->name);
    free(ar);
}
