/* SPDX-License-Identifier: GPL-2.0-or-later */
/* memreport --format=svg (svg.c): one of the capacity reports capacity_main() streams a window to. */
#ifndef MEMTRAIL_SVG_H
#define MEMTRAIL_SVG_H

#include "capacity.h"

int render_svg(const struct report_opts *o, struct render_ctx *ctx, const struct cap_window *w);

#endif
