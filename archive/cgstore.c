/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Memory per cgroup in the archive (see internal.h, schema/cgroups.sql):
 * identities in "cgroup", stored once; each sample's values in one
 * "cgroup_sample" blob (cg_codec.h).  A blob is a key blob when no key
 * blob of the same hierarchy is younger than CG_KEY_SPAN, else the
 * differences from that key blob, whichever of the two is smaller.  So a
 * reader that starts anywhere decodes at most one blob more than it reads,
 * and damage to one key blob costs at most CG_KEY_SPAN seconds of samples.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "util.h"

extern const char schema_cgroups_sql[];   /* schema/cgroups.sql */

#define CG_KEY_SPAN 3600                    /* seconds a key blob serves */
#define CG_PATH_NONE "(unknown)"

static const char cg_row_cols[] = "version, codec, crc32, rawsize, data";

int cgstore_ensure_tables(struct archive *ar, char *err, size_t cap)
{
    if (ar->have_cg_tables)
        return ARCHIVE_OK;
    if (!archive_has_table(ar, "proc_cgroup")) {   /* the last one made */
        int rc = archive_exec(ar, schema_cgroups_sql, err, cap);
        if (rc != ARCHIVE_OK)
            return rc;
    }
    ar->have_cg_tables = 1;
    return ARCHIVE_OK;
}

void cgstore_forget_key(struct archive *ar)
{
    free(ar->cg_key);
    ar->cg_key = NULL;
    ar->cg_nkey = 0;
    ar->cg_key_ts = INT64_MIN;
}

/* Decodes the blob of row ST (columns from FIRST on, in cg_row_cols order). */
static int decode_row(sqlite3_stmt *st, int first, const struct cg_values *base, size_t nbase,
                      struct cg_values **v, size_t *n, uint32_t *aggregated, char *why,
                      size_t why_cap)
{
    int64_t rawsize = sqlite3_column_int64(st, first + 3);
    if (rawsize < 0) {
        snprintf(why, why_cap, "size");
        return -1;
    }
    return cg_blob_decode((int)sqlite3_column_int64(st, first + 1),
                          (uint32_t)sqlite3_column_int64(st, first + 2), (size_t)rawsize,
                          sqlite3_column_blob(st, first + 4),
                          (size_t)sqlite3_column_bytes(st, first + 4), base, nbase, v, n,
                          aggregated, why, why_cap);
}

/* Makes the key blob of sample TS the one held: 0, or -1 (WHY says why). */
static int hold_key(struct archive *ar, int64_t ts, char *why, size_t why_cap)
{
    if (ar->cg_key_ts == ts && ar->cg_key)
        return 0;
    cgstore_forget_key(ar);
    char sql[160];
    sqlite3_stmt *st;
    snprintf(sql, sizeof sql, "SELECT %s FROM cgroup_sample WHERE ts = ?1 AND base_ts IS NULL",
             cg_row_cols);
    if (sqlite3_prepare_v2(ar->db, sql, -1, &st, NULL) != SQLITE_OK) {
        snprintf(why, why_cap, "%s", sqlite3_errmsg(ar->db));
        return -1;
    }
    sqlite3_bind_int64(st, 1, ts);
    int step = sqlite3_step(st), rc = -1;
    uint32_t aggregated;
    if (step == SQLITE_ROW) {
        int version = (int)sqlite3_column_int64(st, 0);
        char inner[128];
        rc = decode_row(st, 0, NULL, 0, &ar->cg_key, &ar->cg_nkey, &aggregated, inner,
                        sizeof inner);
        if (rc == 0) {
            ar->cg_key_ts = ts;
            ar->cg_key_version = version;
        } else {
            snprintf(why, why_cap, "its key sample is damaged (%s)", inner);
        }
    } else {
        snprintf(why, why_cap, "its key sample is %s",
                 step == SQLITE_DONE ? "missing" : sqlite3_errmsg(ar->db));
    }
    sqlite3_finalize(st);
    return rc;
}

