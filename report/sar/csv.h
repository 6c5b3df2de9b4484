/* SPDX-License-Identifier: GPL-2.0-or-later */
/* memreport --format=csv (csv.c): one of the output formats of the sar selection, a render_fn. */
#ifndef MEMTRAIL_CSV_H
#define MEMTRAIL_CSV_H

#include "render.h"

int render_csv(const struct render_ctx *ctx);

#endif
