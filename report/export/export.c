/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The series the exports write (see export.h): reading the window in three
 * passes, naming each series for OpenMetrics (memtrail's names, or
 * node_exporter 1.5's with --names=node), InfluxDB and CSV, and buffering
 * its points in time order.
 */
#include "export.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "archive.h"
#include "empty.h"
#include "grow.h"
#include "identmap.h"
#include "procview.h"
#include "select.h"
#include "table.h"
#include "util.h"
#include "xtext.h"

/* ---- small helpers */

/* S escaped with ESCAPE into a new string. */
static char *escaped(const char *s, const char *(*escape)(unsigned char c))
{
    char *buf = malloc(strlen(s) * 6 + 1);
    if (buf)
        x_utf8(buf, s, escape);
    return buf;
}

static const char *om_escape(unsigned char c)
{
    switch (c) {
    case '\\': return "\\\\";
    case '"': return "\\\"";
    case '\n': return "\\n";
    default: return NULL;
    }
}

/* Tag keys and values, field keys (line protocol): comma, equals, space;
 * a backslash is doubled; a line break cannot be written, so CR and LF
 * become the two characters \r and \n. */
static const char *influx_tag_escape(unsigned char c)
{
    switch (c) {
    case ',': return "\\,";
    case '=': return "\\=";
    case ' ': return "\\ ";
    case '\\': return "\\\\";
    case '\n': return "\\n";
    case '\r': return "\\r";
    default: return NULL;
    }
}

/* String field values: double quote and backslash; CR and LF as in tags. */
static const char *influx_string_escape(unsigned char c)
{
    switch (c) {
    case '"': return "\\\"";
    case '\\': return "\\\\";
    case '\n': return "\\n";
    case '\r': return "\\r";
    default: return NULL;
    }
}

/* ---- string -> index maps (open addressing, FNV-1a) */

static uint64_t fnv(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static struct xslot *map_slot(const struct xmap *m, const char *key)
{
    size_t k = fnv(key) & (m->cap - 1);
    while (m->slots[k].key && strcmp(m->slots[k].key, key) != 0)
        k = (k + 1) & (m->cap - 1);
    return &m->slots[k];
}

/* The index stored for KEY, or -1. */
static long map_get(const struct xmap *m, const char *key)
{
    if (!m->cap)
        return -1;
    const struct xslot *s = map_slot(m, key);
    return s->key ? (long)s->index : -1;
}

static int map_put(struct xmap *m, const char *key, size_t index)
{
    if ((m->n + 1) * 2 > m->cap) {
        struct xmap bigger = { calloc(m->cap ? m->cap * 2 : 256, sizeof(struct xslot)), 0,
                               m->cap ? m->cap * 2 : 256 };
        if (!bigger.slots)
            return -1;
        for (size_t i = 0; i < m->cap; i++)
            if (m->slots[i].key)
                *map_slot(&bigger, m->slots[i].key) = m->slots[i];
        bigger.n = m->n;
        free(m->slots);
        *m = bigger;
    }
    struct xslot *s = map_slot(m, key);
    if (!(s->key = strdup(key)))
        return -1;
    s->index = index;
    m->n++;
    return 0;
}

static void map_free(struct xmap *m)
{
    for (size_t i = 0; i < m->cap; i++)
        free(m->slots[i].key);
    free(m->slots);
    memset(m, 0, sizeof *m);
}

/* ---- families, groups, series */

static long family(struct xstore *x, const char *name, enum xtype type, const char *unit,
                   const char *help)
{
    long f = map_get(&x->family_map, name);
    if (f >= 0)
        return f;
    if (grow_array((void **)&x->families, &x->cap_families, x->nfamilies + 1,
                   sizeof *x->families) != 0)
        return -1;
    struct xfamily *fam = &x->families[x->nfamilies];
    memset(fam, 0, sizeof *fam);
    fam->type = type;
    fam->unit = unit;
    if (!(fam->name = strdup(name)) || !(fam->help = strdup(help)) ||
        map_put(&x->family_map, name, x->nfamilies) != 0)
        return -1;
    return (long)x->nfamilies++;
}

/* Group KEY (measurement and tags); the label values are copied. */
static long group(struct xstore *x, const char *key, enum xkind kind, const char *node,
                  const char *device, const char *type, const char *comm, const char *pid,
                  const char *cmdline, const char *cgroup)
{
    long g = map_get(&x->group_map, key);
    if (g >= 0)
        return g;
    static const char *const names[] = {
        [XG_MEMINFO] = "meminfo", [XG_VMSTAT] = "vmstat", [XG_SWAP] = "swap",
        [XG_NUMA] = "numa", [XG_PROCESS] = "process", [XG_HOST] = "host",
        [XG_CGROUP] = "cgroup", [XG_PSI] = "pressure",
    };
    if (grow_array((void **)&x->groups, &x->cap_groups, x->ngroups + 1, sizeof *x->groups) != 0)
        return -1;
    struct xgroup *gr = &x->groups[x->ngroups];
    memset(gr, 0, sizeof *gr);
    gr->kind = kind;
    gr->measurement = names[kind];
    /* tags sorted by key: cgroup, comm, device, host, node, pid, type */
    const char *keys[] = { "cgroup", "comm", "device", "host", "node", "pid", "type" };
    const char *vals[] = { cgroup, comm, device, x->host, node, pid, type };
    size_t len = 1;
    for (int i = 0; i < 7; i++)
        len += vals[i] ? strlen(keys[i]) + 2 + strlen(vals[i]) * 6 : 0;
    if (!(gr->tags = malloc(len)))
        return -1;
    char *p = gr->tags;
    for (int i = 0; i < 7; i++) {
        if (!vals[i] || !vals[i][0])   /* the line protocol has no empty tag values */
            continue;
        p += sprintf(p, ",%s=", keys[i]);
        p = x_utf8(p, vals[i], influx_tag_escape);
    }
    *p = '\0';
    if ((node && !(gr->node = strdup(node))) || (device && !(gr->device = strdup(device))) ||
        (type && !(gr->type = strdup(type))) || (comm && !(gr->comm = strdup(comm))) ||
        (pid && !(gr->pid = strdup(pid))) || (cgroup && !(gr->cgroup = strdup(cgroup))) ||
        (cmdline && !(gr->cmdline = escaped(cmdline, influx_string_escape))) ||
        map_put(&x->group_map, key, x->ngroups) != 0)
        return -1;
    return (long)x->ngroups++;
}

/* Series KEY of group G and family F; LABELS is its OpenMetrics label text. */
static long series(struct xstore *x, const char *key, long g, long f, const char *field,
                   const char *labels, int64_t scale)
{
    long s = map_get(&x->series_map, key);
    if (s >= 0)
        return s;
    if (g < 0 || f < 0 ||
        grow_array((void **)&x->series, &x->cap_series, x->nseries + 1, sizeof *x->series) != 0)
        return -1;
    struct xseries *se = &x->series[x->nseries];
    memset(se, 0, sizeof *se);
    se->group = (uint32_t)g;
    se->family = (uint32_t)f;
    se->scale = scale;
    if (!(se->field = strdup(field)) || !(se->labels = strdup(labels)))
        return -1;
    struct xfamily *fam = &x->families[f];
    struct xgroup *gr = &x->groups[g];
    if (grow_array((void **)&fam->series, &fam->cap, fam->n + 1, sizeof *fam->series) != 0 ||
        grow_array((void **)&gr->series, &gr->cap, gr->n + 1, sizeof *gr->series) != 0 ||
        map_put(&x->series_map, key, x->nseries) != 0)
        return -1;
    fam->series[fam->n++] = x->nseries;
    gr->series[gr->n++] = x->nseries;
    return (long)x->nseries++;
}

static int point(struct xstore *x, long s, int64_t ts, int64_t v)
{
    if (s < 0)
        return -1;
    struct xseries *se = &x->series[s];
    if (se->n && se->pts[se->n - 1].ts >= ts) {
        x->dropped++;
        return 0;
    }
    if (grow_array((void **)&se->pts, &se->cap, se->n + 1, sizeof *se->pts) != 0)
        return -1;
    se->pts[se->n++] = (struct xpoint){ ts, v };
    return 0;
}

/* ---- naming */

/* A metric name part from a kernel key, as node_exporter makes it:
 * "Active(anon)" -> "Active_anon"; any other character outside
 * [a-zA-Z0-9_] becomes '_'. */
static void metric_part(const char *key, char *out, size_t cap)
{
    size_t n = 0;
    const char *open = strchr(key, '('), *close = strrchr(key, ')');
    for (const char *k = key; *k && n + 2 < cap; k++) {
        char c = *k;
        if (open && close > open && k == open)
            c = '_';
        else if (open && close > open && k == close)
            continue;
        else if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                   c == '_'))
            c = '_';
        out[n++] = c;
    }
    out[n] = '\0';
}

