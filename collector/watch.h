/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * memcollect --watch: the resident mode that sleeps until memory is under
 * pressure (a PSI trigger, a new OOM kill) and then samples every second
 * into the same daily archives as the minute timer, until the pressure has
 * stayed low for a while.  memcollect.c takes the samples; this file decides
 * when, and records each burst (archive/bursts.h).
 */
#ifndef MEMTRAIL_WATCH_H
#define MEMTRAIL_WATCH_H

#include <signal.h>

#include "archive.h"
#include "model.h"

#define WATCH_CGROUPS_MAX 16
#define WATCH_CGROUPS_TEXT 4096

struct watch_settings {
    int on;                   /* --watch */
    int full;                 /* the trigger counts "full" stalls, not "some" */
    long stall_us, window_us; /* --trigger "some 150000 2000000" */
    long interval;            /* --burst-interval: seconds between burst samples */
    long calm;                /* --calm: seconds below the threshold before sleeping */
    long poll;                /* --poll-interval: seconds between checks without triggers */
    long procs_every;         /* --burst-procs-every: processes every Nth burst sample (0: by the budget) */
    long cpu_budget;          /* --burst-cpu-budget: hundredths of a percent of one core */
    long memavail_pct;        /* --memavail-below: no PSI: burst below this MemAvailable % */
    char cgroups[WATCH_CGROUPS_TEXT]; /* --cgroups: v2 cgroup directories, blank-separated */
    int kmsg;                 /* wake on OOM kills in /dev/kmsg (--no-kmsg: not) */
    int mlock;                /* --mlock: mlockall() the resident process */
    long burst_samples;       /* --burst N: wake at once, take N samples, exit */
};

void watch_defaults(struct watch_settings *ws);
/* ARGV[*I] as a watch option (its value taken, *I advanced): 1 taken, 0 not
 * one, -1 refused (said on stderr). */
int watch_option(int argc, char **argv, int *i, struct watch_settings *ws);
/* The usage lines of the watch options. */
extern const char watch_usage[];

/* What memcollect.c does for the watcher. */
struct watch_sampler {
    void *ctx;
    /* Takes and stores one sample (processes too when WITH_PROCS) into the
     * archive of its day; memcollect's exit status; *S the sample when it
     * was stored (perhaps without a part), else NULL. */
    int (*take)(void *ctx, int with_procs, const struct sample **s);
    /* The archive the last sample went to, its lock held; NULL: none. */
    struct archive *(*archive)(void *ctx);
    /* Between burst samples: the archive stays open, its lock let go. */
    void (*pause)(void *ctx);
    /* Asleep: the archive closed. */
    void (*close)(void *ctx);
};

/* Runs until *STOP (SIGTERM) or, with --burst N, N samples: 0, or 2 when
 * it could not watch at all. */
int watch_run(const struct watch_settings *ws, const struct watch_sampler *sm,
              volatile sig_atomic_t *stop);

#endif
