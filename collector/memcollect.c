/* SPDX-License-Identifier: GPL-2.0-or-later */
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
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "archive.h"
#include "cgroups.h"
#include "kmsg.h"
#include "maintain.h"
#include "model.h"
#include "numa.h"
#include "procs.h"
#include "safedir.h"
#include "sysread.h"
#include "textfile.h"
#include "util.h"
#include "version.h"
#include "watch.h"

#define DEFAULT_DIR "/var/log/memtrail"
#define LOCK_WAIT_MS 2000
/* Low, but not -1000: a runaway collector must stay killable. */
#define OOM_SCORE_ADJ (-900)

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
    int target_dir;     /* -D: TARGET is a directory, even before it exists */
    int procs;          /* sample every process (--no-procs: not) */
    int cmdline;        /* store command lines (--no-cmdline: not) */
    int pss;            /* --pss */
    long procs_max;     /* --procs-max N; 0: all */
    int numa;           /* sample NUMA nodes (--no-numa: not) */
    int cgroups;        /* sample memory cgroups (--no-cgroups: not) */
    long cgroups_max;   /* --cgroups-max N; 0: all */
    int maintain;       /* --maintain: retention and compression, no sample */
    const char *group_name; /* --group, else $MEMTRAIL_GROUP: the reading group */
    gid_t group;        /* its gid; (gid_t)-1: none */
    const char *textfile; /* --textfile DIR: memtrail.prom for node_exporter; NULL: none */
    long textfile_top;  /* --textfile-top N */
    struct maintain_options keep;
    struct watch_settings watch;   /* --watch and its settings (watch.h) */
};

static void usage(FILE *out)
{
    fprintf(out,
            "Usage: %s [ options ] [ <interval> [ <count> ] ] [ <archive> ]\n"
            "Options are:\n"
            "[ -D <directory> ] [ --no-procs ] [ --no-cmdline ] [ --procs-max <N> ]\n"
            "[ --pss ] [ --no-numa ] [ --no-cgroups ] [ --cgroups-max <N> ] [ --group <group> ]\n"
            "[ --textfile <directory> | --textfile=<directory> ] [ --textfile-top <N> ]\n"
            "[ -h | --help ] [ -V | --version ]\n"
            "       %s --maintain [ --keep-days <N> ] [ --compress-after <N> ]\n"
            "[ --max-size <MB> ] [ --group <group> ] [ -D <directory> ]\n",
            progname, progname);
    fprintf(out, watch_usage, progname);
    fprintf(out,
            "Without <interval>, takes one sample.  <archive> is a file, or a directory\n"
            "holding one file per day (default " DEFAULT_DIR ").\n"
            "Exit status: 0 sample stored, 1 usage, 2 error (or processes, nodes or cgroups\n"
            "not sampled: the rest is stored), 3 sample skipped\n"
            "(another memcollect is writing, or a sample for that second exists),\n"
            "4 sample stored but the --textfile not written.\n"
            "--maintain deletes days older than --keep-days (default 28), compresses\n"
            "days older than --compress-after (default 2; 0: never) to .db.gz, then\n"
            "deletes the oldest days while the total is above --max-size MB (0: no cap).\n"
            "--group (default $MEMTRAIL_GROUP): the group that may read the directory's\n"
            "day files (directory 2750, files 0640 of that group).\n"
            "--watch stays resident: asleep until memory is under pressure (a PSI\n"
            "trigger, default \"some 150000 2000000\"; an OOM kill), then one sample\n"
            "every --burst-interval (1) s until the stall rate stayed below the\n"
            "trigger's for --calm (30) s.  --burst N: N such samples at once, then exit.\n"
            "Processes are read in a burst sample as often as keeps the burst within\n"
            "--burst-cpu-budget (default 3) percent of one core, and always at its first\n"
            "sample, at an OOM kill and at least every 10 s; --burst-procs-every N (N > 0):\n"
            "in every Nth burst sample instead.\n");
}

