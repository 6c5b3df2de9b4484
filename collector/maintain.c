/*
 * The daily maintenance of an archive directory (memcollect --maintain):
 * first delete days older than the days to keep, then compress finished
 * days older than the compress-after setting, then delete the oldest days
 * while the total size is above the cap.  Only files named as memcollect
 * names them (memtrail-YYYYMMDD.db, and .db.gz) are touched; today's file
 * never.  Ages count local calendar days, by the date in the name.
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

static int remove_file(int dirfd, const char *dir, struct day_file *f)
{
    if (unlinkat(dirfd, f->name, 0) != 0 && errno != ENOENT) {
        char what[PATH_MAX + 80];
        snprintf(what, sizeof what, "%s/%s", dir, f->name);
        report_error(what, strerror(errno));
        return -1;
    }
    f->size = 0;
    f->day = 0;   /* gone */
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
        if (!f->day || f->compressed || !o->compress_after ||
            now - day_number(f->day) < o->compress_after || f->day == today())
            continue;
        /* a crash between rename and unlink left both: the .gz is complete */
        if (i + 1 < n && files[i + 1].day == f->day && files[i + 1].compressed) {
            if (remove_file(dirfd, dir, f) != 0)
                status = 2;
            continue;
        }
        char path[PATH_MAX + 80], err[512], through[PATH_MAX];
        snprintf(path, sizeof path, "%s/%s", dir, f->name);
        safedir_name(at, f->name, through, sizeof through);
        int rc = archive_compress(through, err, sizeof err);
        if (rc != ARCHIVE_OK) {
            safedir_shown(at, dir, err, through, sizeof through);
            report_error(path, through);
            if (rc != ARCHIVE_BUSY)
                status = 2;
            continue;
        }
        struct stat st;
        f->compressed = 1;
        snprintf(f->name + strlen(f->name), sizeof f->name - strlen(f->name), ".gz");
        f->size = fstatat(dirfd, f->name, &st, 0) == 0 ? (long long)st.st_size : 0;
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
