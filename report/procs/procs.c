/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * memreport -p: pidstat -r's report (sysstat 12.6.1) over archived samples,
 * and the helpers the other per-process reports share.
 *
 * The format, as verified against the real `pidstat -r -p PID 1 2` of
 * sysstat 12.6.1 on Debian 12 (LC_ALL=C):
 *   - the banner is sar's; a blank line, then the header
 *     "%-11s" time (the previous sample's, as sar), " %5s" UID, " %9s" PID,
 *     " %9s" minflt/s and majflt/s, " %7s" VSZ and RSS, " %6s" %MEM,
 *     "  Command";
 *   - rows: "%-11s" time, " %5d" uid, " %9d" pid, " %9.2f" minflt/s and
 *     majflt/s, " %7llu" VSZ and RSS (kB), " %6.2f" %MEM, "  %s" comm (the
 *     comm at that sample; with -l its command line, as pidstat -l);
 *   - with several processes, every sample gets a blank line and its header,
 *     and the Average block too ("\nAverage:" header, then one line per
 *     process); with a single --pid, one header only and the Average lines
 *     follow the rows directly;
 *   - Average: the mean VSZ and RSS ("%7.0f"), the rates over the whole
 *     span (all faults over all the intervals), %MEM of the mean RSS
 *     against the last MemTotal.
 * Beyond pidstat: a sample of another local date than the banner's gets
 * the banner line again, with its date, before its header (sar_day_change());
 * --human shows VSZ and RSS in sar's units, 7 wide like the
 * numbers (sar_kb()); each sample shows the --top N largest processes by RSS
 * that pass --pid/--comm/--user; the aggregate row of --procs-max shows
 * UID and PID as "-" and "(others)" as its command, after the others.
 *
 * Rates: the fault counters' delta for the same identity (boot, pid, start
 * time) between the previous sample and this one, over the uptime delta.
 * A process not in the previous sample that started after it has all its
 * faults in this interval (pidstat counts from zero too); one that was
 * running but not recorded (beyond --procs-max) shows 0.00.
 */
#include <stdlib.h>
#include <string.h>

#include "cgrecs.h"
#include "colour.h"
#include "oomlog.h"
#include "procview.h"
#include "sar_text.h"

int proc_passes_filters(const struct proc_opts *po, const struct pident *id)
{
    if (po->npids) {
        int found = 0;
        for (int i = 0; i < po->npids && !found; i++)
            found = po->pids[i] == id->pid;
        if (!found)
            return 0;
    }
    if (po->comm && !pident_had_comm(id, po->comm))   /* before or after an exec */
        return 0;
    if (po->have_uid && (id->pid == PROC_AGGREGATE_PID || id->uid != po->uid))
        return 0;
    if (po->cgroup_path && (id->pid == PROC_AGGREGATE_PID ||
                            !cgroup_in_subtree(id->cgroup, po->cgroup_path)))
        return 0;
    return 1;
}

static const struct pstore *rank_ps;
static int by_rss(const void *a, const void *b)
{
    const struct pentry *x = &rank_ps->entries[*(const size_t *)a];
    const struct pentry *y = &rank_ps->entries[*(const size_t *)b];
    if (x->rss_kb != y->rss_kb)
        return x->rss_kb > y->rss_kb ? -1 : 1;
    int32_t px = rank_ps->ids[x->ident].pid, py = rank_ps->ids[y->ident].pid;
    return px < py ? -1 : px > py;
}

