/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the files of the archive module share, and nothing outside it sees:
 * the archive handle and the few SQL helpers.  archive.c holds the
 * system-wide samples, procstore.c the per-process and per-node data,
 * cgstore.c the memory cgroups.
 */
#ifndef MEMTRAIL_ARCHIVE_INTERNAL_H
#define MEMTRAIL_ARCHIVE_INTERNAL_H

#include <sqlite3.h>
#include <stdio.h>

#include "archive.h"
#include "cg_codec.h"
#include "proc_codec.h"

#define COL_NAME_MAX 64
#define FIELD_MAX (3 * KV_MAX)

/* Where an added column's values come from; SRC_NODE columns live in "numa". */
enum source { SRC_MEMINFO, SRC_VMSTAT, SRC_NODE };

struct field {
    char col[COL_NAME_MAX];
    enum source source;
    char key[KEY_NAME_MAX];
};

/* A process identity as the reader keeps it. */
struct identity {
    int64_t pi;
    int32_t pid, ppid;
    uint32_t uid;
    uint64_t start_ticks;
    char comm[COMM_MAX];
    char *cmdline;
    char *cgroup;             /* proc_cgroup's path; NULL: none stored */
};

/* A later name of an identity, from sample TS on (proc_name). */
struct name_change {
    int64_t pi, ts;
    char comm[COMM_MAX];
    char *cmdline;
};

/* Samples skipped in a row for one reason, not yet reported (guard.c). */
struct warn_run {
    char table[24], part[KEY_NAME_MAX + 16], why[224];
    int64_t first, last;
    unsigned long n;
};

struct archive {
    sqlite3 *db;
    int lock_fd;              /* writer only */
    int empty_at_lock;        /* writer: the file was empty when the lock was taken */
    int stored;               /* writer: an append has succeeded */
    int schema_ready;         /* writer: schema checked and fields loaded */
    int named_insert;         /* writer: "sample"'s columns are not in field order */
    int have_proc_tables;     /* the optional tables exist (or were made) */
    int have_numa_table;
    int have_psi_table;       /* writer: psi_mem exists (or was made) */
    int have_event_tables;    /* writer: kmsg_read and oom_kill exist (or were made) */
    int have_cg_tables;
    /* writer and reader: the latest key blob of cgroups decoded (cgstore.c) */
    struct cg_values *cg_key;
    size_t cg_nkey;
    int64_t cg_key_ts;        /* its sample; INT64_MIN: none held */
    int cg_key_version;
    /* reader: cgroup identities by ci, loaded on first need */
    struct cg_identity *cgids;
    size_t ncgids;
    int cgids_loaded;
    int64_t paused_version;   /* writer: PRAGMA data_version when its lock was let go */
    unsigned nfields, fields_cap;
    struct field *fields;     /* grown as needed: most archives use ~150 of FIELD_MAX */
    /* writer: identity numbers archive_new_identities() found, for the
     * append that follows it (0: new) */
    int64_t *known_pis;
    unsigned char *known_renamed;   /* and whether each was renamed (exec) */
    const struct proc_list *known_for;
    size_t known_n;
    /* reader: process identities by pi, loaded on first need */
    struct identity *idents;
    size_t nidents;
    int idents_loaded;
    /* reader: the later names of identities (proc_name), by pi then ts */
    struct name_change *names;
    size_t nnames;
    /* reader: decoded processes of the current sample */
    struct proc_values *values;
    char *name;               /* the path, for messages (guard.c) */
    int64_t work_left;        /* reader: virtual-machine steps its queries may still take */
    char *idents_error;       /* reader: why the identities could not all be read */
    FILE *warn_to;            /* reader: where archive_warn() writes (NULL: stderr) */
    unsigned long warnings;   /* reader: parts skipped as damaged */
    struct warn_run pending;
};

int archive_fail(char *err, size_t cap, int status, const char *fmt, const char *a,
                 const char *b);
