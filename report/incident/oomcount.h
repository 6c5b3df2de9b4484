/* SPDX-License-Identifier: GPL-2.0-or-later */
/* memreport --oom: OOM kills per interval, from /proc/vmstat's oom_kill counter. */
#ifndef MEMTRAIL_OOMCOUNT_H
#define MEMTRAIL_OOMCOUNT_H

#include "procview.h"

int render_oom(const struct proc_report *r);

#endif