/* ---- writing */

static int64_t identity_number(sqlite3_stmt *find, sqlite3_stmt *add, const struct cgroup_mem *m,
                               int64_t ts)
{
    const char *path = m->path ? m->path : CG_PATH_NONE;
    int64_t inode = m->id > INT64_MAX ? INT64_MAX : (int64_t)m->id;
    sqlite3_reset(find);
    sqlite3_bind_text(find, 1, path, -1, SQLITE_STATIC);
    sqlite3_bind_int64(find, 2, inode);
    if (sqlite3_step(find) == SQLITE_ROW)
        return sqlite3_column_int64(find, 0);
    sqlite3_reset(add);
    sqlite3_bind_text(add, 1, path, -1, SQLITE_STATIC);
    sqlite3_bind_int64(add, 2, inode);
    sqlite3_bind_int64(add, 3, ts);
    if (sqlite3_step(add) != SQLITE_DONE)
        return 0;
    return sqlite3_last_insert_rowid(sqlite3_db_handle(add));
}

static int by_ci(const void *a, const void *b)
{
    const struct cg_values *x = a, *y = b;
    return x->ci < y->ci ? -1 : x->ci > y->ci;
}

/* The key blob sample TS can be stored against, held in AR: 1, or 0 when
 * it is to be a key blob itself. */
static int key_for(struct archive *ar, int64_t ts, int version)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(ar->db, "SELECT coalesce(base_ts, ts) FROM cgroup_sample"
                           " WHERE ts < ?1 ORDER BY ts DESC LIMIT 1", -1, &st, NULL) != SQLITE_OK)
        return 0;
    sqlite3_bind_int64(st, 1, ts);
    int found = sqlite3_step(st) == SQLITE_ROW;
    int64_t key_ts = found ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    char why[160];
    return found && ts - key_ts < CG_KEY_SPAN && key_ts < ts &&
           hold_key(ar, key_ts, why, sizeof why) == 0 && ar->cg_key_version == version;
}

/* V (N values, sorted) as its blob: against the held key when that is smaller. */
static int encode_best(struct archive *ar, const struct sample *s, const struct cg_values *v,
                       size_t n, struct proc_blob *blob, int *is_key)
{
    uint32_t aggregated = s->cgroups.aggregated;
    if (cg_blob_encode(v, n, aggregated, NULL, 0, blob) != 0)
        return -1;
    *is_key = 1;
    struct proc_blob delta;
    if (key_for(ar, s->ts, s->cgroups.version) &&
        cg_blob_encode(v, n, aggregated, ar->cg_key, ar->cg_nkey, &delta) == 0) {
        if (delta.size < blob->size) {
            free(blob->data);
            *blob = delta;
            *is_key = 0;
        } else {
            free(delta.data);
        }
    }
    return 0;
}

static int store_blob(struct archive *ar, const struct sample *s, const struct proc_blob *blob,
                      int is_key, char *err, size_t cap)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(ar->db, "INSERT INTO cgroup_sample(ts, base_ts, version, ncgroups,"
                           " aggregated, codec, rawsize, crc32, data)"
                           " VALUES (?,?,?,?,?,?,?,?,?)", -1, &st, NULL) != SQLITE_OK)
        return archive_sql_fail(ar, err, cap, "cannot store the cgroups");
    sqlite3_bind_int64(st, 1, s->ts);
    if (is_key)
        sqlite3_bind_null(st, 2);
    else
        sqlite3_bind_int64(st, 2, ar->cg_key_ts);
    sqlite3_bind_int(st, 3, s->cgroups.version);
    sqlite3_bind_int64(st, 4, (int64_t)s->cgroups.n);
    sqlite3_bind_int64(st, 5, s->cgroups.aggregated);
    sqlite3_bind_int(st, 6, blob->codec);
    sqlite3_bind_int64(st, 7, (int64_t)blob->rawsize);
    sqlite3_bind_int64(st, 8, blob->crc);
    sqlite3_bind_blob(st, 9, blob->data, (int)blob->size, SQLITE_STATIC);
    int rc = sqlite3_step(st) == SQLITE_DONE ? ARCHIVE_OK
             : archive_sql_fail(ar, err, cap, "cannot store the cgroups");
    sqlite3_finalize(st);
    return rc;
}

