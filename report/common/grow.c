/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Arrays that double as they fill (see grow.h). */
#include "grow.h"

#include <stdlib.h>

int grow_array(void **array, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return 0;
    size_t cap2 = *cap ? *cap * 2 : 4;   /* small: some arrays are one per process */
    while (cap2 < need)
        cap2 *= 2;
    void *grown = realloc(*array, cap2 * size);
    if (!grown)
        return -1;
    *array = grown;
    *cap = cap2;
    return 0;
}
