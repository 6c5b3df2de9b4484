/* SPDX-License-Identifier: GPL-2.0-or-later */
/* memreport --growth --cgroup: the cgroups ranked by the memory they added. */
#ifndef MEMTRAIL_CGGROWTH_H
#define MEMTRAIL_CGGROWTH_H

#include "procview.h"

int render_cgroup_growth(const struct proc_report *r);

#endif