int cgstore_append(struct archive *ar, const struct sample *s, char *err, size_t cap)
{
    int rc = cgstore_ensure_tables(ar, err, cap);
    if (rc != ARCHIVE_OK)
        return rc;
    const struct cgroup_list *list = &s->cgroups;
    struct cg_values *v = malloc((list->n ? list->n : 1) * sizeof *v);
    sqlite3_stmt *find = NULL, *add = NULL;
    struct proc_blob blob = { 0 };
    int is_key = 1;
    if (!v)
        return archive_fail(err, cap, ARCHIVE_ERROR, "out of memory%s%s", "", "");
    if (sqlite3_prepare_v2(ar->db, "SELECT ci FROM cgroup WHERE path = ?1 AND inode = ?2",
                           -1, &find, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(ar->db, "INSERT INTO cgroup(path, inode, first_ts) VALUES (?,?,?)",
                           -1, &add, NULL) != SQLITE_OK) {
        rc = archive_sql_fail(ar, err, cap, "cannot store the cgroups");
        goto done;
    }
    for (size_t i = 0; i < list->n; i++) {
        int64_t ci = identity_number(find, add, &list->items[i], s->ts);
        if (!ci) {
            rc = archive_sql_fail(ar, err, cap, "cannot store a cgroup");
            goto done;
        }
        cg_values_of(&list->items[i], ci, &v[i]);
    }
    qsort(v, list->n, sizeof *v, by_ci);
    for (size_t i = 1; i < list->n; i++) {
        if (v[i].ci == v[i - 1].ci) {   /* the collector lists each cgroup once */
            rc = archive_fail(err, cap, ARCHIVE_ERROR, "a cgroup is listed twice%s%s", "", "");
            goto done;
        }
    }
    if (encode_best(ar, s, v, list->n, &blob, &is_key) != 0) {
        rc = archive_fail(err, cap, ARCHIVE_ERROR, "out of memory%s%s", "", "");
        goto done;
    }
    rc = store_blob(ar, s, &blob, is_key, err, cap);
    if (rc == ARCHIVE_OK && is_key) {   /* the next samples' base */
        cgstore_forget_key(ar);
        ar->cg_key = v;
        ar->cg_nkey = list->n;
        ar->cg_key_ts = s->ts;
        ar->cg_key_version = list->version;
        v = NULL;
    }
done:
    sqlite3_finalize(find);
    sqlite3_finalize(add);
    free(blob.data);
    free(v);
    return rc;
}

/* ---- reading */

static void load_identities(struct archive *ar)
{
    sqlite3_stmt *st;
    ar->cgids_loaded = 1;
    if (sqlite3_prepare_v2(ar->db, "SELECT ci, path, inode FROM cgroup ORDER BY ci", -1, &st,
                           NULL) != SQLITE_OK)
        return;
    size_t cap = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (ar->ncgids == cap) {
            cap = cap ? cap * 2 : 256;
            struct cg_identity *grown = realloc(ar->cgids, cap * sizeof *grown);
            if (!grown)
                break;
            ar->cgids = grown;
        }
        const unsigned char *path = sqlite3_column_text(st, 1);
        struct cg_identity *id = &ar->cgids[ar->ncgids];
        id->ci = sqlite3_column_int64(st, 0);
        id->inode = (uint64_t)sqlite3_column_int64(st, 2);
        if (!(id->path = strdup(path ? (const char *)path : CG_PATH_NONE)))
            break;
        ar->ncgids++;
    }
    sqlite3_finalize(st);
}

