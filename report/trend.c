/* memreport --trend (capacity.h): being written. */
#include <stdio.h>

#include "capacity.h"
#include "util.h"

int render_trend(const struct report_opts *o, struct render_ctx *ctx, const struct cap_window *w)
{
    (void)o; (void)ctx; (void)w;
    fprintf(stderr, "%s: not implemented yet\n", progname);
    return 1;
}
