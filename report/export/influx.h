/* SPDX-License-Identifier: GPL-2.0-or-later */
/* memreport --format=influx: InfluxDB line protocol (influx.c): one of the export formats, an export_write_fn (xstore.h). */
#ifndef MEMTRAIL_INFLUX_H
#define MEMTRAIL_INFLUX_H

#include <stdio.h>

#include "xstore.h"

int write_influx(const struct xstore *x, FILE *out);

#endif
