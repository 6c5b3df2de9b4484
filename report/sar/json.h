/* SPDX-License-Identifier: GPL-2.0-or-later */
/* memreport --format=json (json.c): one of the output formats of the sar selection, a render_fn. */
#ifndef MEMTRAIL_JSON_H
#define MEMTRAIL_JSON_H

#include "render.h"

int render_json(const struct render_ctx *ctx);

#endif
