/* SPDX-License-Identifier: GPL-2.0-or-later */
/* memreport --growth: the processes ranked by how much they grew (growth.c). */
#ifndef MEMTRAIL_GROWTH_H
#define MEMTRAIL_GROWTH_H

#include "procview.h"

int render_growth(const struct proc_report *r);

#endif
