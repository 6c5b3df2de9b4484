/* SPDX-License-Identifier: GPL-2.0-or-later */
/* memreport's command line, parsed the way sar 12.6.1 parses it. */
#ifndef MEMTRAIL_OPTIONS_H
#define MEMTRAIL_OPTIONS_H

#include <stdio.h>

#include "procview.h"
#include "select.h"

#define DEFAULT_ARCHIVE_DIR "/var/log/memtrail"

enum format { FMT_SAR, FMT_SADF, FMT_CSV, FMT_JSON, FMT_SVG,
              FMT_OPENMETRICS, FMT_INFLUX, FMT_CSV_LONG /* exports (export.h) */ };

struct report_opts {
    unsigned outputs;        /* bits (1 << enum output) */
    int mem_all;
    int human, dec;
    int true_time;
    int unavailable;         /* asked for a sar activity memtrail does not record */
    struct tstamp start, end;
    long interval;           /* -1: none given */
    long count;              /* 0: none given */
    int interval_set;        /* -i */
    const char *file;        /* -f FILE|DIR */
    int default_file;        /* -f without a name, or no -f at all */
    int day_offset;          /* -1, -2, ...: the daily file that many days back */
    enum format format;
    int procs_letter;        /* -p */
    int sar_outputs_named;   /* -r, -S, -W, -B, -H or -A: -p keeps sar's meaning */
    struct proc_opts procs;  /* -p, --growth, --at, --numa and their filters */
    /* capacity planning (capacity.h) */
    int summary;             /* --summary=hour|day|week: enum cap_period; 0: none */
    int trend;               /* --trend */
    const char *output;      /* -o FILE: the output goes there instead of stdout */
    /* exports (export.h) */
    int node_names;          /* --names=node: node_exporter's metric names */
    int verify;              /* --verify, --check: check archives for damage */
    int bursts;              /* --bursts: memcollect --watch's bursts (burstview.h) */
    char complaint[192];     /* PARSE_USAGE: what was wrong, naming the argument */
};

enum parse_result { PARSE_OK, PARSE_USAGE, PARSE_EXIT, PARSE_ERROR };

/* Fills O from ARGV; PARSE_USAGE means print O->complaint, then the usage,
 * and exit 1; PARSE_ERROR exit 1 (the message is already on stderr). */
enum parse_result parse_report_options(int argc, char **argv, struct report_opts *o);
void print_usage(FILE *out);

#endif