static int by_identity(const void *key, const void *item)
{
    int64_t ci = *(const int64_t *)key, other = ((const struct cg_identity *)item)->ci;
    return (ci > other) - (ci < other);
}

static const struct cg_identity *identity_of(const struct archive *ar, int64_t ci)
{
    return ar->ncgids ? bsearch(&ci, ar->cgids, ar->ncgids, sizeof *ar->cgids, by_identity)
                      : NULL;
}

int cgstore_cursor_open(struct archive *ar, int64_t from, int64_t to,
                        struct part_cursor *c, char *err, size_t cap)
{
    if (!ar->cgids_loaded && archive_has_table(ar, "cgroup"))
        load_identities(ar);
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT ts, base_ts, %s FROM cgroup_sample"
             " WHERE ts BETWEEN ?1 AND ?2 ORDER BY ts", cg_row_cols);
    return part_cursor_open(ar, "cgroup_sample", sql, from, to, c, err, cap);
}

/* The cgroups of V into LIST; -1 when one has no identity. */
static int cgroups_from_values(const struct archive *ar, const struct cg_values *v, size_t n,
                               struct cgroup_list *list)
{
    for (size_t i = 0; i < n; i++) {
        const struct cg_identity *id = identity_of(ar, v[i].ci);
        if (!id)
            return -1;
        struct cgroup_mem m;
        memset(&m, 0, sizeof m);
        m.path = id->path;
        m.id = id->inode;
        cg_values_to(&v[i], &m);
        if (!cgroup_list_add(list, &m))
            break;
    }
    return 0;
}

void cgstore_fill(struct archive *ar, struct part_cursor *c, struct sample *s)
{
    cgroup_list_clear(&s->cgroups);
    char why[200];
    int found = part_cursor_seek(c, s->ts);
    if (found < 0) {
        snprintf(why, sizeof why, "damaged (%s)", sqlite3_errmsg(ar->db));
        archive_warn(ar, s->ts, "cgroup_sample", "cgroup data", why);
    }
    if (found <= 0)
        return;
    sqlite3_stmt *st = c->st;
    int keyed = sqlite3_column_type(st, 1) == SQLITE_NULL;
    int64_t base_ts = keyed ? 0 : sqlite3_column_int64(st, 1);
    int version = (int)sqlite3_column_int64(st, 2);
    struct cg_values *v = NULL;
    size_t n = 0;
    uint32_t aggregated = 0;
    if (version != 1 && version != 2) {
        archive_warn(ar, s->ts, "cgroup_sample", "cgroup data", "unknown hierarchy version");
        return;
    }
    /* the key's statement runs beside the cursor's: the cursor's row stays */
    if ((!keyed && hold_key(ar, base_ts, why, sizeof why) != 0) ||
        decode_row(st, 2, keyed ? NULL : ar->cg_key, keyed ? 0 : ar->cg_nkey, &v, &n,
                   &aggregated, why, sizeof why) != 0) {
        archive_warn(ar, s->ts, "cgroup_sample", "cgroup data", why);
        return;
    }
    s->cgroups.version = version;
    s->cgroups.aggregated = aggregated;
    if (cgroups_from_values(ar, v, n, &s->cgroups) != 0) {
        cgroup_list_clear(&s->cgroups);
        archive_warn(ar, s->ts, "cgroup", "cgroup data", "a cgroup identity is unreadable");
    }
    if (keyed) {   /* the samples after it are likely stored against it */
        cgstore_forget_key(ar);
        ar->cg_key = v;
        ar->cg_nkey = n;
        ar->cg_key_ts = s->ts;
        ar->cg_key_version = version;
    } else {
        free(v);
    }
}

void cgstore_free(struct archive *ar)
{
    cgstore_forget_key(ar);
    for (size_t i = 0; i < ar->ncgids; i++)
        free(ar->cgids[i].path);
    free(ar->cgids);
    ar->cgids = NULL;
    ar->ncgids = 0;
    ar->cgids_loaded = 0;
}