/* Names what was wrong with the command line, as the line before the usage
 * (sar's form, and memreport's); returns -1. */
static int refuse(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: ", progname);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return -1;
}

/* The argument after option A, or NULL (said) when there is none. */
static const char *option_value(int argc, char **argv, int *i)
{
    if (*i + 1 >= argc) {
        refuse("%s: missing value", argv[*i]);
        return NULL;
    }
    return argv[++*i];
}

/* 0: sample; 1: --help or --version done, exit 0; -1: usage error (said). */
static int parse_options(int argc, char **argv, struct options *o)
{
    int positional = 0;
    o->interval = 0;
    o->count = 0;
    o->target = DEFAULT_DIR;
    o->target_dir = 1;
    o->procs = o->cmdline = o->numa = o->cgroups = 1;
    o->cgroups_max = CGROUPS_MAX_DEFAULT;
    o->pss = 0;
    o->procs_max = 0;
    o->maintain = 0;
    o->group_name = getenv("MEMTRAIL_GROUP");
    o->group = (gid_t)-1;
    o->textfile = NULL;
    o->textfile_top = TEXTFILE_TOP_DEFAULT;
    o->keep.keep_days = 28;
    o->keep.compress_after = 2;
    o->keep.max_bytes = 0;
    watch_defaults(&o->watch);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int watch = watch_option(argc, argv, &i, &o->watch);
        if (watch < 0)
            return -1;
        if (watch)
            continue;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            return 1;
        } else if (strcmp(a, "-V") == 0 || strcmp(a, "--version") == 0) {
            printf("memcollect (memtrail) " MEMTRAIL_VERSION ", archive format %d\n", ARCHIVE_FORMAT);
            return 1;
        } else if (strcmp(a, "--no-procs") == 0) {
            o->procs = 0;
        } else if (strcmp(a, "--no-cmdline") == 0) {
            o->cmdline = 0;
        } else if (strcmp(a, "--pss") == 0) {
            o->pss = 1;
        } else if (strcmp(a, "--no-numa") == 0) {
            o->numa = 0;
        } else if (strcmp(a, "--no-cgroups") == 0) {
            o->cgroups = 0;
        } else if (strcmp(a, "--cgroups-max") == 0) {
            const char *value = option_value(argc, argv, &i);
            if (!value)
                return -1;
            if (parse_long_arg(value, 0, 10000000L, &o->cgroups_max) != 0)
                return refuse("%s: invalid value: %s", a, value);
        } else if (strcmp(a, "--maintain") == 0) {
            o->maintain = 1;
        } else if (strcmp(a, "--keep-days") == 0 || strcmp(a, "--compress-after") == 0 ||
                   strcmp(a, "--max-size") == 0) {
            long v;
            const char *value = option_value(argc, argv, &i);
            if (!value)
                return -1;
            if (parse_long_arg(value, 0, 1000000L, &v) != 0)
                return refuse("%s: invalid value: %s", a, value);
            if (a[2] == 'k')
                o->keep.keep_days = v;
            else if (a[2] == 'c')
                o->keep.compress_after = v;
            else
                o->keep.max_bytes = (long long)v << 20;
        } else if (strcmp(a, "--procs-max") == 0) {
            const char *value = option_value(argc, argv, &i);
            if (!value)
                return -1;
            if (parse_long_arg(value, 1, 10000000L, &o->procs_max) != 0)
                return refuse("%s: invalid value: %s", a, value);
        } else if (strcmp(a, "--group") == 0) {
            if (!(o->group_name = option_value(argc, argv, &i)))
                return -1;
        } else if (strcmp(a, "--textfile") == 0 || strncmp(a, "--textfile=", 11) == 0) {
            if (!(o->textfile = a[10] ? a + 11 : option_value(argc, argv, &i)))
                return -1;
            if (o->textfile[0] == '\0')   /* an empty setting: none */
                o->textfile = NULL;
        } else if (strcmp(a, "--textfile-top") == 0) {
            const char *value = option_value(argc, argv, &i);
            if (!value)
                return -1;
            if (parse_long_arg(value, 0, TEXTFILE_TOP_MAX, &o->textfile_top) != 0)
                return refuse("%s: invalid value: %s", a, value);
        } else if (strcmp(a, "-D") == 0) {
            if (!(o->target = option_value(argc, argv, &i)))
                return -1;
            o->target_dir = 1;
        } else if (a[0] == '-' && a[1] != '\0') {
            return refuse("unknown option: %s", a);
        } else if (positional == 0 && all_digits(a)) {
            if (parse_long_arg(a, 1, 86400 * 366L, &o->interval) != 0)
                return refuse("invalid interval: %s", a);
            positional = 1;
        } else if (positional == 1 && all_digits(a)) {
            if (parse_long_arg(a, 1, LONG_MAX, &o->count) != 0)
                return refuse("invalid count: %s", a);
            positional = 2;
        } else if (positional < 3) {
            o->target = a;
            o->target_dir = 0;
            positional = 3;
        } else {
            return refuse("unexpected argument: %s", a);
        }
    }
    if (o->watch.on && (o->interval || o->maintain))
        return refuse("--watch takes no <interval>, <count> or --maintain");
    return 0;
}

