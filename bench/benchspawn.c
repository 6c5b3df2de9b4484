/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * benchspawn: the process harness of `make bench` (bench/run.sh).
 *
 *   benchspawn run N [--stdout FILE] -- [--copy SEED DEST] CMD ARGS... [-- ...]
 *       Runs every CMD N times, interleaved (round r runs them in order when r
 *       is even and in reverse order when r is odd), after one untimed warm-up
 *       run of each.  --copy replaces DEST with a fresh, fsynced copy of SEED
 *       before every run (untimed), so each run appends one sample to the same
 *       existing file.  stdin is /dev/null; stdout goes to FILE (default
 *       /dev/null), stderr to /dev/null.  For each CMD it prints one line:
 *         cmd=I runs=N fails=K cpu_ms=MEDIAN cpu_p10=.. cpu_p90=.. wall_ms=MEDIAN
 *         wall_p10=.. wall_p90=.. user_ms=MEDIAN sys_ms=MEDIAN
 *       cpu is ru_utime + ru_stime of the child from wait4() (user_ms and
 *       sys_ms are the medians of each part alone, so they need not add up); wall is
 *       CLOCK_MONOTONIC from posix_spawn() to wait4().  A run that exits
 *       non-zero counts in fails=.
 *
 *   benchspawn gen EPOCH STEP FROM TO [--fixture DIR] -- CMD ARGS... [-- ...]
 *       For i = FROM .. TO-1 runs every CMD once under libfaketime with the
 *       clock started at EPOCH + i*STEP (local time), stopping at the first
 *       failure.  With --fixture, DIR/meminfo, DIR/vmstat and DIR/uptime
 *       (which the caller has bind-mounted over /proc's) are first rewritten
 *       in place with deterministic values for step i, derived from
 *       DIR/NAME.base: vmstat counters (but those at 0, except the ones sar
 *       reports) grow by a per-key, slowly drifting amount each step,
 *       meminfo values (but the totals) wobble downwards, uptime grows by
 *       STEP seconds.  DIR/swaps stays as it is.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define FAKETIME_LIB "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"
#define MAX_CMDS 12

struct cmd {
    char **argv;
    const char *seed, *dest;
    double *cpu, *wall, *user, *sys;
    int fails;
};

static void die(const char *what)
{
    fprintf(stderr, "benchspawn: %s: %s\n", what, strerror(errno));
    exit(2);
}

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static void copy_file(const char *from, const char *to)
{
    int in = open(from, O_RDONLY | O_CLOEXEC);
    if (in < 0)
        die(from);
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", to);
    int out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    if (out < 0)
        die(tmp);
    char buf[1 << 16];
    ssize_t n;
    while ((n = read(in, buf, sizeof buf)) > 0)
        if (write(out, buf, (size_t)n) != n)
            die(tmp);
    if (n < 0 || fsync(out) != 0)
        die(from);
    close(in);
    close(out);
    if (rename(tmp, to) != 0)
        die(to);
    /* Journals left over from an earlier run would change the work done. */
    snprintf(tmp, sizeof tmp, "%s-journal", to);
    unlink(tmp);
}

/* Spawns ARGV with ENVP and the given stdout; returns its wait status. */
static int spawn_wait(char **argv, char **envp, const char *out_path,
                      struct rusage *ru, double *wall_ms)
{
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    double t0 = now_ms();
    pid_t pid;
    int rc = posix_spawn(&pid, argv[0], &fa, NULL, argv, envp);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) {
        errno = rc;
        die(argv[0]);
    }
    int status;
    while (wait4(pid, &status, 0, ru) < 0)
        if (errno != EINTR)
            die("wait4");
    *wall_ms = now_ms() - t0;
    return status;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Nearest-rank percentile P (0..100) of the N sorted values; the median of an
 * even count is the mean of the two middle values. */
static double pct(const double *v, int n, int p)
{
    if (p == 50)
        return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    int k = (int)((p / 100.0) * n + 0.5) - 1;
    if (k < 0)
        k = 0;
    if (k >= n)
        k = n - 1;
    return v[k];
}

/* Splits ARGV at "--" into commands; returns how many. */
static int parse_cmds(int argc, char **argv, int i, struct cmd *cmds)
{
    int n = 0;
    while (i < argc && strcmp(argv[i], "--") == 0) {
        if (n == MAX_CMDS) {
            fprintf(stderr, "benchspawn: too many commands\n");
            exit(1);
        }
        argv[i++] = NULL; /* ends the previous command */
        struct cmd *c = &cmds[n++];
        memset(c, 0, sizeof *c);
        if (i + 2 < argc && strcmp(argv[i], "--copy") == 0) {
            c->seed = argv[i + 1];
            c->dest = argv[i + 2];
            i += 3;
        }
        c->argv = &argv[i];
        while (i < argc && strcmp(argv[i], "--") != 0)
            i++;
        if (c->argv[0] == NULL || c->argv == &argv[i]) {
            fprintf(stderr, "benchspawn: empty command\n");
            exit(1);
        }
    }
    if (i != argc || n == 0) {
        fprintf(stderr, "benchspawn: expected -- CMD ...\n");
        exit(1);
    }
    return n;
}

static int do_run(int argc, char **argv)
{
    if (argc < 3)
        return 1;
    int n = atoi(argv[2]);
    const char *out = "/dev/null";
    int i = 3;
    if (i + 1 < argc && strcmp(argv[i], "--stdout") == 0) {
        out = argv[i + 1];
        i += 2;
    }
    struct cmd cmds[MAX_CMDS];
    int nc = parse_cmds(argc, argv, i, cmds);
    for (int c = 0; c < nc; c++) {
        cmds[c].cpu = calloc((size_t)n, sizeof(double));
        cmds[c].wall = calloc((size_t)n, sizeof(double));
        cmds[c].user = calloc((size_t)n, sizeof(double));
        cmds[c].sys = calloc((size_t)n, sizeof(double));
        if (!cmds[c].cpu || !cmds[c].wall || !cmds[c].user || !cmds[c].sys)
            die("calloc");
    }
    for (int r = -1; r < n; r++) { /* r == -1: warm-up */
        for (int k = 0; k < nc; k++) {
            struct cmd *c = &cmds[r % 2 ? nc - 1 - k : k];
            if (c->seed)
                copy_file(c->seed, c->dest);
            struct rusage ru;
            double wall;
            int st = spawn_wait(c->argv, environ, out, &ru, &wall);
            if (r < 0)
                continue;
            if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
                c->fails++;
            c->user[r] = ru.ru_utime.tv_sec * 1e3 + ru.ru_utime.tv_usec / 1e3;
            c->sys[r] = ru.ru_stime.tv_sec * 1e3 + ru.ru_stime.tv_usec / 1e3;
            c->cpu[r] = c->user[r] + c->sys[r];
            c->wall[r] = wall;
        }
    }
    for (int c = 0; c < nc; c++) {
        qsort(cmds[c].cpu, (size_t)n, sizeof(double), cmp_double);
        qsort(cmds[c].wall, (size_t)n, sizeof(double), cmp_double);
        qsort(cmds[c].user, (size_t)n, sizeof(double), cmp_double);
        qsort(cmds[c].sys, (size_t)n, sizeof(double), cmp_double);
        printf("cmd=%d runs=%d fails=%d cpu_ms=%.3f cpu_p10=%.3f cpu_p90=%.3f "
               "wall_ms=%.3f wall_p10=%.3f wall_p90=%.3f user_ms=%.3f sys_ms=%.3f\n",
               c, n, cmds[c].fails, pct(cmds[c].cpu, n, 50), pct(cmds[c].cpu, n, 10),
               pct(cmds[c].cpu, n, 90), pct(cmds[c].wall, n, 50), pct(cmds[c].wall, n, 10),
               pct(cmds[c].wall, n, 90), pct(cmds[c].user, n, 50), pct(cmds[c].sys, n, 50));
    }
    return 0;
}

/* ---- gen ---- */

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        die(path);
    char *buf = NULL;
    size_t cap = 0;
    ssize_t total = getdelim(&buf, &cap, '\0', f);
    if (total < 0)
        die(path);
    fclose(f);
    return buf;
}

