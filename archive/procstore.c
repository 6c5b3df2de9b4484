/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Per-process and per-node data in the archive (see internal.h): process
 * identities in "proc", each sample's values in one "proc_sample" blob,
 * NUMA nodes in "numa".  Their tables are made with the first sample that
 * needs them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "util.h"

extern const char schema_procs_sql[];   /* schema/procs.sql */
extern const char schema_numa_sql[];    /* schema/numa.sql */

static int ensure_table(struct archive *ar, int *have, const char *table, const char *sql,
                        char *err, size_t cap)
{
    if (*have)
        return ARCHIVE_OK;
    if (!archive_has_table(ar, table)) {
        int rc = archive_exec(ar, sql, err, cap);
        if (rc != ARCHIVE_OK)
            return rc;
    }
    *have = 1;
    return ARCHIVE_OK;
}

static int prepare(struct archive *ar, sqlite3_stmt **st, const char *sql, char *err,
                   size_t cap)
{
    if (sqlite3_prepare_v2(ar->db, sql, -1, st, NULL) != SQLITE_OK)
        return archive_sql_fail(ar, err, cap, "cannot prepare a statement");
    return ARCHIVE_OK;
}

/* An identity's number and the last name stored for it: a later one from
 * proc_name, else its first.  Format 1 archives have no proc_name yet. */
static const char find_identity_sql[] =
    "SELECT pi, coalesce((SELECT comm FROM proc_name n WHERE n.pi = proc.pi"
    " ORDER BY ts DESC LIMIT 1), comm) FROM proc"
    " WHERE boot_no = ?1 AND pid = ?2 AND start_ticks = ?3";
static const char find_identity_v1_sql[] =
    "SELECT pi, comm FROM proc WHERE boot_no = ?1 AND pid = ?2 AND start_ticks = ?3";

static int prepare_find(struct archive *ar, sqlite3_stmt **find, char *err, size_t cap)
{
    int named = archive_has_table(ar, "proc_name");
    return prepare(ar, find, named ? find_identity_sql : find_identity_v1_sql, err, cap);
}

/* The identity number of P in boot BOOT_NO; 0 when it is not stored yet.
 * *RENAMED: P's comm is not the last one stored for it (it exec'd). */
static int64_t find_identity(sqlite3_stmt *find, int64_t boot_no, const struct proc *p,
                             unsigned char *renamed)
{
    sqlite3_reset(find);
    sqlite3_bind_int64(find, 1, boot_no);
    sqlite3_bind_int(find, 2, p->pid);
    sqlite3_bind_int64(find, 3, p->start_ticks > INT64_MAX ? INT64_MAX : (int64_t)p->start_ticks);
    *renamed = 0;
    if (sqlite3_step(find) != SQLITE_ROW)
        return 0;
    const unsigned char *last = sqlite3_column_text(find, 1);
    *renamed = !p->kernel_thread && last && strcmp((const char *)last, p->comm) != 0;
    return sqlite3_column_int64(find, 0);
}

/* Forgets what archive_new_identities() found. */
static void forget_known(struct archive *ar)
{
    free(ar->known_pis);
    free(ar->known_renamed);
    ar->known_pis = NULL;
    ar->known_renamed = NULL;
    ar->known_for = NULL;
}

