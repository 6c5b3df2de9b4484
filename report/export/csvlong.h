/* SPDX-License-Identifier: GPL-2.0-or-later */
/* memreport --format=csv-long (csvlong.c): one of the export formats, an export_write_fn (xstore.h). */
#ifndef MEMTRAIL_CSVLONG_H
#define MEMTRAIL_CSVLONG_H

#include <stdio.h>

#include "xstore.h"

int write_csv_long(const struct xstore *x, FILE *out);

#endif
