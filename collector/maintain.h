/* SPDX-License-Identifier: GPL-2.0-or-later */
/* memcollect --maintain: retention and compression of a directory's daily files. */
#ifndef MEMTRAIL_MAINTAIN_H
#define MEMTRAIL_MAINTAIN_H

#include "safedir.h"

struct maintain_options {
    long keep_days;        /* delete days older than this (0: keep all) */
    long compress_after;   /* compress finished days older than this (0: never) */
    long long max_bytes;   /* then delete the oldest while the total is above (0: no cap) */
};

/* Runs one maintenance pass over DIR, opened as AT (lib/safedir.h: every
 * file is reached through it).  Returns 0, or 2 when something could not be
 * done (each failure said on stderr; the rest is still done). */
int maintain_directory(const char *dir, const struct safedir *at, const struct maintain_options *o);

#endif
