/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * memcollect --watch (watch.h): asleep in poll() on
 *   - a PSI trigger on /proc/pressure/memory ("some STALL WINDOW\n", POLLPRI;
 *     POLLERR when the source goes away), and on the memory.pressure files
 *     of chosen v2 cgroups;
 *   - /dev/kmsg, readable when the kernel logs anything: a "Killed process"
 *     record is an OOM kill;
 * and, where the kernel refuses triggers, a timer that reads
 * /proc/pressure/memory (or MemAvailable, without PSI) every --poll-interval
 * seconds.  Awake, it samples every --burst-interval seconds (the processes
 * only as often as the CPU budget allows: procbudget.h) until the stall
 * rate (the "total" deltas of /proc/pressure/memory, or the trigger's events
 * where PSI cannot be read) stayed below the trigger's rate for --calm
 * seconds, then records the burst and sleeps again.  Asleep it costs nothing:
 * no timer runs unless triggers or the kernel log are missing.
 */
#define _GNU_SOURCE
#include "watch.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "bursts.h"
#include "parse.h"
#include "procbudget.h"
#include "sysread.h"
#include "util.h"

#define PRESSURE_FILE "/proc/pressure/memory"
#define KMSG_FILE "/dev/kmsg"
#define KMSG_RECORD_MAX 8192     /* a kmsg record is at most 8 kB with its prefix */
#define KMSG_DRAIN_MAX 256       /* records read per wake: a log flood cannot hold us */
#define STORE_EVERY 10           /* burst samples between updates of its row */
#define LOCK_WAIT_MS 2000
#define PROCS_GAP_MS 10000       /* a burst takes processes at least this often */

const char watch_usage[] =
    "       %s --watch [ --trigger \"some|full <stall us> <window us>\" ]\n"
    "[ --burst-interval <s> ] [ --calm <s> ] [ --poll-interval <s> ]\n"
    "[ --burst-cpu-budget <percent> ] [ --burst-procs-every <N> ]\n"
    "[ --memavail-below <percent> ]\n"
    "[ --cgroups \"<dir> ...\" ] [ --no-kmsg ] [ --mlock ] [ --burst <N> ]\n"
    "[ options of a sample ] [ -D <directory> | <archive> ]\n";

void watch_defaults(struct watch_settings *ws)
{
    memset(ws, 0, sizeof *ws);
    ws->stall_us = 150000;    /* 7.5 % of 2 s: README, "memcollect --watch" */
    ws->window_us = 2000000;
    ws->interval = 1;
    ws->calm = 30;
    ws->poll = 10;
    ws->procs_every = 0;
    ws->cpu_budget = 300;     /* 3 % of one core: README, "Cost" */
    ws->memavail_pct = 5;
    ws->kmsg = 1;
}

/* "some 150000 2000000": the kernel's limits (window 0.5 to 10 s, stall
 * within it); the 2 s multiple without CAP_SYS_RESOURCE is the kernel's to say. */
static int parse_trigger(const char *text, struct watch_settings *ws)
{
    char kind[8], rest[2];
    long stall, window;
    if (sscanf(text, "%7s %ld %ld %1s", kind, &stall, &window, rest) != 3 ||
        (strcmp(kind, "some") != 0 && strcmp(kind, "full") != 0) || window < 500000 ||
        window > 10000000 || stall <= 0 || stall > window)
        return -1;
    ws->full = kind[0] == 'f';
    ws->stall_us = stall;
    ws->window_us = window;
    return 0;
}

static int refuse_value(const char *option, const char *value)
{
    fprintf(stderr, "%s: %s: invalid value: %s\n", progname, option, value);
    return -1;
}

struct number_option {
    const char *name;
    long min, max;
    size_t offset;
};

