/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Processes through libproc2 (see procs.h).
 *
 * libproc2 is dlopen'ed, and its header is used for types and enums only.
 * The values are read as stack->head[position].result.<member> with our own
 * positions, never with PIDS_VAL (its arity changed in procps-ng 4.0.5).
 * "libproc2.so.0" is the soname of 4.0.0-4.0.4, whose item numbering is the
 * one this file is compiled with; 4.0.5 renumbered the items and is .so.1.
 *
 * Pitfalls of 4.0.2 handled here: string results can be NULL or the literal
 * "[ duplicate PIDS_... ]"; procps_pids_reap/select return NULL when they
 * found no process; a process whose status file vanished between reading
 * stat and status comes back with zeroed fields (detected with SigPnd, which
 * only status gives, and skipped); PSS reads silently as 0 when
 * smaps_rollup is unreadable (verified here); select takes at most 255 pids.
 */
#include "procs.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libproc2/pids.h>

#include "cgroup_parse.h"
#include "parse.h"
#include "sysread.h"

/* ---- the library, loaded on first use and kept ---- */

static struct {
    void *handle;
    int (*pids_new)(struct pids_info **, enum pids_item *, int);
    struct pids_fetch *(*pids_reap)(struct pids_info *, enum pids_fetch_type);
    struct pids_fetch *(*pids_select)(struct pids_info *, unsigned *, int, enum pids_select_type);
    int (*pids_unref)(struct pids_info **);
} lib;

static int load_libproc2(char *err, size_t err_cap)
{
    if (lib.handle)
        return 0;
    void *h = dlopen("libproc2.so.0", RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char *why = dlerror();
        snprintf(err, err_cap, "cannot load libproc2: %s", why ? why : "unknown error");
        return -1;
    }
    lib.pids_new = (int (*)(struct pids_info **, enum pids_item *, int))dlsym(h, "procps_pids_new");
    lib.pids_reap = (struct pids_fetch * (*)(struct pids_info *, enum pids_fetch_type))
        dlsym(h, "procps_pids_reap");
    lib.pids_select = (struct pids_fetch * (*)(struct pids_info *, unsigned *, int, enum pids_select_type))
        dlsym(h, "procps_pids_select");
    lib.pids_unref = (int (*)(struct pids_info **))dlsym(h, "procps_pids_unref");
    if (!lib.pids_new || !lib.pids_reap || !lib.pids_select || !lib.pids_unref) {
        snprintf(err, err_cap, "cannot load libproc2: a procps_pids_* function is missing");
        dlclose(h);
        memset(&lib, 0, sizeof lib);
        return -1;
    }
    /* never dlclose'd: it dlopens libnuma itself and keeps caches */
    lib.handle = h;
    return 0;
}

/* ---- the main scan ---- */

/* Positions in scan_items: keep both in the same order.  PSS is last so
 * that leaving it out is a shorter count. */
enum {
    S_PID, S_PPID, S_EUID, S_BEGAN, S_CMD, S_SIGPND,
    S_RSS, S_ANON, S_FILE, S_SHMEM, S_SWAP, S_VSZ, S_MINFLT, S_MAJFLT, S_FLAGS,
    S_PSS, S_COUNT
};
static enum pids_item scan_items[S_COUNT] = {
    [S_PID] = PIDS_ID_PID,            /* directory name */
    [S_PPID] = PIDS_ID_PPID,          /* stat */
    [S_EUID] = PIDS_ID_EUID,          /* status Uid (stat() of /proc/PID first) */
    [S_BEGAN] = PIDS_TICS_BEGAN,      /* stat */
    [S_CMD] = PIDS_CMD,               /* stat comm */
    [S_SIGPND] = PIDS_SIGPENDING,     /* status: empty when status was not read */
    [S_RSS] = PIDS_VM_RSS,            /* status ... */
    [S_ANON] = PIDS_VM_RSS_ANON,
    [S_FILE] = PIDS_VM_RSS_FILE,
    [S_SHMEM] = PIDS_VM_RSS_SHARED,
    [S_SWAP] = PIDS_VM_SWAP,
    [S_VSZ] = PIDS_VM_SIZE,
    [S_MINFLT] = PIDS_FLT_MIN,        /* stat */
    [S_MAJFLT] = PIDS_FLT_MAJ,
    [S_FLAGS] = PIDS_FLAGS,           /* stat: PF_KTHREAD */
    [S_PSS] = PIDS_SMAP_PSS,          /* smaps_rollup */
};

#define PF_KTHREAD 0x00200000   /* include/linux/sched.h: a kernel thread */

