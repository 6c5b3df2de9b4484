/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for whole archives (make fuzz; never part of make check).
 * The input's bytes are an archive file: plain SQLite, or gzip (what
 * --maintain makes of a finished day), which archive_open_reader() tells
 * apart by its magic.  Each input is read through the archive module with
 * every part of every sample, checked with archive_verify(), and replayed
 * by memreport itself (its main(), renamed at build time) in one report
 * mode chosen by the input's size, so that every renderer gets inputs.
 * The seed corpus is made at build time by procs_fixture, cgroups_fixture
 * and memcollect.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "archive.h"

int memreport_main(int argc, char **argv);

static char path[] = "/tmp/memtrail-fuzz-XXXXXX";
static int fd = -1;

/* The report modes, one per input: each runs as "memreport MODE -f FILE". */
static const char *const modes[][3] = {
    { "-A", NULL }, { "-r", "ALL" }, { "-p", NULL }, { "--growth", NULL },
    { "--numa", NULL }, { "--at", "13:35:00" }, { "--summary=hour", NULL },
    { "--trend", NULL }, { "--format=svg", NULL }, { "--format=openmetrics", NULL },
    { "--format=influx", NULL }, { "--format=csv-long", NULL }, { "--format=json", "-A" },
    { "--format=csv", "-p" }, { "--format=sadf", "-S" }, { "--format=json", "--growth" },
    { "--cgroup", NULL }, { "--growth", "--cgroup" }, { "--format=json", "--cgroup" },
};
#define NMODES (sizeof modes / sizeof *modes)

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fd = mkstemp(path);
    if (fd < 0) {
        perror("mkstemp");
        abort();
    }
    /* the reports' output is not looked at: only crashes, hangs, sanitizers */
    int null = open("/dev/null", O_WRONLY);
    if (null < 0 || dup2(null, STDOUT_FILENO) < 0) {
        perror("/dev/null");
        abort();
    }
    close(null);
    setenv("TZ", "UTC", 1);
    return 0;
}

static int touch_sample(const struct sample *s, void *ctx)
{
    uint64_t *sum = ctx;
    for (unsigned i = 0; i < s->meminfo.n; i++)
        *sum += s->meminfo.items[i].value;
    for (size_t i = 0; i < s->procs.n; i++)
        *sum += s->procs.procs[i].rss_kb + (s->procs.procs[i].cmdline ? 1 : 0);
    for (unsigned i = 0; i < s->numa.n; i++)
        *sum += s->numa.nodes[i].free_kb;
    for (size_t i = 0; i < s->cgroups.n; i++)   /* and strlen walks each path to its NUL */
        *sum += s->cgroups.items[i].current + strlen(s->cgroups.items[i].path);
    for (size_t i = 0; i < s->procs.n; i++)
        *sum += s->procs.procs[i].cgroup ? strlen(s->procs.procs[i].cgroup) : 0;
    return 0;
}

static void read_archive(void)
{
    char err[512];
    struct archive *ar;
    if (archive_open_reader(path, &ar, err, sizeof err) != ARCHIVE_OK)
        return;
    uint64_t sum = 0;
    int64_t first = 0, last = 0;
    struct host_facts host;
    archive_each_sample(ar, INT64_MIN, INT64_MAX, PART_PROCS | PART_NUMA | PART_CGROUPS,
                        touch_sample, &sum, err, sizeof err);
    if (archive_first_ts(ar, &first, err, sizeof err) == ARCHIVE_OK &&
        archive_last_ts(ar, &last, err, sizeof err) == ARCHIVE_OK) {
        archive_host_at(ar, first, &host, err, sizeof err);
        archive_each_sample(ar, first, first, PART_PROCS, touch_sample, &sum, err, sizeof err);
        /* the last sample alone: a cgroup delta then loads its key sample by itself */
        archive_each_sample(ar, last, last, PART_CGROUPS, touch_sample, &sum, err, sizeof err);
    }
    archive_close(ar);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
        abort();
    read_archive();
    unsigned long problems;
    FILE *sink = fopen("/dev/null", "w");
    if (sink) {
        archive_verify(path, sink, &problems);
        fclose(sink);
    }
    const char *const *mode = modes[size % NMODES];
    char *argv[6];
    int argc = 0;
    argv[argc++] = "memreport";
    for (int i = 0; i < 2 && mode[i]; i++)
        argv[argc++] = (char *)mode[i];
    argv[argc++] = "-f";
    argv[argc++] = path;
    argv[argc] = NULL;
    memreport_main(argc, argv);
    fflush(stdout);
    return 0;
}
