/* SPDX-License-Identifier: GPL-2.0-or-later */
/* memreport --format=sadf: sadf -d's lines (sadf.c): one of the output formats of the sar selection, a render_fn. */
#ifndef MEMTRAIL_SADF_H
#define MEMTRAIL_SADF_H

#include "render.h"

int render_sadf(const struct render_ctx *ctx);

#endif
