/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * memreport --format=csv-long: the numbers of the exports (export.h) as long
 * CSV, one row per sample and metric (RFC 4180: comma, CRLF, one header row):
 *   timestamp,local_time,epoch,host,metric,node,device,pid,comm,value,cgroup
 * timestamp is ISO 8601 local time with its offset, local_time the same
 * without it (a spreadsheet reads it as a date-time: table.h); metric is GROUP.FIELD:
 * meminfo.MemTotal (kB, as the kernel prints it; HugePages_* in pages),
 * vmstat.pgfault, swap.size_kb / swap.used_kb / swap.priority,
 * numa.FilePages (kB) / numa.numa_hit (pages), process.rss_kb, anon_kb,
 * file_kb, shmem_kb, swap_kb, vsz_kb, pss_kb, minflt, majflt,
 * cgroup.current_bytes, anon_bytes, ... (bytes), refault_anon, events_oom_kill
 * ... (counts); node, device, pid, comm and cgroup (the cgroup's path, last
 * so that the columns before it keep their places) are empty where they do
 * not apply.  Rows are in time order,
 * and within a sample in the order the series first appeared.  Text cells are
 * written as the other CSV outputs write them (table.h: quoted when they hold
 * a comma, quote, semicolon, CR or LF; formula-like text after an apostrophe).
 */
#include <stdlib.h>
#include <string.h>

#include "csvlong.h"
#include "xtext.h"
#include "table.h"

/* A cell after its comma; NULL: empty. */
static void csv_cell(FILE *out, const char *s)
{
    fputc(',', out);
    if (s)
        csv_string(out, s);
}

int write_csv_long(const struct xstore *x, FILE *out)
{
    size_t *cursor = calloc(x->nseries + 1, sizeof *cursor);
    if (!cursor)
        return -1;
    fputs("timestamp,local_time,epoch,host,metric,node,device,pid,comm,value,cgroup\r\n", out);
    for (size_t t = 0; t < x->ntimes && !ferror(out); t++) {   /* a write failed: output.h */
        int64_t ts = x->times[t];
        char when[48], local[32], head[128];
        iso_local(ts, when, sizeof when);
        spreadsheet_time(ts, local, sizeof local);
        char *hp = head + snprintf(head, sizeof head, "%s,%s,", when, local);
        hp = x_itoa(hp, ts);
        *hp = '\0';
        for (size_t g = 0; g < x->ngroups; g++) {
            const struct xgroup *gr = &x->groups[g];
            for (size_t k = 0; k < gr->n; k++) {
                size_t s = gr->series[k];
                const struct xseries *se = &x->series[s];
                if (cursor[s] >= se->n || se->pts[cursor[s]].ts != ts)
                    continue;
                fputs(head, out);
                csv_cell(out, x->host);
                /* the archive's key names, never trusted: a CSV cell as the rest */
                char metric[KEY_NAME_MAX + 16];
                snprintf(metric, sizeof metric, "%s.%s", gr->measurement, se->field);
                csv_cell(out, metric);
                csv_cell(out, gr->node);
                csv_cell(out, gr->device);
                csv_cell(out, gr->pid);
                csv_cell(out, gr->comm);
                char num[32], *p = num;
                *p++ = ',';
                p = x_itoa(p, se->pts[cursor[s]].v);
                fwrite(num, 1, (size_t)(p - num), out);
                csv_cell(out, gr->cgroup);
                fputs("\r\n", out);
                cursor[s]++;
            }
        }
    }
    free(cursor);
    return 0;
}
