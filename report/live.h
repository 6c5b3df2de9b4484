/* SPDX-License-Identifier: GPL-2.0-or-later */
/* memreport's live mode: sample /proc now, print as sar's live mode does. */
#ifndef MEMTRAIL_LIVE_H
#define MEMTRAIL_LIVE_H

#include "render.h"

/* INTERVAL 0 prints one row of values since boot; COUNT 0 runs until
 * interrupted; SIGINT ends the rows and prints the Average. */
int live_run(struct render_ctx *ctx, const struct window *w, long interval, long count);

#endif
