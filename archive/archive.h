/*
 * The archive: the only module that speaks SQL.  A writer appends samples to
 * one SQLite file, one transaction per sample; a reader replays them into the
 * model.  The format is identified by application_id and user_version;
 * older versions are migrated forward by the writer and read by the reader.
 */
#ifndef MEMTRAIL_ARCHIVE_H
#define MEMTRAIL_ARCHIVE_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"

#define ARCHIVE_APP_ID 0x4D454D43  /* 'MEMC' */
#define ARCHIVE_FORMAT 1           /* user_version this code writes */

enum archive_status {
    ARCHIVE_OK = 0,
    ARCHIVE_ERROR = -1,      /* err says why */
    ARCHIVE_BUSY = -2,       /* another writer holds the archive */
    ARCHIVE_DUPLICATE = -3,  /* a sample for that second is already stored */
    ARCHIVE_NOT_OURS = -4,   /* not a memtrail archive (or not SQLite at all) */
    ARCHIVE_TOO_NEW = -5,    /* written by a newer memtrail */
    ARCHIVE_MISSING = -6     /* no such file */
};

struct archive;

/* Opens (creating when absent, mode 0640) PATH for appending.  Waits up to
 * LOCK_WAIT_MS for another writer to finish, then gives ARCHIVE_BUSY. */
int archive_open_writer(const char *path, int lock_wait_ms,
                        struct archive **out, char *err, size_t err_cap);
/* Appends one sample, with the host facts when they changed: all or nothing. */
int archive_append(struct archive *ar, const struct sample *s,
                   const struct host_facts *host, char *err, size_t err_cap);

/* Compresses the finished archive PATH into PATH.gz crash-safely (temporary
 * file, fsync, rename, then the original removed).  ARCHIVE_BUSY when a
 * writer holds it or a journal shows an unfinished sample. */
int archive_compress(const char *path, char *err, size_t err_cap);

/* Opens PATH read-only (plain, or gzip-compressed: read in memory); never
 * writes to it, nor needs write access.  A plain file left with a hot
 * journal (its writer died mid-sample) is read in memory as its last
 * committed state.  A daily file X.db beside X.db.gz (either named) is
 * read as the union of the two, by second. */
int archive_open_reader(const char *path, struct archive **out,
                        char *err, size_t err_cap);

/* memcollect --maintain, for a finished day PATH (plain) beside PATH.gz:
 * removes PATH when PATH.gz holds every sample of it, equal; otherwise
 * writes their union into PATH.gz crash-safely, then removes PATH; keeps
 * both when samples of the same second differ (ARCHIVE_ERROR, err says). */
int archive_merge_day(const char *path, char *err, size_t err_cap);

/* memcollect --maintain, for a finished day PATH: rolls a hot journal left
 * by a dead writer back into the file for good (the writer's lock taken),
 * and removes a journal that holds nothing to undo.  ARCHIVE_BUSY when a
 * writer is alive. */
int archive_recover(const char *path, char *err, size_t err_cap);

/* Identities whose command line the collector should read before appending:
 * marks NEED[i] for every process of LIST not yet stored for this boot
 * (its static facts are stored once, with its first sample). */
int archive_new_identities(struct archive *ar, const char *boot_id,
                           const struct proc_list *list, unsigned char *need,
                           char *err, size_t err_cap);

/* What archive_each_sample() decodes beside the system-wide values. */
enum sample_parts { PART_PROCS = 1, PART_NUMA = 2 };

typedef int (*sample_fn)(const struct sample *s, void *ctx);
/* Calls FN for every sample with FROM <= ts <= TO, in time order; stops
 * early when FN returns non-zero.  With PART_PROCS, s->procs holds the
 * sample's processes (pid, ppid, uid, start_ticks, comm and cmdline from
 * their identity); a sample whose process data is damaged is passed with
 * procs.scanned == 0 and a warning on stderr.  With PART_NUMA, s->numa
 * holds the nodes.  The lists are valid only during the call. */
int archive_each_sample(struct archive *ar, int64_t from, int64_t to, unsigned parts,
                        sample_fn fn, void *ctx, char *err, size_t err_cap);
/* The host facts in force at TS (the earliest stored when none is older). */
int archive_host_at(struct archive *ar, int64_t ts, struct host_facts *out,
                    char *err, size_t err_cap);
/* Time of the first sample; ARCHIVE_ERROR with err empty when there is none. */
int archive_first_ts(struct archive *ar, int64_t *ts, char *err, size_t err_cap);
/* Time of the last sample, likewise. */
int archive_last_ts(struct archive *ar, int64_t *ts, char *err, size_t err_cap);

void archive_close(struct archive *ar);

#endif
