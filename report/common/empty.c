/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The one line every report prints for an empty window (empty.h). */
#include "empty.h"

#include <stdio.h>

#include "util.h"

void say_empty_window(void)
{
    fprintf(stderr, "%s: %s\n", progname, EMPTY_WINDOW_TEXT);
}