size_t proc_ranked(const struct proc_opts *po, const struct pstore *ps, size_t i, size_t *out)
{
    const struct psample *sm = &ps->samples[i];
    size_t n = 0, aggregate = (size_t)-1;
    int filtered = po->npids || po->comm || po->have_uid || po->cgroup_path;
    for (size_t k = sm->first; k < sm->first + sm->n; k++) {
        const struct pident *id = &ps->ids[ps->entries[k].ident];
        if (id->pid == PROC_AGGREGATE_PID) {
            if (!filtered)
                aggregate = k;
            continue;
        }
        if (proc_passes_filters(po, id))
            out[n++] = k;
    }
    rank_ps = ps;
    qsort(out, n, sizeof *out, by_rss);
    if (po->top > 0 && n > (size_t)po->top)
        n = (size_t)po->top;
    if (aggregate != (size_t)-1)
        out[n++] = aggregate;
    return n;
}

static void fault_deltas(const struct pstore *ps, const struct series *sr, size_t prev, size_t i,
                         const struct pentry *e, uint64_t *dmin, uint64_t *dmaj, uint64_t *itv)
{
    *dmin = *dmaj = *itv = 0;
    if (prev >= i || ps->samples[prev].boot != ps->samples[i].boot ||
        sr->recs[i].uptime_cs <= sr->recs[prev].uptime_cs)
        return;
    *itv = sr->recs[i].uptime_cs - sr->recs[prev].uptime_cs;
    const struct pentry *p = pstore_find(ps, prev, e->ident);
    const struct pident *id = &ps->ids[e->ident];
    if (p) {
        *dmin = e->minflt >= p->minflt ? e->minflt - p->minflt : 0;
        *dmaj = e->majflt >= p->majflt ? e->majflt - p->majflt : 0;
    } else if (id->pid != PROC_AGGREGATE_PID && ps->samples[prev].scanned &&
               id->start_ticks * (100 / USER_HZ) >= sr->recs[prev].uptime_cs) {
        *dmin = e->minflt;   /* started inside the interval */
        *dmaj = e->majflt;
    }
}

void proc_rates(const struct pstore *ps, const struct series *sr, size_t prev, size_t i,
                const struct pentry *e, double *minflt_s, double *majflt_s)
{
    uint64_t dmin, dmaj, itv;
    fault_deltas(ps, sr, prev, i, e, &dmin, &dmaj, &itv);
    *minflt_s = itv ? (double)dmin * 100 / (double)itv : 0;
    *majflt_s = itv ? (double)dmaj * 100 / (double)itv : 0;
}

void proc_time(const struct proc_report *r, size_t k, char *buf, size_t cap)
{
    sar_time_string(r->ctx, &r->ctx->sr->recs[k], buf, cap);
}

void proc_span(const struct proc_report *r, size_t first, size_t last, char *from, char *to,
               size_t cap)
{
    const struct rec *a = &r->ctx->sr->recs[first], *b = &r->ctx->sr->recs[last];
    int dates = !sar_same_day(r->ctx, a, b);
    sar_when(r->ctx, a, dates, from, cap);
    sar_when(r->ctx, b, dates, to, cap);
}

static int by_index(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return x < y ? -1 : x > y;
}

long window_records(const struct selection *sel, size_t **out)
{
    size_t *w = malloc((sel->nrows + sel->nevents + 1) * sizeof *w);
    if (!w)
        return -1;
    size_t n = 0;
    for (size_t e = 0; e < sel->nevents; e++) {
        const struct event *ev = &sel->events[e];
        if (ev->kind != EV_SEGMENT)   /* a lone reference is still a sample (--at, exports) */
            continue;
        w[n++] = ev->ref;
        for (size_t j = 0; j < ev->nrows; j++)
            w[n++] = sel->rows[ev->first_row + j];
    }
    qsort(w, n, sizeof *w, by_index);
    *out = w;
    return (long)n;
}

void sample_cells(const struct series *sr, size_t prev, size_t k, char *iso, size_t cap,
                  struct cell *cells)
{
    iso_local(sr->recs[k].ts, iso, cap);
    cells[0] = cell_str(iso);
    cells[1] = cell_local_time(sr->recs[k].ts);
    cells[2] = cell_int(sr->recs[k].ts);
    cells[3] = prev < k ? cell_int(interval_seconds(&sr->recs[prev], &sr->recs[k])) : cell_null();
}

