/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Helpers shared by memcollect and memreport (see util.h). */
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

const char *progname = "memtrail";

void report_error(const char *what, const char *why)
{
    if (why && *why)
        fprintf(stderr, "%s: %s: %s\n", progname, what, why);
    else
        fprintf(stderr, "%s: %s\n", progname, what);
}

int all_digits(const char *text)
{
    if (!*text)
        return 0;
    for (; *text; text++)
        if (*text < '0' || *text > '9')
            return 0;
    return 1;
}

int parse_long_arg(const char *text, long min, long max, long *out)
{
    if (!all_digits(text))
        return -1;
    errno = 0;
    char *end;
    long v = strtol(text, &end, 10);
    if (errno || *end || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

int is_directory(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

void copy_text(char *dst, size_t cap, const char *src)
{
    if (cap == 0)
        return;
    size_t n = src ? strlen(src) : 0;
    if (n >= cap)
        n = cap - 1;
    if (n)
        memcpy(dst, src, n);
    dst[n] = '\0';
}
