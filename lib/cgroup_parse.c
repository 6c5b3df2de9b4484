/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Parsers of cgroup memory files (see cgroup_parse.h).  Files of the form
 * "key value" per line (memory.stat, memory.events, memory.oom_control)
 * share one walker that maps the keys it knows to fields of struct
 * cgroup_mem through a small table per file; the rest are skipped.
 */
#include "cgroup_parse.h"

#include <stddef.h>
#include <string.h>

/* Longest line looked at: a memory.stat line is under 64 bytes. */
#define LINE_MAX_LEN 256

void cgroup_mem_absent(struct cgroup_mem *m)
{
    uint64_t *const all[] = {
        &m->current, &m->max, &m->high, &m->swap, &m->anon, &m->file, &m->shmem, &m->kernel,
        &m->sock, &m->file_dirty, &m->file_writeback, &m->mapped_file, &m->refault_anon,
        &m->refault_file, &m->ev_low, &m->ev_high, &m->ev_max, &m->ev_oom, &m->ev_oom_kill,
        &m->ev_oom_group_kill, &m->psi_some_us, &m->psi_full_us,
    };
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        *all[i] = CGROUP_ABSENT;
}

/* A decimal number filling [S, END) but for blanks around it; values that
 * would collide with CGROUP_ABSENT/UNLIMITED are refused with the rest. */
