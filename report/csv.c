/* CSV stub replaced below */
#include "render.h"
int render_csv(const struct render_ctx *ctx) { (void)ctx; return 0; }