int archive_new_identities(struct archive *ar, const char *boot_id,
                           const struct proc_list *list, unsigned char *need,
                           char *err, size_t cap)
{
    for (size_t i = 0; i < list->n; i++)
        need[i] = 1;
    if (!archive_has_table(ar, "proc"))
        return ARCHIVE_OK;
    sqlite3_stmt *boot, *find;
    int rc = prepare(ar, &boot, "SELECT boot_no FROM boot WHERE boot_id = ?", err, cap);
    if (rc != ARCHIVE_OK)
        return rc;
    sqlite3_bind_text(boot, 1, boot_id, -1, SQLITE_STATIC);
    int64_t boot_no = sqlite3_step(boot) == SQLITE_ROW ? sqlite3_column_int64(boot, 0) : 0;
    sqlite3_finalize(boot);
    if (!boot_no)
        return ARCHIVE_OK;
    if ((rc = prepare_find(ar, &find, err, cap)) != ARCHIVE_OK)
        return rc;
    /* one read transaction: SQLite would otherwise lock and unlock the
     * file, and look for a journal, once per process */
    int in_transaction = sqlite3_exec(ar->db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK;
    forget_known(ar);
    size_t n = list->n ? list->n : 1;
    ar->known_pis = calloc(n, sizeof *ar->known_pis);
    ar->known_renamed = calloc(n, 1);
    if (!ar->known_pis || !ar->known_renamed)
        forget_known(ar);   /* the append looks them up again */
    ar->known_for = ar->known_pis ? list : NULL;
    ar->known_n = list->n;
    for (size_t i = 0; i < list->n; i++) {
        unsigned char renamed;
        int64_t pi = find_identity(find, boot_no, &list->procs[i], &renamed);
        need[i] = pi == 0 || renamed;
        if (ar->known_pis) {
            ar->known_pis[i] = pi;
            ar->known_renamed[i] = renamed;
        }
    }
    sqlite3_finalize(find);
    if (in_transaction)
        sqlite3_exec(ar->db, "COMMIT", NULL, NULL, NULL);
    return ARCHIVE_OK;
}

static int store_identity(sqlite3_stmt *add, int64_t boot_no, int64_t ts, const struct proc *p)
{
    sqlite3_reset(add);
    sqlite3_bind_int64(add, 1, boot_no);
    sqlite3_bind_int(add, 2, p->pid);
    sqlite3_bind_int64(add, 3, p->start_ticks > INT64_MAX ? INT64_MAX : (int64_t)p->start_ticks);
    sqlite3_bind_int(add, 4, p->ppid);
    sqlite3_bind_int64(add, 5, p->uid);
    sqlite3_bind_text(add, 6, p->comm, -1, SQLITE_STATIC);
    if (p->cmdline)
        sqlite3_bind_text(add, 7, p->cmdline, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(add, 7);
    sqlite3_bind_int64(add, 8, ts);
    return sqlite3_step(add) == SQLITE_DONE ? 0 : -1;
}

/* P's new name (and the command line read with it) from sample TS on. */
static int store_name(sqlite3_stmt *add, int64_t pi, int64_t ts, const struct proc *p)
{
    sqlite3_reset(add);
    sqlite3_bind_int64(add, 1, pi);
    sqlite3_bind_int64(add, 2, ts);
    sqlite3_bind_text(add, 3, p->comm, -1, SQLITE_STATIC);
    if (p->cmdline)
        sqlite3_bind_text(add, 4, p->cmdline, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(add, 4);
    return sqlite3_step(add) == SQLITE_DONE ? 0 : -1;
}

static int by_pi(const void *a, const void *b)
{
    const struct proc_values *x = a, *y = b;
    return x->pi < y->pi ? -1 : x->pi > y->pi;
}

static uint64_t clamp_u63(uint64_t v) { return v > INT64_MAX ? INT64_MAX : v; }

static void values_of(const struct proc *p, int64_t pi, struct proc_values *v)
{
    v->pi = pi;
    v->rss_kb = clamp_u63(p->rss_kb);
    v->anon_kb = clamp_u63(p->anon_kb);
    v->file_kb = clamp_u63(p->file_kb);
    v->shmem_kb = clamp_u63(p->shmem_kb);
    v->swap_kb = clamp_u63(p->swap_kb);
    v->vsz_kb = clamp_u63(p->vsz_kb);
    v->minflt = p->minflt;
    v->majflt = p->majflt;
    v->pss_kb = p->pss_kb;
}

/* Whether S comes before a sample already stored (a day's .db merged into
 * its .db.gz, a clock stepped back): names must then be kept per sample. */
static int is_backfill(struct archive *ar, int64_t ts)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(ar->db, "SELECT 1 FROM proc_sample WHERE ts > ?", -1, &st, NULL) !=
        SQLITE_OK)
        return 1;   /* the careful way */
    sqlite3_bind_int64(st, 1, ts);
    int later = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    return later;
}

/* P's name at TS in an archive that holds later samples: when it is not
 * the name in force at TS (the latest proc_name at or before, else proc's),
 * P's name is stored from TS, and the name in force from TS + 1 on, so that
 * every sample stored before reads the name it read before (a second holds
 * one sample at most). */
static int store_name_between(struct archive *ar, sqlite3_stmt *rename, int64_t pi, int64_t ts,
                              const struct proc *p)
{
    static const char in_force_sql[] =
        "SELECT coalesce(n.comm, p.comm), CASE WHEN n.comm IS NULL THEN p.cmdline"
        " ELSE n.cmdline END FROM proc p LEFT JOIN (SELECT comm, cmdline FROM proc_name"
        " WHERE pi = ?1 AND ts <= ?2 ORDER BY ts DESC LIMIT 1) n WHERE p.pi = ?1";
    static const char keep_sql[] =
        "INSERT OR IGNORE INTO proc_name(pi, ts, comm, cmdline) VALUES (?1, ?2 + 1, ?3, ?4)";
    sqlite3_stmt *st, *keep = NULL;
    if (p->kernel_thread)
        return 0;
    if (sqlite3_prepare_v2(ar->db, in_force_sql, -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_int64(st, 1, pi);
    sqlite3_bind_int64(st, 2, ts);
    int rc = sqlite3_step(st) == SQLITE_ROW ? 0 : -1;
    const unsigned char *comm = rc == 0 ? sqlite3_column_text(st, 0) : NULL;
    if (comm && strcmp((const char *)comm, p->comm) != 0) {
        rc = -1;
        if (sqlite3_prepare_v2(ar->db, keep_sql, -1, &keep, NULL) == SQLITE_OK) {
            sqlite3_bind_int64(keep, 1, pi);
            sqlite3_bind_int64(keep, 2, ts);
            sqlite3_bind_value(keep, 3, sqlite3_column_value(st, 0));
            sqlite3_bind_value(keep, 4, sqlite3_column_value(st, 1));
            if (sqlite3_step(keep) == SQLITE_DONE)
                rc = store_name(rename, pi, ts, p);
        }
    }
    sqlite3_finalize(keep);
    sqlite3_finalize(st);
    return rc;
}

/* The memory cgroup of a new identity, in the side table proc_cgroup, by
 * its number in cgroup_path (archives from before them stay as they are).
 * ST holds the three statements, prepared on first use. */
static int store_cgroup(struct archive *ar, sqlite3_stmt *st[3], int64_t pi, const char *path,
                        char *err, size_t cap)
{
    int rc;
    if (!st[0] && ((rc = cgstore_ensure_tables(ar, err, cap)) != ARCHIVE_OK ||
                   (rc = prepare(ar, &st[0], "SELECT cp FROM cgroup_path WHERE path = ?", err,
                                 cap)) != ARCHIVE_OK ||
                   (rc = prepare(ar, &st[1], "INSERT INTO cgroup_path(path) VALUES (?)", err,
                                 cap)) != ARCHIVE_OK ||
                   (rc = prepare(ar, &st[2], "INSERT OR IGNORE INTO proc_cgroup(pi, cp)"
                                 " VALUES (?,?)", err, cap)) != ARCHIVE_OK))
        return rc;
    sqlite3_reset(st[0]);
    sqlite3_bind_text(st[0], 1, path, -1, SQLITE_STATIC);
    int64_t cp = sqlite3_step(st[0]) == SQLITE_ROW ? sqlite3_column_int64(st[0], 0) : 0;
    if (!cp) {
        sqlite3_reset(st[1]);
        sqlite3_bind_text(st[1], 1, path, -1, SQLITE_STATIC);
        if (sqlite3_step(st[1]) != SQLITE_DONE)
            return archive_sql_fail(ar, err, cap, "cannot store a process's cgroup");
        cp = sqlite3_last_insert_rowid(ar->db);
    }
    sqlite3_reset(st[2]);
    sqlite3_bind_int64(st[2], 1, pi);
    sqlite3_bind_int64(st[2], 2, cp);
    if (sqlite3_step(st[2]) != SQLITE_DONE)
        return archive_sql_fail(ar, err, cap, "cannot store a process's cgroup");
    return ARCHIVE_OK;
}

/* Identity numbers for every process, storing the new ones and the new
 * names of known ones, then the blob. */
int procstore_append(struct archive *ar, const struct sample *s, int64_t boot_no,
                     char *err, size_t cap)
{
    /* "proc_name" is the newest table: where it is missing, the others may be too */
    int rc = ensure_table(ar, &ar->have_proc_tables, "proc_name", schema_procs_sql, err, cap);
    if (rc != ARCHIVE_OK)
        return rc;
    const struct proc_list *list = &s->procs;
    struct proc_values *v = malloc((list->n ? list->n : 1) * sizeof *v);
    sqlite3_stmt *find = NULL, *add = NULL, *rename = NULL, *blob_st = NULL, *cg[3] = { 0 };
    struct proc_blob blob = { 0 };
    if (!v)
        return archive_fail(err, cap, ARCHIVE_ERROR, "out of memory%s%s", "", "");
    if ((rc = prepare_find(ar, &find, err, cap)) != ARCHIVE_OK ||
        (rc = prepare(ar, &add, "INSERT INTO proc(boot_no, pid, start_ticks, ppid, uid, comm,"
                      " cmdline, first_ts) VALUES (?,?,?,?,?,?,?,?)", err, cap)) != ARCHIVE_OK ||
        (rc = prepare(ar, &rename, "INSERT OR REPLACE INTO proc_name(pi, ts, comm, cmdline)"
                      " VALUES (?,?,?,?)", err, cap)) != ARCHIVE_OK)
        goto done;
    /* archive_new_identities() may have looked them up already */
    int known = ar->known_for == list && ar->known_n == list->n;
    int backfill = is_backfill(ar, s->ts);
    for (size_t i = 0; i < list->n; i++) {
        const struct proc *p = &list->procs[i];
        unsigned char renamed = known ? ar->known_renamed[i] : 0;
        int64_t pi = known && ar->known_pis[i] ? ar->known_pis[i]
                                               : find_identity(find, boot_no, p, &renamed);
        if (!pi) {
            if (store_identity(add, boot_no, s->ts, p) != 0) {
                rc = archive_sql_fail(ar, err, cap, "cannot store a process");
                goto done;
            }
            pi = sqlite3_last_insert_rowid(ar->db);
            if (p->cgroup && (rc = store_cgroup(ar, cg, pi, p->cgroup, err, cap)) != ARCHIVE_OK)
                goto done;
        } else if (backfill ? store_name_between(ar, rename, pi, s->ts, p) != 0
                            : renamed && store_name(rename, pi, s->ts, p) != 0) {
            rc = archive_sql_fail(ar, err, cap, "cannot store a process name");
            goto done;
        }
        values_of(p, pi, &v[i]);
    }
    qsort(v, list->n, sizeof *v, by_pi);
    if (proc_blob_encode(v, list->n, list->aggregated, &blob) != 0) {
        rc = archive_fail(err, cap, ARCHIVE_ERROR, "out of memory%s%s", "", "");
        goto done;
    }
    if ((rc = prepare(ar, &blob_st, "INSERT INTO proc_sample(ts, nprocs, aggregated, codec,"
                      " rawsize, crc32, data) VALUES (?,?,?,?,?,?,?)", err, cap)) != ARCHIVE_OK)
        goto done;
    sqlite3_bind_int64(blob_st, 1, s->ts);
    sqlite3_bind_int64(blob_st, 2, (int64_t)list->n);
    sqlite3_bind_int64(blob_st, 3, list->aggregated);
    sqlite3_bind_int(blob_st, 4, blob.codec);
    sqlite3_bind_int64(blob_st, 5, (int64_t)blob.rawsize);
    sqlite3_bind_int64(blob_st, 6, blob.crc);
    sqlite3_bind_blob(blob_st, 7, blob.data, (int)blob.size, SQLITE_STATIC);
    if (sqlite3_step(blob_st) != SQLITE_DONE)
        rc = archive_sql_fail(ar, err, cap, "cannot store the processes");
done:
    ar->known_for = NULL;   /* good for this sample only */
    sqlite3_finalize(find);
    sqlite3_finalize(add);
    sqlite3_finalize(rename);
    sqlite3_finalize(blob_st);
    for (int i = 0; i < 3; i++)
        sqlite3_finalize(cg[i]);
    free(blob.data);
    free(v);
    return rc;
}

/* ---- NUMA nodes */

/* Appends ,"col" for each node column to SQL (holding LEN bytes of CAP). */
static size_t add_node_columns(const struct archive *ar, char *sql, size_t len, size_t cap,
                               unsigned *count)
{
    *count = 0;
    for (unsigned f = 0; f < ar->nfields && len < cap; f++) {
        if (ar->fields[f].source != SRC_NODE)
            continue;
        len += (size_t)snprintf(sql + len, cap - len, ",\"%s\"", ar->fields[f].col);
        (*count)++;
    }
    return len < cap ? len : cap - 1;
}

int numastore_append(struct archive *ar, const struct sample *s, char *err, size_t cap)
{
    int rc = ensure_table(ar, &ar->have_numa_table, "numa", schema_numa_sql, err, cap);
    for (unsigned i = 0; rc == ARCHIVE_OK && i < s->numa.n; i++)
        rc = archive_add_new_fields(ar, SRC_NODE, &s->numa.nodes[i].values, err, cap);
    if (rc != ARCHIVE_OK)
        return rc;
    char sql[FIELD_MAX * (COL_NAME_MAX + 4) + 128];
    unsigned ncols;
    size_t len = (size_t)snprintf(sql, sizeof sql, "INSERT INTO numa(ts, node, total_kb, free_kb");
    len = add_node_columns(ar, sql, len, sizeof sql, &ncols);
    len += (size_t)snprintf(sql + len, sizeof sql - len, ") VALUES (?,?,?,?");
    for (unsigned c = 0; c < ncols && len < sizeof sql; c++)
        len += (size_t)snprintf(sql + len, sizeof sql - len, ",?");
    snprintf(sql + len, sizeof sql - len, ")");
    sqlite3_stmt *st;
    if ((rc = prepare(ar, &st, sql, err, cap)) != ARCHIVE_OK)
        return rc;
    for (unsigned i = 0; i < s->numa.n && rc == ARCHIVE_OK; i++) {
        const struct numa_node *node = &s->numa.nodes[i];
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, s->ts);
        sqlite3_bind_int(st, 2, node->id);
        sqlite3_bind_int64(st, 3, (int64_t)clamp_u63(node->total_kb));
        sqlite3_bind_int64(st, 4, (int64_t)clamp_u63(node->free_kb));
        int index = 5;
        unsigned hint = 0;
        for (unsigned f = 0; f < ar->nfields; f++) {
            if (ar->fields[f].source != SRC_NODE)
                continue;
            const struct kv *kv = kv_find(&node->values, ar->fields[f].key, &hint);
            if (kv && kv->value <= INT64_MAX)
                sqlite3_bind_int64(st, index, (int64_t)kv->value);
            else
                sqlite3_bind_null(st, index);
            index++;
            hint++;
        }
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = archive_sql_fail(ar, err, cap, "cannot store NUMA nodes");
    }
    sqlite3_finalize(st);
    return rc;
}

/* ---- reading */

/* Linux's MAX_NUMNODES at its largest (CONFIG_NODES_SHIFT=10). */
#define NUMA_NODES_MAX 1024

void part_cursor_close(struct part_cursor *c)
{
    sqlite3_finalize(c->st);
    c->st = NULL;
    c->row = SQLITE_DONE;
    c->point = 0;
}

/* After a read error the cursor stops walking the window in order and
 * looks each sample up on its own (the same statement, bound to that one
 * second), so that a damaged page costs only the samples stored on it. */
int part_cursor_seek(struct part_cursor *c, int64_t ts)
{
    if (!c->st)
        return 0;
    if (!c->point) {
        while (c->row == SQLITE_ROW && sqlite3_column_int64(c->st, 0) < ts)
            c->row = sqlite3_step(c->st);
        if (c->row == SQLITE_ROW)
            return sqlite3_column_int64(c->st, 0) == ts;
        if (c->row == SQLITE_DONE)
            return 0;
        c->point = 1;
    }
    sqlite3_reset(c->st);
    sqlite3_bind_int64(c->st, 1, ts);
    sqlite3_bind_int64(c->st, 2, ts);
    c->row = sqlite3_step(c->st);
    return c->row == SQLITE_ROW ? 1 : c->row == SQLITE_DONE ? 0 : -1;
}

int part_cursor_next(struct part_cursor *c, int64_t ts)
{
    c->row = sqlite3_step(c->st);
    if (c->row == SQLITE_ROW)
        return sqlite3_column_int64(c->st, 0) == ts;
    return c->row == SQLITE_DONE ? 0 : -1;
}

int part_cursor_open(struct archive *ar, const char *table, const char *sql, int64_t from,
                       int64_t to, struct part_cursor *c, char *err, size_t cap)
{
    c->st = NULL;
    c->row = SQLITE_DONE;
    c->point = 0;
    if (!archive_has_table(ar, table))
        return ARCHIVE_OK;
    if (sqlite3_prepare_v2(ar->db, sql, -1, &c->st, NULL) != SQLITE_OK)
        return archive_read_fail(ar, err, cap, "cannot read the archive");
    sqlite3_bind_int64(c->st, 1, from);
    sqlite3_bind_int64(c->st, 2, to);
    c->row = sqlite3_step(c->st);
    return ARCHIVE_OK;
}

/* Identities that cannot be read are missing from the cache: the samples
 * that refer to them are skipped, with IDENTS_ERROR as the reason. */
static void identities_failed(struct archive *ar, const char *why)
{
    free(ar->idents_error);
    ar->idents_error = strdup(why);
}

static int load_identities(struct archive *ar)
{
    sqlite3_stmt *st;
    ar->idents_loaded = 1;
    /* proc_cgroup is newer than proc: older archives have none */
    int with_cgroups = archive_has_table(ar, "proc_cgroup");
    if (sqlite3_prepare_v2(ar->db, with_cgroups
                           ? "SELECT p.pi, pid, ppid, uid, start_ticks, comm, cmdline, n.path"
                             " FROM proc p LEFT JOIN proc_cgroup c ON c.pi = p.pi"
                             " LEFT JOIN cgroup_path n ON n.cp = c.cp ORDER BY p.pi"
                           : "SELECT pi, pid, ppid, uid, start_ticks, comm, cmdline, NULL"
                             " FROM proc ORDER BY pi", -1, &st, NULL) != SQLITE_OK) {
        identities_failed(ar, sqlite3_errmsg(ar->db));
        return -1;
    }
    size_t cap = 0;
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (ar->nidents == cap) {
            cap = cap ? cap * 2 : 1024;
            struct identity *grown = realloc(ar->idents, cap * sizeof *grown);
            if (!grown) {
                step = SQLITE_NOMEM;
                break;
            }
            ar->idents = grown;
        }
        struct identity *id = &ar->idents[ar->nidents];
        id->pi = sqlite3_column_int64(st, 0);
        id->pid = (int32_t)sqlite3_column_int64(st, 1);
        id->ppid = (int32_t)sqlite3_column_int64(st, 2);
        id->uid = (uint32_t)sqlite3_column_int64(st, 3);
        id->start_ticks = (uint64_t)sqlite3_column_int64(st, 4);
        copy_text(id->comm, sizeof id->comm, (const char *)sqlite3_column_text(st, 5));
        const unsigned char *cmd = sqlite3_column_text(st, 6);
        id->cmdline = cmd ? strdup((const char *)cmd) : NULL;
        const unsigned char *cgroup = sqlite3_column_text(st, 7);
        id->cgroup = cgroup ? strdup((const char *)cgroup) : NULL;
        ar->nidents++;
    }
    if (step != SQLITE_DONE)
        identities_failed(ar, step == SQLITE_NOMEM ? "out of memory" : sqlite3_errmsg(ar->db));
    sqlite3_finalize(st);
    return step == SQLITE_DONE ? 0 : -1;
}

/* The later names (proc_name), by pi then ts; none in a format 1 archive. */
static void load_names(struct archive *ar)
{
    sqlite3_stmt *st;
    if (!archive_has_table(ar, "proc_name") ||
        sqlite3_prepare_v2(ar->db, "SELECT pi, ts, comm, cmdline FROM proc_name ORDER BY pi, ts",
                           -1, &st, NULL) != SQLITE_OK)
        return;
    size_t cap = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (ar->nnames == cap) {
            cap = cap ? cap * 2 : 64;
            struct name_change *grown = realloc(ar->names, cap * sizeof *grown);
            if (!grown)
                break;
            ar->names = grown;
        }
        struct name_change *nc = &ar->names[ar->nnames];
        const unsigned char *comm = sqlite3_column_text(st, 2), *cmd = sqlite3_column_text(st, 3);
        nc->pi = sqlite3_column_int64(st, 0);
        nc->ts = sqlite3_column_int64(st, 1);
        copy_text(nc->comm, sizeof nc->comm, comm ? (const char *)comm : "");
        nc->cmdline = cmd ? strdup((const char *)cmd) : NULL;
        ar->nnames++;
    }
    sqlite3_finalize(st);
}

