/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The daily maintenance of an archive directory (memcollect --maintain):
 * first delete days older than the days to keep, then compress finished
 * days older than the compress-after setting, then delete the oldest days
 * while the total size is above the cap.  Only files named as memcollect
 * names them (memtrail-YYYYMMDD.db, .db.gz, and a .db's -journal) are
 * touched; today's file never.  Ages count local calendar days, by the date
 * in the name.  A journal left by a collector that died mid-sample is rolled
 * back before anything else is done to its day, goes with its day, and is
 * removed when its day is gone; a day in both a .db and a .db.gz loses its
 * .db only once the .db.gz holds every sample of it.
 */
#define _GNU_SOURCE
#include "maintain.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "archive.h"
#include "util.h"

struct day_file {
    char name[64];
    long day;              /* YYYYMMDD */
    int compressed;
    long long size;
};

/* Days since the epoch of a YYYYMMDD date (noon, so DST never shifts it). */
static long day_number(long yyyymmdd)
{
    struct tm tm = { .tm_year = (int)(yyyymmdd / 10000) - 1900,
                     .tm_mon = (int)(yyyymmdd / 100 % 100) - 1,
                     .tm_mday = (int)(yyyymmdd % 100), .tm_hour = 12, .tm_isdst = -1 };
    return (long)(mktime(&tm) / 86400);
}

static long today(void)
{
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    return (tm.tm_year + 1900L) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
}

/* Whether NAME is memtrail-YYYYMMDD.db[.gz]; fills F. */
static int parse_name(const char *name, struct day_file *f)
{
    long day;
    char rest[8] = "";
    int used = 0;
    if (strlen(name) >= sizeof f->name ||
        sscanf(name, "memtrail-%8ld%n", &day, &used) != 1 || used != 17)
        return 0;
    snprintf(rest, sizeof rest, "%s", name + used);
    if (strcmp(rest, ".db") != 0 && strcmp(rest, ".db.gz") != 0)
        return 0;
    snprintf(f->name, sizeof f->name, "%s", name);
    f->day = day;
    f->compressed = strcmp(rest, ".db.gz") == 0;
    return day > 19700101 && day < 99991231;
}

static int by_day(const void *a, const void *b)
{
    const struct day_file *x = a, *y = b;
    if (x->day != y->day)
        return x->day < y->day ? -1 : 1;
    return x->compressed - y->compressed;
}

/* Whether NAME is memtrail-YYYYMMDD.db-journal without its .db: nothing
 * can ever use it (a writer's journal always has its database). */
static int is_orphan_journal(int dirfd, const char *name)
{
    struct day_file f;
    char db[64];
    size_t len = strlen(name);
    if (len != 28 || strcmp(name + 17, ".db-journal") != 0)
        return 0;
    snprintf(db, sizeof db, "%.20s", name);
    struct stat st;
    return parse_name(db, &f) && fstatat(dirfd, db, &st, AT_SYMLINK_NOFOLLOW) != 0 &&
           errno == ENOENT;
}

/* The day files of DIR, oldest first; stale temporary files removed. */
static struct day_file *list_days(int dirfd, size_t *n)
{
    DIR *d = fdopendir(dup(dirfd));
    struct day_file *files = NULL;
    *n = 0;
    if (!d)
        return NULL;
    struct dirent *de;
    while ((de = readdir(d))) {
        struct day_file f;
        struct stat st;
        size_t len = strlen(de->d_name);
        if (len > 11 && strcmp(de->d_name + len - 11, ".db.gz.tmp") == 0 &&
            strncmp(de->d_name, "memtrail-", 9) == 0) {
            unlinkat(dirfd, de->d_name, 0);   /* an interrupted compression */
            continue;
        }
        if (is_orphan_journal(dirfd, de->d_name)) {
            unlinkat(dirfd, de->d_name, 0);   /* its day was removed before */
            continue;
        }
        if (!parse_name(de->d_name, &f) ||
            fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode))
            continue;
        f.size = (long long)st.st_size;
        struct day_file *grown = realloc(files, (*n + 1) * sizeof *grown);
        if (!grown)
            break;
        files = grown;
        files[(*n)++] = f;
    }
    closedir(d);
    if (*n > 1)
        qsort(files, *n, sizeof *files, by_day);
    return files;
}

