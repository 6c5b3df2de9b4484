#include "render.h"
int render_json(const struct render_ctx *ctx) { (void)ctx; return 0; }
