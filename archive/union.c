/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A day held in two files: memtrail-YYYYMMDD.db beside its .db.gz.  That
 * happens when the clock steps back into a day already compressed, when a
 * file is restored, or when --maintain was interrupted between its rename
 * and its unlink.  Readers see the union (by second, the .gz's sample first)
 * and --maintain keeps it: it deletes the plain file only when the .gz
 * holds every one of its samples, equal, and otherwise writes the union
 * into a new .gz first, or keeps both when the two disagree.
 *
 * The union is built in memory, from the .gz's image, by appending the
 * plain file's samples through the model (archive_append), so that it is
 * as a collector would have written it, whatever the two files' columns.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "internal.h"

/* What a sample holds, as a number: sums of per-item hashes, so that two
 * archives listing the same keys or processes in another order agree. */
static uint64_t mix(uint64_t h, const void *data, size_t n)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}

static uint64_t text_hash(uint64_t h, const char *s)
{
    return mix(h, s ? s : "", s ? strlen(s) + 1 : 1);
}

static uint64_t kv_digest(const struct kv_list *kv)
{
    uint64_t sum = kv->n;
    for (unsigned i = 0; i < kv->n; i++)
        sum += mix(text_hash(0xcbf29ce484222325ull, kv->items[i].name), &kv->items[i].value,
                   sizeof kv->items[i].value);
    return sum;
}

static uint64_t proc_digest(const struct proc *p)
{
    uint64_t h = 0xcbf29ce484222325ull;
    const uint64_t v[] = { (uint64_t)p->pid, (uint64_t)p->ppid, p->uid, p->start_ticks,
                           p->rss_kb, p->anon_kb, p->file_kb, p->shmem_kb, p->swap_kb,
                           p->vsz_kb, p->minflt, p->majflt, (uint64_t)p->pss_kb };
    h = mix(h, v, sizeof v);
    return text_hash(text_hash(text_hash(h, p->comm), p->cmdline), p->cgroup);
}

static uint64_t cgroup_digest(const struct cgroup_mem *m)
{
    struct cg_values v;
    cg_values_of(m, 0, &v);
    return text_hash(mix(mix(0xcbf29ce484222325ull, v.v, sizeof v.v), &m->id, sizeof m->id),
                     m->path);
}

static uint64_t sample_digest(const struct sample *s)
{
    uint64_t h = 0xcbf29ce484222325ull;
    const uint64_t head[] = { (uint64_t)s->ts, (uint64_t)s->utc_offset, s->uptime_cs,
                              s->procs.scanned ? s->procs.n + 1 : 0, s->procs.aggregated,
                              s->numa.available ? s->numa.n + 1 : 0,
                              s->cgroups.version, s->cgroups.n, s->cgroups.aggregated };
    h = mix(text_hash(h, s->boot_id), head, sizeof head);
    uint64_t sum = kv_digest(&s->meminfo) * 3 + kv_digest(&s->vmstat) * 5;
    for (unsigned i = 0; i < s->swaps.n; i++)
        sum += text_hash(mix(0xcbf29ce484222325ull, &s->swaps.dev[i].used_kb, sizeof(uint64_t)),
                         s->swaps.dev[i].name);
    for (size_t i = 0; i < s->procs.n; i++)
        sum += proc_digest(&s->procs.procs[i]);
    if (s->psi_mem.available)
        sum += mix(0xcbf29ce484222325ull, &s->psi_mem, sizeof s->psi_mem);
    for (unsigned i = 0; i < s->numa.n; i++)
        sum += (uint64_t)s->numa.nodes[i].id * 7 + s->numa.nodes[i].free_kb +
               kv_digest(&s->numa.nodes[i].values);
    /* the kernel log reading and its kills: a sample without them is another */
    const uint64_t oom[] = { (uint64_t)s->oom.read, s->oom.next_seq, s->oom.lost, s->oom.n };
    sum += mix(0xcbf29ce484222325ull, oom, sizeof oom) * 11;
    for (unsigned i = 0; i < s->oom.n; i++)
        sum += text_hash(mix(0xcbf29ce484222325ull, &s->oom.events[i].seq, sizeof(uint64_t)),
                         s->oom.events[i].comm);
    for (size_t i = 0; i < s->cgroups.n; i++)
        sum += cgroup_digest(&s->cgroups.items[i]);
    return h ^ sum;
}

struct stamp {
    int64_t ts;
    uint64_t digest;
};

struct merge {
    struct archive *into, *from;
    struct stamp *have;        /* the .gz's samples, by ts */
    size_t nhave, cap;
    struct union_stats *stats;
    unsigned char *need;
    size_t need_cap;
    char *err;
    size_t err_cap;
    int rc;
};

static int note_stamp(const struct sample *s, void *arg)
{
    struct merge *m = arg;
    if (m->nhave == m->cap) {
        size_t cap = m->cap ? 2 * m->cap : 1024;
        struct stamp *grown = realloc(m->have, cap * sizeof *grown);
        if (!grown) {
            m->rc = archive_fail(m->err, m->err_cap, ARCHIVE_ERROR, "out of memory%s%s", "", "");
            return 1;
        }
        m->have = grown;
        m->cap = cap;
    }
    m->have[m->nhave++] = (struct stamp){ s->ts, sample_digest(s) };
    return 0;
}