/* The name PI had at TS: the latest later name at or before TS, or NULL
 * (its first name, in "proc"). */
static const struct name_change *name_at(const struct archive *ar, int64_t pi, int64_t ts)
{
    size_t lo = 0, hi = ar->nnames;
    while (lo < hi) {   /* the first entry of PI */
        size_t mid = (lo + hi) / 2;
        if (ar->names[mid].pi < pi)
            lo = mid + 1;
        else
            hi = mid;
    }
    const struct name_change *found = NULL;
    for (; lo < ar->nnames && ar->names[lo].pi == pi && ar->names[lo].ts <= ts; lo++)
        found = &ar->names[lo];
    return found;
}

static const struct identity *identity_of(const struct archive *ar, int64_t pi)
{
    size_t lo = 0, hi = ar->nidents;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (ar->idents[mid].pi == pi)
            return &ar->idents[mid];
        if (ar->idents[mid].pi < pi)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

int procstore_cursor_open(struct archive *ar, int64_t from, int64_t to,
                          struct part_cursor *c, char *err, size_t cap)
{
    if (!ar->idents_loaded && archive_has_table(ar, "proc")) {
        load_identities(ar);
        load_names(ar);
    }
    return part_cursor_open(ar, "proc_sample", "SELECT ts, codec, crc32, rawsize, data, nprocs FROM proc_sample"
                       " WHERE ts BETWEEN ?1 AND ?2 ORDER BY ts", from, to, c, err, cap);
}

/* The processes of V, as they were at TS, into LIST; -1 (LIST incomplete)
 * when one refers to an identity that cannot be read: WHY says why. */
static int procs_from_values(const struct archive *ar, const struct proc_values *v, size_t n,
                             int64_t ts, struct proc_list *list, char *why, size_t why_cap)
{
    for (size_t i = 0; i < n; i++) {
        const struct identity *id = identity_of(ar, v[i].pi);
        struct proc p;
        memset(&p, 0, sizeof p);
        if (!id) {   /* the writer stores every identity before its first sample */
            snprintf(why, why_cap, "a process identity is unreadable (%s)",
                     ar->idents_error ? ar->idents_error : "not stored");
            return -1;
        }
        p.pid = id->pid;
        p.ppid = id->ppid;
        p.uid = id->uid;
        p.start_ticks = id->start_ticks;
        const struct name_change *later = ar->nnames ? name_at(ar, id->pi, ts) : NULL;
        copy_text(p.comm, sizeof p.comm, later ? later->comm : id->comm);
        p.cmdline = later ? later->cmdline : id->cmdline;
        p.cgroup = id->cgroup;
        p.rss_kb = v[i].rss_kb;
        p.anon_kb = v[i].anon_kb;
        p.file_kb = v[i].file_kb;
        p.shmem_kb = v[i].shmem_kb;
        p.swap_kb = v[i].swap_kb;
        p.vsz_kb = v[i].vsz_kb;
        p.minflt = v[i].minflt;
        p.majflt = v[i].majflt;
        p.pss_kb = v[i].pss_kb;
        if (!proc_list_add(list, &p))
            break;
    }
    return 0;
}

void procstore_fill(struct archive *ar, struct part_cursor *c, struct sample *s)
{
    struct proc_list *list = &s->procs;
    proc_list_clear(list);
    list->cmdlines_borrowed = 1;
    char why[160];
    int found = part_cursor_seek(c, s->ts);
    if (found < 0) {
        snprintf(why, sizeof why, "damaged (%s)", sqlite3_errmsg(ar->db));
        archive_warn(ar, s->ts, "proc_sample", "process data", why);
    }
    if (found <= 0)
        return;
    sqlite3_stmt *st = c->st;
    struct proc_values *v = NULL;
    size_t n = 0;
    uint32_t aggregated = 0;
    int64_t rawsize = sqlite3_column_int64(st, 3);
    const unsigned char *data = sqlite3_column_blob(st, 4);
    size_t size = (size_t)sqlite3_column_bytes(st, 4);
    if (rawsize < 0 || proc_blob_decode((int)sqlite3_column_int64(st, 1),
                                        (uint32_t)sqlite3_column_int64(st, 2), (size_t)rawsize,
                                        data, size, &v, &n, &aggregated, why, sizeof why) != 0) {
        if (rawsize < 0)
            copy_text(why, sizeof why, "size");
        archive_warn(ar, s->ts, "proc_sample", "process data", why);
        return;
    }
    list->scanned = 1;
    list->aggregated = aggregated;
    list->cmdlines_borrowed = 1;   /* they stay in the identity cache */
    if (procs_from_values(ar, v, n, s->ts, list, why, sizeof why) != 0) {
        proc_list_clear(list);
        list->cmdlines_borrowed = 1;
        archive_warn(ar, s->ts, "proc", "process data", why);
    }
    free(v);
}

int numastore_cursor_open(struct archive *ar, int64_t from, int64_t to,
                          struct part_cursor *c, char *err, size_t cap)
{
    char sql[FIELD_MAX * (COL_NAME_MAX + 4) + 160];
    unsigned ncols;
    size_t len = (size_t)snprintf(sql, sizeof sql, "SELECT ts, node, total_kb, free_kb");
    len = add_node_columns(ar, sql, len, sizeof sql, &ncols);
    snprintf(sql + len, sizeof sql - len,
             " FROM numa WHERE ts BETWEEN ?1 AND ?2 ORDER BY ts, node");
    return part_cursor_open(ar, "numa", sql, from, to, c, err, cap);
}

void numastore_fill(struct archive *ar, struct part_cursor *c, struct sample *s)
{
    struct numa_list *list = &s->numa;
    list->n = 0;
    list->available = 0;
    int row = part_cursor_seek(c, s->ts);
    for (; row == 1; row = part_cursor_next(c, s->ts)) {
        /* (ts, node) is the key: nodes come in increasing order, and a
         * damaged tree that repeats them must not grow the list for ever */
        int id = (int)sqlite3_column_int64(c->st, 1);
        if (list->n >= NUMA_NODES_MAX || (list->n && id <= list->nodes[list->n - 1].id)) {
            row = -2;
            break;
        }
        struct numa_node *grown = realloc(list->nodes, (list->n + 1) * sizeof *grown);
        if (!grown)
            break;
        list->nodes = grown;
        struct numa_node *node = &list->nodes[list->n++];
        node->id = id;
        node->total_kb = (uint64_t)sqlite3_column_int64(c->st, 2);
        node->free_kb = (uint64_t)sqlite3_column_int64(c->st, 3);
        node->values.n = 0;
        int col = 4;
        for (unsigned f = 0; f < ar->nfields; f++) {
            if (ar->fields[f].source != SRC_NODE)
                continue;
            if (sqlite3_column_type(c->st, col) != SQLITE_NULL)
                kv_append(&node->values, ar->fields[f].key,
                          (uint64_t)sqlite3_column_int64(c->st, col));
            col++;
        }
        list->available = 1;
    }
    if (row < 0) {   /* part of this sample's nodes may be lost: none rather than some */
        char why[160];
        snprintf(why, sizeof why, "damaged (%s)",
                 row == -2 ? "nodes repeated or out of order" : sqlite3_errmsg(ar->db));
        archive_warn(ar, s->ts, "numa", "NUMA data", why);
        list->n = 0;
        list->available = 0;
    }
}

void procstore_free(struct archive *ar)
{
    forget_known(ar);
    ar->idents_loaded = 0;
    free(ar->idents_error);
    ar->idents_error = NULL;
    for (size_t i = 0; i < ar->nidents; i++) {
        free(ar->idents[i].cmdline);
        free(ar->idents[i].cgroup);
    }
    free(ar->idents);
    ar->idents = NULL;
    ar->nidents = 0;
    for (size_t i = 0; i < ar->nnames; i++)
        free(ar->names[i].cmdline);
    free(ar->names);
    ar->names = NULL;
    ar->nnames = 0;
}
