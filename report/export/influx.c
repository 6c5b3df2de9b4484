/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * memreport --format=influx: InfluxDB line protocol, second precision
 * (write it with `influx write --precision s`, or POST it to /write?precision=s).
 * One line per sample and group:
 *   memtrail_meminfo,host=H MemTotal=16318460i,MemFree=...i 1795597618
 *   memtrail_vmstat,host=H pgfault=...i,...
 *   memtrail_swap,device=/dev/sda2,host=H,type=partition size_kb=...i,used_kb=...i,priority=-2i
 *   memtrail_numa,host=H,node=0 MemTotal=...i,...,numa_hit=...i
 *   memtrail_process,comm=postgres,host=H,pid=1234 rss_kb=...i,...,cmdline="..."
 *   memtrail_cgroup,cgroup=/system.slice/x.service,host=H current_bytes=...i,...
 * Fields are integers in the archive's units: meminfo keys in kB as the kernel
 * prints them (HugePages_* in pages), numastat counters in pages, cgroups'
 * values in bytes (fields named _bytes) or counts.  Tags are
 * sorted by key; commas, equals signs, spaces and backslashes in tag values
 * are escaped with a backslash, a line break in one becomes \n; in the
 * cmdline string field, double quotes and backslashes are, and line breaks as in tags.
 * not UTF-8 are written as their Latin-1 reading, so the output is UTF-8.
 */
#include <stdlib.h>
#include <string.h>

#include "influx.h"
#include "xtext.h"

int write_influx(const struct xstore *x, FILE *out)
{
    size_t *cursor = calloc(x->nseries + 1, sizeof *cursor);
    if (!cursor)
        return -1;
    size_t cap = 1 << 16;
    char *line = malloc(cap);
    if (!line) {
        free(cursor);
        return -1;
    }
    for (size_t t = 0; t < x->ntimes && !ferror(out); t++) {   /* a write failed: output.h */
        int64_t ts = x->times[t];
        for (size_t g = 0; g < x->ngroups; g++) {
            const struct xgroup *gr = &x->groups[g];
            size_t need = strlen(gr->tags) + 64 + (gr->cmdline ? strlen(gr->cmdline) + 16 : 0);
            for (size_t k = 0; k < gr->n; k++)
                need += strlen(x->series[gr->series[k]].field) * 6 + 26;
            if (need > cap) {
                char *bigger = realloc(line, need);
                if (!bigger) {
                    free(line);
                    free(cursor);
                    return -1;
                }
                line = bigger;
                cap = need;
            }
            char *p = line;
            p += sprintf(p, "memtrail_%s%s", gr->measurement, gr->tags);
            int fields = 0;
            for (size_t k = 0; k < gr->n; k++) {
                size_t s = gr->series[k];
                const struct xseries *se = &x->series[s];
                if (cursor[s] >= se->n || se->pts[cursor[s]].ts != ts)
                    continue;
                *p++ = fields++ ? ',' : ' ';
                /* field keys: kernel names, [A-Za-z0-9_()] in practice */
                for (const char *f = se->field; *f; f++) {
                    if (*f == ',' || *f == '=' || *f == ' ' || *f == '\\')
                        *p++ = '\\';
                    *p++ = *f;
                }
                *p++ = '=';
                p = x_itoa(p, se->pts[cursor[s]].v);
                *p++ = 'i';
                cursor[s]++;
            }
            if (!fields)
                continue;
            if (gr->cmdline)
                p += sprintf(p, ",cmdline=\"%s\"", gr->cmdline);
            *p++ = ' ';
            p = x_itoa(p, ts);
            *p++ = '\n';
            fwrite(line, 1, (size_t)(p - line), out);
        }
    }
    free(line);
    free(cursor);
    return 0;
}