static const struct number_option number_options[] = {
    { "--burst-interval", 1, 3600, offsetof(struct watch_settings, interval) },
    { "--calm", 1, 86400, offsetof(struct watch_settings, calm) },
    { "--poll-interval", 1, 3600, offsetof(struct watch_settings, poll) },
    { "--burst-procs-every", 0, 3600, offsetof(struct watch_settings, procs_every) },
    { "--memavail-below", 0, 100, offsetof(struct watch_settings, memavail_pct) },
    { "--burst", 1, 100000000L, offsetof(struct watch_settings, burst_samples) },
};

int watch_option(int argc, char **argv, int *i, struct watch_settings *ws)
{
    const char *a = argv[*i];
    if (strcmp(a, "--watch") == 0 || strcmp(a, "--no-kmsg") == 0 || strcmp(a, "--mlock") == 0) {
        if (a[2] == 'w')
            ws->on = 1;
        else if (a[2] == 'n')
            ws->kmsg = 0;
        else
            ws->mlock = 1;
        return 1;
    }
    int trigger = strcmp(a, "--trigger") == 0, cgroups = strcmp(a, "--cgroups") == 0;
    int budget = strcmp(a, "--burst-cpu-budget") == 0;
    const struct number_option *num = NULL;
    for (size_t k = 0; k < sizeof number_options / sizeof number_options[0]; k++)
        if (strcmp(a, number_options[k].name) == 0)
            num = &number_options[k];
    if (!trigger && !cgroups && !budget && !num)
        return 0;
    if (*i + 1 >= argc) {
        fprintf(stderr, "%s: %s: missing value\n", progname, a);
        return -1;
    }
    const char *value = argv[++*i];
    if (trigger)
        return parse_trigger(value, ws) == 0 ? 1 : refuse_value(a, value);
    if (budget)
        return proc_budget_parse(value, &ws->cpu_budget) == 0 ? 1 : refuse_value(a, value);
    if (cgroups) {
        if (strlen(value) >= sizeof ws->cgroups)
            return refuse_value(a, "too long");
        copy_text(ws->cgroups, sizeof ws->cgroups, value);
        return 1;
    }
    long v;
    if (parse_long_arg(value, num->min, num->max, &v) != 0)
        return refuse_value(a, value);
    *(long *)((char *)ws + num->offset) = v;
    if (num->offset == offsetof(struct watch_settings, burst_samples))
        ws->on = 1;
    return 1;
}

/* ---- what the kernel says ---- */

/* /proc/vmstat's oom_kill, or /proc/meminfo's MemAvailable in percent of
 * MemTotal; -1 when it cannot be read. */
static int64_t read_kv(const char *path, const char *key, const char *of)
{
    static char buf[16384];
    static struct kv_list kv;
    size_t len;
    if (read_text_file(path, buf, sizeof buf, &len) < 0)
        return -1;
    if (of)
        parse_meminfo(buf, len, &kv);
    else
        parse_vmstat(buf, len, &kv);
    const struct kv *k = kv_find(&kv, key, NULL);
    if (!k)
        return -1;
    if (!of)
        return (int64_t)k->value;
    uint64_t total = kv_get(&kv, of);
    return total ? (int64_t)(k->value * 100 / total) : -1;
}

static int64_t oom_kills_now(void)
{
    return read_kv("/proc/vmstat", "oom_kill", NULL);
}

static int64_t now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* ---- the watcher ---- */

enum mode { MODE_TRIGGER, MODE_POLL, MODE_MEMAVAIL };
enum { FD_PSI, FD_KMSG, FD_CGROUP0 };

struct watcher {
    const struct watch_settings *ws;
    const struct watch_sampler *sm;
    struct pollfd fds[FD_CGROUP0 + WATCH_CGROUPS_MAX];
    char cgroup_names[WATCH_CGROUPS_MAX][256];
    int nfds;
    enum mode mode;
    unsigned pending;          /* causes seen since the last look */
    int bursting;
    struct burst b;
    int64_t next_sample, next_poll, last_pressure;   /* monotonic ms */
    struct psi prev;           /* the last PSI reading and when */
    int64_t prev_at;
    int have_prev;
    int64_t oom_base;          /* oom_kill when the burst began (asleep: since) */
    uint32_t unstored;         /* samples since the burst's row was stored */
    long attempts;             /* samples tried (--burst N stops after N) */
    struct proc_budget budget; /* which burst samples take processes */
    uint64_t kills_seen;       /* oom_kill at the last sample: a rise takes processes */
    int procs_owed;            /* the next sample takes processes (oom_kill rose) */
};

