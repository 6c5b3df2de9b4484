/*
 * memcollect: takes samples of the whole machine's memory and appends them
 * to an archive.  Shaped like sysstat's sadc:
 *
 *   memcollect [options] [interval [count]] [ARCHIVE]
 *
 * Without an interval it takes one sample and exits (the mode a systemd
 * timer or cron runs every minute).  ARCHIVE may be a file, or a directory
 * that gets one file per local calendar day.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "archive.h"
#include "maintain.h"
#include "model.h"
#include "numa.h"
#include "procs.h"
#include "sysread.h"
#include "textfile.h"
#include "util.h"

#define DEFAULT_DIR "/var/log/memtrail"
#define LOCK_WAIT_MS 2000

enum exit_code { EXIT_OK = 0, EXIT_USAGE = 1, EXIT_FAIL = 2, EXIT_SKIPPED = 3,
                 EXIT_TEXTFILE = 4 /* stored, but --textfile not written */ };

static volatile sig_atomic_t stop_requested;

static void on_stop_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

struct options {
    long interval;      /* 0: one sample */
    long count;         /* 0: until stopped */
    const char *target; /* file or directory */
    int procs;          /* sample every process (--no-procs: not) */
    int cmdline;        /* store command lines (--no-cmdline: not) */
    int pss;            /* --pss */
    long procs_max;     /* --procs-max N; 0: all */
    int numa;           /* sample NUMA nodes (--no-numa: not) */
    int maintain;       /* --maintain: retention and compression, no sample */
    const char *textfile; /* --textfile DIR: memtrail.prom for node_exporter; NULL: none */
    long textfile_top;  /* --textfile-top N */
    struct maintain_options keep;
};

static void usage(FILE *out)
{
    fprintf(out,
            "Usage: %s [ options ] [ <interval> [ <count> ] ] [ <archive> ]\n"
            "Options are:\n"
            "[ -D <directory> ] [ --no-procs ] [ --no-cmdline ] [ --procs-max <N> ]\n"
            "[ --pss ] [ --no-numa ] [ --textfile <directory> ] [ --textfile-top <N> ]\n"
            "[ -h | --help ] [ -V | --version ]\n"
            "       %s --maintain [ --keep-days <N> ] [ --compress-after <N> ]\n"
            "[ --max-size <MB> ] [ -D <directory> ]\n"
            "Without <interval>, takes one sample.  <archive> is a file, or a directory\n"
            "holding one file per day (default " DEFAULT_DIR ").\n"
            "Exit status: 0 sample stored, 1 usage, 2 error (or processes or nodes\n"
            "not sampled: the rest is stored), 3 sample skipped\n"
            "(another memcollect is writing, or a sample for that second exists),\n"
            "4 sample stored but the --textfile not written.\n"
            "--maintain deletes days older than --keep-days (default 28), compresses\n"
            "days older than --compress-after (default 2; 0: never) to .db.gz, then\n"
            "deletes the oldest days while the total is above --max-size MB (0: no cap).\n",
            progname, progname);
}

/* 0: sample; 1: --help or --version done, exit 0; -1: usage error. */
static int parse_options(int argc, char **argv, struct options *o)
{
    int positional = 0;
    o->interval = 0;
    o->count = 0;
    o->target = DEFAULT_DIR;
    o->procs = o->cmdline = o->numa = 1;
    o->pss = 0;
    o->procs_max = 0;
    o->maintain = 0;
    o->textfile = NULL;
    o->textfile_top = TEXTFILE_TOP_DEFAULT;
    o->keep.keep_days = 28;
    o->keep.compress_after = 2;
    o->keep.max_bytes = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            return 1;
        } else if (strcmp(a, "-V") == 0 || strcmp(a, "--version") == 0) {
            printf("memcollect (memtrail) 0.1, archive format %d\n", ARCHIVE_FORMAT);
            return 1;
        } else if (strcmp(a, "--no-procs") == 0) {
            o->procs = 0;
        } else if (strcmp(a, "--no-cmdline") == 0) {
            o->cmdline = 0;
        } else if (strcmp(a, "--pss") == 0) {
            o->pss = 1;
        } else if (strcmp(a, "--no-numa") == 0) {
            o->numa = 0;
        } else if (strcmp(a, "--maintain") == 0) {
            o->maintain = 1;
        } else if (strcmp(a, "--keep-days") == 0 || strcmp(a, "--compress-after") == 0 ||
                   strcmp(a, "--max-size") == 0) {
            long v;
            if (++i >= argc || parse_long_arg(argv[i], 0, 1000000L, &v) != 0)
                return -1;
            if (a[2] == 'k')
                o->keep.keep_days = v;
            else if (a[2] == 'c')
                o->keep.compress_after = v;
            else
                o->keep.max_bytes = (long long)v << 20;
        } else if (strcmp(a, "--procs-max") == 0) {
            if (++i >= argc || parse_long_arg(argv[i], 1, 10000000L, &o->procs_max) != 0)
                return -1;
        } else if (strcmp(a, "--textfile") == 0 || strncmp(a, "--textfile=", 11) == 0) {
            if (a[10] == '\0' && ++i >= argc)
                return -1;
            o->textfile = a[10] ? a + 11 : argv[i];
            if (o->textfile[0] == '\0')   /* an empty setting: none */
                o->textfile = NULL;
        } else if (strcmp(a, "--textfile-top") == 0) {
            if (++i >= argc || parse_long_arg(argv[i], 0, TEXTFILE_TOP_MAX, &o->textfile_top) != 0)
                return -1;
        } else if (strcmp(a, "-D") == 0) {
            if (++i >= argc)
                return -1;
            o->target = argv[i];
        } else if (a[0] == '-' && a[1] != '\0') {
            return -1;
        } else if (positional == 0 && all_digits(a)) {
            if (parse_long_arg(a, 1, 86400 * 366L, &o->interval) != 0)
                return -1;
            positional = 1;
        } else if (positional == 1 && all_digits(a)) {
            if (parse_long_arg(a, 1, LONG_MAX, &o->count) != 0)
                return -1;
            positional = 2;
        } else if (positional < 3) {
            o->target = a;
            positional = 3;
        } else {
            return -1;
        }
    }
    return 0;
}

