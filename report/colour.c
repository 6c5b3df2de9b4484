/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sar's S_COLORS and S_COLORS_SGR (see colour.h). */
#include "colour.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* sar's defaults (man sar, S_COLORS_SGR) and its reset code. */
static const struct sgr_palette sar_defaults = {
    .zero = "\033[34;22m",   .value = "\033[34;1m",  .pct_mid = "\033[35;1m",
    .pct_high = "\033[31;1m", .item = "\033[32;22m", .restart = "\033[31;22m",
    .comment = "\033[33;22m", .normal = "\033[0m",
};

/* sar colours when S_COLORS is always, or when it is unset or anything but
 * never and FD is a terminal. */
static int colours_wanted(int fd)
{
    const char *mode = getenv("S_COLORS");
    if (mode && strcmp(mode, "never") == 0)
        return 0;
    return (mode && strcmp(mode, "always") == 0) || isatty(fd);
}

/* The slot of capability letter C, or NULL for one sar does not know. */
static char *slot(struct sgr_palette *p, char c)
{
    switch (c) {
    case 'Z': return p->zero;
    case 'N': return p->value;
    case 'M': return p->pct_mid;
    case 'H': return p->pct_high;
    case 'I': return p->item;
    case 'R': return p->restart;
    case 'C': return p->comment;
    default: return NULL;
    }
}

/* One "X=codes" entry; malformed ones are ignored, as sar ignores them. */
static void apply_entry(struct sgr_palette *p, const char *entry, size_t len)
{
    if (len < 3 || len > 7 || entry[1] != '=')
        return;
    for (size_t k = 2; k < len; k++)
        if (!strchr(";0123456789", entry[k]))
            return;
    char *dest = slot(p, entry[0]);
    if (dest)
        snprintf(dest, SGR_MAX, "\033[%.*sm", (int)(len - 2), entry + 2);
}

int sgr_palette_init(struct sgr_palette *p, int fd)
{
    if (!colours_wanted(fd)) {
        memset(p, 0, sizeof *p);
        return 0;
    }
    *p = sar_defaults;
    const char *spec = getenv("S_COLORS_SGR");
    while (spec && *spec) {   /* colon-separated, empty entries skipped as strtok does */
        size_t len = strcspn(spec, ":");
        apply_entry(p, spec, len);
        spec += len + (spec[len] == ':');
    }
    return 1;
}

const char *sgr_for_count(const struct sgr_palette *p, unsigned long long count)
{
    return count ? p->value : p->zero;
}

/* sar's test for "prints as zero": below half the last decimal's unit. */
static int prints_as_zero(double v, int decimals)
{
    if (decimals == 0)
        return v <= 0.5 && v >= -0.5;
    double lim = decimals == 1 ? 0.05 : 0.005;
    return v < lim && v > -lim;
}

const char *sgr_for_decimal(const struct sgr_palette *p, double v, int decimals)
{
    return prints_as_zero(v, decimals) ? p->zero : p->value;
}

const char *sgr_for_percent(const struct sgr_palette *p, double v, int decimals)
{
    if (v >= 75.0)
        return p->pct_high;
    if (v >= 50.0)
        return p->pct_mid;
    /* cprintf_pc has no lower bound: a negative percentage is "zero" too */
    if (decimals == 0 ? v <= 0.5 : v < (decimals == 1 ? 0.05 : 0.005))
        return p->zero;
    return p->value;
}