/* The name of TS's daily file: memtrail-YYYYMMDD.db, so names sort by date. */
static void daily_name(int64_t ts, char *out, size_t cap)
{
    time_t t = (time_t)ts;
    struct tm local;
    char day[16] = "00000000";
    if (localtime_r(&t, &local))
        strftime(day, sizeof day, "%Y%m%d", &local);
    snprintf(out, cap, "memtrail-%s.db", day);
}

static int target_is_directory(const struct options *o)
{
    size_t n = strlen(o->target);
    return o->target_dir || is_directory(o->target) || (n > 0 && o->target[n - 1] == '/');
}

/* DIR without its trailing slashes ("/" stays), for names built on it. */
static void without_trailing_slashes(const char *dir, char *out, size_t cap)
{
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/')
        n--;
    snprintf(out, cap, "%.*s", (int)n, dir);
}

/* Where sample S goes: DIR and the NAME in it, and the archive as the user
 * named it (SHOWN), for messages.  Returns 1 for a directory of daily files
 * (created when missing), 0 for a file in an existing directory. */
static int locate(const struct options *o, const struct sample *s, char *dir, size_t dir_cap,
                  char *name, size_t name_cap, char *shown, size_t shown_cap)
{
    if (target_is_directory(o)) {
        without_trailing_slashes(o->target, dir, dir_cap);
        daily_name(s->ts, name, name_cap);
        snprintf(shown, shown_cap, "%s%s%s", dir, strcmp(dir, "/") ? "/" : "", name);
        return 1;
    }
    const char *slash = strrchr(o->target, '/');
    if (!slash)
        snprintf(dir, dir_cap, ".");
    else
        snprintf(dir, dir_cap, "%.*s", slash == o->target ? 1 : (int)(slash - o->target),
                 o->target);
    snprintf(name, name_cap, "%s", slash ? slash + 1 : o->target);
    snprintf(shown, shown_cap, "%s", o->target);
    return 0;
}

/* The archive being written, and the directory it is in: held open as long
 * as the archive is, since SQLite names its journal through it. */
struct writer {
    struct archive *ar;
    struct safedir dir;
    char name[NAME_MAX + 1];
    char path[PATH_MAX + NAME_MAX + 2];   /* as the user named it, for messages */
    int paused;                           /* --watch: open, its lock let go */
};

static void writer_close(struct writer *w)
{
    archive_close(w->ar);
    w->ar = NULL;
    safedir_close(&w->dir);
    w->name[0] = '\0';
    w->paused = 0;
}

