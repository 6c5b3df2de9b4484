/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The OOM kills and kernel log readings of the loaded samples (oomlog.h). */
#include "oomlog.h"

#include <stdlib.h>
#include <string.h>

/* Room for one more of SIZE-byte items in *ITEMS (N used, *CAP allocated). */
static int grow(void **items, size_t n, size_t *cap, size_t size)
{
    if (n < *cap)
        return 0;
    size_t want = *cap ? *cap * 2 : 16;
    void *p = realloc(*items, want * size);
    if (!p)
        return -1;
    *items = p;
    *cap = want;
    return 0;
}

int oom_log_take(const struct series *sr, const struct sample *s, void *ctx)
{
    (void)sr;
    struct oom_log *log = ctx;
    if (grow((void **)&log->marks, log->nmarks, &log->cap_marks, sizeof *log->marks) != 0)
        return 1;
    const struct kv *counter = kv_find(&s->vmstat, "oom_kill", NULL);
    log->marks[log->nmarks++] = (struct oom_mark){
        .ts = s->ts, .has_counter = counter != NULL, .counter = counter ? counter->value : 0,
        .kmsg_read = s->oom.read, .lost = s->oom.lost };
    for (unsigned i = 0; i < s->oom.n; i++) {
        if (grow((void **)&log->kills, log->nkills, &log->cap_kills, sizeof *log->kills) != 0)
            return 1;
        struct oom_kill_seen *k = &log->kills[log->nkills++];
        k->ev = s->oom.events[i];
        memcpy(k->boot_id, s->boot_id, sizeof k->boot_id);
        k->sample_ts = s->ts;
        k->utc_offset = s->utc_offset;
    }
    return 0;
}

static int by_kill(const void *a, const void *b)
{
    const struct oom_kill_seen *x = a, *y = b;
    if (x->ev.ts != y->ev.ts)
        return x->ev.ts < y->ev.ts ? -1 : 1;
    int c = strcmp(x->boot_id, y->boot_id);
    if (c)
        return c;
    if (x->ev.seq != y->ev.seq)
        return x->ev.seq < y->ev.seq ? -1 : 1;
    return x->sample_ts < y->sample_ts ? -1 : x->sample_ts > y->sample_ts;
}

static int by_ts(const void *a, const void *b)
{
    const struct oom_mark *x = a, *y = b;
    return x->ts < y->ts ? -1 : x->ts > y->ts;
}

void oom_log_finish(struct oom_log *log)
{
    if (log->nkills)
        qsort(log->kills, log->nkills, sizeof *log->kills, by_kill);
    if (log->nmarks)
        qsort(log->marks, log->nmarks, sizeof *log->marks, by_ts);
    size_t kept = 0;
    for (size_t i = 0; i < log->nkills; i++) {
        const struct oom_kill_seen *k = &log->kills[i];
        if (kept && log->kills[kept - 1].ev.seq == k->ev.seq &&
            strcmp(log->kills[kept - 1].boot_id, k->boot_id) == 0)
            continue;   /* the same record: equal times, so adjacent */
        log->kills[kept++] = *k;
    }
    log->nkills = kept;
}

void oom_log_free(struct oom_log *log)
{
    free(log->kills);
    free(log->marks);
    memset(log, 0, sizeof *log);
}

const struct oom_mark *oom_log_mark(const struct oom_log *log, int64_t ts)
{
    struct oom_mark key = { .ts = ts };
    if (!log->nmarks)
        return NULL;
    return bsearch(&key, log->marks, log->nmarks, sizeof *log->marks, by_ts);
}

size_t oom_log_in_window(const struct oom_log *log, int64_t from, int64_t to, size_t *first)
{
    size_t i = 0, n = 0;
    while (i < log->nkills && log->kills[i].ev.ts < from)
        i++;
    *first = i;
    while (i + n < log->nkills && log->kills[i + n].ev.ts <= to)
        n++;
    return n;
}

const struct oom_kill_seen *oom_log_victim(const struct oom_log *log, const char *boot_id,
                                           int32_t pid, const char *comm, int64_t last_ts,
                                           int64_t gone_ts)
{
    for (size_t i = 0; i < log->nkills; i++) {
        const struct oom_kill_seen *k = &log->kills[i];
        /* the kill's time comes from another clock than the sample's (collector/kmsg.c):
         * a second of slack */
        if (k->ev.pid == pid && k->ev.ts + 1 >= last_ts && k->ev.ts <= gone_ts &&
            strncmp(k->ev.comm, comm, 15) == 0 && strcmp(k->boot_id, boot_id) == 0)
            return k;
    }
    return NULL;
}

const struct oom_kill_seen *oom_log_killed_after(const struct oom_log *log,
                                                 const struct series *sr,
                                                 const struct pstore *ps, size_t k,
                                                 uint32_t ident)
{
    if (!log->nkills || k >= sr->n || ident >= ps->nids)
        return NULL;
    if (k + 1 < ps->nsamples && ps->samples[k + 1].scanned && pstore_find(ps, k + 1, ident))
        return NULL;   /* still alive at the next sample */
    const struct pident *id = &ps->ids[ident];
    int64_t gone = k + 1 < sr->n ? sr->recs[k + 1].ts : INT64_MAX;
    return oom_log_victim(log, ps->map.boots[id->boot], id->pid, id->comm, sr->recs[k].ts, gone);
}