static void say(const char *fmt, const char *a, const char *b)
{
    fprintf(stderr, "%s: watch: ", progname);
    fprintf(stderr, fmt, a, b);
    fputc('\n', stderr);
}

/* The trigger on PATH: its fd, or -1 with WHY. */
static int trigger_open(const char *path, const struct watch_settings *ws, char *why, size_t cap)
{
    char text[64];
    int fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        snprintf(why, cap, "%s", strerror(errno));
        return -1;
    }
    /* the kernel overwrites the last byte written with NUL: a newline, so
     * that the window's last digit survives */
    int len = snprintf(text, sizeof text, "%s %ld %ld\n", ws->full ? "full" : "some",
                       ws->stall_us, ws->window_us);
    if (write(fd, text, (size_t)len) != len) {
        int e = errno;
        snprintf(why, cap, "trigger refused: %s%s", strerror(e),
                 e == EINVAL && ws->window_us % 2000000 ?
                 " (without CAP_SYS_RESOURCE the window must be a multiple of 2 s)" : "");
        close(fd);
        return -1;
    }
    return fd;
}

/* Reads what the kernel logged since the last look: whether an OOM kill is
 * among it.  The log is read from where it stood at start. */
static int kmsg_drain(int fd)
{
    static char rec[KMSG_RECORD_MAX];
    int kill = 0;
    for (int n = 0; n < KMSG_DRAIN_MAX; n++) {
        ssize_t got = read(fd, rec, sizeof rec - 1);
        if (got < 0 && (errno == EPIPE || errno == EINTR))
            continue;   /* records overwritten before we read them: go on */
        if (got <= 0)
            break;
        rec[got] = '\0';
        const char *text = strchr(rec, ';');
        if (text && strstr(text, "Killed process"))
            kill = 1;
    }
    return kill;
}

static void open_cgroup_triggers(struct watcher *w)
{
    char copy[WATCH_CGROUPS_TEXT], *save = NULL;
    copy_text(copy, sizeof copy, w->ws->cgroups);
    for (char *dir = strtok_r(copy, " \t\n", &save); dir; dir = strtok_r(NULL, " \t\n", &save)) {
        char path[4200], why[160];
        if (w->nfds >= FD_CGROUP0 + WATCH_CGROUPS_MAX) {
            say("more than %s cgroups: %s and the rest not watched", "16", dir);
            break;
        }
        snprintf(path, sizeof path, "%s/memory.pressure", dir);
        int fd = trigger_open(path, w->ws, why, sizeof why);
        if (fd < 0) {
            say("%s: not watched: %s", path, why);
            continue;
        }
        copy_text(w->cgroup_names[w->nfds - FD_CGROUP0], sizeof w->cgroup_names[0], dir);
        w->fds[w->nfds++] = (struct pollfd){ .fd = fd, .events = POLLPRI };
    }
}