static int exit_for(int status)
{
    return status == ARCHIVE_BUSY || status == ARCHIVE_DUPLICATE ? EXIT_SKIPPED : EXIT_FAIL;
}

/* --watch between samples: the archive stays open, another memcollect may write. */
static void writer_pause(struct writer *w)
{
    archive_writer_pause(w->ar);
    w->paused = w->ar != NULL;
}

/* The paused archive W keeps, locked again: EXIT_OK; -1 when it must be
 * opened anew (removed meanwhile, or the lock not taken: said). */
static int writer_resume(struct writer *w)
{
    char err[256];
    int rc = archive_writer_resume(w->ar, LOCK_WAIT_MS, err, sizeof err);
    if (rc == ARCHIVE_OK) {
        w->paused = 0;
        return EXIT_OK;
    }
    if (rc != ARCHIVE_MISSING)
        report_error(w->path, err);
    writer_close(w);
    return rc == ARCHIVE_MISSING ? -1 : exit_for(rc);
}

/* Opens (or keeps open) the archive that sample S belongs in.  *PARTIAL is
 * set when the reading group could not be given the directory. */
static int open_for(struct writer *w, const struct options *o, const struct sample *s,
                    int *partial)
{
    char dir[PATH_MAX], name[NAME_MAX + 1], shown[PATH_MAX + NAME_MAX + 2], path[PATH_MAX], err[768];
    int daily = locate(o, s, dir, sizeof dir, name, sizeof name, shown, sizeof shown);
    if (w->ar && strcmp(name, w->name) == 0) {
        int resumed = w->paused ? writer_resume(w) : EXIT_OK;
        if (resumed >= 0)
            return resumed;
    }
    writer_close(w);
    if (safedir_open(dir, daily, &w->dir, err, sizeof err) != 0) {
        report_error(o->target, err);
        return EXIT_FAIL;
    }
    if (daily && o->group != (gid_t)-1 && safedir_share(&w->dir, o->group, err, sizeof err) != 0) {
        report_error(dir, err);
        *partial = 1;
    }
    snprintf(w->path, sizeof w->path, "%s", shown);
    if (name[0] == '\0' || safedir_name(&w->dir, name, path, sizeof path) != 0) {
        report_error(shown, "not a file name");
        return EXIT_FAIL;
    }
    int rc = archive_open_writer(path, LOCK_WAIT_MS, &w->ar, err, sizeof err);
    if (rc != ARCHIVE_OK) {
        w->ar = NULL;
        report_error(shown, rc == ARCHIVE_BUSY ? "sample skipped: another memcollect is "
                                                 "writing to this archive" : err);
        return exit_for(rc);
    }
    snprintf(w->name, sizeof w->name, "%s", name);
    return EXIT_OK;
}

/* A day file this writer found empty and could not store its first sample
 * in holds nothing, perhaps not even a schema, and would only make every
 * report of the directory fail: removed, with its journal, while the lock
 * is still held. */
static int discard_if_unused(struct writer *w)
{
    char journal[NAME_MAX + 16];
    if (!archive_unused(w->ar))
        return 0;
    snprintf(journal, sizeof journal, "%s-journal", w->name);
    unlinkat(w->dir.fd, journal, 0);
    unlinkat(w->dir.fd, w->name, 0);
    writer_close(w);
    return 1;
}

/* After a failed sample (a write, sync or journal removal refused): a fresh
 * connection rolls back what the failure left, a hot journal, so that
 * readers without write access find the last committed state now rather
 * than after the next sample.  The next sample opens the archive anew. */
static void roll_back_leftovers(struct writer *w)
{
    char path[PATH_MAX], err[256];
    int64_t ts;
    struct archive *ar;
    archive_close(w->ar);
    w->ar = NULL;
    if (safedir_name(&w->dir, w->name, path, sizeof path) == 0 &&
        archive_open_writer(path, LOCK_WAIT_MS, &ar, err, sizeof err) == ARCHIVE_OK) {
        archive_last_ts(ar, &ts, err, sizeof err);   /* reading is what rolls back */
        archive_close(ar);
    }
    writer_close(w);
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
        if (rc != ARCHIVE_DUPLICATE && rc != ARCHIVE_BUSY && !discard_if_unused(w))
            roll_back_leftovers(w);
        return exit_for(rc);
    }
    return EXIT_OK;
}

