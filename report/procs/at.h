/* SPDX-License-Identifier: GPL-2.0-or-later */
/* memreport --at TIME: the state at one moment (at.c). */
#ifndef MEMTRAIL_AT_H
#define MEMTRAIL_AT_H

#include "procview.h"

int render_at(const struct proc_report *r);

#endif