static const struct stamp *find_stamp(const struct merge *m, int64_t ts)
{
    size_t lo = 0, hi = m->nhave;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (m->have[mid].ts == ts)
            return &m->have[mid];
        if (m->have[mid].ts < ts)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* Appends a sample of the plain file that the .gz lacks. */
static int merge_sample(const struct sample *s, void *arg)
{
    struct merge *m = arg;
    const struct stamp *have = find_stamp(m, s->ts);
    if (have) {
        m->stats->conflicts += have->digest != sample_digest(s);
        return 0;
    }
    if (s->procs.n > m->need_cap) {
        unsigned char *grown = realloc(m->need, s->procs.n);
        if (!grown) {
            m->rc = archive_fail(m->err, m->err_cap, ARCHIVE_ERROR, "out of memory%s%s", "", "");
            return 1;
        }
        m->need = grown;
        m->need_cap = s->procs.n;
    }
    struct host_facts host;
    if ((m->rc = archive_host_at(m->from, s->ts, &host, m->err, m->err_cap)) != ARCHIVE_OK ||
        (s->procs.scanned && (m->rc = archive_new_identities(m->into, s->boot_id, &s->procs,
                                                             m->need, m->err, m->err_cap)) != ARCHIVE_OK) ||
        (m->rc = archive_append(m->into, s, &host, m->err, m->err_cap)) != ARCHIVE_OK)
        return 1;
    m->stats->added++;
    return 0;
}

int archive_open_union(const char *plain, const char *compressed, struct archive *ar,
                       struct union_stats *stats, char *err, size_t cap)
{
    memset(stats, 0, sizeof *stats);
    struct archive *from;
    int rc = archive_open_compressed(compressed, &ar->db, 1, err, cap);
    if (rc == ARCHIVE_OK)
        rc = archive_reader_ready(ar, compressed, err, cap);
    if (rc != ARCHIVE_OK || (rc = archive_open_one(plain, &from, err, cap)) != ARCHIVE_OK)
        return rc;
    struct merge m = { .into = ar, .from = from, .stats = stats, .err = err, .err_cap = cap };
    const unsigned parts = PART_PROCS | PART_NUMA | PART_OOM | PART_CGROUPS;
    rc = archive_each_sample(ar, INT64_MIN, INT64_MAX, parts, note_stamp, &m, err, cap);
    if (rc == ARCHIVE_OK && m.rc == ARCHIVE_OK)
        rc = archive_each_sample(from, INT64_MIN, INT64_MAX, parts, merge_sample, &m, err, cap);
    if (rc == ARCHIVE_OK)
        rc = m.rc;
    /* memcollect --watch's bursts: a row the .gz lacks is something to add too */
    if (rc == ARCHIVE_OK)
        rc = archive_merge_bursts(ar, from, &stats->added, err, cap);
    procstore_free(ar);   /* the identities read before the appends: read them again */
    cgstore_free(ar);
    archive_close(from);
    free(m.have);
    free(m.need);
    return rc;
}

int archive_merge_day(const char *path, char *err, size_t cap)
{
    char gz[4096];
    if ((size_t)snprintf(gz, sizeof gz, "%s.gz", path) >= sizeof gz)
        return archive_fail(err, cap, ARCHIVE_ERROR, "name too long%s%s", "", "");
    int lock = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
    if (lock < 0)
        return archive_fail(err, cap, ARCHIVE_ERROR, "cannot open: %s%s", strerror(errno), "");
    if (flock(lock, LOCK_EX | LOCK_NB) != 0) {   /* a writer has it: not finished */
        close(lock);
        return archive_fail(err, cap, ARCHIVE_BUSY, "in use: left as it is%s%s", "", "");
    }
    struct archive *ar = archive_new();
    struct union_stats stats;
    int rc = ar ? archive_open_union(path, gz, ar, &stats, err, cap)
                : archive_fail(err, cap, ARCHIVE_ERROR, "out of memory%s%s", "", "");
    if (rc == ARCHIVE_OK && stats.conflicts) {
        char n[32];
        snprintf(n, sizeof n, "%zu", stats.conflicts);
        rc = archive_fail(err, cap, ARCHIVE_ERROR,
                          "%s samples differ from those of the same second in %s.gz: both kept;"
                          " compare them (memreport -f FILE) and remove the wrong one", n, path);
    } else if (rc == ARCHIVE_OK && stats.added == 0) {
        /* proved: the .gz holds every sample of the plain file */
        if (unlink(path) != 0)
            rc = archive_fail(err, cap, ARCHIVE_ERROR, "cannot remove: %s%s", strerror(errno), "");
    } else if (rc == ARCHIVE_OK) {
        rc = archive_compress_image(ar->db, path, err, cap);
    }
    archive_close(ar);
    close(lock);
    return rc;
}