const char *proc_name(const struct pident *id)
{
    return id->pid == PROC_AGGREGATE_PID ? "(others)" : id->comm;
}

const char *proc_label(const struct proc_report *r, const struct pident *id)
{
    if (r->po->cmdline && id->pid != PROC_AGGREGATE_PID && id->cmdline && id->cmdline[0])
        return id->cmdline;
    return proc_name(id);
}

const char *const proc_cols[PROC_NCOLS] = {
    "boot_id", "uid", "pid", "ppid", "start_ticks", "comm", "cmdline",
    "minflt_s", "majflt_s", "vsz_kb", "rss_kb", "mem_pct",
    "anon_kb", "file_kb", "shmem_kb", "swap_kb", "pss_kb", "oom_killed",
};

static double mem_pct(const struct series *sr, size_t k, double rss)
{
    uint64_t total = sr->recs[k].mem[M_TOTAL];
    return total ? rss / (double)total * 100 : 0;
}

void proc_cells(const struct proc_report *r, size_t prev, size_t k, const struct pentry *e,
                struct cell *c)
{
    const struct pident *id = &r->ps->ids[e->ident];
    const struct pname *then = &r->ps->names[e->name];   /* the cells point into it */
    int aggregate = id->pid == PROC_AGGREGATE_PID;
    double minflt_s, majflt_s;
    proc_rates(r->ps, r->ctx->sr, prev, k, e, &minflt_s, &majflt_s);
    c[0] = cell_str(r->ps->map.boots[id->boot]);
    c[1] = aggregate ? cell_null() : cell_uint(id->uid);
    c[2] = cell_int(id->pid);
    c[3] = aggregate ? cell_null() : cell_int(id->ppid);
    c[4] = aggregate ? cell_null() : cell_uint(id->start_ticks);
    c[5] = cell_str(aggregate ? proc_name(id) : then->comm);
    c[6] = then->cmdline ? cell_str(then->cmdline) : cell_null();
    c[7] = cell_fixed2(minflt_s);
    c[8] = cell_fixed2(majflt_s);
    c[9] = cell_uint(e->vsz_kb);
    c[10] = cell_uint(e->rss_kb);
    c[11] = cell_fixed2(mem_pct(r->ctx->sr, k, (double)e->rss_kb));
    c[12] = cell_uint(e->anon_kb);
    c[13] = cell_uint(e->file_kb);
    c[14] = cell_uint(e->shmem_kb);
    c[15] = cell_uint(e->swap_kb);
    c[16] = e->pss_kb < 0 ? cell_null() : cell_int(e->pss_kb);
    const struct oom_kill_seen *killed = proc_oom_killed(r, k, e);
    c[17] = killed ? cell_int(killed->ev.ts) : cell_null();
}

const struct oom_kill_seen *proc_oom_killed(const struct proc_report *r, size_t k,
                                            const struct pentry *e)
{
    return r->oom ? oom_log_killed_after(r->oom, r->ctx->sr, r->ps, k, e->ident) : NULL;
}

void proc_text_header(const struct proc_report *r, const char *time)
{
    fprintf(r->ctx->out, "\n%-11s %5s %9s %9s %9s %7s %7s %6s  Command\n", time, "UID", "PID",
            "minflt/s", "majflt/s", "VSZ", "RSS", "%MEM");
}

/* With a palette (sar's colours on a terminal), pidstat -r's: UID and PID
 * as items, the command and its newline in the value colour. */
