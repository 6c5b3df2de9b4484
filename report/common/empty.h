/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The empty window: every report whose window holds no sample says so in one
 * line on stderr and exits 0, as sar exits 0 (printing only its banner).
 * Only --at, which must name one sample, makes it an error (exit 2).
 */
#ifndef MEMTRAIL_EMPTY_H
#define MEMTRAIL_EMPTY_H

#define EMPTY_WINDOW_TEXT "no sample in the selected window"

/* "memreport: no sample in the selected window" on stderr. */
void say_empty_window(void);

#endif