/* The contexts are kept between calls (memcollect's loop mode): creating
 * one costs a millisecond, as procps_pids_new loads libnuma. */
static struct pids_info *scan_info, *scan_info_pss, *cmdline_info;

/* A usable string result: not NULL and not the library's "[ duplicate" marker. */
static const char *str_result(const char *s)
{
    if (!s || strncmp(s, "[ duplicate", 11) == 0)
        return NULL;
    return s;
}

/* Length of S cut to at most MAX bytes, not inside a UTF-8 sequence. */
static size_t bounded_len(const char *s, size_t max)
{
    size_t n = strnlen(s, max + 1);
    if (n <= max)
        return n;
    n = max;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    return n;
}

/* PSS of PID when libproc2 said 0: the real value, 0 for a process without
 * an address space, -1 when smaps_rollup cannot be read. */
static int64_t pss_recheck(int pid)
{
    static char text[4096];
    static struct kv_list kv;
    char path[64];
    size_t len;
    snprintf(path, sizeof path, "/proc/%d/smaps_rollup", pid);
    int rc = read_text_file(path, text, sizeof text, &len);
    if (rc == -ESRCH)   /* opened (so permitted), but no mm: kernel thread, zombie */
        return 0;
    if (rc != 0)
        return -1;
    parse_meminfo(text, len, &kv);
    const struct kv *pss = kv_find(&kv, "Pss", NULL);
    return pss ? (int64_t)pss->value : -1;
}

/*
 * libproc2 escapes names for a terminal: a newline becomes '.', bytes that
 * are not valid in the C locale '?', and command-line arguments lose their
 * control characters.  memtrail keeps the bytes the kernel has (the reports
 * escape them for each format), so where the escaping may have changed a
 * name, the name is read again from /proc, raw and bounded.
 */
static void raw_comm(int32_t pid, char comm[COMM_MAX])
{
    char path[64], text[COMM_MAX + 1];
    size_t len;
    snprintf(path, sizeof path, "/proc/%d/comm", (int)pid);
    if (read_text_file(path, text, sizeof text, &len) != 0 || len == 0)
        return;
    if (text[len - 1] == '\n')
        len--;
    if (len == 0 || memchr(text, '\0', len))
        return;
    memcpy(comm, text, len);
    comm[len] = '\0';
}

/* The command line as the kernel has it, NULs between arguments made spaces;
 * NULL when unreadable or empty (a kernel thread: libproc2's "[name]" stays). */
static char *raw_cmdline(int32_t pid)
{
    char path[64];
    static char text[PROC_CMDLINE_MAX];
    size_t len;
    snprintf(path, sizeof path, "/proc/%d/cmdline", (int)pid);
    if (read_text_file(path, text, sizeof text, &len) != 0)
        return NULL;
    while (len > 0 && text[len - 1] == '\0')
        len--;
    if (len == 0)
        return NULL;
    for (size_t i = 0; i < len; i++)
        if (text[i] == '\0')
            text[i] = ' ';
    char *copy = malloc(len + 1);
    if (copy) {
        memcpy(copy, text, len);
        copy[len] = '\0';
    }
    return copy;
}

