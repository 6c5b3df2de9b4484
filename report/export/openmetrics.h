/* SPDX-License-Identifier: GPL-2.0-or-later */
/* memreport --format=openmetrics (openmetrics.c): one of the export formats, an export_write_fn (xstore.h). */
#ifndef MEMTRAIL_OPENMETRICS_H
#define MEMTRAIL_OPENMETRICS_H

#include <stdio.h>

#include "xstore.h"

int write_openmetrics(const struct xstore *x, FILE *out);

#endif
