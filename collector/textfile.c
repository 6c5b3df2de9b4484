/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * memcollect --textfile: renders the sample just stored (struct sample, in
 * memory) as memtrail.prom in the Prometheus text exposition format 0.0.4,
 * which node_exporter's textfile collector reads (not OpenMetrics: no # EOF,
 * and no timestamps, which that collector refuses).
 *
 * Names: node_exporter already exports meminfo and vmstat at scrape time, and
 * a textfile family with one of its names (node_vmstat_oom_kill) collides
 * with it and is dropped with a gather error.  So every name is memtrail_,
 * the same names memreport --format=openmetrics backfills, so one dashboard
 * reads history and live data.
 *
 * Processes are grouped by comm: a fleet's Prometheus wants series that live
 * as long as the program, not one per pid (every restart would be a new
 * series).  Only the TOP groups by RSS are written, so a host never publishes
 * more than TOP label sets however many programs come and go.
 *
 * Memory pressure (/proc/pressure/memory) has memtrail_'s names too (not
 * node_pressure_*: node_exporter's pressure collector has those), the same
 * as the OpenMetrics export's; it is left out when the kernel has none.
 *
 * Extension point: cgroup memory is not in struct sample yet.  When it is,
 * it gets a render_* function below, called from render(), with its own
 * memtrail_ families; nothing is written for it until memtrail records it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "textfile.h"

#define TEMP_PREFIX "." TEXTFILE_NAME "."
/* A temporary file older than this was left by a memcollect that was killed
 * between creating and renaming it; a younger one may be another's in flight
 * (the timer's and a --watch collector's). */
#define STALE_TEMP_SECONDS 600

/* A comm as a label value: at most 3 bytes out per byte in (U+FFFD). */
#define LABEL_MAX (COMM_MAX * 3 + 1)

struct group {
    char label[LABEL_MAX];   /* escaped, valid UTF-8 */
    uint64_t rss_kb, swap_kb;
    unsigned processes;
};

/* Length of the valid UTF-8 sequence at S (N bytes left), or 0 with *BAD set
 * to the maximal subpart that one U+FFFD replaces (Unicode's recommended
 * practice, which Python's errors='replace' also follows). */
static size_t utf8_sequence(const unsigned char *s, size_t n, size_t *bad)
{
    unsigned char lo = 0x80, hi = 0xBF;
    size_t len;
    if (s[0] < 0x80)
        return 1;
    if (s[0] >= 0xC2 && s[0] <= 0xDF)
        len = 2;
    else if (s[0] >= 0xE0 && s[0] <= 0xEF)
        len = 3, lo = s[0] == 0xE0 ? 0xA0 : 0x80, hi = s[0] == 0xED ? 0x9F : 0xBF;
    else if (s[0] >= 0xF0 && s[0] <= 0xF4)
        len = 4, lo = s[0] == 0xF0 ? 0x90 : 0x80, hi = s[0] == 0xF4 ? 0x8F : 0xBF;
    else {
        *bad = 1;
        return 0;
    }
    for (size_t i = 1; i < len; i++) {
        if (i >= n || s[i] < lo || s[i] > hi) {
            *bad = i;
            return 0;
        }
        lo = 0x80, hi = 0xBF;
    }
    return len;
}

/* COMM as the format wants a label value: `\`, `"` and line feed escaped,
 * invalid UTF-8 replaced, since Prometheus refuses a file that has any. */
static void label_value(const char *comm, char *out)
{
    const unsigned char *s = (const unsigned char *)comm;
    size_t n = strnlen(comm, COMM_MAX - 1), o = 0;
    for (size_t i = 0; i < n;) {
        size_t bad = 0, len = utf8_sequence(s + i, n - i, &bad);
        if (len == 0) {
            memcpy(out + o, "\xEF\xBF\xBD", 3), o += 3, i += bad;
        } else if (s[i] == '\\' || s[i] == '"' || s[i] == '\n') {
            out[o++] = '\\';
            out[o++] = s[i] == '\n' ? 'n' : (char)s[i];
            i++;
        } else {
            memcpy(out + o, s + i, len), o += len, i += len;
        }
    }
    out[o] = '\0';
}