/* The processes of S, with command lines read only for identities the
 * archive does not hold yet, or whose name changed (exec).  A failure costs the processes, not the sample. */
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
        procs_read_cmdlines(&s->procs, need, s->cgroups.version, err, sizeof err) != 0) {
        report_error("command lines not read", need ? err : "out of memory");
        rc = EXIT_FAIL;
    }
    free(need);
    return rc;
}

/* Where the previous sample of this boot left the kernel log: in this
 * archive, or, for the first sample of a day, in the day before's file
 * (its compressed form too). */
static void kmsg_position(struct writer *w, const struct options *o, const struct sample *s,
                          struct kmsg_position *pos)
{
    char err[256], name[NAME_MAX + 1], path[PATH_MAX];
    if (archive_kmsg_position(w->ar, s->boot_id, pos, err, sizeof err) != ARCHIVE_OK ||
        pos->found || !target_is_directory(o))
        return;
    daily_name(s->ts - 86400, name, sizeof name);
    for (int gz = 0; gz < 2 && !pos->found; gz++) {
        struct archive *prev;
        if (gz)
            strncat(name, ".gz", sizeof name - strlen(name) - 1);
        if (safedir_name(&w->dir, name, path, sizeof path) != 0 ||
            archive_open_reader(path, &prev, err, sizeof err) != ARCHIVE_OK)
            continue;
        archive_kmsg_position(prev, s->boot_id, pos, err, sizeof err);
        archive_close(prev);
    }
}

/* The OOM kills the kernel logged since the previous sample.  Without
 * access to the kernel log (not root, or kernel.dmesg_restrict without
 * CAP_SYSLOG) the sample is stored without them (oom.read 0), silently:
 * the collector runs every minute, and cron mails what it prints. */