/* Where root writes, a directory others can write to, or that another user
 * owns, would let them swap the archive for a link to anything. */
static int check_directory(const char *dir, char *err, size_t cap)
{
    struct stat st;
    if (lstat(dir, &st) != 0) {
        snprintf(err, cap, "%s", strerror(errno));
        return -1;
    }
    if (S_ISLNK(st.st_mode) && geteuid() == 0) {
        snprintf(err, cap, "refusing a directory that is a symbolic link");
        return -1;
    }
    if (geteuid() == 0 && !S_ISLNK(st.st_mode) &&
        (st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH)))) {
        snprintf(err, cap, "refusing a directory that others can write to");
        return -1;
    }
    return 0;
}

/* The directory that will hold the archive, created when it is ours to make. */
static int prepare_directory(const char *dir, char *err, size_t cap)
{
    if (mkdir(dir, 0750) != 0 && errno != EEXIST) {
        snprintf(err, cap, "cannot create directory: %s", strerror(errno));
        return -1;
    }
    return check_directory(dir, err, cap);
}

/* The daily file for TS's local date inside DIR: names sort by date. */
static void daily_path(const char *dir, int64_t ts, char *out, size_t cap)
{
    time_t t = (time_t)ts;
    struct tm local;
    char day[16] = "00000000";
    if (localtime_r(&t, &local))
        strftime(day, sizeof day, "%Y%m%d", &local);
    snprintf(out, cap, "%s/memtrail-%s.db", dir, day);
}

static int target_is_directory(const char *target)
{
    size_t n = strlen(target);
    return is_directory(target) || (n > 0 && target[n - 1] == '/');
}

/* The directory part of PATH ("." when none). */
static void parent_of(const char *path, char *out, size_t cap)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(out, cap, ".");
    else if (slash == path)
        snprintf(out, cap, "/");
    else
        snprintf(out, cap, "%.*s", (int)(slash - path), path);
}

struct writer {
    struct archive *ar;
    char path[PATH_MAX];
};

static int archive_path_for(const struct options *o, const struct sample *s,
                            char *path, size_t cap, char *err, size_t err_cap)
{
    char dir[PATH_MAX];
    if (target_is_directory(o->target)) {
        snprintf(dir, sizeof dir, "%s", o->target);
        daily_path(o->target, s->ts, path, cap);
        return prepare_directory(dir, err, err_cap) == 0 ? 0 : -1;
    }
    snprintf(path, cap, "%s", o->target);
    parent_of(o->target, dir, sizeof dir);
    return check_directory(dir, err, err_cap);
}

static int exit_for(int status)
{
    return status == ARCHIVE_BUSY || status == ARCHIVE_DUPLICATE ? EXIT_SKIPPED : EXIT_FAIL;
}

/* Opens (or keeps open) the archive that sample S belongs in. */
static int open_for(struct writer *w, const struct options *o, const struct sample *s)
{
    char path[PATH_MAX], err[512];
    if (archive_path_for(o, s, path, sizeof path, err, sizeof err) != 0) {
        char what[PATH_MAX + 32];
        snprintf(what, sizeof what, "%s", target_is_directory(o->target) ? o->target : path);
        report_error(what, err);
        return EXIT_FAIL;
    }
    if (!w->ar || strcmp(path, w->path) != 0) {
        archive_close(w->ar);
        w->ar = NULL;
        int rc = archive_open_writer(path, LOCK_WAIT_MS, &w->ar, err, sizeof err);
        if (rc != ARCHIVE_OK) {
            report_error(path, rc == ARCHIVE_BUSY ? "sample skipped: another memcollect is "
                                                    "writing to this archive" : err);
            return exit_for(rc);
        }
        snprintf(w->path, sizeof w->path, "%s", path);
    }
    return EXIT_OK;
}