int procs_scan(struct proc_list *list, const struct procs_options *o, char *err, size_t err_cap)
{
    proc_list_clear(list);
    list->scanned = 1;
    if (load_libproc2(err, err_cap) != 0)
        return -1;

    int want_pss = o && o->want_pss && geteuid() == 0;
    struct pids_info **info = want_pss ? &scan_info_pss : &scan_info;
    if (!*info) {
        int rc = lib.pids_new(info, scan_items, want_pss ? S_COUNT : S_PSS);
        if (rc < 0) {
            *info = NULL;
            snprintf(err, err_cap, "libproc2: procps_pids_new: %s", strerror(-rc));
            return -1;
        }
    }
    errno = 0;
    struct pids_fetch *f = lib.pids_reap(*info, PIDS_FETCH_TASKS_ONLY);
    if (!f) {
        /* NULL also means "no process found" (hidepid=, an empty /proc) */
        int e = errno;
        if (e == ENOMEM || access("/proc", R_OK | X_OK) != 0) {
            snprintf(err, err_cap, "libproc2 cannot read processes: %s",
                     strerror(e == ENOMEM ? e : errno));
            return -1;
        }
        return 0;
    }

    for (int i = 0; i < f->counts->total; i++) {
        const struct pids_result *r = f->stacks[i]->head;
        const char *sigpnd = str_result(r[S_SIGPND].result.str);
        if (!sigpnd || !sigpnd[0])   /* exited between stat and status */
            continue;
        struct proc p;
        memset(&p, 0, sizeof p);
        p.pid = r[S_PID].result.s_int;
        if (p.pid <= 0)
            continue;
        p.ppid = r[S_PPID].result.s_int;
        p.uid = r[S_EUID].result.u_int;
        p.start_ticks = r[S_BEGAN].result.ull_int;
        const char *cmd = str_result(r[S_CMD].result.str);
        if (cmd) {
            size_t n = bounded_len(cmd, COMM_MAX - 1);
            memcpy(p.comm, cmd, n);
            p.comm[n] = '\0';
            if (strpbrk(p.comm, "?."))   /* perhaps libproc2's escaping: the real bytes */
                raw_comm(p.pid, p.comm);
        }
        p.rss_kb = r[S_RSS].result.ul_int;
        p.anon_kb = r[S_ANON].result.ul_int;
        p.file_kb = r[S_FILE].result.ul_int;
        p.shmem_kb = r[S_SHMEM].result.ul_int;
        p.swap_kb = r[S_SWAP].result.ul_int;
        p.vsz_kb = r[S_VSZ].result.ul_int;
        p.minflt = r[S_MINFLT].result.ul_int;
        p.majflt = r[S_MAJFLT].result.ul_int;
        p.kernel_thread = (r[S_FLAGS].result.ul_int & PF_KTHREAD) != 0;
        p.pss_kb = -1;
        if (want_pss) {
            unsigned long pss = r[S_PSS].result.ul_int;
            p.pss_kb = pss > 0 ? (int64_t)pss : pss_recheck(p.pid);
        }
        if (!proc_list_add(list, &p)) {
            snprintf(err, err_cap, "out of memory");
            return -1;
        }
    }
    return 0;
}

/* ---- command lines, for the processes that need them ---- */

/* The memory cgroup path among the lines of /proc/PID/cgroup (LINES, from
 * libproc2, NULL-terminated), malloc'd; NULL when none or unusable. */
static char *memory_cgroup(char **lines, int version)
{
    static char path[CGROUP_PATH_MAX];
    for (int i = 0; lines && lines[i] && i < 64; i++)
        if (cgroup_parse_proc_line(lines[i], strnlen(lines[i], CGROUP_PATH_MAX + 64), version,
                                   path, sizeof path) == 1)
            return strdup(path);
    return NULL;
}

enum { C_PID, C_BEGAN, C_CMDLINE, C_CGROUP, C_COUNT };
static enum pids_item cmdline_items[C_COUNT] = {
    [C_PID] = PIDS_ID_PID, [C_BEGAN] = PIDS_TICS_BEGAN, [C_CMDLINE] = PIDS_CMDLINE,
    [C_CGROUP] = PIDS_CGROUP_V,   /* /proc/PID/cgroup, one line each */
};

#define SELECT_MAX 255   /* libproc2's FILL_ID_MAX */

struct wanted {
    int32_t pid;
    size_t index;
};

static int compare_wanted(const void *a, const void *b)
{
    int32_t x = ((const struct wanted *)a)->pid, y = ((const struct wanted *)b)->pid;
    return (x > y) - (x < y);
}