void proc_text_row(const struct proc_report *r, const char *time, const struct pident *id,
                   double minflt_s, double majflt_s, double vsz, double rss, double pct,
                   int oom_killed)
{
    FILE *o = r->ctx->out;
    static const struct sgr_palette plain;
    const struct sgr_palette *c = r->ctx->sgr ? r->ctx->sgr : &plain;
    if (id->pid == PROC_AGGREGATE_PID)
        fprintf(o, "%-11s%s %5s%s%s %9s%s", time, c->item, "-", c->normal, c->item, "-", c->normal);
    else
        fprintf(o, "%-11s%s %5u%s%s %9d%s", time, c->item, (unsigned)id->uid, c->normal, c->item,
                (int)id->pid, c->normal);
    fprintf(o, "%s %9.2f%s%s %9.2f%s", sgr_for_decimal(c, minflt_s, 2), minflt_s, c->normal,
            sgr_for_decimal(c, majflt_s, 2), majflt_s, c->normal);
    sar_kb(r->ctx, vsz, 7, 0);
    sar_kb(r->ctx, rss, 7, 0);
    fprintf(o, "%s %6.2f%s%s  ", sgr_for_percent(c, pct, 2), pct, c->normal, c->value);
    text_safe_put(o, proc_label(r, id));
    if (oom_killed)
        fputs(" [oom-killed]", o);
    fputc('\n', o);
    fputs(c->normal, o);
}

/* What an identity's Average line needs. */
struct proc_avg {
    unsigned long count;
    double vsz, rss;
    uint64_t dmin, dmaj, itv;
};

static const struct pstore *avg_ps;
static int by_pid(const void *a, const void *b)
{
    const struct pident *x = &avg_ps->ids[*(const uint32_t *)a];
    const struct pident *y = &avg_ps->ids[*(const uint32_t *)b];
    int xa = x->pid == PROC_AGGREGATE_PID, ya = y->pid == PROC_AGGREGATE_PID;
    if (xa != ya)
        return xa - ya;
    if (x->pid != y->pid)
        return x->pid < y->pid ? -1 : 1;
    if (x->boot != y->boot)
        return x->boot < y->boot ? -1 : 1;
    return x->start_ticks < y->start_ticks ? -1 : x->start_ticks > y->start_ticks;
}

static int render_procs_text(const struct proc_report *r)
{
    const struct render_ctx *ctx = r->ctx;
    const struct series *sr = ctx->sr;
    const struct selection *sel = ctx->sel;
    const struct pstore *ps = r->ps;
    int one_pid = r->po->npids == 1;
    struct proc_avg *avg = calloc(ps->nids + 1, sizeof *avg);
    size_t *ranked = NULL, cap = 0;
    for (size_t i = 0; i < ps->nsamples; i++)
        if (ps->samples[i].n > cap)
            cap = ps->samples[i].n;
    ranked = malloc((cap + 1) * sizeof *ranked);
    if (!avg || !ranked) {
        free(avg);
        free(ranked);
        return 2;
    }
    sar_banner(ctx, ctx->file_ts, ctx->file_utc_offset, sr->host.ncpu);
    long day = sar_banner_day(ctx);
    char time[64];
    int headers = 0;
    size_t last_shown = 0;
    for (size_t e = 0; e < sel->nevents; e++) {
        const struct event *ev = &sel->events[e];
        if (ev->kind == EV_RESTART) {
            sar_day_change(ctx, &day, &sr->recs[ev->rec]);
            sar_restart(ctx, &sr->recs[ev->rec]);
            continue;
        }
        for (size_t j = 0; j < ev->nrows; j++) {
            size_t k = sel->rows[ev->first_row + j], prev = row_prev(sel, ev, j);
            if (!ps->samples[k].scanned)
                continue;
            size_t n = proc_ranked(r->po, ps, k, ranked);
            if (n == 0)
                continue;
            int new_day = sar_day_change(ctx, &day, &sr->recs[k]);
            if (!one_pid || headers++ == 0 || new_day) {
                proc_time(r, prev, time, sizeof time);
                proc_text_header(r, time);
            }
            proc_time(r, k, time, sizeof time);
            for (size_t q = 0; q < n; q++) {
                const struct pentry *en = &ps->entries[ranked[q]];
                struct pident then;
                const struct pident *id = pstore_ident_at(ps, en, &then);
                struct proc_avg *a = &avg[en->ident];
                uint64_t dmin, dmaj, itv;
                fault_deltas(ps, sr, prev, k, en, &dmin, &dmaj, &itv);
                proc_text_row(r, time, id, itv ? (double)dmin * 100 / (double)itv : 0,
                              itv ? (double)dmaj * 100 / (double)itv : 0, (double)en->vsz_kb,
                              (double)en->rss_kb, mem_pct(sr, k, (double)en->rss_kb),
                              proc_oom_killed(r, k, en) != NULL);
                a->count++;
                a->vsz += (double)en->vsz_kb;
                a->rss += (double)en->rss_kb;
                a->dmin += dmin;
                a->dmaj += dmaj;
                a->itv += itv;
            }
            last_shown = k;
        }
    }
    /* the Average lines, by pid as pidstat lists them */
    uint32_t *order = malloc((ps->nids + 1) * sizeof *order);
    size_t n = 0;
    for (size_t id = 0; order && id < ps->nids; id++)
        if (avg[id].count)
            order[n++] = (uint32_t)id;
    avg_ps = ps;
    if (n)
        qsort(order, n, sizeof *order, by_pid);
    if (n && !one_pid)
        proc_text_header(r, ctx->avg_label);
    for (size_t q = 0; q < n; q++) {
        const struct proc_avg *a = &avg[order[q]];
        double rss = a->rss / (double)a->count;
        proc_text_row(r, ctx->avg_label, &ps->ids[order[q]],
                      a->itv ? (double)a->dmin * 100 / (double)a->itv : 0,
                      a->itv ? (double)a->dmaj * 100 / (double)a->itv : 0,
                      a->vsz / (double)a->count, rss, mem_pct(sr, last_shown, rss), 0);
    }
    free(order);
    free(avg);
    free(ranked);
    return 0;
}