/* The sources: the system-wide trigger, else a timer (said once). */
static void open_sources(struct watcher *w)
{
    char why[160];
    w->nfds = FD_CGROUP0;
    w->fds[FD_PSI] = (struct pollfd){ .fd = trigger_open(PRESSURE_FILE, w->ws, why, sizeof why),
                                      .events = POLLPRI };
    struct psi p;
    if (w->fds[FD_PSI].fd >= 0) {
        w->mode = MODE_TRIGGER;
    } else if (read_psi_mem(&p) == 0) {
        w->mode = MODE_POLL;
        say("no PSI trigger (" PRESSURE_FILE ": %s): reading it every poll interval instead", why,
            NULL);
    } else {
        w->mode = MODE_MEMAVAIL;
        say("no PSI (" PRESSURE_FILE ": %s): watching MemAvailable every poll interval instead",
            why, NULL);
    }
    w->fds[FD_KMSG] = (struct pollfd){ .fd = -1, .events = POLLIN };
    if (w->ws->kmsg) {
        int fd = open(KMSG_FILE, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
        if (fd >= 0 && lseek(fd, 0, SEEK_END) >= 0) {
            w->fds[FD_KMSG].fd = fd;
        } else {
            say(KMSG_FILE ": %s: OOM kills seen in /proc/vmstat every poll interval instead",
                strerror(errno), NULL);
            if (fd >= 0)
                close(fd);
        }
    }
    open_cgroup_triggers(w);
}

static void close_sources(struct watcher *w)
{
    for (int i = 0; i < w->nfds; i++)
        if (w->fds[i].fd >= 0)
            close(w->fds[i].fd);
}

/* Whether a timer must run while asleep: no trigger, or no kernel log. */
static int needs_timer(const struct watcher *w)
{
    return w->mode != MODE_TRIGGER || w->fds[FD_KMSG].fd < 0;
}

/* Whether the stall rate since the last reading reached the trigger's
 * (stall per window), from SEEN (the reading of the sample just taken, at
 * NOW) or, when NULL or not available, from a reading made now.  Peaks go
 * into the burst. */
static int pressure_high(struct watcher *w, int64_t now, const struct psi *seen)
{
    struct psi p;
    if (seen && seen->available)
        p = *seen;
    else if (read_psi_mem(&p) != 0)
        return 0;
    if (w->bursting) {
        if ((int32_t)p.some.avg10 > w->b.peak_some_avg10)
            w->b.peak_some_avg10 = (int32_t)p.some.avg10;
        if (p.has_full && (int32_t)p.full.avg10 > w->b.peak_full_avg10)
            w->b.peak_full_avg10 = (int32_t)p.full.avg10;
    }
    int high = 0;
    if (w->have_prev && now > w->prev_at) {
        uint64_t now_us = w->ws->full ? p.full.total_us : p.some.total_us;
        uint64_t was_us = w->ws->full ? w->prev.full.total_us : w->prev.some.total_us;
        uint64_t stalled = now_us >= was_us ? now_us - was_us : 0;
        /* stalled / elapsed >= stall / window, in integers */
        high = (double)stalled * (double)w->ws->window_us >=
               (double)w->ws->stall_us * (double)(now - w->prev_at) * 1000.0;
    }
    w->prev = p;
    w->prev_at = now;
    w->have_prev = 1;
    return high;
}

/* Asleep with a timer: what polling sees. */
static void poll_look(struct watcher *w, int64_t now)
{
    if (w->mode == MODE_POLL && pressure_high(w, now, NULL))
        w->pending |= BURST_POLL;
    if (w->mode == MODE_MEMAVAIL) {
        int64_t pct = read_kv("/proc/meminfo", "MemAvailable", "MemTotal");
        if (pct >= 0 && pct < w->ws->memavail_pct)
            w->pending |= BURST_MEMAVAIL;
    }
    if (w->fds[FD_KMSG].fd < 0 && w->oom_base >= 0 && oom_kills_now() > w->oom_base)
        w->pending |= BURST_OOM;
}

/* What woke poll(): trigger events, the kernel log, a source gone. */
static void handle_events(struct watcher *w)
{
    for (int i = 0; i < w->nfds; i++) {
        struct pollfd *f = &w->fds[i];
        if (f->fd < 0 || !f->revents)
            continue;
        if (i == FD_KMSG) {
            if (kmsg_drain(f->fd))
                w->pending |= BURST_OOM;
            continue;
        }
        if (f->revents & (POLLERR | POLLNVAL)) {
            /* the source went away (a cgroup removed) */
            say("%s: the pressure source went away: no longer watched",
                i == FD_PSI ? PRESSURE_FILE : w->cgroup_names[i - FD_CGROUP0], NULL);
            close(f->fd);
            f->fd = -1;
            if (i == FD_PSI)
                w->mode = MODE_POLL;
            continue;
        }
        if (f->revents & POLLPRI)
            w->pending |= i == FD_PSI ? BURST_PSI : BURST_CGROUP;
    }
}

static void store_burst(struct watcher *w)
{
    char err[512];
    struct archive *ar = w->sm->archive(w->sm->ctx);
    if (!ar || w->b.samples == 0)
        return;
    if (archive_store_burst(ar, &w->b, err, sizeof err) != ARCHIVE_OK)
        report_error("burst not recorded", err);
    w->unstored = 0;
}

static void start_burst(struct watcher *w, int64_t now)
{
    char why[BURST_WHY_MAX];
    memset(&w->b, 0, sizeof w->b);
    w->b.why = w->pending;
    w->b.peak_some_avg10 = w->b.peak_full_avg10 = BURST_NO_PSI;
    w->b.open = 1;
    w->pending = 0;
    w->bursting = 1;
    w->next_sample = now;
    w->last_pressure = now;
    w->have_prev = 0;
    proc_budget_start(&w->budget, w->ws->cpu_budget, PROCS_GAP_MS);
    w->kills_seen = w->oom_base >= 0 ? (uint64_t)w->oom_base : 0;
    w->procs_owed = 0;
    pressure_high(w, now, NULL);   /* the reading the first sample's rate is measured from */
    burst_why_text(w->b.why, why);
    say("burst: woken by %s", why, NULL);
}

static void local_time_text(int64_t ts, char *out, size_t cap)
{
    time_t t = (time_t)ts;
    struct tm tm;
    if (!localtime_r(&t, &tm) || !strftime(out, cap, "%Y-%m-%d %H:%M:%S", &tm))
        snprintf(out, cap, "@%lld", (long long)ts);
}

static void end_burst(struct watcher *w)
{
    char from[64], to[64];
    w->b.open = 0;
    store_burst(w);
    w->sm->close(w->sm->ctx);
    w->bursting = 0;
    w->oom_base = oom_kills_now();
    local_time_text(w->b.start, from, sizeof from);
    local_time_text(w->b.end, to, sizeof to);
    fprintf(stderr, "%s: watch: asleep after a burst of %" PRIu32 " samples from %s to %s,"
            " %" PRIu64 " OOM kills\n", progname, w->b.samples, from, to, w->b.oom_kills);
}

/* This process's CPU so far, ns: getrusage, which libfaketime leaves alone. */
static int64_t cpu_used_ns(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return 0;
    return ((int64_t)ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000 +
           ((int64_t)ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000;
}

/* Takes one sample, with processes when --burst-procs-every or the CPU
 * budget says so, or at a new OOM kill; *S as take() gives it. */
static void take_sample(struct watcher *w, int64_t now, const struct sample **s)
{
    int with_procs;
    if (w->ws->procs_every)
        with_procs = w->b.samples % (uint32_t)w->ws->procs_every == 0;
    else
        with_procs = proc_budget_due(&w->budget, now,
                                     w->procs_owed || (w->pending & BURST_OOM));
    int64_t before = cpu_used_ns();
    w->sm->take(w->sm->ctx, with_procs, s);   /* a failure is said there */
    proc_budget_spent(&w->budget, now, with_procs, cpu_used_ns() - before);
}

/* One burst sample; then whether the pressure stayed low long enough. */
static void burst_sample(struct watcher *w, int64_t now)
{
    const struct sample *s = NULL;
    w->attempts++;
    take_sample(w, now, &s);
    int high = w->mode == MODE_MEMAVAIL ? 0 : pressure_high(w, now, s ? &s->psi_mem : NULL);
    if (w->mode == MODE_MEMAVAIL && s) {
        uint64_t total = kv_get(&s->meminfo, "MemTotal");
        high = total && kv_get(&s->meminfo, "MemAvailable") * 100 < total * (uint64_t)w->ws->memavail_pct;
    }
    if (high || w->pending) {
        w->b.why |= w->pending;
        w->pending = 0;
        w->last_pressure = now;
    }
    if (s) {   /* stored, perhaps without a part */
        if (!w->b.samples)
            w->b.start = s->ts;
        w->b.end = s->ts;
        w->b.samples++;
        uint64_t kills = kv_get(&s->vmstat, "oom_kill");
        if (w->oom_base >= 0 && kills > (uint64_t)w->oom_base)
            w->b.oom_kills = kills - (uint64_t)w->oom_base;
        w->procs_owed = kills > w->kills_seen;   /* a kill the kernel log may not show */
        w->kills_seen = kills;
        if (w->b.samples == 1 || ++w->unstored >= STORE_EVERY)
            store_burst(w);
    }
    w->sm->pause(w->sm->ctx);
    int64_t step = w->ws->interval * 1000;
    w->next_sample += step;
    if (w->next_sample <= now)   /* a slow sample: the next one a full step on */
        w->next_sample = now + step;
    if (!w->ws->burst_samples && now - w->last_pressure >= w->ws->calm * 1000)
        end_burst(w);
}

/* poll()'s timeout: to the next sample, the next look, or none. */
static int next_timeout(const struct watcher *w, int64_t now)
{
    int64_t at = w->bursting ? w->next_sample : needs_timer(w) ? w->next_poll : -1;
    if (at < 0)
        return -1;
    return at <= now ? 0 : at - now > 3600000 ? 3600000 : (int)(at - now);
}

/* The resident process must stay small and in memory: mlockall() where
 * allowed (CAP_IPC_LOCK, or no RLIMIT_MEMLOCK), tolerated when not. */
static void lock_in_memory(const struct watch_settings *ws)
{
    if (ws->mlock && mlockall(MCL_CURRENT | MCL_FUTURE) != 0)
        say("warning: not locked in memory: %s", strerror(errno), NULL);
}

static void say_watching(const struct watcher *w)
{
    char what[160];
    snprintf(what, sizeof what, "%s %ld %ld", w->ws->full ? "full" : "some", w->ws->stall_us,
             w->ws->window_us);
    fprintf(stderr, "%s: watch: asleep, waking on %s%s%s%s (%d cgroups)\n", progname,
            w->mode == MODE_TRIGGER ? "the trigger \"" : w->mode == MODE_POLL ?
            "polled pressure over \"" : "MemAvailable below the limit", w->mode != MODE_MEMAVAIL ?
            what : "", w->mode != MODE_MEMAVAIL ? "\"" : "",
            w->fds[FD_KMSG].fd >= 0 ? " and OOM kills in " KMSG_FILE : " and OOM kills",
            w->nfds - FD_CGROUP0);
}

int watch_run(const struct watch_settings *ws, const struct watch_sampler *sm,
              volatile sig_atomic_t *stop)
{
    static struct watcher w;
    memset(&w, 0, sizeof w);
    w.ws = ws;
    w.sm = sm;
    lock_in_memory(ws);
    open_sources(&w);
    w.oom_base = oom_kills_now();
    int64_t now = now_ms();
    w.next_poll = now;
    if (ws->burst_samples) {
        w.pending = BURST_ASKED;
        start_burst(&w, now);
    } else {
        say_watching(&w);
    }
    while (!*stop) {
        int ready = poll(w.fds, (nfds_t)w.nfds, next_timeout(&w, now_ms()));
        if (ready < 0 && errno != EINTR) {
            report_error("watch: poll", strerror(errno));
            break;
        }
        if (ready > 0)
            handle_events(&w);
        now = now_ms();
        if (!w.bursting && needs_timer(&w) && now >= w.next_poll) {
            poll_look(&w, now);
            w.next_poll = now + ws->poll * 1000;
        }
        if (!w.bursting && w.pending && !*stop)
            start_burst(&w, now);
        if (w.bursting && now >= w.next_sample && !*stop)
            burst_sample(&w, now);
        if (ws->burst_samples && w.attempts >= ws->burst_samples)
            break;
    }
    if (w.bursting)
        end_burst(&w);
    close_sources(&w);
    return 0;
}