static int by_label(const void *a, const void *b)
{
    return strcmp(((const struct group *)a)->label, ((const struct group *)b)->label);
}

static int by_rss_desc(const void *a, const void *b)
{
    const struct group *x = a, *y = b;
    if (x->rss_kb != y->rss_kb)
        return x->rss_kb < y->rss_kb ? 1 : -1;
    return strcmp(x->label, y->label);
}

/* The processes of LIST summed per label value (not per raw comm: two names
 * that differ only in invalid bytes are one series), largest RSS first.
 * The --procs-max aggregate row has no program and is left out.  NULL with
 * *N 0 when out of memory or empty. */
static struct group *group_by_comm(const struct proc_list *list, size_t *n)
{
    struct group *g = list->n ? calloc(list->n, sizeof *g) : NULL;
    size_t used = 0;
    *n = 0;
    if (!g)
        return NULL;
    for (size_t i = 0; i < list->n; i++) {
        const struct proc *p = &list->procs[i];
        if (p->pid == PROC_AGGREGATE_PID)
            continue;
        label_value(p->comm, g[used].label);
        g[used].rss_kb = p->rss_kb, g[used].swap_kb = p->swap_kb, g[used].processes = 1;
        used++;
    }
    qsort(g, used, sizeof *g, by_label);
    size_t folded = 0;
    for (size_t i = 0; i < used; i++) {
        if (folded > 0 && strcmp(g[folded - 1].label, g[i].label) == 0) {
            g[folded - 1].rss_kb += g[i].rss_kb;
            g[folded - 1].swap_kb += g[i].swap_kb;
            g[folded - 1].processes++;
        } else {
            g[folded++] = g[i];
        }
    }
    qsort(g, folded, sizeof *g, by_rss_desc);
    *n = folded;
    return g;
}

static void family(FILE *out, const char *name, const char *type, const char *help)
{
    fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void render_meminfo(FILE *out, const struct sample *s)
{
    static const char *const keys[] = { "MemTotal", "MemAvailable", "SwapTotal", "SwapFree" };
    int started = 0;
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        const struct kv *kv = kv_find(&s->meminfo, keys[i], NULL);
        if (!kv)
            continue;
        if (!started++)
            family(out, "memtrail_meminfo_bytes", "gauge",
                   "/proc/meminfo at memtrail's last sample, in bytes (the instant the "
                   "process groups belong to).");
        fprintf(out, "memtrail_meminfo_bytes{field=\"%s\"} %llu\n", keys[i],
                (unsigned long long)kv->value * 1024ULL);
    }
}

static void render_oom_kills(FILE *out, const struct sample *s)
{
    const struct kv *kv = kv_find(&s->vmstat, "oom_kill", NULL);
    if (!kv)
        return;   /* a kernel before 4.13 does not count them */
    family(out, "memtrail_vmstat_total", "counter",
           "/proc/vmstat counters at memtrail's last sample (oom_kill: processes the "
           "kernel's OOM killer killed since boot).");
    fprintf(out, "memtrail_vmstat_total{counter=\"oom_kill\"} %llu\n",
            (unsigned long long)kv->value);
}

