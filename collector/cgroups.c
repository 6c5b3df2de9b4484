/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Memory cgroups, read for the collector (see cgroups.h).
 *
 * The walk opens every directory with openat(O_NOFOLLOW | O_DIRECTORY)
 * relative to its parent's descriptor, so a symbolic link planted in a
 * hierarchy (a fixture, a hostile bind mount) is never followed, and holds
 * at most CGROUPS_DEPTH_MAX descriptors.  cgroupfs text is bounded and
 * parsed by lib/cgroup_parse.c.  Cgroups come and go all the time (a
 * session ends, a container stops): whatever vanished mid-walk is skipped.
 *
 * Each file costs an open, a read and a close (~10 µs of CPU on cgroupfs),
 * so a file is left unread only where its value is already known exactly:
 * v1's memory.limit_in_bytes where memory.stat's hierarchical_memory_limit
 * is unlimited (the least limit of the cgroup and its ancestors; the
 * cgroup's own is then unlimited too, see cgroup_parse.c).  A finite one
 * may be an ancestor's, so memory.limit_in_bytes is read then, and when
 * memory.stat lacks the key.  memory.failcnt is always read: the kernel
 * counts a charge refused by the cgroup's own limit (page_counter_try_charge),
 * and a limit since lifted (or one set and lifted between two samples)
 * leaves its count, so no present value tells it.
 */
#define _GNU_SOURCE
#include "cgroups.h"

#include <dirent.h>
#include <stddef.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup_parse.h"
#include "sysread.h"

#define FILE_MAX 8192             /* v2 memory.stat is ~1.5 kB, v1's ~1 kB */
#define MOUNTINFO_MAX (1 << 20)

/* Whether DIR/cgroup.controllers lists "memory". */
static int has_memory_controller(const char *dir)
{
    char path[600], text[512];
    size_t len;
    if ((size_t)snprintf(path, sizeof path, "%s/cgroup.controllers", dir) >= sizeof path ||
        read_text_file(path, text, sizeof text, &len) != 0)
        return 0;
    for (char *save = NULL, *w = strtok_r(text, " \n", &save); w; w = strtok_r(NULL, " \n", &save))
        if (strcmp(w, "memory") == 0)
            return 1;
    return 0;
}

static void choose(struct cgroup_hierarchy *h, int version, const char *mnt, const char *root)
{
    h->version = version;
    snprintf(h->mount, sizeof h->mount, "%s", mnt);
    snprintf(h->root, sizeof h->root, "%s", root);
}

int cgroups_find(struct cgroup_hierarchy *h, char *err, size_t err_cap)
{
    memset(h, 0, sizeof *h);
    /* the unified layout's place first: a v2 host, or a fixture bound over it */
    if (has_memory_controller("/sys/fs/cgroup")) {
        choose(h, 2, "/sys/fs/cgroup", "/");
        return 0;
    }
    char *text = malloc(MOUNTINFO_MAX);
    size_t len;
    int rc = text ? read_text_file("/proc/self/mountinfo", text, MOUNTINFO_MAX, &len) : -ENOMEM;
    if (rc != 0) {
        free(text);
        snprintf(err, err_cap, "/proc/self/mountinfo: %s", strerror(-rc));
        return -1;
    }
    char v1_mnt[512] = "", v1_root[512] = "";
    for (char *line = text, *nl; line < text + len; line = nl + 1) {
        nl = memchr(line, '\n', (size_t)(text + len - line));
        if (!nl)
            nl = text + len;
        char mnt[512], root[512];
        int version;
        if (!cgroup_parse_mountinfo_line(line, (size_t)(nl - line), &version, mnt, sizeof mnt,
                                         root, sizeof root))
            continue;
        if (version == 2 && has_memory_controller(mnt)) {
            choose(h, 2, mnt, root);
            break;
        }
        if (version == 2 && !h->v2_mount[0])
            snprintf(h->v2_mount, sizeof h->v2_mount, "%s", mnt);
        if (version == 1 && !v1_mnt[0]) {
            snprintf(v1_mnt, sizeof v1_mnt, "%s", mnt);
            snprintf(v1_root, sizeof v1_root, "%s", root);
        }
    }
    free(text);
    if (h->version == 0 && v1_mnt[0])
        choose(h, 1, v1_mnt, v1_root);
    if (h->version == 2)
        h->v2_mount[0] = '\0';
    return 0;
}

/* ---- reading one cgroup */

/* NAME in directory DIRFD into BUF, bounded, whole lines only: 0 or -errno. */
static int read_at(int dirfd, const char *name, char *buf, size_t cap, size_t *len)
{
    int rc = read_small_text_at(dirfd, name, buf, cap, len);
    if (rc == 0 && *len + 1 >= cap) {   /* cut: a partial last line would read as a wrong number */
        while (*len > 0 && buf[*len - 1] != '\n')
            (*len)--;
        buf[*len] = '\0';
    }
    return rc;
}

typedef void (*file_parser)(const char *text, size_t len, struct cgroup_mem *m);

static void parse_current(const char *t, size_t n, struct cgroup_mem *m)
{
    cgroup_parse_number(t, n, &m->current);
}
static void parse_swap(const char *t, size_t n, struct cgroup_mem *m)
{
    cgroup_parse_number(t, n, &m->swap);
}
static void parse_max(const char *t, size_t n, struct cgroup_mem *m)
{
    cgroup_parse_limit(t, n, &m->max);
}
static void parse_high(const char *t, size_t n, struct cgroup_mem *m)
{
    cgroup_parse_limit(t, n, &m->high);
}
static void parse_stat_v2(const char *t, size_t n, struct cgroup_mem *m)
{
    cgroup_parse_stat(t, n, 2, m);
}
static void parse_stat_v1(const char *t, size_t n, struct cgroup_mem *m)
{
    cgroup_parse_stat(t, n, 1, m);
}
static void parse_v1_limit(const char *t, size_t n, struct cgroup_mem *m)
{
    cgroup_parse_v1_limit(t, n, &m->max);
}
static void parse_failcnt(const char *t, size_t n, struct cgroup_mem *m)
{
    cgroup_parse_number(t, n, &m->ev_max);
}

/* Whether a file's value is still unknown after the files before it. */
typedef int (*file_needed)(const struct cgroup_mem *m);

static int max_unknown(const struct cgroup_mem *m)
{
    return m->max == CGROUP_ABSENT;
}

struct memory_file {
    const char *name;
    file_parser parse;
    file_needed needed;   /* NULL: always read */
};

static const struct memory_file files_v2[] = {
    { "memory.current", parse_current, NULL }, { "memory.stat", parse_stat_v2, NULL },
    { "memory.swap.current", parse_swap, NULL }, { "memory.events", cgroup_parse_events, NULL },
    { "memory.pressure", cgroup_parse_pressure, NULL }, { "memory.max", parse_max, NULL },
    { "memory.high", parse_high, NULL }, { NULL, NULL, NULL },
};
static const struct memory_file files_v1[] = {
    { "memory.usage_in_bytes", parse_current, NULL }, { "memory.stat", parse_stat_v1, NULL },
    /* after memory.stat: an unlimited hierarchical_memory_limit tells it */
    { "memory.limit_in_bytes", parse_v1_limit, max_unknown },
    { "memory.failcnt", parse_failcnt, NULL },
    { "memory.oom_control", cgroup_parse_oom_control, NULL }, { NULL, NULL, NULL },
};

/* The memory files of the cgroup open as DIRFD into M: all of them, or
 * (ONLY_CURRENT) the first, its usage, which ranks it for the bound. */
static void read_memory_files(int dirfd, int version, int only_current, struct cgroup_mem *m)
{
    static char text[FILE_MAX];
    size_t len = 0;
    for (const struct memory_file *f = version == 2 ? files_v2 : files_v1; f->name; f++) {
        if (f->needed && !f->needed(m))
            continue;
        if (read_at(dirfd, f->name, text, sizeof text, &len) == 0)
            f->parse(text, len, m);
        if (only_current)
            break;
    }
}

/* ---- the walk */

/* What the walk knows of each cgroup of the list beside its values. */
struct node {
    int parent;               /* index in the list; -1: the root */
    int depth;
    int full;                 /* every file read (else memory.current only) */
    uint64_t inode;           /* of its directory, on v1 too */
    int leaf;                 /* its directory has no subdirectory (link count 2) */
};

struct walk {
    const struct cgroup_hierarchy *h;
    struct cgroup_list *list;
    size_t max;               /* 0: no bound */
    struct node *nodes;       /* as many as the list holds */
    size_t cap;
    int failed;               /* out of memory */
};

/* Records the node of the item just added, growing with the list. */
static int note_node(struct walk *w, struct node node)
{
    if (w->cap < w->list->cap) {
        struct node *grown = realloc(w->nodes, w->list->cap * sizeof *grown);
        if (!grown)
            return -1;
        w->nodes = grown;
        w->cap = w->list->cap;
    }
    w->nodes[w->list->n - 1] = node;
    return 0;
}

/* Adds the cgroup open as DIR_FD (whose inode is INODE) at PATH, then
 * walks its children.  Once the list holds MAX cgroups, the rest get
 * their usage only, until the bound has chosen which to read in full. */
static void walk_dir(struct walk *w, int dir_fd, char *path, size_t path_len,
                     struct node node)
{
    struct cgroup_mem m;
    memset(&m, 0, sizeof m);
    cgroup_mem_absent(&m);
    m.path = path;
    m.id = w->h->version == 2 ? node.inode : 0;
    node.full = w->max == 0 || w->list->n < w->max;
    read_memory_files(dir_fd, w->h->version, !node.full, &m);
    if (!cgroup_list_add(w->list, &m) || note_node(w, node) != 0) {
        w->failed = 1;
        close(dir_fd);
        return;
    }
    int self = (int)w->list->n - 1;
    /* cgroupfs (kernfs) and tmpfs count a directory's subdirectories in
     * its links: listing a leaf, most cgroups, costs ten times its stat */
    DIR *d = node.depth < CGROUPS_DEPTH_MAX && !node.leaf ? fdopendir(dir_fd) : NULL;
    if (!d) {
        close(dir_fd);
        return;
    }
    struct dirent *e;
    while (!w->failed && (e = readdir(d)) != NULL) {
        if ((e->d_type != DT_DIR && e->d_type != DT_UNKNOWN) || strcmp(e->d_name, ".") == 0 ||
            strcmp(e->d_name, "..") == 0)
            continue;
        size_t name_len = strlen(e->d_name);
        size_t sep = path_len > 1 ? 1 : 0;   /* "/" + name, or "/a" + "/" + name */
        if (path_len + sep + name_len >= CGROUP_PATH_MAX)
            continue;
        int child = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        struct stat st;
        if (child < 0)
            continue;   /* vanished, or a symbolic link */
        if (fstat(child, &st) != 0) {
            close(child);
            continue;
        }
        if (sep)
            path[path_len] = '/';
        memcpy(path + path_len + sep, e->d_name, name_len + 1);
        walk_dir(w, child, path, path_len + sep + name_len,
                 (struct node){ self, node.depth + 1, 0, (uint64_t)st.st_ino, st.st_nlink == 2 });
        path[path_len] = '\0';
    }
    closedir(d);
}

/* The files of a kept cgroup that the walk read its usage of only: its
 * directory opened again under MOUNT_FD, and only when it is still the
 * one walked (same inode: not removed and made again meanwhile). */
static void read_rest(const struct walk *w, int mount_fd, struct cgroup_mem *m,
                      const struct node *node)
{
    size_t skip = strlen(w->h->root);
    const char *rel = m->path + (skip > 1 ? skip : 0);
    while (*rel == '/')
        rel++;
    int fd = openat(mount_fd, *rel ? rel : ".", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    struct stat st;
    if (fd < 0)
        return;
    if (fstat(fd, &st) == 0 && (uint64_t)st.st_ino == node->inode) {
        uint64_t current = m->current;
        read_memory_files(fd, w->h->version, 0, m);
        if (m->current == CGROUP_ABSENT)
            m->current = current;
    }
    close(fd);
}

/* ---- the bound */

struct rank {
    size_t index;
    int depth;
    uint64_t current;
};

/* The root first, then depth 1, then the largest (absent counts as 0). */
static int by_rank(const void *a, const void *b)
{
    const struct rank *x = a, *y = b;
    int dx = x->depth < 2 ? x->depth : 2, dy = y->depth < 2 ? y->depth : 2;
    if (dx != dy)
        return dx - dy;
    uint64_t cx = x->current == CGROUP_ABSENT ? 0 : x->current;
    uint64_t cy = y->current == CGROUP_ABSENT ? 0 : y->current;
    if (cx != cy)
        return cx > cy ? -1 : 1;
    return (x->index > y->index) - (x->index < y->index);
}

/* Which cgroups of W's list the bound keeps (KEEP[i]). */
static int choose_kept(const struct walk *w, unsigned char *keep)
{
    const struct cgroup_list *list = w->list;
    struct rank *order = malloc(list->n * sizeof *order);
    if (!order)
        return -1;
    for (size_t i = 0; i < list->n; i++)
        order[i] = (struct rank){ i, w->nodes[i].depth, list->items[i].current };
    qsort(order, list->n, sizeof *order, by_rank);
    for (size_t i = 0; i < w->max; i++)
        keep[order[i].index] = 1;
    free(order);
    return 0;
}

/* Keeps MAX cgroups of W's list (see cgroups.h), reads the rest of their
 * files, and sums the usage of the others into "...": each subtree left out
 * once, at its top (a parent's usage includes its children's). */
static int keep_largest(struct walk *w, int mount_fd)
{
    struct cgroup_list *list = w->list;
    unsigned char *keep = calloc(list->n, 1);
    if (!keep || choose_kept(w, keep) != 0) {
        free(keep);
        return -1;
    }
    struct cgroup_mem others;
    memset(&others, 0, sizeof others);
    cgroup_mem_absent(&others);
    others.path = "...";
    others.current = 0;
    uint32_t folded = 0;
    size_t out = 0;
    for (size_t i = 0; i < list->n; i++) {
        struct cgroup_mem *m = &list->items[i];
        const struct node *node = &w->nodes[i];
        if (keep[i]) {
            if (!node->full)
                read_rest(w, mount_fd, m, node);
            list->items[out++] = *m;
            continue;
        }
        folded++;
        int top = node->parent < 0 || keep[node->parent];
        if (top && m->current != CGROUP_ABSENT)   /* saturated: never wraps, never a marker */
            others.current = m->current < CGROUP_UNLIMITED - 1 - others.current
                             ? others.current + m->current : CGROUP_UNLIMITED - 1;
        free(m->path);
    }
    free(keep);
    list->n = out;
    list->aggregated = folded;
    return cgroup_list_add(list, &others) ? 0 : -1;
}

/* On v1 the root's pressure comes from a cgroup2 root beside it, if any:
 * the whole machine's, as /proc/pressure/memory. */
static void root_pressure_v1(const struct cgroup_hierarchy *h, struct cgroup_mem *root)
{
    char path[600], text[512];
    size_t len;
    if (h->v2_mount[0] &&
        (size_t)snprintf(path, sizeof path, "%s/memory.pressure", h->v2_mount) < sizeof path &&
        read_text_file(path, text, sizeof text, &len) == 0)
        cgroup_parse_pressure(text, len, root);
}

int cgroups_scan(const struct cgroup_hierarchy *h, long max, struct cgroup_list *list,
                 char *err, size_t err_cap)
{
    cgroup_list_clear(list);
    if (h->version == 0)
        return 0;
    int mount_fd = open(h->mount, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int root_fd = mount_fd >= 0 ? dup(mount_fd) : -1;   /* the walk closes its own */
    struct stat st;
    if (root_fd < 0 || fstat(root_fd, &st) != 0) {
        snprintf(err, err_cap, "%s: %s", h->mount, strerror(errno));
        if (mount_fd >= 0)
            close(mount_fd);
        if (root_fd >= 0)
            close(root_fd);
        return -1;
    }
    static char path[CGROUP_PATH_MAX];
    snprintf(path, sizeof path, "%s", h->root[0] == '/' ? h->root : "/");
    struct walk w = { .h = h, .list = list, .max = max > 0 ? (size_t)max : 0 };
    list->version = h->version;
    walk_dir(&w, root_fd, path, strlen(path),
             (struct node){ -1, 0, 0, (uint64_t)st.st_ino, st.st_nlink == 2 });
    if (!w.failed && h->version == 1 && list->n > 0)
        root_pressure_v1(h, &list->items[0]);
    if (!w.failed && w.max && list->n > w.max && keep_largest(&w, mount_fd) != 0)
        w.failed = 1;
    close(mount_fd);
    free(w.nodes);
    if (w.failed) {
        cgroup_list_clear(list);
        snprintf(err, err_cap, "out of memory");
        return -1;
    }
    return 0;
}
