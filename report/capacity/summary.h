/* SPDX-License-Identifier: GPL-2.0-or-later */
/* memreport --summary=hour|day|week (summary.c): one of the capacity reports capacity_main() streams a window to. */
#ifndef MEMTRAIL_SUMMARY_H
#define MEMTRAIL_SUMMARY_H

#include "capacity.h"

int render_summary(const struct report_opts *o, struct render_ctx *ctx, const struct cap_window *w);

#endif
