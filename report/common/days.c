/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The daily archives of a directory (see days.h). */
#define _GNU_SOURCE
#include "days.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

long local_day(int64_t epoch)
{
    time_t t = (time_t)epoch;
    struct tm tm;
    if (!localtime_r(&t, &tm))
        return 0;
    return (tm.tm_year + 1900L) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
}

void day_path(const char *dir, long day, char *out, size_t cap)
{
    snprintf(out, cap, "%s/memtrail-%08ld.db.gz", dir, day);
    if (access(out, F_OK) != 0)
        snprintf(out, cap, "%s/memtrail-%08ld.db", dir, day);
}

/* The day of a daily file's NAME in D, or -1 when NAME is not one to read:
 * a plain day, or a compressed one unless its plain copy is still there (an
 * interrupted compression leaves both, the same). */
static long day_of(DIR *d, const char *name)
{
    long day;
    int used = 0;
    if (sscanf(name, "memtrail-%8ld%n", &day, &used) != 1 || used != 17)
        return -1;
    const char *tail = name + used;
    char plain[64];
    snprintf(plain, sizeof plain, "memtrail-%08ld.db", day);
    if (strcmp(tail, ".db") != 0 &&
        (strcmp(tail, ".db.gz") != 0 || faccessat(dirfd(d), plain, F_OK, 0) == 0))
        return -1;
    return day;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Appends DIR/NAME to *PATHS; -1 when out of memory. */
static int add_path(char ***paths, size_t *n, const char *dir, const char *name)
{
    char **grown = realloc(*paths, (*n + 1) * sizeof *grown);
    if (!grown)
        return -1;
    *paths = grown;
    size_t len = strlen(dir) + 1 + strlen(name) + 1;
    if (!(grown[*n] = malloc(len)))
        return -1;
    snprintf(grown[*n], len, "%s/%s", dir, name);
    (*n)++;
    return 0;
}

int days_list(const char *dir, long first, long last, char ***paths, size_t *n)
{
    *paths = NULL;
    *n = 0;
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    struct dirent *de;
    int status = 0;
    while (status == 0 && (de = readdir(d))) {
        long day = day_of(d, de->d_name);
        if (day >= 0 && day >= first && day <= last)
            status = add_path(paths, n, dir, de->d_name);
    }
    closedir(d);
    if (status != 0) {
        days_free(*paths, *n);
        *paths = NULL;
        *n = 0;
        errno = ENOMEM;
        return -1;
    }
    /* one directory: the paths sort as their names, and the names by date */
    if (*n > 1)
        qsort(*paths, *n, sizeof **paths, by_name);
    return 0;
}

void days_free(char **paths, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(paths[i]);
    free(paths);
}
