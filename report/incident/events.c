/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * memreport --events: every OOM kill of the window (oomlog.h), the answer
 * to "what died at 04:47?", and the samples whose collector found kernel
 * log records overwritten before it could read them (kills among them are
 * not listed: the report says so rather than guess).
 *
 * A sample records the kills since the one before it, and a boot's first
 * reading of the log every kill the kernel still holds: without -s, the
 * window's first sample lists kills from before it, at their own times.
 *
 * Text layout (memtrail's own): sar's banner, a line naming the window,
 * then the header
 *   "TIME          PID    UID   ANON_KB   FILE_KB  SHMEM_KB     VM_KB  PGTBL_KB    ADJ  LIMIT   Command          Cgroup"
 * with "%-11s" time, " %9s" pid and uid, " %9s" the four sizes and the
 * page tables (kB; "-" when the kernel did not log it), " %6s" the victim's
 * oom_score_adj, " %-7s" what ran out ("cgroup": a memory cgroup's limit,
 * "system": the machine), then the comm (15 bytes at most, the kernel's)
 * and the victim's memory cgroup; names through textsafe.h.  Notes follow:
 * records lost, samples whose collector could not read the kernel log.
 * CSV/JSON: one table, column "kind" first: "kill" rows with the victim,
 * "lost" rows with the sample and records_lost.
 */
#include <stdlib.h>
#include <string.h>

#include "events.h"
#include "oomlog.h"
#include "sar_text.h"

int incident_span(const struct proc_report *r, int64_t *from, int64_t *to)
{
    size_t *w;
    long nw = window_records(r->ctx->sel, &w);
    if (nw <= 0) {
        free(w);
        return 0;
    }
    *from = r->po->start_given ? r->ctx->sr->recs[w[0]].ts : INT64_MIN;
    *to = r->ctx->sr->recs[w[nw - 1]].ts;
    free(w);
    return 1;
}

/* Whether kill K is one of the window's: it happened after its start and
 * a sample of the window recorded it. */
static int kill_in_span(const struct oom_kill_seen *k, int64_t from, int64_t to)
{
    return k->ev.ts >= from && k->sample_ts <= to;
}

static int mark_in_span(const struct oom_mark *m, int64_t from, int64_t to)
{
    return m->ts > from && m->ts <= to;
}

/* A kB figure, or "-" when the kernel did not log it. */
static void text_kb(const struct render_ctx *ctx, int64_t kb)
{
    if (kb < 0)
        fprintf(ctx->out, " %9s", "-");
    else
        sar_kb(ctx, (double)kb, 9, 0);
}

static void text_kill(const struct proc_report *r, const struct oom_kill_seen *k, int dates)
{
    const struct render_ctx *ctx = r->ctx;
    struct rec at = { .ts = k->ev.ts, .utc_offset = k->utc_offset };
    char when[96], adj[24] = "-", uid[24] = "-";
    sar_when(ctx, &at, dates, when, sizeof when);
    if (k->ev.has_oom_score_adj)
        snprintf(adj, sizeof adj, "%lld", (long long)k->ev.oom_score_adj);
    if (k->ev.uid >= 0)
        snprintf(uid, sizeof uid, "%lld", (long long)k->ev.uid);
    fprintf(ctx->out, "%-11s %9d %9s", when, (int)k->ev.pid, uid);
    text_kb(ctx, k->ev.anon_rss_kb);
    text_kb(ctx, k->ev.file_rss_kb);
    text_kb(ctx, k->ev.shmem_rss_kb);
    text_kb(ctx, k->ev.total_vm_kb);
    text_kb(ctx, k->ev.pgtables_kb);
    fprintf(ctx->out, " %6s  %-7s ", adj, k->ev.memcg_oom ? "cgroup" : "system");
    char name[COMM_MAX * 4];
    fprintf(ctx->out, "%-16s ", text_safe(k->ev.comm, name, sizeof name));
    text_safe_put(ctx->out, k->ev.task_memcg[0] ? k->ev.task_memcg : "-");
    fputc('\n', ctx->out);
}

/* The notes after the text table: records lost, samples that did not read the log. */
static void text_notes(const struct proc_report *r, int64_t from, int64_t to, int dates)
{
    const struct oom_log *log = r->oom;
    unsigned long unread = 0, samples = 0;
    for (size_t i = 0; i < log->nmarks; i++) {
        const struct oom_mark *m = &log->marks[i];
        if (!mark_in_span(m, from, to))
            continue;
        samples++;
        unread += !m->kmsg_read;
        if (m->lost) {
            struct rec at = { .ts = m->ts };
            char when[96];
            sar_when(r->ctx, &at, dates, when, sizeof when);
            fprintf(r->ctx->out, "%llu kernel log record(s) were overwritten before the sample "
                                 "at %s could read them: kills among them are not listed\n",
                    (unsigned long long)m->lost, when);
        }
    }
    if (unread)
        fprintf(r->ctx->out, "The kernel log was not read at %lu of %lu sample(s) (memcollect "
                             "without access to /dev/kmsg): kills there are not listed; "
                             "--oom counts them\n", unread, samples);
}

static int render_text(const struct proc_report *r, int64_t from, int64_t to)
{
    const struct render_ctx *ctx = r->ctx;
    const struct oom_log *log = r->oom;
    size_t *w;
    long nw = window_records(ctx->sel, &w);
    if (nw < 0)
        return 2;
    sar_banner(ctx, ctx->file_ts, ctx->file_utc_offset, ctx->sr->host.ncpu);
    int dates = 0;
    if (nw > 0) {
        char a[64], b[64];
        proc_span(r, w[0], w[nw - 1], a, b, sizeof a);
        dates = !sar_same_day(ctx, &ctx->sr->recs[w[0]], &ctx->sr->recs[w[nw - 1]]);
        fprintf(ctx->out, "\nOOM kills recorded by the samples from %s to %s\n", a, b);
    }
    free(w);
    unsigned long shown = 0;
    for (size_t i = 0; i < log->nkills; i++) {
        if (!kill_in_span(&log->kills[i], from, to))
            continue;
        if (!shown++)
            fprintf(ctx->out, "%-11s %9s %9s %9s %9s %9s %9s %9s %6s  %-7s %-16s %s\n", "TIME",
                    "PID", "UID", "ANON_KB", "FILE_KB", "SHMEM_KB", "VM_KB", "PGTBL_KB", "ADJ",
                    "LIMIT", "Command", "Cgroup");
        text_kill(r, &log->kills[i], dates);
    }
    if (!shown)
        fprintf(ctx->out, "No OOM kill was recorded in this window.\n");
    text_notes(r, from, to, dates);
    return 0;
}

static const char *const cols[] = {
    "kind", "timestamp", "local_time", "epoch", "sample_epoch", "boot_id", "seq",
    "pid", "comm", "uid", "anon_rss_kb", "file_rss_kb", "shmem_rss_kb", "total_vm_kb",
    "pgtables_kb", "oom_score_adj", "limit", "constraint", "oom_memcg", "task_memcg",
    "records_lost",
};
#define NCOLS (sizeof cols / sizeof *cols)
enum { C_KIND, C_TS, C_LOCAL, C_EPOCH, C_SAMPLE, C_BOOT, C_SEQ, C_PID, C_COMM, C_UID,
       C_ANON, C_FILE, C_SHMEM, C_VM, C_PGTBL, C_ADJ, C_LIMIT, C_CONSTRAINT, C_OOM_MEMCG,
       C_TASK_MEMCG, C_LOST };

static struct cell known(int64_t v)
{
    return v < 0 ? cell_null() : cell_int(v);
}

static struct cell text_or_null(const char *s)
{
    return s[0] ? cell_str(s) : cell_null();
}

static void kill_cells(const struct oom_kill_seen *k, char *iso, size_t cap, struct cell *c)
{
    iso_local(k->ev.ts, iso, cap);
    c[C_KIND] = cell_str("kill");
    c[C_TS] = cell_str(iso);
    c[C_LOCAL] = cell_local_time(k->ev.ts);
    c[C_EPOCH] = cell_int(k->ev.ts);
    c[C_SAMPLE] = cell_int(k->sample_ts);
    c[C_BOOT] = cell_str(k->boot_id);
    c[C_SEQ] = cell_uint(k->ev.seq);
    c[C_PID] = cell_int(k->ev.pid);
    c[C_COMM] = cell_str(k->ev.comm);
    c[C_UID] = known(k->ev.uid);
    c[C_ANON] = known(k->ev.anon_rss_kb);
    c[C_FILE] = known(k->ev.file_rss_kb);
    c[C_SHMEM] = known(k->ev.shmem_rss_kb);
    c[C_VM] = known(k->ev.total_vm_kb);
    c[C_PGTBL] = known(k->ev.pgtables_kb);
    c[C_ADJ] = k->ev.has_oom_score_adj ? cell_int(k->ev.oom_score_adj) : cell_null();
    c[C_LIMIT] = cell_str(k->ev.memcg_oom ? "cgroup" : "system");
    c[C_CONSTRAINT] = text_or_null(k->ev.constraint);
    c[C_OOM_MEMCG] = text_or_null(k->ev.oom_memcg);
    c[C_TASK_MEMCG] = text_or_null(k->ev.task_memcg);
}

static int render_table(const struct proc_report *r, int64_t from, int64_t to)
{
    const struct oom_log *log = r->oom;
    struct table t;
    table_begin(&t, r->ctx, r->po->json, "events", cols, (int)NCOLS);
    size_t m = 0;
    /* kills and losses merged in time order */
    for (size_t i = 0; i <= log->nkills; i++) {
        int64_t until = i < log->nkills ? log->kills[i].ev.ts : INT64_MAX;
        for (; m < log->nmarks && log->marks[m].ts <= until; m++) {
            const struct oom_mark *mk = &log->marks[m];
            if (!mk->lost || !mark_in_span(mk, from, to))
                continue;
            struct cell c[NCOLS];
            char iso[48];
            memset(c, 0, sizeof c);   /* CELL_NONE */
            iso_local(mk->ts, iso, sizeof iso);
            c[C_KIND] = cell_str("lost");
            c[C_TS] = cell_str(iso);
            c[C_LOCAL] = cell_local_time(mk->ts);
            c[C_EPOCH] = cell_int(mk->ts);
            c[C_SAMPLE] = cell_int(mk->ts);
            c[C_LOST] = cell_uint(mk->lost);
            table_row(&t, c);
        }
        if (i == log->nkills || !kill_in_span(&log->kills[i], from, to))
            continue;
        struct cell c[NCOLS];
        char iso[48];
        memset(c, 0, sizeof c);
        kill_cells(&log->kills[i], iso, sizeof iso, c);
        table_row(&t, c);
    }
    table_end(&t);
    return 0;
}

int render_events(const struct proc_report *r)
{
    int64_t from = INT64_MIN, to = INT64_MIN;
    incident_span(r, &from, &to);
    return r->po->text ? render_text(r, from, to) : render_table(r, from, to);
}