/* Removes F, then (a plain day) its journal, which is of no use without it. */
static int remove_file(int dirfd, const char *dir, struct day_file *f)
{
    char journal[80];
    snprintf(journal, sizeof journal, "%s-journal", f->name);
    if ((unlinkat(dirfd, f->name, 0) != 0 && errno != ENOENT) ||
        (!f->compressed && unlinkat(dirfd, journal, 0) != 0 && errno != ENOENT)) {
        char what[PATH_MAX + 80];
        snprintf(what, sizeof what, "%s/%s", dir, f->name);
        report_error(what, strerror(errno));
        return -1;
    }
    f->size = 0;
    f->day = 0;   /* gone */
    return 0;
}

/* What happened to F's file, said with the directory's name as the user gave it. */
static void report_day(const struct safedir *at, const char *dir, const struct day_file *f,
                       const char *err)
{
    char path[PATH_MAX + 80], shown[1024];
    snprintf(path, sizeof path, "%s/%s", dir, f->name);
    safedir_shown(at, dir, err, shown, sizeof shown);
    report_error(path, shown);
}

/* A journal of F left by a collector that died mid-sample, rolled back. */
static int recover_day(const struct safedir *at, const char *dir, const struct day_file *f)
{
    char through[PATH_MAX], err[1024];
    safedir_name(at, f->name, through, sizeof through);
    int rc = archive_recover(through, err, sizeof err);
    if (rc == ARCHIVE_OK)
        return 0;
    report_day(at, dir, f, err);
    return rc == ARCHIVE_BUSY ? 0 : -1;
}

/* F compressed; or, with its .db.gz GZ already there, merged into it. */
static int compress_day(const struct safedir *at, const char *dir, struct day_file *f,
                        struct day_file *gz)
{
    char through[PATH_MAX], err[1024];
    safedir_name(at, f->name, through, sizeof through);
    int rc = gz ? archive_merge_day(through, err, sizeof err)
                : archive_compress(through, err, sizeof err);
    if (rc != ARCHIVE_OK) {
        report_day(at, dir, f, err);
        return rc == ARCHIVE_BUSY ? 0 : -1;
    }
    struct stat st;
    char gz_name[sizeof f->name + 4];
    snprintf(gz_name, sizeof gz_name, "%s.gz", f->name);
    long long size = fstatat(at->fd, gz_name, &st, 0) == 0 ? (long long)st.st_size : 0;
    if (gz) {
        gz->size = size;
        f->size = 0;
        f->day = 0;   /* held by the .gz now */
        return 0;
    }
    f->compressed = 1;
    f->size = size;
    snprintf(f->name + strlen(f->name), sizeof f->name - strlen(f->name), ".gz");
    return 0;
}

int maintain_directory(const char *dir, const struct safedir *at, const struct maintain_options *o)
{
    int dirfd = at->fd;
    size_t n;
    struct day_file *files = list_days(dirfd, &n);
    long now = day_number(today());
    int status = 0;

    for (size_t i = 0; i < n; i++) {
        long age = now - day_number(files[i].day);
        if (o->keep_days > 0 && age > o->keep_days && remove_file(dirfd, dir, &files[i]) != 0)
            status = 2;
    }
    for (size_t i = 0; i < n; i++) {
        struct day_file *f = &files[i];
        if (!f->day || f->compressed || f->day == today())
            continue;
        if (recover_day(at, dir, f) != 0) {
            status = 2;
            f->day = 0;   /* left as it is */
            continue;
        }
        if (!o->compress_after || now - day_number(f->day) < o->compress_after)
            continue;
        int beside_gz = i + 1 < n && files[i + 1].day == f->day && files[i + 1].compressed;
        if (compress_day(at, dir, f, beside_gz ? &files[i + 1] : NULL) != 0)
            status = 2;
    }
    long long total = 0;
    for (size_t i = 0; i < n; i++)
        total += files[i].size;
    for (size_t i = 0; o->max_bytes > 0 && total > o->max_bytes && i < n; i++) {
        if (!files[i].day || files[i].day == today())
            continue;
        long long size = files[i].size;
        if (remove_file(dirfd, dir, &files[i]) == 0)
            total -= size;
        else
            status = 2;
    }
    free(files);
    return status;
}
