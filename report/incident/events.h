/* SPDX-License-Identifier: GPL-2.0-or-later */
/* memreport --events: the OOM kills of the window, with their victims. */
#ifndef MEMTRAIL_EVENTS_H
#define MEMTRAIL_EVENTS_H

#include "procview.h"

int render_events(const struct proc_report *r);

/* The span of the window's records the incident reports cover: kills and
 * readings after the first record (from the start of what was read when no
 * -s/--since was given) up to the last.  0 when the window is empty. */
int incident_span(const struct proc_report *r, int64_t *from, int64_t *to);

#endif
