/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * memreport --format=openmetrics: the OpenMetrics text format as Prometheus's
 * backfill (promtool tsdb create-blocks-from openmetrics) takes it, the rules
 * measured in peers.md section 3.1:
 *   - family after family, each family's series one after the other, each
 *     series' points in strictly increasing time (export.c drops any other);
 *   - timestamps in whole seconds; values integers (bytes, pages, counts),
 *     but for the pressure's seconds and percentages, exact decimals;
 *   - "# HELP", "# TYPE" (gauge, counter or, for node_exporter's untyped
 *     vmstat metrics, unknown) and "# UNIT" only where the name ends in
 *     "_" UNIT; counters' samples are named FAMILY_total;
 *   - labels instance (the host name) and job="memtrail" first; label
 *     values escaped (backslash, double quote, line feed) and valid UTF-8;
 *   - no blank line, and "# EOF" last.
 */
#include <stdio.h>
#include <string.h>

#include "openmetrics.h"
#include "util.h"
#include "xtext.h"

static const char *const type_names[] = {
    [X_GAUGE] = "gauge", [X_COUNTER] = "counter", [X_UNKNOWN] = "unknown",
};

/* The host as a label value. */
static void instance_value(const char *host, char *out)
{
    const unsigned char *u = (const unsigned char *)host;
    char *p = out;
    for (; *u; u++) {
        if (*u == '\\' || *u == '"')
            *p++ = '\\';
        if (*u == '\n') {
            *p++ = '\\';
            *p++ = 'n';
        } else if (*u >= 0x80) {   /* host names are ASCII; keep any other byte valid UTF-8 */
            *p++ = (char)(0xC0 | (*u >> 6));
            *p++ = (char)(0x80 | (*u & 0x3F));
        } else {
            *p++ = (char)*u;
        }
    }
    *p = '\0';
}

/* V / DIVISOR (a power of ten) exactly, with as many decimals as it has zeros. */
static char *decimal(char *p, int64_t v, int64_t divisor)
{
    if (v < 0) {
        *p++ = '-';
        v = v == INT64_MIN ? INT64_MAX : -v;
    }
    p = x_itoa(p, v / divisor);
    *p++ = '.';
    int64_t fraction = v % divisor;
    for (int64_t d = divisor / 10; d >= 1; d /= 10) {
        *p++ = (char)('0' + fraction / d);
        fraction %= d;
    }
    return p;
}

int write_openmetrics(const struct xstore *x, FILE *out)
{
    char inst[65 * 3 + 1];
    instance_value(x->host, inst);
    char prefix[8192];
    char line[8192 + 64];
    unsigned long refused = 0;
    for (size_t f = 0; f < x->nfamilies; f++) {
        const struct xfamily *fam = &x->families[f];
        size_t points = 0;
        for (size_t k = 0; k < fam->n; k++)
            points += x->series[fam->series[k]].n;
        if (!points)
            continue;
        fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", fam->name, fam->help, fam->name,
                type_names[fam->type]);
        if (fam->unit)
            fprintf(out, "# UNIT %s %s\n", fam->name, fam->unit);
        for (size_t k = 0; k < fam->n; k++) {
            const struct xseries *se = &x->series[fam->series[k]];
            if (!se->n)
                continue;
            int n = snprintf(prefix, sizeof prefix, "%s%s{instance=\"%s\",job=\"memtrail\"%s%s} ",
                             fam->name, fam->type == X_COUNTER ? "_total" : "", inst,
                             se->labels[0] ? "," : "", se->labels);
            if (n < 0 || (size_t)n >= sizeof prefix)
                return -1;
            memcpy(line, prefix, (size_t)n);
            for (size_t i = 0; i < se->n; i++) {
                char *p = line + n;
                int64_t value;
                if (se->scale < 0) {
                    p = decimal(p, se->pts[i].v, -se->scale);
                } else if (__builtin_mul_overflow(se->pts[i].v, se->scale, &value)) {
                    refused++;
                    continue;
                } else {
                    p = x_itoa(p, value);
                }
                *p++ = ' ';
                p = x_itoa(p, se->pts[i].ts);
                *p++ = '\n';
                fwrite(line, 1, (size_t)(p - line), out);
            }
        }
    }
    fputs("# EOF\n", out);
    if (refused)   /* archive values no counter or size reaches: damage */
        fprintf(stderr, "%s: warning: %lu values out of range (bytes past 2^63):"
                " left out\n", progname, refused);
    return 0;
}