static int is_count_key(const char *key)   /* meminfo keys without a kB unit */
{
    return strncmp(key, "HugePages_", 10) == 0;
}

static int is_numastat_key(const char *key)
{
    static const char *const keys[] = { "numa_hit", "numa_miss", "numa_foreign",
                                        "interleave_hit", "local_node", "other_node" };
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (strcmp(key, keys[i]) == 0)
            return 1;
    return 0;
}

/* OpenMetrics label text: key="escaped value" pairs, comma separated. */
static void om_labels(char *out, size_t cap, const char *k1, const char *v1, const char *k2,
                      const char *v2)
{
    char e1[KEY_NAME_MAX * 6 + SWAP_NAME_MAX * 6], e2[KEY_NAME_MAX * 6 + COMM_MAX * 6];
    out[0] = '\0';
    if (k1) {
        x_utf8(e1, v1, om_escape);
        snprintf(out, cap, "%s=\"%s\"", k1, e1);
    }
    if (k2) {
        x_utf8(e2, v2, om_escape);
        size_t n = strlen(out);
        snprintf(out + n, cap - n, "%s%s=\"%s\"", n ? "," : "", k2, e2);
    }
}

#define LBL_MAX 2048

/* The family of a /proc/meminfo key (XG_MEMINFO) or /proc/vmstat counter,
 * and its OpenMetrics labels into LABELS (LBL_MAX bytes). */