static int render_procs_table(const struct proc_report *r)
{
    static const char *const cols[SAMPLE_NCOLS + PROC_NCOLS] = { SAMPLE_COLS };
    const char *all[SAMPLE_NCOLS + PROC_NCOLS];
    memcpy(all, cols, sizeof all);
    memcpy(all + SAMPLE_NCOLS, proc_cols, sizeof proc_cols);
    const struct selection *sel = r->ctx->sel;
    const struct pstore *ps = r->ps;
    size_t cap = 0;
    for (size_t i = 0; i < ps->nsamples; i++)
        if (ps->samples[i].n > cap)
            cap = ps->samples[i].n;
    size_t *ranked = malloc((cap + 1) * sizeof *ranked);
    if (!ranked)
        return 2;
    struct table t;
    table_begin(&t, r->ctx, r->po->json, "processes", all, SAMPLE_NCOLS + PROC_NCOLS);
    for (size_t e = 0; e < sel->nevents; e++) {
        const struct event *ev = &sel->events[e];
        for (size_t j = 0; ev->kind == EV_SEGMENT && j < ev->nrows; j++) {
            size_t k = sel->rows[ev->first_row + j], prev = row_prev(sel, ev, j);
            if (!ps->samples[k].scanned)
                continue;
            size_t n = proc_ranked(r->po, ps, k, ranked);
            for (size_t q = 0; q < n; q++) {
                struct cell c[SAMPLE_NCOLS + PROC_NCOLS];
                char iso[48];
                sample_cells(r->ctx->sr, prev, k, iso, sizeof iso, c);
                proc_cells(r, prev, k, &ps->entries[ranked[q]], c + SAMPLE_NCOLS);
                table_row(&t, c);
            }
        }
    }
    table_end(&t);
    free(ranked);
    return 0;
}

int render_procs(const struct proc_report *r)
{
    return r->po->text ? render_procs_text(r) : render_procs_table(r);
}
