/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * memreport --bursts: the bursts of second-by-second samples memcollect
 * --watch took while memory was under pressure (archive/bursts.h), one row
 * each: start, end, length, samples, peak pressure, OOM kills and what woke
 * the watcher.  The index an on-call engineer opens first: then -s/-e
 * around a burst shows it at 1 s.
 */
#ifndef MEMTRAIL_BURSTVIEW_H
#define MEMTRAIL_BURSTVIEW_H

#include "options.h"

/* Lists the bursts of O->file (a file, or a directory's days) in O's window
 * (-s/-e, --since/--until; a directory without one: its day, -1 ...) as
 * text, CSV or JSON, to O->output or stdout.  Its exit status: 0, 2 when no
 * archive could be read or the output not written whole. */
int list_bursts(const struct report_opts *o);

#endif