static long key_family(struct xstore *x, enum xkind kind, const char *key, char *labels)
{
    int mem = kind == XG_MEMINFO, count = mem && is_count_key(key);
    if (!x->node_names) {
        om_labels(labels, LBL_MAX, mem ? "field" : "counter", key, NULL, NULL);
        if (!mem)
            return family(x, "memtrail_vmstat", X_COUNTER, NULL, "Counters of /proc/vmstat.");
        return count ? family(x, "memtrail_meminfo_hugepages", X_GAUGE, NULL,
                              "HugePages_* keys of /proc/meminfo, in pages.")
                     : family(x, "memtrail_meminfo_bytes", X_GAUGE, "bytes",
                              "Keys of /proc/meminfo, in bytes.");
    }
    char name[128], part[KEY_NAME_MAX], help[160];
    metric_part(key, part, sizeof part);
    if (!mem) {   /* node_exporter: untyped, no _total */
        snprintf(name, sizeof name, "node_vmstat_%s", part);
        snprintf(help, sizeof help, "/proc/vmstat information field %s.", part);
        return family(x, name, X_UNKNOWN, NULL, help);
    }
    snprintf(name, sizeof name, "node_memory_%s%s", part, count ? "" : "_bytes");
    snprintf(help, sizeof help, "Memory information field %s%s.", part, count ? "" : "_bytes");
    return family(x, name, X_GAUGE, count ? NULL : "bytes", help);
}