int archive_sql_fail(struct archive *ar, char *err, size_t cap, const char *what);
int archive_exec(struct archive *ar, const char *sql, char *err, size_t cap);
/* Whether TABLE exists in the archive. */
int archive_has_table(struct archive *ar, const char *table);
/* Adds columns to "numa" (SRC_NODE) or "sample" for keys met the first time. */
int archive_add_new_fields(struct archive *ar, enum source src, const struct kv_list *kv,
                           char *err, size_t cap);

/* events.c: the kernel log position and OOM kills of sample S (when its
 * collector read the log); with PART_OOM, s->oom from the archive. */
int eventstore_append(struct archive *ar, const struct sample *s, int64_t boot_no,
                      char *err, size_t cap);
void eventstore_fill(struct archive *ar, struct sample *s);

/* guard.c: switches off what a schema could make SQLite run, checks that
 * the schema is memtrail's (tables, no triggers or foreign views), and with
 * BOUND_WORK limits the work of the connection's queries.  ARCHIVE_NOT_OURS
 * with the reason when the schema is not ours.  Every open calls it. */
int archive_guard(struct archive *ar, const char *path, int bound_work, char *err, size_t cap);
/* The archive's path, for messages. */
const char *archive_name(const struct archive *ar);
/* A failed read: ARCHIVE_DAMAGED when SQLite found the file damaged (or
 * too costly to read), else ARCHIVE_ERROR; ERR says what and why. */
int archive_read_fail(struct archive *ar, char *err, size_t cap, const char *what);
/* "memreport: warning: FILE: PART of the sample at TIME: WHY: skipped" on
 * stderr ("of N samples from TIME to TIME" for a run of them), or with
 * WARN_TO set (--verify) "FILE: TABLE: the sample at TIME: PART: WHY"
 * there; counted in WARNINGS.  Printed by archive_warn_flush(), which
 * archive_each_sample() and archive_close() call. */
void archive_warn(struct archive *ar, int64_t ts, const char *table, const char *part,
                  const char *why);
void archive_warn_flush(struct archive *ar);
/* TS as "2026-11-26 13:34:20 UTC" ("@TS" when out of range). */
void archive_time_text(int64_t ts, char *buf, size_t cap);
struct archive *archive_new(void);
/* A reader's archive once its database is open: checked to be ours (its
 * format, and its schema by archive_guard() under PATH's name), and its
 * fields loaded. */
int archive_reader_ready(struct archive *ar, const char *path, char *err, size_t cap);
/* Opens one file read-only, as archive_open_reader() does, without its
 * other copy. */
int archive_open_one(const char *path, struct archive **out, char *err, size_t cap);

/* compressed.c */
int archive_is_compressed(const char *path);
/* Opens a gzip-compressed archive in memory, read-only unless WRITABLE
 * (changes stay in memory). */
int archive_open_compressed(const char *path, sqlite3 **db, int writable, char *err, size_t cap);
int archive_is_sqlite_fd(int fd);
/* Writes the serialized database DB into PATH.gz crash-safely. */
int archive_compress_image(sqlite3 *db, const char *path, char *err, size_t cap);

/* image.c: archives in memory.  An image is never larger than this. */
#define ARCHIVE_IMAGE_MAX ((sqlite3_int64)4 << 30)
/* Opens BUF (sqlite3_malloc64, SIZE bytes used of SPACE) as *DB; SQLite owns
 * BUF from here.  WRITABLE: changes allowed (they stay in memory). */
int archive_image_open(sqlite3 **db, unsigned char *buf, sqlite3_int64 size,
                       sqlite3_int64 space, int writable, char *err, size_t cap);
/* Opens a plain archive in memory as its last committed state: a hot
 * journal beside it (no writer alive) is played back into the copy, never
 * into the file.  ARCHIVE_BUSY when a writer keeps it locked. */
int archive_open_journaled(const char *path, sqlite3 **db, int writable, char *err, size_t cap);

