/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The daily archives of a directory: memcollect writes one file per local
 * day, DIR/memtrail-YYYYMMDD.db, and memcollect --maintain compresses the
 * older ones to .db.gz.  The sar-like replay and the capacity reports both
 * pick a window's files here, so that they agree on which files a window
 * reads.
 */
#ifndef MEMTRAIL_DAYS_H
#define MEMTRAIL_DAYS_H

#include <stddef.h>
#include <stdint.h>

/* The local date of an instant as YYYYMMDD (0 when it has none). */
long local_day(int64_t epoch);
/* The file of local day DAY in DIR: the compressed one when it is there,
 * else the plain one (which may not exist either). */
void day_path(const char *dir, long day, char *out, size_t cap);
/* The daily files of DIR from local day FIRST to LAST (YYYYMMDD), as
 * "DIR/name" paths in date order, one per day: a plain file, or a
 * compressed one whose plain copy is gone (archive_open_reader() reads a
 * day that has both as their union).  0, or -1 with errno when DIR cannot be read or memory
 * runs out.  Free the paths with days_free. */
int days_list(const char *dir, long first, long last, char ***paths, size_t *n);
void days_free(char **paths, size_t n);

#endif
