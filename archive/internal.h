/*
 * What the files of the archive module share, and nothing outside it sees:
 * the archive handle and the few SQL helpers.  archive.c holds the
 * system-wide samples, procstore.c the per-process and per-node data.
 */
#ifndef MEMTRAIL_ARCHIVE_INTERNAL_H
#define MEMTRAIL_ARCHIVE_INTERNAL_H

#include <sqlite3.h>

#include "archive.h"
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
};

struct archive {
    sqlite3 *db;
    int lock_fd;              /* writer only */
    int schema_ready;         /* writer: schema checked and fields loaded */
    int named_insert;         /* writer: "sample"'s columns are not in field order */
    int have_proc_tables;     /* the optional tables exist (or were made) */
    int have_numa_table;
    unsigned nfields, fields_cap;
    struct field *fields;     /* grown as needed: most archives use ~150 of FIELD_MAX */
    /* writer: identity numbers archive_new_identities() found, for the
     * append that follows it (0: new) */
    int64_t *known_pis;
    const struct proc_list *known_for;
    size_t known_n;
    /* reader: process identities by pi, loaded on first need */
    struct identity *idents;
    size_t nidents;
    int idents_loaded;
    /* reader: decoded processes of the current sample */
    struct proc_values *values;
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

struct archive *archive_new(void);
/* A reader's archive once its database is open: checked to be ours, and
 * its fields loaded. */
int archive_reader_ready(struct archive *ar, char *err, size_t cap);
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

/* procstore.c */
int procstore_append(struct archive *ar, const struct sample *s, int64_t boot_no,
                     char *err, size_t cap);
int numastore_append(struct archive *ar, const struct sample *s, char *err, size_t cap);

/* A reader's cursor over the optional data, merged with the samples by ts. */
struct part_cursor {
    sqlite3_stmt *st;
    int row;                  /* last sqlite3_step() result */
};
int procstore_cursor_open(struct archive *ar, int64_t from, int64_t to,
                          struct part_cursor *c, char *err, size_t cap);
/* Fills S->procs from the cursor's row for S->ts (scanned = 0 when none). */
void procstore_fill(struct archive *ar, struct part_cursor *c, struct sample *s,
                    const char *path_hint);
int numastore_cursor_open(struct archive *ar, int64_t from, int64_t to,
                          struct part_cursor *c, char *err, size_t cap);
void numastore_fill(struct archive *ar, struct part_cursor *c, struct sample *s);
void part_cursor_close(struct part_cursor *c);
void procstore_free(struct archive *ar);

#endif
