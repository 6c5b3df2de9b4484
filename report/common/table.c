/* SPDX-License-Identifier: GPL-2.0-or-later */
/* CSV and JSON rows for the per-process and NUMA reports (see table.h). */
#include "table.h"

#include <string.h>
#include <time.h>

void iso_local(int64_t ts, char *buf, size_t cap)
{
    time_t t = (time_t)ts;
    struct tm tm;
    localtime_r(&t, &tm);
    long off = tm.tm_gmtoff;
    char sign = off < 0 ? '-' : '+';
    if (off < 0)
        off = -off;
    size_t n = strftime(buf, cap, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + n, cap - n, "%c%02ld:%02ld", sign, off / 3600, (off % 3600) / 60);
}

void spreadsheet_time(int64_t ts, char *buf, size_t cap)
{
    time_t t = (time_t)ts;
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(buf, cap, "%Y-%m-%dT%H:%M:%S", &tm);
}

void json_string(FILE *out, const char *s)
{
    fputc('"', out);
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        int n = utf8_length(p);
        if (n == 0 || *p < 0x20 || *p == 0x7f) {
            fprintf(out, "\\u%04x", *p);   /* a control, or a byte outside UTF-8 */
            p++;
        } else if (*p == '"' || *p == '\\') {
            fprintf(out, "\\%c", *p++);
        } else {
            fwrite(p, 1, (size_t)n, out);
            p += n;
        }
    }
    fputc('"', out);
}

/* Text a spreadsheet would evaluate as a formula: its first character is
 * one of OWASP's list (CSV injection). */
static int formula_like(const char *s)
{
    return *s && strchr("=+-@\t\r", *s);
}

void csv_string(FILE *out, const char *s)
{
    int formula = formula_like(s);
    if (!formula && !s[strcspn(s, ",\"\r\n;")]) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    if (formula)
        fputc('\'', out);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

void table_begin(struct table *t, const struct render_ctx *ctx, int json, const char *kind,
                 const char *const *cols, int ncols)
{
    t->out = ctx->out;
    t->json = json;
    t->cols = cols;
    t->ncols = ncols;
    t->rows = 0;
    if (!json) {
        for (int i = 0; i < ncols; i++)
            fprintf(t->out, "%s%s", i ? "," : "", cols[i]);
        fputs("\r\n", t->out);
        return;
    }
    const struct host_facts *h = &ctx->sr->host;
    fputs("{\"memtrail\": {\n\t\"report\": ", t->out);
    json_string(t->out, kind);
    fputs(",\n\t\"host\": {\"nodename\": ", t->out);
    json_string(t->out, h->nodename);
    fputs(", \"sysname\": ", t->out);
    json_string(t->out, h->sysname);
    fputs(", \"release\": ", t->out);
    json_string(t->out, h->release);
    fputs(", \"machine\": ", t->out);
    json_string(t->out, h->machine);
    fprintf(t->out, ", \"number-of-cpus\": %d, \"timezone\": ", h->ncpu > 0 ? h->ncpu : 1);
    json_string(t->out, h->timezone);
    fputs("},\n\t\"rows\": [", t->out);
}

static void cell_value(FILE *out, const struct cell *c, int json)
{
    char when[32];
    switch (c->type) {
    case CELL_NONE:
        break;
    case CELL_LOCAL_TIME:
        spreadsheet_time(c->i, when, sizeof when);
        fputs(when, out);
        break;
    case CELL_NULL:
        if (json)
            fputs("null", out);
        break;
    case CELL_STR:
        if (json)
            json_string(out, c->s);
        else
            csv_string(out, c->s);
        break;
    case CELL_INT:
        fprintf(out, "%lld", c->i);
        break;
    case CELL_UINT:
        fprintf(out, "%llu", c->u);
        break;
    case CELL_FIXED2:
        fprintf(out, "%.2f", c->d);
        break;
    }
}

void table_row(struct table *t, const struct cell *cells)
{
    if (!t->json) {
        for (int i = 0; i < t->ncols; i++) {
            if (i)
                fputc(',', t->out);
            cell_value(t->out, &cells[i], 0);
        }
        fputs("\r\n", t->out);
    } else {
        fputs(t->rows ? ",\n\t\t{" : "\n\t\t{", t->out);
        int first = 1;
        for (int i = 0; i < t->ncols; i++) {
            if (cells[i].type == CELL_NONE || cells[i].type == CELL_LOCAL_TIME)
                continue;
            fprintf(t->out, "%s\"%s\": ", first ? "" : ", ", t->cols[i]);
            cell_value(t->out, &cells[i], 1);
            first = 0;
        }
        fputc('}', t->out);
    }
    t->rows++;
}

void table_end(struct table *t)
{
    if (t->json)
        fputs(t->rows ? "\n\t]\n}}\n" : "]\n}}\n", t->out);
}
