/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The archive: the only module that speaks SQL.  A writer appends samples to
 * one SQLite file, one transaction per sample; a reader replays them into the
 * model.  The format is identified by application_id and user_version;
 * older versions are migrated forward by the writer and read by the reader.
 */
#ifndef MEMTRAIL_ARCHIVE_H
#define MEMTRAIL_ARCHIVE_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#include "model.h"

#define ARCHIVE_APP_ID 0x4D454D43  /* 'MEMC' */
#define ARCHIVE_FORMAT 2           /* user_version this code writes (2: proc_name) */

enum archive_status {
    ARCHIVE_OK = 0,
    ARCHIVE_ERROR = -1,      /* err says why */
    ARCHIVE_BUSY = -2,       /* another writer holds the archive */
    ARCHIVE_DUPLICATE = -3,  /* a sample for that second is already stored */
    ARCHIVE_NOT_OURS = -4,   /* not a memtrail archive (not SQLite, or not our schema) */
    ARCHIVE_TOO_NEW = -5,    /* written by a newer memtrail */
    ARCHIVE_MISSING = -6,    /* no such file */
    ARCHIVE_DAMAGED = -7     /* SQLite found the file damaged: err says where */
};

/* The sample times a reader accepts (1970 to 9999, UTC): a stored time
 * beyond them is damage, and arithmetic on it could overflow. */
#define ARCHIVE_TS_MIN 0
#define ARCHIVE_TS_MAX 253402300799LL

struct archive;

/* Opens (creating when absent, mode 0640) PATH for appending.  Waits up to
 * LOCK_WAIT_MS for another writer to finish, then gives ARCHIVE_BUSY.  PATH
 * may be "/proc/self/fd/N/NAME" (lib/safedir.h): SQLite then opens the file
 * and its journal through the directory descriptor N. */
int archive_open_writer(const char *path, int lock_wait_ms,
                        struct archive **out, char *err, size_t err_cap);
/* Appends one sample, with the host facts when they changed: all or nothing.
 * A sample older than some already stored (a day's .db merged into its
 * .db.gz) keeps its processes' names without changing those of the others. */
int archive_append(struct archive *ar, const struct sample *s,
                   const struct host_facts *host, char *err, size_t err_cap);
/* Whether the writer AR found its file empty when it took the lock and has
 * stored nothing since: a failed first sample left it without a sample
 * (perhaps without a schema), so its creator may remove it, with its
 * journal, before closing AR, and loses nothing.  A writer waiting for the
 * lock meanwhile opens the file anew. */
int archive_unused(const struct archive *ar);

/* A resident writer (memcollect --watch) keeps AR open between samples
 * without blocking the minute timer: archive_writer_pause() lets the
 * writer's lock go, archive_writer_resume() takes it again (waiting up to
 * LOCK_WAIT_MS, else ARCHIVE_BUSY) before the next append.  What another
 * writer changed meanwhile is read again; ARCHIVE_MISSING when the file was
 * removed or replaced meanwhile (the caller opens it anew). */
void archive_writer_pause(struct archive *ar);
int archive_writer_resume(struct archive *ar, int lock_wait_ms, char *err, size_t err_cap);

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
 * (its static facts are stored once, with its first sample), and for every
 * stored one whose comm is not the last one stored for it (it exec'd: the
 * append records the new name and command line).  Kernel threads never
 * count as renamed. */
int archive_new_identities(struct archive *ar, const char *boot_id,
                           const struct proc_list *list, unsigned char *need,
                           char *err, size_t err_cap);

/* What archive_each_sample() decodes beside the system-wide values. */
enum sample_parts { PART_PROCS = 1, PART_NUMA = 2, PART_CGROUPS = 4,
                   PART_OOM = 8 /* s->oom: the kernel log as that sample's collector read it */ };

