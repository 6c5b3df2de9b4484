/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * memcollect --textfile: the sample just stored, published as memtrail.prom
 * for node_exporter's textfile collector (Prometheus text format 0.0.4).
 */
#ifndef MEMTRAIL_TEXTFILE_H
#define MEMTRAIL_TEXTFILE_H

#include <stddef.h>

#include "model.h"

#define TEXTFILE_NAME "memtrail.prom"
#define TEXTFILE_TOP_DEFAULT 10   /* process groups published */
#define TEXTFILE_TOP_MAX 1000     /* a bound on label cardinality */

/* Replaces DIR/memtrail.prom atomically with S's metrics, TOP process groups
 * at most.  0, or -1 with ERR saying why (the file is then left as it was). */
int textfile_write(const char *dir, unsigned top, const struct sample *s, char *err, size_t cap);

#endif