/* union.c: a day held in both PATH (plain) and PATH.gz */
struct union_stats {
    size_t added;        /* samples of the plain file the .gz lacks */
    size_t conflicts;    /* samples of the same second that differ */
};
/* Opens the union of PLAIN and COMPRESSED in memory: the .gz's samples,
 * then those of the plain file whose second the .gz lacks. */
int archive_open_union(const char *plain, const char *compressed, struct archive *ar,
                       struct union_stats *stats, char *err, size_t cap);

/* bursts.c: the bursts of FROM that INTO lacks (or holds ending earlier)
 * stored into it, counted in *ADDED. */
int archive_merge_bursts(struct archive *into, struct archive *from, size_t *added, char *err,
                         size_t cap);

/* fdvfs.c: the name of the VFS that opens "/proc/self/fd/N/NAME" through
 * the descriptor (NULL: the default VFS). */
const char *archive_fd_vfs(void);

/* procstore.c */
int procstore_append(struct archive *ar, const struct sample *s, int64_t boot_no,
                     char *err, size_t cap);
int numastore_append(struct archive *ar, const struct sample *s, char *err, size_t cap);

/* A reader's cursor over the optional data, merged with the samples by ts. */
struct part_cursor {
    sqlite3_stmt *st;
    int row;                  /* last sqlite3_step() result */
    int point;                /* after a read error: one sample at a time */
};
/* A cursor over SQL's rows from FROM to TO (?1, ?2; ts first, in order);
 * empty when TABLE does not exist. */
int part_cursor_open(struct archive *ar, const char *table, const char *sql, int64_t from,
                     int64_t to, struct part_cursor *c, char *err, size_t cap);
/* Positions C on its first row for TS: 1, 0 when there is none, -1 when
 * that part of the table is damaged (sqlite3_errmsg says how). */
int part_cursor_seek(struct part_cursor *c, int64_t ts);
/* Steps C: 1 when the next row is TS's too, 0 when not, -1 on damage. */
int part_cursor_next(struct part_cursor *c, int64_t ts);
int procstore_cursor_open(struct archive *ar, int64_t from, int64_t to,
                          struct part_cursor *c, char *err, size_t cap);
/* Fills S->procs from the cursor's row for S->ts (scanned = 0 when none). */
void procstore_fill(struct archive *ar, struct part_cursor *c, struct sample *s);
int numastore_cursor_open(struct archive *ar, int64_t from, int64_t to,
                          struct part_cursor *c, char *err, size_t cap);
void numastore_fill(struct archive *ar, struct part_cursor *c, struct sample *s);
void part_cursor_close(struct part_cursor *c);
void procstore_free(struct archive *ar);

/* psi.c: memory pressure, one row per sample that had it (schema/psi.sql) */
int psistore_append(struct archive *ar, const struct sample *s, char *err, size_t cap);
int psistore_cursor_open(struct archive *ar, int64_t from, int64_t to,
                         struct part_cursor *c, char *err, size_t cap);
/* Fills S->psi_mem from the cursor's row for S->ts (available = 0 when none). */
void psistore_fill(struct archive *ar, struct part_cursor *c, struct sample *s);
/* cgstore.c: cgroup identities in "cgroup", each sample's values in one
 * "cgroup_sample" blob, keyed or as differences from a key blob. */
struct cg_identity {
    int64_t ci;
    uint64_t inode;
    char *path;
};
/* Makes the tables of schema/cgroups.sql where they are missing. */
int cgstore_ensure_tables(struct archive *ar, char *err, size_t cap);
int cgstore_append(struct archive *ar, const struct sample *s, char *err, size_t cap);
int cgstore_cursor_open(struct archive *ar, int64_t from, int64_t to,
                        struct part_cursor *c, char *err, size_t cap);
/* Fills S->cgroups from the cursor's row for S->ts (version 0 when none). */
void cgstore_fill(struct archive *ar, struct part_cursor *c, struct sample *s);
/* Forgets the key blob held (after a rollback it may not exist). */
void cgstore_forget_key(struct archive *ar);
void cgstore_free(struct archive *ar);

#endif