typedef int (*sample_fn)(const struct sample *s, void *ctx);
/* Calls FN for every sample with FROM <= ts <= TO, in time order; stops
 * early when FN returns non-zero.  With PART_PROCS, s->procs holds the
 * sample's processes (pid, ppid, uid, start_ticks from their identity;
 * comm and cmdline as they were at that sample).  With PART_NUMA, s->numa holds the nodes.
 * Every sample comes with its memory pressure (s->psi_mem, available 0 when
 * none was recorded).
 * With PART_CGROUPS, s->cgroups holds the memory cgroups (version 0: none
 * recorded at that sample; items in no particular order, each path owned
 * by the list; the row "..." sums the cgroups beyond the collector's bound,
 * counted in aggregated).  The lists are
 * valid only during the call.  Damage costs only what it touches, with a
 * warning on stderr naming the file and the samples: a sample whose process
 * data (blob or identities), nodes or swap devices cannot be read is passed
 * without them (procs.scanned == 0, numa.available == 0, swaps.n == 0,
 * cgroups.version == 0); a
 * sample whose time is outside ARCHIVE_TS_MIN..MAX is not passed; a negative
 * value is left out.  ARCHIVE_DAMAGED when the samples themselves cannot be
 * read. */
int archive_each_sample(struct archive *ar, int64_t from, int64_t to, unsigned parts,
                        sample_fn fn, void *ctx, char *err, size_t err_cap);
/* The host facts in force at TS (the earliest stored when none is older). */
int archive_host_at(struct archive *ar, int64_t ts, struct host_facts *out,
                    char *err, size_t err_cap);
/* Time of the first sample; ARCHIVE_ERROR with err empty when there is none. */
int archive_first_ts(struct archive *ar, int64_t *ts, char *err, size_t err_cap);
/* Time of the last sample, likewise. */
int archive_last_ts(struct archive *ar, int64_t *ts, char *err, size_t err_cap);

/* memreport --verify: checks the archive PATH (plain or gzip-compressed)
 * without writing to it: its schema, PRAGMA integrity_check, and every
 * sample with all its parts as the reports read them, including each
 * process blob's CRC-32.  Prints one line per problem to OUT ("PATH: TABLE:
 * what: why") and counts them in PROBLEMS.  ARCHIVE_OK when sound,
 * ARCHIVE_DAMAGED when anything is damaged (or not an archive),
 * ARCHIVE_MISSING or ARCHIVE_ERROR when it could not be checked. */
int archive_verify(const char *path, FILE *out, unsigned long *problems);
/* archive_verify() of PATH, or of every daily file (.db and .db.gz) of the
 * directory PATH, with "FILE: ok" for each sound one.  The worst status. */
struct verify_totals { unsigned long files, damaged, unchecked; };
int archive_verify_path(const char *path, FILE *out, struct verify_totals *totals);

/* The kernel log (/dev/kmsg) and its OOM kills (archive/events.c). */
/* Where the latest sample of boot BOOT_ID left off reading the kernel log,
 * and the kernel's oom_kill counter then; FOUND 0 when no sample of that
 * boot read it. */
struct kmsg_position {
    int found;
    uint64_t next_seq;
    int has_oom_kill;
    uint64_t oom_kill;
};
int archive_kmsg_position(struct archive *ar, const char *boot_id, struct kmsg_position *pos,
                          char *err, size_t err_cap);
/* One stored kill: the victim, its boot, and the sample that recorded it. */
struct oom_kill_row {
    struct oom_event ev;       /* ev.ts is the kill's own time */
    char boot_id[BOOT_ID_LEN + 1];
    int64_t sample_ts;
};
typedef int (*oom_kill_fn)(const struct oom_kill_row *kill, void *ctx);
/* Calls FN for every kill with FROM <= time of the kill <= TO, in time
 * order; stops early when FN returns non-zero. */
int archive_each_oom_kill(struct archive *ar, int64_t from, int64_t to, oom_kill_fn fn,
                          void *ctx, char *err, size_t err_cap);
typedef int (*kmsg_loss_fn)(int64_t sample_ts, uint64_t lost, void *ctx);
/* Calls FN for every sample (FROM <= ts <= TO) whose collector found kernel
 * log records overwritten before it could read them: kills may be missing. */
int archive_each_kmsg_loss(struct archive *ar, int64_t from, int64_t to, kmsg_loss_fn fn,
                           void *ctx, char *err, size_t err_cap);

void archive_close(struct archive *ar);

#endif
