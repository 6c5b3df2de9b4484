/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Arrays that double as they fill: the report side keeps everything it
 * reads in growing arrays, and one function grows them all.
 */
#ifndef MEMTRAIL_GROW_H
#define MEMTRAIL_GROW_H

#include <stddef.h>

/* Makes *ARRAY (of *CAP elements of SIZE bytes) hold at least NEED,
 * doubling; 0, or -1 when out of memory (the array is then unchanged). */
int grow_array(void **array, size_t *cap, size_t need, size_t size);

#endif