/* Rewrites PATH in place (same inode: it is bind-mounted over /proc). */
static void rewrite(const char *path, const char *text, size_t len)
{
    int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
    if (fd < 0 || write(fd, text, len) != (ssize_t)len || close(fd) != 0)
        die(path);
}

static uint32_t hash(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

static int is_total(const char *key, size_t n)
{
    static const char *const totals[] = {
        "MemTotal", "SwapTotal", "HugePages_Total", "Hugepagesize", "Hugetlb",
        "CommitLimit", "VmallocTotal", "DirectMap4k", "DirectMap2M", "DirectMap1G",
        "HugePages_Free", "HugePages_Rsvd", "HugePages_Surp", NULL,
    };
    for (int i = 0; totals[i]; i++)
        if (strlen(totals[i]) == n && memcmp(totals[i], key, n) == 0)
            return 1;
    return 0;
}

static int sar_counter(const char *key, size_t n)
{
    static const char *const prefixes[] = { "pswp", "pgpg", "pgfault", "pgmajfault", "pgfree",
                                            "pgscan_", "pgsteal_", NULL };
    for (int i = 0; prefixes[i]; i++) {
        size_t l = strlen(prefixes[i]);
        if (n >= l && memcmp(key, prefixes[i], l) == 0)
            return 1;
    }
    return 0;
}

/* Each line "KEY<sep>NUMBER<rest>"; the number is changed, its field width
 * (separator included) kept when it fits. */
static size_t vary(const char *base, char *out, size_t cap, long i, int meminfo)
{
    size_t o = 0;
    const char *p = base;
    while (*p && o + 256 < cap) {
        const char *eol = strchr(p, '\n');
        size_t linelen = eol ? (size_t)(eol - p) : strlen(p);
        const char *k = p, *ke = p;
        while (ke < p + linelen && *ke != ':' && *ke != ' ')
            ke++;
        const char *ns = ke + (ke < p + linelen && *ke == ':');
        while (ns < p + linelen && *ns == ' ')
            ns++;
        char *ne;
        unsigned long long v = strtoull(ns, &ne, 10);
        if (ne == ns || ne > p + linelen) { /* not KEY NUMBER: copy */
            memcpy(out + o, p, linelen);
            o += linelen;
        } else {
            uint32_t h = hash(k, (size_t)(ke - k));
            if (meminfo) {
                if (!is_total(k, (size_t)(ke - k)) && v >= 8192)
                    v -= (unsigned long long)((i * (long)(h % 13 + 1) * 4) % 4096);
            } else if (v != 0 || sar_counter(k, (size_t)(ke - k))) {
                /* growing, with a per-step delta that drifts too; counters
                 * idle on this machine stay 0, as they would (SQLite stores
                 * 0 in no bytes), but those sar -B and -W show always move */
                v += (unsigned long long)i * (h % 50) +
                     (unsigned long long)i * (unsigned long long)i * (h % 5) / 64;
            }
            size_t keypart = (size_t)(ke - k) + (ns > ke && *ke == ':');
            int width = (int)((ne - p) - (long)keypart);
            memcpy(out + o, p, keypart);
            o += keypart;
            char num[32];
            int digits = snprintf(num, sizeof num, "%llu", v);
            if (digits >= width) /* keep one separating space */
                width = digits + 1;
            o += (size_t)snprintf(out + o, cap - o, "%*s", width, num);
            size_t rest = (size_t)(p + linelen - ne);
            memcpy(out + o, ne, rest);
            o += rest;
        }
        if (eol)
            out[o++] = '\n';
        p += linelen + (eol != NULL);
    }
    return o;
}

struct fixture {
    char dir[3000];
    char *meminfo, *vmstat;
    double uptime, idle;
    char *buf;
    size_t cap;
};

static void fixture_load(struct fixture *f, const char *dir)
{
    char path[4096];
    snprintf(f->dir, sizeof f->dir, "%s", dir);
    snprintf(path, sizeof path, "%s/meminfo.base", dir);
    f->meminfo = slurp(path);
    snprintf(path, sizeof path, "%s/vmstat.base", dir);
    f->vmstat = slurp(path);
    snprintf(path, sizeof path, "%s/uptime.base", dir);
    char *u = slurp(path);
    if (sscanf(u, "%lf %lf", &f->uptime, &f->idle) != 2) {
        fprintf(stderr, "benchspawn: %s: not an uptime\n", path);
        exit(2);
    }
    free(u);
    f->cap = 1 << 20;
    f->buf = malloc(f->cap);
    if (!f->buf)
        die("malloc");
}

static void fixture_step(struct fixture *f, long i, long step)
{
    char path[4096];
    size_t n = vary(f->meminfo, f->buf, f->cap, i, 1);
    snprintf(path, sizeof path, "%s/meminfo", f->dir);
    rewrite(path, f->buf, n);
    n = vary(f->vmstat, f->buf, f->cap, i, 0);
    snprintf(path, sizeof path, "%s/vmstat", f->dir);
    rewrite(path, f->buf, n);
    n = (size_t)snprintf(f->buf, f->cap, "%.2f %.2f\n", f->uptime + (double)(i * step),
                         f->idle + (double)(i * step) * 1.5);
    snprintf(path, sizeof path, "%s/uptime", f->dir);
    rewrite(path, f->buf, n);
}

static int do_gen(int argc, char **argv)
{
    if (argc < 6)
        return 1;
    long epoch = atol(argv[2]), step = atol(argv[3]), from = atol(argv[4]), to = atol(argv[5]);
    int i = 6;
    struct fixture fx;
    int use_fixture = 0;
    if (i + 1 < argc && strcmp(argv[i], "--fixture") == 0) {
        fixture_load(&fx, argv[i + 1]);
        use_fixture = 1;
        i += 2;
    }
    struct cmd cmds[MAX_CMDS];
    int nc = parse_cmds(argc, argv, i, cmds);

    /* environ plus LD_PRELOAD and FAKETIME, the last rewritten every step. */
    size_t ne = 0;
    while (environ[ne])
        ne++;
    char **envp = calloc(ne + 3, sizeof *envp);
    if (!envp)
        die("calloc");
    size_t k = 0;
    for (size_t e = 0; e < ne; e++)
        if (strncmp(environ[e], "LD_PRELOAD=", 11) && strncmp(environ[e], "FAKETIME", 8))
            envp[k++] = environ[e];
    envp[k++] = "LD_PRELOAD=" FAKETIME_LIB;
    static char faketime[64];
    envp[k++] = faketime;
    envp[k] = NULL;

    for (long s = from; s < to; s++) {
        time_t t = (time_t)(epoch + s * step);
        struct tm tm;
        localtime_r(&t, &tm);
        strftime(faketime, sizeof faketime, "FAKETIME=@%Y-%m-%d %H:%M:%S", &tm);
        if (use_fixture)
            fixture_step(&fx, s, step);
        for (int c = 0; c < nc; c++) {
            struct rusage ru;
            double wall;
            int st = spawn_wait(cmds[c].argv, envp, "/dev/null", &ru, &wall);
            if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
                fprintf(stderr, "benchspawn: step %ld (%s): %s exited with status %d\n", s,
                        faketime + 9, cmds[c].argv[0], WIFEXITED(st) ? WEXITSTATUS(st) : -1);
                return 2;
            }
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    int rc = 1;
    if (argc > 1 && strcmp(argv[1], "run") == 0)
        rc = do_run(argc, argv);
    else if (argc > 1 && strcmp(argv[1], "gen") == 0)
        rc = do_gen(argc, argv);
    if (rc == 1)
        fprintf(stderr, "usage: benchspawn run N [--stdout FILE] -- [--copy SEED DEST] CMD... [-- ...]\n"
                        "       benchspawn gen EPOCH STEP FROM TO [--fixture DIR] -- CMD... [-- ...]\n");
    return rc;
}
