/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * NUMA nodes (see numa.h).  libnuma gives the node set and total/free; the
 * rest comes from sysfs through the pure parsers of lib/parse.c.
 */
#include "numa.h"

#include <ctype.h>
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "sysread.h"

/* ---- libnuma's reporting hooks: silent (memcollect runs from cron) ---- */

static unsigned hook_calls;

void numa_warn(int num, char *fmt, ...)
{
    (void)num;
    (void)fmt;
    hook_calls++;
}

void numa_error(char *where)
{
    (void)where;
    hook_calls++;
}

unsigned numa_hook_calls(void) { return hook_calls; }

/* ---- libnuma, loaded on first use ---- */

static struct {
    int tried, ok;
    int (*available)(void);
    int (*max_node)(void);
    long long (*node_size64)(int node, long long *freep);
} lib;

static int load_libnuma(void)
{
    if (lib.tried)
        return lib.ok ? 0 : -1;
    lib.tried = 1;
    void *h = dlopen("libnuma.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!h)
        return -1;
    lib.available = (int (*)(void))dlsym(h, "numa_available");
    lib.max_node = (int (*)(void))dlsym(h, "numa_max_node");
    lib.node_size64 = (long long (*)(int, long long *))dlsym(h, "numa_node_size64");
    if (!lib.available || !lib.max_node || !lib.node_size64) {
        dlclose(h);
        return -1;
    }
    lib.ok = 1;   /* never closed: libnuma keeps state for the process */
    return 0;
}

/* ---- sysfs ---- */

/* Node files are about 1.5 KB; a larger one is cut, costing the last keys. */
static char text[16 * 1024];
static struct kv_list scratch;

/* Reads ROOT/nodeID/meminfo into OUT; -1 when unreadable. */
static int read_node_meminfo(const char *root, int id, struct kv_list *out)
{
    char path[PATH_MAX];
    size_t len;
    out->n = 0;
    if (snprintf(path, sizeof path, "%s/node%d/meminfo", root, id) >= (int)sizeof path ||
        read_text_file(path, text, sizeof text, &len) != 0)
        return -1;
    parse_node_meminfo(text, len, id, out);
    return 0;
}

/* Appends the keys of ROOT/nodeID/numastat to OUT. */
static void add_numastat(const char *root, int id, struct kv_list *out)
{
    char path[PATH_MAX];
    size_t len;
    if (snprintf(path, sizeof path, "%s/node%d/numastat", root, id) >= (int)sizeof path ||
        read_text_file(path, text, sizeof text, &len) != 0)
        return;
    parse_numastat(text, len, &scratch);
    for (unsigned i = 0; i < scratch.n; i++)
        kv_append(out, scratch.items[i].name, scratch.items[i].value);
}

static int compare_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* The node numbers of ROOT's "nodeN" directories, ascending, in *IDS (malloc'd).
 * Returns how many, 0 when ROOT is absent, -1 on error. */
static int list_node_dirs(const char *root, int **ids, char *err, size_t err_cap)
{
    *ids = NULL;
    DIR *d = opendir(root);
    if (!d) {
        if (errno == ENOENT || errno == ENOTDIR)
            return 0;
        snprintf(err, err_cap, "cannot read %s: %s", root, strerror(errno));
        return -1;
    }
    int n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        const char *s = e->d_name;
        if (strncmp(s, "node", 4) != 0 || !isdigit((unsigned char)s[4]))
            continue;
        long id = 0;
        const char *q = s + 4;
        while (*q && isdigit((unsigned char)*q) && id <= INT_MAX / 10)
            id = id * 10 + (*q++ - '0');
        if (*q != '\0' || id > INT_MAX / 2)   /* junk or absurd: not a node */
            continue;
        if (n == cap) {
            int grown_cap = cap ? cap * 2 : 16;
            int *grown = realloc(*ids, (size_t)grown_cap * sizeof *grown);
            if (!grown) {
                closedir(d);
                free(*ids);
                *ids = NULL;
                snprintf(err, err_cap, "out of memory");
                return -1;
            }
            *ids = grown;
            cap = grown_cap;
        }
        (*ids)[n++] = (int)id;
    }
    closedir(d);
    if (n > 1)
        qsort(*ids, (size_t)n, sizeof **ids, compare_int);
    return n;
}

/* Makes room for one more node in LIST; NULL when out of memory. */
static struct numa_node *add_node(struct numa_list *list, unsigned *cap)
{
    if (list->n == *cap) {
        unsigned grown_cap = *cap ? *cap * 2 : 4;
        struct numa_node *grown = realloc(list->nodes, grown_cap * sizeof *grown);
        if (!grown)
            return NULL;
        list->nodes = grown;
        *cap = grown_cap;
    }
    struct numa_node *node = &list->nodes[list->n++];
    memset(node, 0, sizeof *node);
    return node;
}

int numa_read(struct numa_list *list, const char *sysfs_root, char *err, size_t err_cap)
{
    numa_list_clear(list);
    if (!sysfs_root)
        sysfs_root = NUMA_SYSFS_ROOT;
    unsigned cap = 0;

    if (strcmp(sysfs_root, NUMA_SYSFS_ROOT) == 0 && load_libnuma() == 0) {
        if (lib.available() < 0)
            return 0;
        int max = lib.max_node();
        for (int id = 0; id <= max; id++) {
            long long free_bytes = 0;
            long long total = lib.node_size64(id, &free_bytes);
            if (total <= 0)   /* absent (sparse numbering) or without memory */
                continue;
            struct numa_node *node = add_node(list, &cap);
            if (!node)
                goto out_of_memory;
            node->id = id;
            node->total_kb = (uint64_t)total / 1024;
            node->free_kb = free_bytes > 0 ? (uint64_t)free_bytes / 1024 : 0;
            read_node_meminfo(sysfs_root, id, &node->values);
            add_numastat(sysfs_root, id, &node->values);
        }
    } else {
        int *ids;
        int n = list_node_dirs(sysfs_root, &ids, err, err_cap);
        if (n < 0)
            return -1;
        for (int i = 0; i < n; i++) {
            if (i > 0 && ids[i] == ids[i - 1])
                continue;
            if (read_node_meminfo(sysfs_root, ids[i], &scratch) != 0 ||
                kv_get(&scratch, "MemTotal") == 0)
                continue;
            struct numa_node *node = add_node(list, &cap);
            if (!node) {
                free(ids);
                goto out_of_memory;
            }
            node->id = ids[i];
            node->values = scratch;
            node->total_kb = kv_get(&scratch, "MemTotal");
            node->free_kb = kv_get(&scratch, "MemFree");
            add_numastat(sysfs_root, ids[i], &node->values);
        }
        free(ids);
    }
    list->available = list->n > 0;
    return 0;

out_of_memory:
    numa_list_clear(list);
    snprintf(err, err_cap, "out of memory");
    return -1;
}