static int whole_number(const char *s, const char *end, uint64_t *out)
{
    while (s < end && (*s == ' ' || *s == '\t'))
        s++;
    while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\n'))
        end--;
    if (s == end)
        return -1;
    uint64_t v = 0;
    for (; s < end; s++) {
        if (*s < '0' || *s > '9')
            return -1;
        unsigned d = (unsigned)(*s - '0');
        if (v > (CGROUP_UNLIMITED - 1 - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}

int cgroup_parse_number(const char *text, size_t len, uint64_t *out)
{
    const char *nl = memchr(text, '\n', len);
    return whole_number(text, nl ? nl : text + len, out);
}

int cgroup_parse_limit(const char *text, size_t len, uint64_t *out)
{
    if ((len == 3 || (len == 4 && text[3] == '\n')) && memcmp(text, "max", 3) == 0) {
        *out = CGROUP_UNLIMITED;
        return 0;
    }
    return cgroup_parse_number(text, len, out);
}

int cgroup_parse_v1_limit(const char *text, size_t len, uint64_t *out)
{
    if (cgroup_parse_number(text, len, out) != 0)
        return -1;
    if (*out >= CGROUP_V1_UNLIMITED_MIN)
        *out = CGROUP_UNLIMITED;
    return 0;
}

/* Where a key of a "key value" file goes. */
struct key_slot {
    const char *key;
    size_t offset;   /* of a uint64_t in struct cgroup_mem (or the struct parsed into) */
};
#define SLOT(k, field) { k, offsetof(struct cgroup_mem, field) }

/* Sets the field (of BASE) of every line whose key is in SLOTS (N of them). */
static void parse_keyed(const char *text, size_t len, const struct key_slot *slots, size_t n,
                        void *base)
{
    const char *p = text, *end = text + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *line_end = nl ? nl : end;
        const char *blank = memchr(p, ' ', (size_t)(line_end - p));
        if (blank && line_end - p < LINE_MAX_LEN) {
            size_t key_len = (size_t)(blank - p);
            for (size_t i = 0; i < n; i++) {
                uint64_t v;
                if (strlen(slots[i].key) == key_len && memcmp(slots[i].key, p, key_len) == 0 &&
                    whole_number(blank + 1, line_end, &v) == 0) {
                    *(uint64_t *)((char *)base + slots[i].offset) = v;
                    break;
                }
            }
        }
        p = line_end + 1;
    }
}

static const struct key_slot stat_v2[] = {
    SLOT("anon", anon), SLOT("file", file), SLOT("shmem", shmem), SLOT("kernel", kernel),
    SLOT("sock", sock), SLOT("file_dirty", file_dirty), SLOT("file_writeback", file_writeback),
    SLOT("file_mapped", mapped_file), SLOT("workingset_refault_anon", refault_anon),
    SLOT("workingset_refault_file", refault_file),
};
/* v1's local keys count only the cgroup's own tasks, but its
 * memory.usage_in_bytes counts its descendants too; the total_* keys are
 * the hierarchical ones, so they are read after (and win over) the local
 * ones, which stay where a kernel gives no total_* key. */
static const struct key_slot stat_v1[] = {
    SLOT("rss", anon), SLOT("cache", file), SLOT("shmem", shmem), SLOT("dirty", file_dirty),
    SLOT("writeback", file_writeback), SLOT("mapped_file", mapped_file), SLOT("swap", swap),
    SLOT("workingset_refault_anon", refault_anon), SLOT("workingset_refault_file", refault_file),
};
static const struct key_slot stat_v1_total[] = {
    SLOT("total_rss", anon), SLOT("total_cache", file), SLOT("total_shmem", shmem),
    SLOT("total_dirty", file_dirty), SLOT("total_writeback", file_writeback),
    SLOT("total_mapped_file", mapped_file), SLOT("total_swap", swap),
    SLOT("total_workingset_refault_anon", refault_anon),
    SLOT("total_workingset_refault_file", refault_file),
};
/* v1 memory.stat's hierarchical_memory_limit: the kernel prints the least
 * memory.max (in pages, times PAGE_SIZE) of the cgroup and every ancestor
 * (memcg1_stat_format, mm/memcontrol-v1.c; memcg_stat_show before 6.1;
 * memcg_get_hierarchical_limit before 3.19, there without the ancestors
 * when use_hierarchy is 0), and memory.limit_in_bytes the cgroup's own
 * memory.max times PAGE_SIZE.  The own limit is one of the values in that
 * minimum, so it is at least as large: when the minimum is unlimited
 * (CGROUP_V1_UNLIMITED_MIN or more), so is the own limit, read from the
 * same file in the same read.  A finite minimum may be an ancestor's. */
struct v1_hierarchy {
    uint64_t memory_limit;
};
static const struct key_slot stat_v1_hierarchy[] = {
    { "hierarchical_memory_limit", offsetof(struct v1_hierarchy, memory_limit) },
};
static const struct key_slot events[] = {
    SLOT("low", ev_low), SLOT("high", ev_high), SLOT("max", ev_max), SLOT("oom", ev_oom),
    SLOT("oom_kill", ev_oom_kill), SLOT("oom_group_kill", ev_oom_group_kill),
};
static const struct key_slot oom_control[] = { SLOT("oom_kill", ev_oom_kill) };

#define COUNT(a) (sizeof a / sizeof a[0])

void cgroup_parse_stat(const char *text, size_t len, int version, struct cgroup_mem *m)
{
    if (version == 1) {
        parse_keyed(text, len, stat_v1, COUNT(stat_v1), m);
        parse_keyed(text, len, stat_v1_total, COUNT(stat_v1_total), m);
        struct v1_hierarchy h = { CGROUP_ABSENT };   /* never a parsed value */
        parse_keyed(text, len, stat_v1_hierarchy, COUNT(stat_v1_hierarchy), &h);
        if (h.memory_limit != CGROUP_ABSENT && h.memory_limit >= CGROUP_V1_UNLIMITED_MIN)
            m->max = CGROUP_UNLIMITED;
    } else
        parse_keyed(text, len, stat_v2, COUNT(stat_v2), m);
}

void cgroup_parse_events(const char *text, size_t len, struct cgroup_mem *m)
{
    parse_keyed(text, len, events, COUNT(events), m);
}

void cgroup_parse_oom_control(const char *text, size_t len, struct cgroup_mem *m)
{
    parse_keyed(text, len, oom_control, COUNT(oom_control), m);
}

/* The number after " total=" on a pressure line, by key, not position. */
static int pressure_total(const char *line, const char *end, uint64_t *out)
{
    for (const char *p = line; p + 7 <= end; p++) {
        if (memcmp(p, " total=", 7) != 0)
            continue;
        const char *v = p + 7, *stop = v;
        while (stop < end && *stop != ' ')
            stop++;
        return whole_number(v, stop, out);
    }
    return -1;
}

void cgroup_parse_pressure(const char *text, size_t len, struct cgroup_mem *m)
{
    const char *p = text, *end = text + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *line_end = nl ? nl : end;
        uint64_t total;
        if (line_end - p < LINE_MAX_LEN && pressure_total(p, line_end, &total) == 0) {
            if (line_end - p > 5 && memcmp(p, "some ", 5) == 0)
                m->psi_some_us = total;
            else if (line_end - p > 5 && memcmp(p, "full ", 5) == 0)
                m->psi_full_us = total;
        }
        p = line_end + 1;
    }
}

/* Whether the comma-separated list [S, END) names "memory". */
static int lists_memory(const char *s, const char *end)
{
    while (s < end) {
        const char *comma = memchr(s, ',', (size_t)(end - s));
        const char *item_end = comma ? comma : end;
        if (item_end - s == 6 && memcmp(s, "memory", 6) == 0)
            return 1;
        s = item_end + 1;
    }
    return 0;
}

int cgroup_parse_proc_line(const char *line, size_t len, int version, char *out, size_t cap)
{
    const char *end = line + len;
    if (len && end[-1] == '\n')
        end--;
    const char *c1 = memchr(line, ':', (size_t)(end - line));
    const char *c2 = c1 ? memchr(c1 + 1, ':', (size_t)(end - c1 - 1)) : NULL;
    if (!c2 || c2 + 1 >= end || c2[1] != '/')
        return 0;
    int match = version == 2 ? c1 - line == 1 && line[0] == '0' && c2 == c1 + 1
                             : lists_memory(c1 + 1, c2);
    if (!match)
        return 0;
    size_t n = (size_t)(end - c2 - 1);
    if (n >= cap || memchr(c2 + 1, '\0', n))
        return -1;
    memcpy(out, c2 + 1, n);
    out[n] = '\0';
    return 1;
}

/* The blank-separated field [*S, END) after *S, moved past. */
static int next_field(const char **s, const char *end, const char **f, size_t *n)
{
    const char *p = *s;
    while (p < end && *p == ' ')
        p++;
    const char *start = p;
    while (p < end && *p != ' ')
        p++;
    *f = start;
    *n = (size_t)(p - start);
    *s = p;
    return *n > 0;
}

/* Copies mountinfo field F (N bytes) into OUT, "\ooo" decoded; -1 when too long. */
static int unescape_field(const char *f, size_t n, char *out, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        char c = f[i];
        if (c == '\\' && i + 3 < n && f[i + 1] >= '0' && f[i + 1] <= '3' &&
            f[i + 2] >= '0' && f[i + 2] <= '7' && f[i + 3] >= '0' && f[i + 3] <= '7') {
            c = (char)((f[i + 1] - '0') * 64 + (f[i + 2] - '0') * 8 + (f[i + 3] - '0'));
            i += 3;
        }
        if (c == '\0' || o + 1 >= cap)
            return -1;
        out[o++] = c;
    }
    out[o] = '\0';
    return 0;
}

