/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * JSON in the structure of sadf -j (sysstat 12.6.1): one host object with
 * its statistics array, one element per sample shown holding the selected
 * outputs ("swap-pages", "paging", "memory", "hugepages"), then the
 * restarts.  Times are UTC as sadf gives them; numbers never take the
 * locale's decimal comma.
 */
#include <string.h>

#include "json.h"
#include "table.h"

static void date_time(int64_t ts, char *date, char *time)
{
    time_t t = (time_t)ts;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(date, 16, "%Y-%m-%d", &tm);
    strftime(time, 16, "%H:%M:%S", &tm);
}

static void host_header(const struct render_ctx *ctx)
{
    const struct host_facts *h = &ctx->sr->host;
    char date[16], time[16];
    date_time(ctx->file_ts, date, time);
    FILE *o = ctx->out;
    fputs("{\"sysstat\": {\n\t\"hosts\": [\n\t\t{\n\t\t\t\"nodename\": ", o);
    json_string(o, h->nodename);
    fputs(",\n\t\t\t\"sysname\": ", o);
    json_string(o, h->sysname);
    fputs(",\n\t\t\t\"release\": ", o);
    json_string(o, h->release);
    fputs(",\n\t\t\t\"machine\": ", o);
    json_string(o, h->machine);
    fprintf(o, ",\n\t\t\t\"number-of-cpus\": %d,\n\t\t\t\"file-date\": \"%s\",\n"
               "\t\t\t\"file-utc-time\": \"%s\",\n\t\t\t\"timezone\": ",
            h->ncpu > 0 ? h->ncpu : 1, date, time);
    json_string(o, h->timezone);
    fputs(",\n\t\t\t\"statistics\": [\n", o);
}

static const char *const object_names[OUT_COUNT] = {
    [OUT_SWAPPG] = "swap-pages", [OUT_PAGING] = "paging", [OUT_MEMORY] = "memory",
    [OUT_SWAP] = "memory", [OUT_HUGE] = "hugepages", [OUT_PSI] = "psi",
};

static void values(FILE *o, enum output out, int mem_all, const struct rec *prev,
                   const struct rec *curr)
{
    const struct column *cols;
    struct value vals[MAX_COLUMNS];
    output_columns(out, mem_all, &cols);
    int n = output_row(out, mem_all, prev, curr, vals);
    for (int i = 0; i < n; i++) {
        fprintf(o, "%s\"%s\": ", i ? ", " : "", cols[i].json);
        if (vals[i].type == VT_KB)
            fprintf(o, "%llu", (unsigned long long)vals[i].u);
        else
            fprintf(o, "%.2f", vals[i].d);
    }
}

static void statistic(const struct render_ctx *ctx, const struct rec *prev,
                      const struct rec *curr, int first)
{
    FILE *o = ctx->out;
    char date[16], time[16];
    date_time(curr->ts, date, time);
    fprintf(o, "%s\t\t\t\t{\n\t\t\t\t\t\"timestamp\": {\"date\": \"%s\", \"time\": \"%s\", "
               "\"utc\": 1, \"interval\": %ld}",
            first ? "" : ",\n", date, time, interval_seconds(prev, curr));
    for (int out = 0; out < OUT_COUNT; out++) {
        if (!(ctx->outputs & (1u << out)) || !output_recorded((enum output)out, prev, curr))
            continue;
        if (out == OUT_PSI) {   /* sadf -j nests it: "psi": {"psi-mem": {...}} */
            fputs(",\n\t\t\t\t\t\"psi\": {\n\t\t\t\t\t\t\"psi-mem\": {", o);
            values(o, OUT_PSI, ctx->mem_all, prev, curr);
            fputs("}\n\t\t\t\t\t}", o);
            continue;
        }
        /* -r and -S share one "memory" object, as in sadf -j */
        int joins_memory = out == OUT_SWAP && (ctx->outputs & (1u << OUT_MEMORY));
        if (joins_memory)
            fputs(", ", o);
        else
            fprintf(o, ",\n\t\t\t\t\t\"%s\": {", object_names[out]);
        values(o, (enum output)out, ctx->mem_all, prev, curr);
        int memory_continues = out == OUT_MEMORY && (ctx->outputs & (1u << OUT_SWAP));
        if (!memory_continues)
            fputc('}', o);
    }
    fputs("\n\t\t\t\t}", o);
}

int render_json(const struct render_ctx *ctx)
{
    const struct selection *sel = ctx->sel;
    FILE *o = ctx->out;
    host_header(ctx);
    int first = 1;
    for (size_t e = 0; e < sel->nevents && !ferror(o); e++) {   /* output.h */
        const struct event *ev = &sel->events[e];
        for (size_t j = 0; ev->kind == EV_SEGMENT && j < ev->nrows; j++) {
            statistic(ctx, &ctx->sr->recs[row_prev(sel, ev, j)],
                      &ctx->sr->recs[sel->rows[ev->first_row + j]], first);
            first = 0;
        }
    }
    fputs(first ? "\t\t\t],\n\t\t\t\"restarts\": [\n" : "\n\t\t\t],\n\t\t\t\"restarts\": [\n", o);
    first = 1;
    for (size_t e = 0; e < sel->nevents; e++) {
        const struct event *ev = &sel->events[e];
        if (ev->kind != EV_RESTART)
            continue;
        const struct rec *r = &ctx->sr->recs[ev->rec];
        char date[16], time[16];
        date_time(r->ts, date, time);
        fprintf(o, "%s\t\t\t\t{\n\t\t\t\t\t\"boot\": {\"date\": \"%s\", \"time\": \"%s\", "
                   "\"utc\": 1, \"cpu_count\": %d}\n\t\t\t\t}",
                first ? "" : ",\n", date, time, r->ncpu > 0 ? r->ncpu : 1);
        first = 0;
    }
    fputs(first ? "\t\t\t]\n\t\t}\n\t]\n}}\n" : "\n\t\t\t]\n\t\t}\n\t]\n}}\n", o);
    return 0;
}
