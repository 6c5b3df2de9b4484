/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sar 12.6.1's colours (sysstat's common.c: init_colors and the cprintf_*
 * functions), for the sar text activities: the same S_COLORS (auto, the
 * default: only on a terminal; always; never) and S_COLORS_SGR
 * ("N=34;1:Z=34;22:...") with the same defaults, the same choice of code
 * for each value, and the same bytes around it.
 */
#ifndef MEMTRAIL_COLOUR_H
#define MEMTRAIL_COLOUR_H

#include <stdio.h>

#define SGR_MAX 16   /* sysstat's MAX_SGR_LEN: "\e[" + at most 5 characters + "m" */

struct sgr_palette {
    char zero[SGR_MAX];       /* Z: a value that prints as zero */
    char value[SGR_MAX];      /* N: any other value */
    char pct_mid[SGR_MAX];    /* M: a percentage from 50 to 75 */
    char pct_high[SGR_MAX];   /* H: a percentage of 75 or more */
    char item[SGR_MAX];       /* I: item names (sar's devices, CPUs) */
    char restart[SGR_MAX];    /* R: LINUX RESTART */
    char comment[SGR_MAX];    /* C: comments */
    char normal[SGR_MAX];     /* after each coloured field */
};

/* Fills P as sar does for text written to the descriptor FD: 1 with the
 * codes (defaults, then S_COLORS_SGR's well-formed entries), or 0 with all
 * of them empty (S_COLORS=never, or not a terminal unless S_COLORS=always). */
int sgr_palette_init(struct sgr_palette *p, int fd);

/* The code before a value, as sar's cprintf_u64 (COUNT, an integer),
 * cprintf_f and cprintf_pc (a value printed with DECIMALS decimals) choose it. */
const char *sgr_for_count(const struct sgr_palette *p, unsigned long long count);
const char *sgr_for_decimal(const struct sgr_palette *p, double v, int decimals);
const char *sgr_for_percent(const struct sgr_palette *p, double v, int decimals);

#endif