/* The stall totals in seconds (µs, exactly) and the averages in percent. */
static void render_pressure(FILE *out, const struct psi *psi)
{
    const struct psi_line *lines[2] = { &psi->some, &psi->full };
    static const char *const names[2] = { "some", "full" };
    int n = psi->has_full ? 2 : 1;
    family(out, "memtrail_pressure_memory_stall_seconds_total", "counter",
           "Time stalled on memory (/proc/pressure/memory total): some or full of the tasks.");
    for (int i = 0; i < n; i++)
        fprintf(out, "memtrail_pressure_memory_stall_seconds_total{line=\"%s\"} %llu.%06llu\n",
                names[i], (unsigned long long)(lines[i]->total_us / 1000000),
                (unsigned long long)(lines[i]->total_us % 1000000));
    family(out, "memtrail_pressure_memory_average_percent", "gauge",
           "The kernel's running averages of /proc/pressure/memory, over 10, 60 or 300 s.");
    for (int i = 0; i < n; i++) {
        const uint32_t avg[3] = { lines[i]->avg10, lines[i]->avg60, lines[i]->avg300 };
        static const char *const windows[3] = { "10", "60", "300" };
        for (int w = 0; w < 3; w++)
            fprintf(out, "memtrail_pressure_memory_average_percent{line=\"%s\",window=\"%s\"}"
                    " %u.%02u\n", names[i], windows[w], avg[w] / 100, avg[w] % 100);
    }
}

enum group_value { GROUP_RSS, GROUP_SWAP, GROUP_PROCESSES };

static void render_group_family(FILE *out, const struct group *g, size_t n, const char *name,
                                const char *help, enum group_value which)
{
    family(out, name, "gauge", help);
    for (size_t i = 0; i < n; i++) {
        unsigned long long v = which == GROUP_RSS ? g[i].rss_kb * 1024ULL :
                               which == GROUP_SWAP ? g[i].swap_kb * 1024ULL : g[i].processes;
        fprintf(out, "%s{comm=\"%s\"} %llu\n", name, g[i].label, v);
    }
}

static int render_processes(FILE *out, const struct proc_list *list, unsigned top)
{
    uint64_t rss_kb = 0, count = list->aggregated;
    for (size_t i = 0; i < list->n; i++) {
        rss_kb += list->procs[i].rss_kb;
        count += list->procs[i].pid != PROC_AGGREGATE_PID;
    }
    family(out, "memtrail_processes", "gauge", "Processes memtrail sampled.");
    fprintf(out, "memtrail_processes %llu\n", (unsigned long long)count);
    family(out, "memtrail_processes_rss_bytes", "gauge",
           "Resident memory of every process memtrail sampled, in bytes.");
    fprintf(out, "memtrail_processes_rss_bytes %llu\n", (unsigned long long)rss_kb * 1024ULL);
    size_t n = 0;
    struct group *g = group_by_comm(list, &n);
    if (!g && list->n > 0)
        return -1;
    if (n > top)
        n = top;
    if (n > 0) {
        render_group_family(out, g, n, "memtrail_process_group_rss_bytes",
                            "Resident memory of the processes of one name (comm), for the "
                            "names with the most, in bytes.", GROUP_RSS);
        render_group_family(out, g, n, "memtrail_process_group_swap_bytes",
                            "Swapped-out memory of the processes of one name, in bytes.", GROUP_SWAP);
        render_group_family(out, g, n, "memtrail_process_group_processes",
                            "Processes of one name.", GROUP_PROCESSES);
    }
    free(g);
    return 0;
}

/* S as the file's text, the sample's time last: a file that ends with it is whole. */
static int render(FILE *out, const struct sample *s, unsigned top)
{
    render_meminfo(out, s);
    render_oom_kills(out, s);
    if (s->psi_mem.available)
        render_pressure(out, &s->psi_mem);
    if (s->procs.scanned && render_processes(out, &s->procs, top) != 0)
        return -1;
    family(out, "memtrail_last_sample_timestamp_seconds", "gauge",
           "When memtrail took the sample these metrics come from (Unix time).");
    fprintf(out, "memtrail_last_sample_timestamp_seconds %lld\n", (long long)s->ts);
    return 0;
}

/* DIR, opened once so that every later step names the same directory.
 * Root refuses a symbolic link, and a directory anyone can write to unless it
 * is sticky: others could put their own memtrail.prom in its place. */
