/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Small helpers both programs use: number parsing and error reporting. */
#ifndef MEMTRAIL_UTIL_H
#define MEMTRAIL_UTIL_H

#include <stddef.h>

extern const char *progname;

/* "progname: what: why" on stderr. */
void report_error(const char *what, const char *why);
/* Parses a whole decimal string into [MIN, MAX]; -1 when it is not one. */
int parse_long_arg(const char *text, long min, long max, long *out);
/* Whether TEXT is non-empty and all digits. */
int all_digits(const char *text);
/* Copies SRC (NULL: "") into DST of CAP bytes, cut to fit, always terminated. */
void copy_text(char *dst, size_t cap, const char *src);
/* Whether PATH names an existing directory (following symlinks). */
int is_directory(const char *path);

#endif
