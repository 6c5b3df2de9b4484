/* SPDX-License-Identifier: GPL-2.0-or-later */
/* memreport --trend (trend.c): one of the capacity reports capacity_main() streams a window to. */
#ifndef MEMTRAIL_TREND_H
#define MEMTRAIL_TREND_H

#include "capacity.h"

int render_trend(const struct report_opts *o, struct render_ctx *ctx, const struct cap_window *w);

#endif