static int open_directory(const char *dir, char *err, size_t cap)
{
    int root = geteuid() == 0;
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | (root ? O_NOFOLLOW : 0));
    struct stat st;
    if (fd < 0) {
        struct stat link;
        if (root && lstat(dir, &link) == 0 && S_ISLNK(link.st_mode))
            snprintf(err, cap, "refusing a directory that is a symbolic link");
        else
            snprintf(err, cap, "%s", strerror(errno));
        return -1;
    }
    if (fstat(fd, &st) != 0) {
        snprintf(err, cap, "%s", strerror(errno));
        close(fd);
        return -1;
    }
    if (root && (st.st_mode & S_IWOTH) && !(st.st_mode & S_ISVTX)) {
        snprintf(err, cap, "refusing a directory that anyone can write to (not sticky)");
        close(fd);
        return -1;
    }
    return fd;
}

/* A new file in DFD that did not exist before (O_EXCL: never a link someone
 * left there).  Its name does not end in .prom, so node_exporter skips it. */
static int create_temporary(int dfd, char *name, size_t cap)
{
    for (int attempt = 0; attempt < 16; attempt++) {
        uint32_t r = 0;
        if (getrandom(&r, sizeof r, GRND_NONBLOCK) != (ssize_t)sizeof r)
            r ^= (uint32_t)getpid() * 2654435761u + (uint32_t)attempt;
        snprintf(name, cap, TEMP_PREFIX "%08x", (unsigned)r);
        int fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd >= 0 || errno != EEXIST)
            return fd;
    }
    return -1;
}

static int write_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        buf += n, len -= (size_t)n;
    }
    return 0;
}

/* Removes our temporary files in DFD that are older than STALE_TEMP_SECONDS.
 * unlinkat never follows a link; nothing else in the directory is touched. */
static void remove_stale_temporaries(int dfd)
{
    int fd = dup(dfd);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    struct dirent *e;
    struct stat st;
    if (!d) {
        if (fd >= 0)
            close(fd);
        return;
    }
    time_t now = time(NULL);
    while ((e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, TEMP_PREFIX, sizeof TEMP_PREFIX - 1) == 0 &&
            fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
            now - st.st_mtime > STALE_TEMP_SECONDS)
            unlinkat(dfd, e->d_name, 0);
    }
    closedir(d);
}

/* TEXT into a temporary file, then renamed over memtrail.prom: a reader sees
 * the old file or the new one, never a part.  No fsync: the file is rewritten
 * every sample, and after a crash memtrail_last_sample_timestamp_seconds (or
 * its absence) says how old it is. */
static int replace_file(int dfd, const char *text, size_t len, char *err, size_t cap)
{
    char tmp[64];
    int fd = create_temporary(dfd, tmp, sizeof tmp);
    if (fd < 0) {
        snprintf(err, cap, "cannot create a temporary file: %s", strerror(errno));
        return -1;
    }
    /* readable by node_exporter's user, whatever memcollect's umask (027) */
    int rc = fchmod(fd, 0644) != 0 || write_all(fd, text, len) != 0 ? -1 : 0;
    if (close(fd) != 0)
        rc = -1;
    if (rc == 0 && renameat(dfd, tmp, dfd, TEXTFILE_NAME) == 0)
        return 0;
    snprintf(err, cap, "%s", strerror(errno));
    unlinkat(dfd, tmp, 0);
    return -1;
}

int textfile_write(const char *dir, unsigned top, const struct sample *s, char *err, size_t cap)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    int rendered = out && render(out, s, top) == 0 && !ferror(out);
    if (!out || fclose(out) != 0 || !rendered) {
        snprintf(err, cap, "out of memory");
        free(text);
        return -1;
    }
    int dfd = open_directory(dir, err, cap);
    int rc = dfd < 0 ? -1 : replace_file(dfd, text, len, err, cap);
    if (dfd >= 0) {
        remove_stale_temporaries(dfd);
        close(dfd);
    }
    free(text);
    return rc;
}