int procs_read_cmdlines(struct proc_list *list, const unsigned char *need, int cgroup_version,
                        char *err, size_t err_cap)
{
    size_t count = 0;
    for (size_t i = 0; i < list->n; i++)
        if (need[i] && list->procs[i].pid > 0)
            count++;
    if (count == 0)
        return 0;
    if (load_libproc2(err, err_cap) != 0)
        return -1;
    if (!cmdline_info) {
        int rc = lib.pids_new(&cmdline_info, cmdline_items, C_COUNT);
        if (rc < 0) {
            cmdline_info = NULL;
            snprintf(err, err_cap, "libproc2: procps_pids_new: %s", strerror(-rc));
            return -1;
        }
    }
    struct wanted *w = malloc(count * sizeof *w);
    unsigned *pids = malloc(SELECT_MAX * sizeof *pids);
    if (!w || !pids) {
        free(w);
        free(pids);
        snprintf(err, err_cap, "out of memory");
        return -1;
    }
    size_t k = 0;
    for (size_t i = 0; i < list->n; i++)
        if (need[i] && list->procs[i].pid > 0)
            w[k++] = (struct wanted){ list->procs[i].pid, i };
    qsort(w, count, sizeof *w, compare_wanted);

    int rc = 0;
    for (size_t start = 0; start < count; start += SELECT_MAX) {
        size_t chunk = count - start < SELECT_MAX ? count - start : SELECT_MAX;
        for (size_t j = 0; j < chunk; j++)
            pids[j] = (unsigned)w[start + j].pid;
        errno = 0;
        struct pids_fetch *f = lib.pids_select(cmdline_info, pids, (int)chunk, PIDS_SELECT_PID);
        if (!f) {
            if (errno == ENOMEM) {
                snprintf(err, err_cap, "out of memory");
                rc = -1;
                break;
            }
            continue;   /* none of them is left */
        }
        for (int s = 0; s < f->counts->total; s++) {
            const struct pids_result *r = f->stacks[s]->head;
            struct wanted key = { r[C_PID].result.s_int, 0 };
            struct wanted *hit = bsearch(&key, w + start, chunk, sizeof *w, compare_wanted);
            const char *cmdline = str_result(r[C_CMDLINE].result.str);
            if (!hit || !cmdline)
                continue;
            struct proc *p = &list->procs[hit->index];
            if (p->start_ticks != r[C_BEGAN].result.ull_int)   /* the pid was reused */
                continue;
            char *copy = raw_cmdline(p->pid);
            if (!copy) {
                size_t n = bounded_len(cmdline, PROC_CMDLINE_MAX - 1);
                if (!(copy = malloc(n + 1))) {
                    snprintf(err, err_cap, "out of memory");
                    rc = -1;
                    break;
                }
                memcpy(copy, cmdline, n);
                copy[n] = '\0';
            }
            free(p->cmdline);
            p->cmdline = copy;
            if (cgroup_version) {
                free(p->cgroup);
                p->cgroup = memory_cgroup(r[C_CGROUP].result.strv, cgroup_version);
            }
        }
        if (rc != 0)
            break;
    }
    free(w);
    free(pids);
    return rc;
}

void procs_release(void)
{
    if (!lib.handle)
        return;
    if (scan_info)
        lib.pids_unref(&scan_info);
    if (scan_info_pss)
        lib.pids_unref(&scan_info_pss);
    if (cmdline_info)
        lib.pids_unref(&cmdline_info);
}

/* ---- --procs-max ---- */

struct by_rss {
    uint64_t rss;
    int32_t pid;
    size_t index;
};

static int compare_by_rss(const void *a, const void *b)
{
    const struct by_rss *x = a, *y = b;
    int x_agg = x->pid == PROC_AGGREGATE_PID, y_agg = y->pid == PROC_AGGREGATE_PID;
    if (x_agg != y_agg)   /* an earlier "(others)" row is always folded again */
        return x_agg - y_agg;
    if (x->rss != y->rss)
        return x->rss > y->rss ? -1 : 1;
    return (x->pid > y->pid) - (x->pid < y->pid);
}

void procs_keep_largest(struct proc_list *list, size_t max)
{
    if (list->n <= max)
        return;
    struct by_rss *order = malloc(list->n * sizeof *order);
    unsigned char *keep = calloc(list->n, 1);
    if (!order || !keep) {   /* out of memory: keep everything rather than lose rows */
        free(order);
        free(keep);
        return;
    }
    for (size_t i = 0; i < list->n; i++)
        order[i] = (struct by_rss){ list->procs[i].rss_kb, list->procs[i].pid, i };
    qsort(order, list->n, sizeof *order, compare_by_rss);
    for (size_t i = 0; i < max && order[i].pid != PROC_AGGREGATE_PID; i++)
        keep[order[i].index] = 1;
    free(order);

    struct proc others;
    memset(&others, 0, sizeof others);
    others.pid = PROC_AGGREGATE_PID;
    snprintf(others.comm, sizeof others.comm, "(others)");
    int pss_known = 1;
    uint32_t folded = list->aggregated;
    size_t out = 0;
    for (size_t i = 0; i < list->n; i++) {
        struct proc *p = &list->procs[i];
        if (keep[i]) {
            list->procs[out++] = *p;
            continue;
        }
        others.rss_kb += p->rss_kb;
        others.anon_kb += p->anon_kb;
        others.file_kb += p->file_kb;
        others.shmem_kb += p->shmem_kb;
        others.swap_kb += p->swap_kb;
        others.vsz_kb += p->vsz_kb;
        others.minflt += p->minflt;
        others.majflt += p->majflt;
        if (p->pss_kb < 0)
            pss_known = 0;
        else
            others.pss_kb += p->pss_kb;
        if (p->pid != PROC_AGGREGATE_PID)   /* an earlier aggregate is already counted */
            folded++;
        free(p->cmdline);
        free(p->cgroup);
        p->cmdline = p->cgroup = NULL;
    }
    free(keep);
    if (!pss_known)
        others.pss_kb = -1;
    list->procs[out++] = others;   /* at least one row was folded: room is there */
    list->n = out;
    list->aggregated = folded;
}