int cgroup_parse_mountinfo_line(const char *line, size_t len, int *version, char *mnt,
                                size_t mnt_cap, char *root, size_t root_cap)
{
    const char *p = line, *end = line + len, *f, *root_f = NULL, *mnt_f = NULL;
    size_t n, root_n = 0, mnt_n = 0;
    if (len && end[-1] == '\n')
        end--;
    /* id parent major:minor root mountpoint options [optional...] - fstype source super */
    for (int i = 0; i < 5; i++) {
        if (!next_field(&p, end, &f, &n))
            return 0;
        if (i == 3) {
            root_f = f;
            root_n = n;
        } else if (i == 4) {
            mnt_f = f;
            mnt_n = n;
        }
    }
    while (next_field(&p, end, &f, &n) && !(n == 1 && f[0] == '-'))
        ;
    const char *type, *super;
    size_t type_n, super_n;
    if (!next_field(&p, end, &type, &type_n) || !next_field(&p, end, &f, &n))
        return 0;
    if (!next_field(&p, end, &super, &super_n))
        super_n = 0;
    if (type_n == 7 && memcmp(type, "cgroup2", 7) == 0)
        *version = 2;
    else if (type_n == 6 && memcmp(type, "cgroup", 6) == 0 && lists_memory(super, super + super_n))
        *version = 1;
    else
        return 0;
    return unescape_field(mnt_f, mnt_n, mnt, mnt_cap) == 0 &&
           unescape_field(root_f, root_n, root, root_cap) == 0;
}