static int store(struct writer *w, const struct sample *s, const struct host_facts *host)
{
    char err[512];
    int rc = archive_append(w->ar, s, host, err, sizeof err);
    if (rc != ARCHIVE_OK) {
        char why[600];
        snprintf(why, sizeof why, "%s%s", rc == ARCHIVE_DUPLICATE || rc == ARCHIVE_BUSY ?
                 "sample skipped: " : "", err);
        report_error(w->path, why);
        return exit_for(rc);
    }
    return EXIT_OK;
}

/* The processes of S, with command lines read only for identities the
 * archive does not hold yet.  A failure costs the processes, not the sample. */
static int sample_processes(struct writer *w, const struct options *o, struct sample *s)
{
    char err[256];
    struct procs_options po = { .want_pss = o->pss };
    proc_list_clear(&s->procs);
    if (procs_scan(&s->procs, &po, err, sizeof err) != 0) {
        report_error("processes not sampled", err);
        proc_list_clear(&s->procs);
        return EXIT_FAIL;
    }
    if (o->procs_max > 0)
        procs_keep_largest(&s->procs, (size_t)o->procs_max);
    if (!o->cmdline || s->procs.n == 0)
        return EXIT_OK;
    unsigned char *need = malloc(s->procs.n);
    int rc = EXIT_OK;
    if (!need ||
        archive_new_identities(w->ar, s->boot_id, &s->procs, need, err, sizeof err) != ARCHIVE_OK ||
        procs_read_cmdlines(&s->procs, need, err, sizeof err) != 0) {
        report_error("command lines not read", need ? err : "out of memory");
        rc = EXIT_FAIL;
    }
    free(need);
    return rc;
}

static int sample_nodes(const struct options *o, struct sample *s)
{
    char err[256];
    numa_list_clear(&s->numa);
    if (!o->numa)
        return EXIT_OK;
    if (numa_read(&s->numa, NULL, err, sizeof err) != 0) {
        report_error("NUMA nodes not sampled", err);
        numa_list_clear(&s->numa);
        return EXIT_FAIL;
    }
    return EXIT_OK;
}

/* One sample: system-wide values, nodes, processes; then into the archive.
 * *PARTIAL is set when nodes or processes could not be sampled (the rest is
 * stored all the same). */
static int take_and_store(struct writer *w, const struct options *o, struct sample *s,
                          int *partial)
{
    char err[256];
    struct host_facts host;
    if (read_sample(s, err, sizeof err) != 0) {
        report_error("cannot take a sample", err);
        return EXIT_FAIL;
    }
    read_host_facts(&host, (time_t)s->ts);
    int rc = open_for(w, o, s);
    if (rc != EXIT_OK)
        return rc;
    if (sample_nodes(o, s) != EXIT_OK)
        *partial = 1;
    if (o->procs && sample_processes(w, o, s) != EXIT_OK)
        *partial = 1;
    return store(w, s, &host);
}

/* The stored sample S for node_exporter, when --textfile asks for it: a
 * failure is said and costs exit status 4, never the sample. */
static int publish(const struct options *o, const struct sample *s)
{
    char err[512], what[PATH_MAX + 32];
    if (!o->textfile || textfile_write(o->textfile, (unsigned)o->textfile_top, s,
                                       err, sizeof err) == 0)
        return EXIT_OK;
    snprintf(what, sizeof what, "%s/" TEXTFILE_NAME, o->textfile);
    report_error(what, err);
    return EXIT_TEXTFILE;
}

/* Sleeps until START + N * INTERVAL on the monotonic clock; 0 when stopped. */
static int sleep_until(const struct timespec *start, long n, long interval)
{
    struct timespec at = *start;
    at.tv_sec += (time_t)(n * interval);
    while (!stop_requested) {
        int rc = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &at, NULL);
        if (rc == 0)
            return 1;
        if (rc != EINTR)
            return 0;
    }
    return 0;
}

static void install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

int main(int argc, char **argv)
{
    static struct sample sample;
    struct options o;
    struct writer w = { 0 };

    progname = "memcollect";
    int parsed = parse_options(argc, argv, &o);
    if (parsed > 0)
        return EXIT_OK;   /* --help or --version */
    if (parsed < 0) {
        usage(stderr);
        return EXIT_USAGE;
    }
    umask(027);
    install_signals();
    if (o.maintain) {
        char err[256];
        if (prepare_directory(o.target, err, sizeof err) != 0) {
            report_error(o.target, err);
            return EXIT_FAIL;
        }
        return maintain_directory(o.target, &o.keep);
    }

    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    int status = EXIT_OK;
    long samples = o.interval ? o.count : 1;
    for (long n = 0; samples == 0 || n < samples; n++) {
        if (n > 0 && !sleep_until(&start, n, o.interval))
            break;
        int partial = 0;
        int rc = take_and_store(&w, &o, &sample, &partial);
        int published = rc == EXIT_OK ? publish(&o, &sample) : EXIT_OK;
        if (rc != EXIT_OK)
            status = rc;
        else if (partial)
            status = EXIT_FAIL;
        else if (published != EXIT_OK && status == EXIT_OK)
            status = published;
        if (rc == EXIT_FAIL || stop_requested)
            break;
    }
    archive_close(w.ar);
    proc_list_clear(&sample.procs);
    numa_list_clear(&sample.numa);
    procs_release();
    return status;
}