static void sample_kernel_log(struct writer *w, const struct options *o, struct sample *s)
{
    struct kmsg_position pos;
    const struct kv *counter = kv_find(&s->vmstat, "oom_kill", NULL);
    int why;
    kmsg_position(w, o, s, &pos);
    oom_event_list_clear(&s->oom);
    /* The kernel counts a kill (oom_kill) before it logs the victim: with
     * the counter where it was when the log was last read, there is no
     * kill to read, and the position is kept without reading the whole
     * log (about 3 ms of system calls for a full 128 kB buffer).  Only a
     * kill counted before the last reading and logged after it (the
     * microseconds between the two) waits for the next kill's reading. */
    if (pos.found && pos.has_oom_kill && counter && counter->value == pos.oom_kill) {
        s->oom.read = 1;
        s->oom.next_seq = pos.next_seq;
        s->oom.has_read_oom_kill = 1;
        s->oom.read_oom_kill = pos.oom_kill;
        return;
    }
    if (kmsg_collect(KMSG_PATH, pos.found, pos.next_seq, &s->oom, &why) != 0) {
        if (why != EACCES && why != EPERM && why != ENOENT)
            report_error(KMSG_PATH, strerror(why));
        return;
    }
    s->oom.has_read_oom_kill = counter != NULL;
    s->oom.read_oom_kill = counter ? counter->value : 0;
    /* records overwritten since the last reading matter only when the
     * counter says more kills happened than this reading found */
    if (pos.found && pos.has_oom_kill && counter && counter->value >= pos.oom_kill &&
        counter->value - pos.oom_kill <= s->oom.n)
        s->oom.lost = 0;
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

/* The memory cgroups of S; none where no hierarchy has the memory
 * controller.  A failure costs the cgroups, not the sample. */
static int sample_cgroups(const struct options *o, struct sample *s)
{
    char err[600];
    struct cgroup_hierarchy h;
    cgroup_list_clear(&s->cgroups);
    if (!o->cgroups)
        return EXIT_OK;
    if (cgroups_find(&h, err, sizeof err) != 0 ||
        cgroups_scan(&h, o->cgroups_max, &s->cgroups, err, sizeof err) != 0) {
        report_error("cgroups not sampled", err);
        cgroup_list_clear(&s->cgroups);
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
    if (s->swaps.dropped)   /* stored all the same: the rest are kept */
        fprintf(stderr, "%s: warning: /proc/swaps: more than %d swap devices: %u not stored\n",
                progname, SWAP_DEV_LIMIT, s->swaps.dropped);
    read_host_facts(&host, (time_t)s->ts);
    int rc = open_for(w, o, s, partial);
    if (rc != EXIT_OK)
        return rc;
    if (sample_nodes(o, s) != EXIT_OK)
        *partial = 1;
    if (sample_cgroups(o, s) != EXIT_OK)
        *partial = 1;
    if (o->procs && sample_processes(w, o, s) != EXIT_OK)
        *partial = 1;
    sample_kernel_log(w, o, s);
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

/* Sleeps on CLOCK until AT; 0 when stopped or when the clock refuses (said). */
static int sleep_to(clockid_t clock, const struct timespec *at)
{
    while (!stop_requested) {
        int rc = clock_nanosleep(clock, TIMER_ABSTIME, at, NULL);
        if (rc == 0)
            return 1;
        if (rc != EINTR) {
            report_error("cannot wait for the next sample", strerror(rc));
            return 0;
        }
    }
    return 0;
}

/* Sleeps until START + N * INTERVAL on the monotonic clock, and then, if
 * the sample before was late enough to take this second (a loaded machine,
 * a stopped process), until the next wall-clock second: the archive keeps
 * one sample a second, and a later one beats a lost one.  0 when stopped. */
static int sleep_until(const struct timespec *start, long n, long interval, int64_t last_ts)
{
    struct timespec at = *start, next_second = { .tv_sec = (time_t)(last_ts + 1) };
    at.tv_sec += (time_t)(n * interval);
    return sleep_to(CLOCK_MONOTONIC, &at) &&
           (time(NULL) > (time_t)last_ts || sleep_to(CLOCK_REALTIME, &next_second));
}

/* The reading group by name (or number); an empty name is none. */
static int resolve_group(struct options *o)
{
    if (!o->group_name || !*o->group_name)
        return 0;
    struct group *gr = getgrnam(o->group_name);
    long gid;
    if (gr)
        o->group = gr->gr_gid;
    else if (parse_long_arg(o->group_name, 0, 0x7ffffffeL, &gid) == 0)
        o->group = (gid_t)gid;
    else {
        report_error(o->group_name, "no such group (--group or MEMTRAIL_GROUP)");
        return -1;
    }
    return 0;
}

/* The collector must outlive the incident it records, so it asks the OOM
 * killer to pick others first (the systemd unit sets the same value).  Only
 * lowering needs privilege: without it, or where an administrator set a
 * lower value already, this changes nothing and says nothing, since a sample
 * without the protection is still worth taking. */
static void protect_from_oom(void)
{
    char now[16] = "";
    int fd = open("/proc/self/oom_score_adj", O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return;
    ssize_t n = read(fd, now, sizeof now - 1);
    if (n > 0 && atol(now) > OOM_SCORE_ADJ) {
        char want[16];
        int len = snprintf(want, sizeof want, "%d\n", OOM_SCORE_ADJ);
        if (write(fd, want, (size_t)len) != len) {
            /* tolerated: see above */
        }
    }
    close(fd);
}

/* --maintain: the directory opened as the collector opens it, then handed over. */
static int maintain(const struct options *o)
{
    char err[768], shown[PATH_MAX];
    struct safedir dir;
    without_trailing_slashes(o->target, shown, sizeof shown);
    if (safedir_open(o->target, 1, &dir, err, sizeof err) != 0) {
        report_error(o->target, err);
        return EXIT_FAIL;
    }
    int status = EXIT_OK;
    if (o->group != (gid_t)-1 && safedir_share(&dir, o->group, err, sizeof err) != 0) {
        report_error(o->target, err);
        status = EXIT_FAIL;
    }
    if (maintain_directory(shown, &dir, &o->keep) != 0)
        status = EXIT_FAIL;
    safedir_close(&dir);
    return status;
}

/* One sample, or INTERVAL and COUNT's: the worst status. */
static int sample_loop(const struct options *o, struct writer *w, struct sample *sample)
{
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    int status = EXIT_OK;
    long samples = o->interval ? o->count : 1;
    for (long n = 0; samples == 0 || n < samples; n++) {
        if (n > 0 && !sleep_until(&start, n, o->interval, sample->ts))
            break;
        int partial = 0;
        int rc = take_and_store(w, o, sample, &partial);
        int published = rc == EXIT_OK ? publish(o, sample) : EXIT_OK;
        if (rc != EXIT_OK)
            status = rc;
        else if (partial)
            status = EXIT_FAIL;
        else if (published != EXIT_OK && status == EXIT_OK)
            status = published;
        if (rc == EXIT_FAIL || stop_requested)
            break;
    }
    return status;
}

/* ---- memcollect --watch: what watch.c asks of the one-sample path ---- */

struct watch_ctx {
    const struct options *o;
    struct writer *w;
    struct sample *s;
};

static int watch_take(void *ctx, int with_procs, const struct sample **s)
{
    struct watch_ctx *c = ctx;
    struct options o = *c->o;
    int partial = 0;
    o.procs = o.procs && with_procs;
    if (!o.procs)   /* not the last burst sample's processes again */
        proc_list_clear(&c->s->procs);
    int rc = take_and_store(c->w, &o, c->s, &partial);
    int published = rc == EXIT_OK ? publish(&o, c->s) : EXIT_OK;
    *s = rc == EXIT_OK ? c->s : NULL;
    return rc != EXIT_OK ? rc : partial ? EXIT_FAIL : published;
}

static struct archive *watch_archive(void *ctx)
{
    struct writer *w = ((struct watch_ctx *)ctx)->w;
    if (w->ar && w->paused && writer_resume(w) != EXIT_OK)
        return NULL;
    return w->ar;
}

static void watch_pause(void *ctx)
{
    writer_pause(((struct watch_ctx *)ctx)->w);
}

static void watch_close(void *ctx)
{
    writer_close(((struct watch_ctx *)ctx)->w);
}

static int watch(const struct options *o, struct writer *w, struct sample *s)
{
    struct watch_ctx ctx = { o, w, s };
    struct watch_sampler sm = { &ctx, watch_take, watch_archive, watch_pause, watch_close };
    return watch_run(&o->watch, &sm, &stop_requested) == 0 ? EXIT_OK : EXIT_FAIL;
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
    struct writer w = { .dir = { .fd = -1 } };

    progname = "memcollect";
    int parsed = parse_options(argc, argv, &o);
    if (parsed > 0)
        return EXIT_OK;   /* --help or --version */
    if (parsed < 0) {
        usage(stderr);
        return EXIT_USAGE;
    }
    umask(027);
    if (resolve_group(&o) != 0)
        return EXIT_FAIL;
    install_signals();
    if (o.maintain)
        return maintain(&o);

    protect_from_oom();
    int status = o.watch.on ? watch(&o, &w, &sample) : sample_loop(&o, &w, &sample);
    writer_close(&w);
    proc_list_clear(&sample.procs);
    numa_list_clear(&sample.numa);
    cgroup_list_clear(&sample.cgroups);
    swap_list_clear(&sample.swaps);
    oom_event_list_clear(&sample.oom);
    procs_release();
    return status;
}