/* The points of a sample's meminfo (XG_MEMINFO) or vmstat keys. */
static int add_keys(struct xstore *x, enum xkind kind, const struct kv_list *keys, int64_t ts)
{
    const char *gkey = kind == XG_MEMINFO ? "meminfo" : "vmstat";
    for (unsigned i = 0; i < keys->n; i++) {
        const char *key = keys->items[i].name;
        char skey[KEY_NAME_MAX + 4];
        snprintf(skey, sizeof skey, "%c:%s", kind == XG_MEMINFO ? 'M' : 'V', key);
        long s = map_get(&x->series_map, skey);
        if (s < 0) {
            char labels[LBL_MAX] = "";
            long g = group(x, gkey, kind, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
            long f = key_family(x, kind, key, labels);
            int kb = kind == XG_MEMINFO && !is_count_key(key);
            s = series(x, skey, g, f, key, labels, kb ? 1024 : 1);
        }
        if (point(x, s, ts, (int64_t)keys->items[i].value) != 0)
            return -1;
    }
    return 0;
}

static int add_swap(struct xstore *x, const struct swap_device *d, int64_t ts)
{
    static const struct { const char *field, *family, *unit, *help; } f[3] = {
        { "size_kb", "memtrail_swap_size_bytes", "bytes", "Size of a swap device." },
        { "used_kb", "memtrail_swap_used_bytes", "bytes", "Used space of a swap device." },
        { "priority", "memtrail_swap_priority", NULL, "Priority of a swap device." },
    };
    int64_t v[3] = { (int64_t)d->size_kb, (int64_t)d->used_kb, d->priority };
    char gkey[SWAP_NAME_MAX + 8], skey[SWAP_NAME_MAX + 24], labels[LBL_MAX];
    snprintf(gkey, sizeof gkey, "S:%s", d->name);
    long g = group(x, gkey, XG_SWAP, NULL, d->name, d->type, NULL, NULL, NULL, NULL);
    om_labels(labels, sizeof labels, "device", d->name, "type", d->type);
    for (int i = 0; i < 3; i++) {
        snprintf(skey, sizeof skey, "S:%s\x1f%s", d->name, f[i].field);
        long s = map_get(&x->series_map, skey);
        if (s < 0)
            s = series(x, skey, g, family(x, f[i].family, X_GAUGE, f[i].unit, f[i].help),
                       f[i].field, labels, i < 2 ? 1024 : 1);
        if (point(x, s, ts, v[i]) != 0)
            return -1;
    }
    return 0;
}

static int add_node(struct xstore *x, const struct numa_node *nd, int64_t ts)
{
    char node[16], gkey[24];
    snprintf(node, sizeof node, "%d", nd->id);
    snprintf(gkey, sizeof gkey, "N:%d", nd->id);
    long g = -1;
    for (unsigned i = 0; i < nd->values.n; i++) {
        const struct kv *kv = &nd->values.items[i];
        char skey[KEY_NAME_MAX + 24];
        snprintf(skey, sizeof skey, "N:%d\x1f%s", nd->id, kv->name);
        long s = map_get(&x->series_map, skey);
        if (s < 0) {
            if (g < 0)
                g = group(x, gkey, XG_NUMA, node, NULL, NULL, NULL, NULL, NULL, NULL);
            int stat = is_numastat_key(kv->name), count = !stat && is_count_key(kv->name);
            char name[128], part[KEY_NAME_MAX], help[160], labels[LBL_MAX];
            long f;
            if (x->node_names) {   /* node_exporter's meminfo_numa: no _bytes suffix */
                metric_part(kv->name, part, sizeof part);
                snprintf(name, sizeof name, "node_memory_numa_%s", part);
                snprintf(help, sizeof help, "Memory information field %s%s.", part,
                         stat ? "_total" : "");
                om_labels(labels, sizeof labels, "node", node, NULL, NULL);
                f = family(x, name, stat ? X_COUNTER : X_GAUGE, NULL, help);
            } else {
                om_labels(labels, sizeof labels, "node", node, stat ? "counter" : "field",
                          kv->name);
                f = stat ? family(x, "memtrail_numastat", X_COUNTER, NULL,
                                  "numastat counters of a NUMA node, in pages.")
                  : count ? family(x, "memtrail_numa_meminfo_hugepages", X_GAUGE, NULL,
                                   "HugePages_* keys of a NUMA node's meminfo, in pages.")
                          : family(x, "memtrail_numa_meminfo_bytes", X_GAUGE, "bytes",
                                   "Keys of a NUMA node's meminfo, in bytes.");
            }
            s = series(x, skey, g, f, kv->name, labels, stat || count ? 1 : 1024);
        }
        if (point(x, s, ts, (int64_t)kv->value) != 0)
            return -1;
    }
    return 0;
}

/* Memory pressure: the stall totals (µs), and with memtrail's names the
 * averages (hundredths of a percent).  node_exporter's pressure collector
 * has the totals only, in seconds: some is "waiting", full is "stalled". */
static int add_psi(struct xstore *x, const struct psi *psi, int64_t ts)
{
    static const struct { const char *field, *line, *window; } f[8] = {
        { "some_total_us", "some", NULL }, { "full_total_us", "full", NULL },
        { "some_avg10", "some", "10" }, { "some_avg60", "some", "60" },
        { "some_avg300", "some", "300" }, { "full_avg10", "full", "10" },
        { "full_avg60", "full", "60" }, { "full_avg300", "full", "300" },
    };
    const struct psi_line *l[2] = { &psi->some, &psi->full };
    int64_t v[8];
    for (int i = 0; i < 2; i++) {
        v[i] = l[i]->total_us > INT64_MAX ? INT64_MAX : (int64_t)l[i]->total_us;
        v[2 + 3 * i] = l[i]->avg10;
        v[3 + 3 * i] = l[i]->avg60;
        v[4 + 3 * i] = l[i]->avg300;
    }
    long g = group(x, "pressure", XG_PSI, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
    for (int i = 0; i < 8; i++) {
        int full = f[i].line[0] == 'f';
        if ((full && !psi->has_full) || (x->node_names && f[i].window))
            continue;   /* not printed by the kernel; not node_exporter's */
        char skey[32], labels[LBL_MAX];
        snprintf(skey, sizeof skey, "Q:%s", f[i].field);
        long s = map_get(&x->series_map, skey);
        if (s < 0) {
            long fam;
            labels[0] = '\0';
            if (x->node_names)
                fam = full ? family(x, "node_pressure_memory_stalled_seconds", X_COUNTER,
                                    "seconds", "Total time in seconds no process could make "
                                    "progress due to memory congestion")
                           : family(x, "node_pressure_memory_waiting_seconds", X_COUNTER,
                                    "seconds", "Total time in seconds that processes have "
                                    "waited for memory");
            else if (!f[i].window) {
                om_labels(labels, sizeof labels, "line", f[i].line, NULL, NULL);
                fam = family(x, "memtrail_pressure_memory_stall_seconds", X_COUNTER, "seconds",
                             "Time stalled on memory (/proc/pressure/memory total): some or "
                             "full of the tasks.");
            } else {
                om_labels(labels, sizeof labels, "line", f[i].line, "window", f[i].window);
                fam = family(x, "memtrail_pressure_memory_average_percent", X_GAUGE, NULL,
                             "The kernel's running averages of /proc/pressure/memory, over "
                             "10, 60 or 300 s.");
            }
            s = series(x, skey, g, fam, f[i].field, labels, f[i].window ? -100 : -1000000);
        }
        if (point(x, s, ts, v[i]) != 0)
            return -1;
    }
    return 0;
}

enum pfield { PF_RSS, PF_ANON, PF_FILE, PF_SHMEM, PF_SWAP, PF_VSZ, PF_PSS, PF_MINFLT, PF_MAJFLT,
              PF_COUNT };

static int add_process(struct xstore *x, const struct proc *p, int64_t ts)
{
    static const struct { const char *field, *family; int counter; const char *help; } f[PF_COUNT] = {
        [PF_RSS] = { "rss_kb", "memtrail_process_rss_bytes", 0, "Resident set size (VmRSS)." },
        [PF_ANON] = { "anon_kb", "memtrail_process_anon_bytes", 0, "Resident anonymous memory (RssAnon)." },
        [PF_FILE] = { "file_kb", "memtrail_process_file_bytes", 0, "Resident file mappings (RssFile)." },
        [PF_SHMEM] = { "shmem_kb", "memtrail_process_shmem_bytes", 0, "Resident shared memory (RssShmem)." },
        [PF_SWAP] = { "swap_kb", "memtrail_process_swap_bytes", 0, "Swapped-out memory (VmSwap)." },
        [PF_VSZ] = { "vsz_kb", "memtrail_process_virtual_bytes", 0, "Virtual memory size (VmSize)." },
        [PF_PSS] = { "pss_kb", "memtrail_process_pss_bytes", 0, "Proportional set size, when recorded." },
        [PF_MINFLT] = { "minflt", "memtrail_process_minor_faults", 1, "Minor page faults." },
        [PF_MAJFLT] = { "majflt", "memtrail_process_major_faults", 1, "Major page faults." },
    };
    int64_t v[PF_COUNT] = {
        (int64_t)p->rss_kb, (int64_t)p->anon_kb, (int64_t)p->file_kb, (int64_t)p->shmem_kb,
        (int64_t)p->swap_kb, (int64_t)p->vsz_kb, p->pss_kb, (int64_t)p->minflt, (int64_t)p->majflt,
    };
    char pid[16], gkey[COMM_MAX + 24], skey[COMM_MAX + 40], labels[LBL_MAX];
    snprintf(pid, sizeof pid, "%d", (int)p->pid);
    snprintf(gkey, sizeof gkey, "P:%s\x1f%s", p->comm, pid);
    long g = map_get(&x->group_map, gkey);
    if (g < 0)
        g = group(x, gkey, XG_PROCESS, NULL, NULL, NULL, p->comm, pid, p->cmdline, NULL);
    if (g < 0)
        return -1;
    if (!x->groups[g].cmdline && p->cmdline &&
        !(x->groups[g].cmdline = escaped(p->cmdline, influx_string_escape)))
        return -1;
    for (int i = 0; i < PF_COUNT; i++) {
        if (i == PF_PSS && p->pss_kb < 0)
            continue;
        snprintf(skey, sizeof skey, "%s\x1f%s", gkey, f[i].field);
        long s = map_get(&x->series_map, skey);
        if (s < 0) {
            om_labels(labels, sizeof labels, "comm", p->comm, "pid", pid);
            s = series(x, skey, g,
                       family(x, f[i].family, f[i].counter ? X_COUNTER : X_GAUGE,
                              f[i].counter ? NULL : "bytes", f[i].help),
                       f[i].field, labels, f[i].counter ? 1 : 1024);
        }
        if (point(x, s, ts, v[i]) != 0)
            return -1;
    }
    return 0;
}

/* One memory cgroup's values (bytes, or counts), named by its path: a
 * cgroup made again at the same path continues the same series. */
static int add_cgroup(struct xstore *x, const struct cgroup_mem *m, int64_t ts)
{
#define CG(f) offsetof(struct cgroup_mem, f)
    static const struct { const char *field, *family, *event; size_t off; const char *help; } f[] = {
        { "current_bytes", "memtrail_cgroup_memory_bytes", NULL, CG(current),
          "Memory charged to a cgroup (v2 memory.current, v1 memory.usage_in_bytes)." },
        { "anon_bytes", "memtrail_cgroup_anon_bytes", NULL, CG(anon), "memory.stat anon (v1 rss)." },
        { "file_bytes", "memtrail_cgroup_file_bytes", NULL, CG(file), "memory.stat file (v1 cache)." },
        { "shmem_bytes", "memtrail_cgroup_shmem_bytes", NULL, CG(shmem), "memory.stat shmem." },
        { "kernel_bytes", "memtrail_cgroup_kernel_bytes", NULL, CG(kernel), "memory.stat kernel." },
        { "sock_bytes", "memtrail_cgroup_sock_bytes", NULL, CG(sock), "memory.stat sock." },
        { "file_dirty_bytes", "memtrail_cgroup_file_dirty_bytes", NULL, CG(file_dirty),
          "memory.stat file_dirty (v1 dirty)." },
        { "file_writeback_bytes", "memtrail_cgroup_file_writeback_bytes", NULL, CG(file_writeback),
          "memory.stat file_writeback (v1 writeback)." },
        { "mapped_file_bytes", "memtrail_cgroup_mapped_file_bytes", NULL, CG(mapped_file),
          "v1 memory.stat mapped_file." },
        { "swap_bytes", "memtrail_cgroup_swap_bytes", NULL, CG(swap),
          "Swap used by a cgroup (v2 memory.swap.current, v1 memory.stat swap)." },
        { "max_bytes", "memtrail_cgroup_limit_bytes", NULL, CG(max),
          "memory.max (v1 memory.limit_in_bytes); no sample when unlimited." },
        { "high_bytes", "memtrail_cgroup_high_bytes", NULL, CG(high),
          "memory.high; no sample when unlimited." },
        { "refault_anon", "memtrail_cgroup_workingset_refault_anon", NULL, CG(refault_anon),
          "memory.stat workingset_refault_anon, in pages." },
        { "refault_file", "memtrail_cgroup_workingset_refault_file", NULL, CG(refault_file),
          "memory.stat workingset_refault_file, in pages." },
        { "events_low", "memtrail_cgroup_events", "low", CG(ev_low), NULL },
        { "events_high", "memtrail_cgroup_events", "high", CG(ev_high), NULL },
        { "events_max", "memtrail_cgroup_events", "max", CG(ev_max), NULL },
        { "events_oom", "memtrail_cgroup_events", "oom", CG(ev_oom), NULL },
        { "events_oom_kill", "memtrail_cgroup_events", "oom_kill", CG(ev_oom_kill), NULL },
        { "events_oom_group_kill", "memtrail_cgroup_events", "oom_group_kill",
          CG(ev_oom_group_kill), NULL },
    };
#undef CG
    char gkey[CGROUP_PATH_MAX + 8], skey[CGROUP_PATH_MAX + 40], labels[LBL_MAX];
    snprintf(gkey, sizeof gkey, "G:%s", m->path);
    long g = map_get(&x->group_map, gkey);
    if (g < 0 && (g = group(x, gkey, XG_CGROUP, NULL, NULL, NULL, NULL, NULL, NULL, m->path)) < 0)
        return -1;
    for (size_t i = 0; i < sizeof f / sizeof *f; i++) {
        uint64_t v;
        memcpy(&v, (const char *)m + f[i].off, sizeof v);
        if (v >= CGROUP_UNLIMITED || v > INT64_MAX)   /* not given by the kernel, or no limit */
            continue;
        snprintf(skey, sizeof skey, "%s\x1f%s", gkey, f[i].field);
        long s = map_get(&x->series_map, skey);
        if (s < 0) {
            int bytes = strstr(f[i].family, "_bytes") != NULL;
            om_labels(labels, sizeof labels, "cgroup", m->path, f[i].event ? "event" : NULL,
                      f[i].event);
            s = series(x, skey, g,
                       family(x, f[i].family, bytes ? X_GAUGE : X_COUNTER, bytes ? "bytes" : NULL,
                              f[i].help ? f[i].help : "memory.events of a cgroup (v1: max is "
                                                      "memory.failcnt, oom_kill oom_control's)."),
                       f[i].field, labels, 1);
        }
        if (point(x, s, ts, (int64_t)v) != 0)
            return -1;
    }
    return 0;
}

/* ---- the passes */

struct ident {
    int32_t pid;
    uint32_t uid;
    char comm[COMM_MAX];
    uint64_t peak_rss;
    int chosen;
};

/* A cgroup (its path is the key of pass.cg_map), its largest memory in
 * the window, and whether it is shown. */
struct export_cgroup {
    uint64_t peak;
    int chosen;
};

struct pass {
    struct xstore *x;
    const unsigned char *in_window;   /* by record index */
    size_t nwindow;
    const struct proc_opts *po;
    struct identmap map;
    struct ident *ids;                /* by the map's index */
    size_t nids, cap_ids;
    int procs_pass;                   /* 0: system-wide and ranking; 1: chosen processes */
    struct xmap cg_map;               /* path -> index into cgs */
    struct export_cgroup *cgs;
    size_t ncgs, cap_cgs;
};

/* Whether a cgroup row is one the exports leave out: the root (the whole
 * machine, which meminfo gives) and the collector's "..." row. */
static int cgroup_left_out(const struct cgroup_mem *m)
{
    return m->current >= CGROUP_UNLIMITED || strcmp(m->path, "/") == 0 ||
           strcmp(m->path, "...") == 0;
}

static int rank_cgroups(struct pass *ps, const struct sample *s)
{
    for (size_t i = 0; i < s->cgroups.n; i++) {
        const struct cgroup_mem *m = &s->cgroups.items[i];
        if (cgroup_left_out(m))
            continue;
        long k = map_get(&ps->cg_map, m->path);
        if (k < 0) {
            if (grow_array((void **)&ps->cgs, &ps->cap_cgs, ps->ncgs + 1, sizeof *ps->cgs) != 0 ||
                map_put(&ps->cg_map, m->path, ps->ncgs) != 0)
                return -1;
            k = (long)ps->ncgs++;
            ps->cgs[k] = (struct export_cgroup){ 0, 0 };
        }
        if (m->current > ps->cgs[k].peak)
            ps->cgs[k].peak = m->current;
    }
    return 0;
}

static int add_chosen_cgroups(struct pass *ps, const struct sample *s)
{
    for (size_t i = 0; i < s->cgroups.n; i++) {
        const struct cgroup_mem *m = &s->cgroups.items[i];
        long k = cgroup_left_out(m) ? -1 : map_get(&ps->cg_map, m->path);
        if (k >= 0 && ps->cgs[k].chosen && add_cgroup(ps->x, m, s->ts) != 0)
            return -1;
    }
    return 0;
}

static int rank_procs(struct pass *ps, const struct sample *s)
{
    long boot = identmap_boot(&ps->map, s->boot_id);
    if (boot < 0)
        return -1;
    for (size_t i = 0; i < s->procs.n; i++) {
        const struct proc *p = &s->procs.procs[i];
        if (p->pid == PROC_AGGREGATE_PID)
            continue;
        long k = identmap_add(&ps->map, (uint32_t)boot, p->pid, p->start_ticks);
        if (k < 0)
            return -1;
        if ((size_t)k == ps->nids) {
            if (grow_array((void **)&ps->ids, &ps->cap_ids, ps->nids + 1, sizeof *ps->ids) != 0)
                return -1;
            struct ident *id = &ps->ids[ps->nids++];
            memset(id, 0, sizeof *id);
            id->pid = p->pid;
            id->uid = p->uid;
        }
        /* its latest name, unless an earlier one is the one --comm asks for */
        struct ident *id = &ps->ids[k];
        if (strncmp(id->comm, p->comm, sizeof id->comm - 1) != 0 &&
            !(ps->po->comm && strcmp(id->comm, ps->po->comm) == 0)) {
            memcpy(id->comm, p->comm, sizeof id->comm);
            id->comm[COMM_MAX - 1] = '\0';
        }
        if (p->rss_kb > ps->ids[k].peak_rss)
            ps->ids[k].peak_rss = p->rss_kb;
    }
    return 0;
}

static int each_sample(const struct series *sr, const struct sample *s, void *arg)
{
    struct pass *ps = arg;
    size_t rec = sr->n - 1;
    if (rec >= ps->nwindow || !ps->in_window[rec])
        return 0;
    struct xstore *x = ps->x;
    if (ps->procs_pass) {
        long boot = identmap_boot(&ps->map, s->boot_id);
        if (boot < 0)
            return -1;
        for (size_t i = 0; s->procs.scanned && i < s->procs.n; i++) {
            const struct proc *p = &s->procs.procs[i];
            if (p->pid == PROC_AGGREGATE_PID)
                continue;
            long k = identmap_find(&ps->map, (uint32_t)boot, p->pid, p->start_ticks);
            if (k >= 0 && ps->ids[k].chosen && add_process(x, p, s->ts) != 0)
                return -1;
        }
        return add_chosen_cgroups(ps, s);
    }
    if (add_keys(x, XG_MEMINFO, &s->meminfo, s->ts) != 0 ||
        add_keys(x, XG_VMSTAT, &s->vmstat, s->ts) != 0)
        return -1;
    for (unsigned i = 0; i < s->swaps.n; i++)
        if (add_swap(x, &s->swaps.dev[i], s->ts) != 0)
            return -1;
    for (unsigned i = 0; s->numa.available && i < s->numa.n; i++)
        if (add_node(x, &s->numa.nodes[i], s->ts) != 0)
            return -1;
    if (s->psi_mem.available && add_psi(x, &s->psi_mem, s->ts) != 0)
        return -1;
    if (x->node_names) {   /* node_uname_info, which dashboards list hosts by */
        long s1 = map_get(&x->series_map, "U:");
        if (s1 < 0) {
            char labels[LBL_MAX], l2[LBL_MAX];
            om_labels(labels, sizeof labels, "machine", x->facts.machine, "nodename",
                      x->facts.nodename);
            om_labels(l2, sizeof l2, "release", x->facts.release, "sysname", x->facts.sysname);
            strcat(labels, ",");
            strcat(labels, l2);
            s1 = series(x, "U:", group(x, "host", XG_HOST, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
                        family(x, "node_uname_info", X_GAUGE, NULL,
                               "Labeled system information as provided by the uname system call."),
                        "uname_info", labels, 1);
        }
        if (point(x, s1, s->ts, 1) != 0)
            return -1;
    }
    if (ps->po->top > 0 && s->procs.scanned && rank_procs(ps, s) != 0)
        return -1;
    if (ps->po->top > 0 && rank_cgroups(ps, s) != 0)
        return -1;
    return 0;
}

static int by_peak(const void *a, const void *b)
{
    const struct ident *x = *(const struct ident *const *)a, *y = *(const struct ident *const *)b;
    if (x->peak_rss != y->peak_rss)
        return x->peak_rss > y->peak_rss ? -1 : 1;
    return x->pid < y->pid ? -1 : x->pid > y->pid;
}

/* Marks the --top N identities with the largest peak RSS that pass the filters. */
static int choose(struct pass *ps)
{
    struct ident **order = malloc((ps->nids + 1) * sizeof *order);
    if (!order)
        return -1;
    size_t n = 0;
    for (size_t i = 0; i < ps->nids; i++) {
        struct pident id;
        memset(&id, 0, sizeof id);
        id.pid = ps->ids[i].pid;
        id.uid = ps->ids[i].uid;
        memcpy(id.comm, ps->ids[i].comm, sizeof id.comm);
        if (proc_passes_filters(ps->po, &id))
            order[n++] = &ps->ids[i];
    }
    qsort(order, n, sizeof *order, by_peak);
    for (size_t i = 0; i < n && i < (size_t)ps->po->top; i++)
        order[i]->chosen = 1;
    free(order);
    return 0;
}

static int by_cgroup_peak(const void *a, const void *b)
{
    const struct export_cgroup *x = *(const struct export_cgroup *const *)a;
    const struct export_cgroup *y = *(const struct export_cgroup *const *)b;
    if (x->peak != y->peak)
        return x->peak > y->peak ? -1 : 1;
    return x < y ? -1 : x > y;   /* the order of first appearance */
}

/* Marks the --top N cgroups of the largest peak, as processes are chosen;
 * the process filters (--comm, --uid...) do not apply to them. */
static int choose_cgroups(struct pass *ps)
{
    struct export_cgroup **order = malloc((ps->ncgs + 1) * sizeof *order);
    if (!order)
        return -1;
    for (size_t i = 0; i < ps->ncgs; i++)
        order[i] = &ps->cgs[i];
    qsort(order, ps->ncgs, sizeof *order, by_cgroup_peak);
    for (size_t i = 0; i < ps->ncgs && i < (size_t)ps->po->top; i++)
        order[i]->chosen = 1;
    free(order);
    return 0;
}

static int by_time(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static void xstore_free(struct xstore *x)
{
    for (size_t i = 0; i < x->nfamilies; i++) {
        free(x->families[i].name);
        free(x->families[i].help);
        free(x->families[i].series);
    }
    for (size_t i = 0; i < x->nseries; i++) {
        free(x->series[i].field);
        free(x->series[i].labels);
        free(x->series[i].pts);
    }
    for (size_t i = 0; i < x->ngroups; i++) {
        struct xgroup *g = &x->groups[i];
        free(g->tags);
        free(g->node);
        free(g->device);
        free(g->type);
        free(g->comm);
        free(g->pid);
        free(g->cmdline);
        free(g->cgroup);
        free(g->series);
    }
    free(x->families);
    free(x->series);
    free(x->groups);
    free(x->times);
    map_free(&x->series_map);
    map_free(&x->group_map);
    map_free(&x->family_map);
}

static int load_pass(const struct report_opts *o, export_load_fn load, struct pass *ps,
                     unsigned parts)
{
    struct series sr;
    memset(&sr, 0, sizeof sr);
    sr.each = each_sample;
    sr.each_ctx = ps;
    sr.each_parts = parts;
    int status = load(&sr, o);
    series_free(&sr);
    return status;
}

int export_replay(const struct report_opts *o, struct render_ctx *ctx, export_load_fn load,
                  export_write_fn write)
{
    if (o->procs.kind != REPORT_SAR) {
        fprintf(stderr, "%s: --format=%s exports every metric; -p, --growth, --at and --numa "
                        "do not apply\n", progname,
                o->format == FMT_OPENMETRICS ? "openmetrics" : o->format == FMT_INFLUX ? "influx"
                                                                                       : "csv-long");
        return 1;
    }
    struct xstore x;
    struct pass ps;
    memset(&x, 0, sizeof x);
    memset(&ps, 0, sizeof ps);
    x.node_names = o->node_names && o->format == FMT_OPENMETRICS;
    ps.x = &x;
    ps.po = &o->procs;

    /* pass 1: the records of the window, as the other reports select them */
    struct series sr;
    struct selection sel;
    struct window w;
    memset(&sr, 0, sizeof sr);
    memset(&w, 0, sizeof w);
    int status = load(&sr, o);
    if (status != 0) {
        series_free(&sr);
        return status;
    }
    w.start = o->start;
    w.end = o->end;
    if (w.start.use && w.end.use && !w.start.absolute && !w.end.absolute &&
        w.end.hour < w.start.hour)
        w.end.hour += 24;
    w.interval = o->interval < 0 ? 1 : o->interval;
    w.count = o->count ? o->count : -1;
    unsigned char *in_window = NULL;
    size_t *recs = NULL;
    long nrecs = -1;
    if (select_records(&sr, &w, &sel) == 0) {
        nrecs = window_records(&sel, &recs);
        selection_free(&sel);
    }
    in_window = calloc(sr.n + 1, 1);
    x.times = malloc((nrecs > 0 ? (size_t)nrecs : 1) * sizeof *x.times);
    if (nrecs < 0 || !in_window || !x.times) {
        report_error("cannot select records", "out of memory");
        free(recs);
        free(in_window);
        series_free(&sr);
        xstore_free(&x);
        return 2;
    }
    for (long i = 0; i < nrecs; i++) {
        in_window[recs[i]] = 1;
        x.times[x.ntimes++] = sr.recs[recs[i]].ts;
    }
    qsort(x.times, x.ntimes, sizeof *x.times, by_time);
    size_t kept = 0;
    for (size_t i = 0; i < x.ntimes; i++)
        if (kept == 0 || x.times[kept - 1] != x.times[i])
            x.times[kept++] = x.times[i];
    x.ntimes = kept;
    if (!kept)
        say_empty_window();   /* the export stays a valid empty document */
    ps.in_window = in_window;
    ps.nwindow = sr.n;
    copy_text(x.host, sizeof x.host, sr.have_host && sr.host.nodename[0] ? sr.host.nodename : "unknown");
    x.facts = sr.host;
    free(recs);
    series_free(&sr);

    /* pass 2: system-wide values, and the processes and cgroups ranked */
    status = load_pass(o, load, &ps, PART_NUMA | (o->procs.top > 0 ? PART_PROCS | PART_CGROUPS : 0));
    /* pass 3: the chosen processes and cgroups */
    if (status == 0 && o->procs.top > 0 && (ps.nids || ps.ncgs)) {
        if (choose(&ps) != 0 || choose_cgroups(&ps) != 0) {
            report_error("cannot rank processes", "out of memory");
            status = 2;
        } else {
            ps.procs_pass = 1;
            status = load_pass(o, load, &ps, (ps.nids ? PART_PROCS : 0) |
                                             (ps.ncgs ? PART_CGROUPS : 0));
        }
    }
    if (status == 0) {
        if (x.dropped)
            fprintf(stderr, "%s: %lu points left out: not later than the previous point of "
                            "their series (the clock went back)\n", progname, x.dropped);
        int rc = write(&x, ctx->out);
        if (rc != 0) {   /* write errors: memreport's output_finish() */
            report_error("cannot write the export", "out of memory");
            status = 2;
        }
    }
    free(in_window);
    free(ps.ids);
    free(ps.cgs);
    map_free(&ps.cg_map);
    identmap_free(&ps.map);
    xstore_free(&x);
    return status;
}
