/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Where memreport writes its report: standard output, or -o FILE.  Every
 * format writes to output.stream; the first write that fails is remembered
 * (and every later write refused at once, so a long report stops costing
 * output), and output_finish() checks the final flush and close and says
 * "memreport: <file or standard output>: <why>", exit status 2.
 *
 * -o FILE writes a temporary file beside FILE (".FILE.XXXXXX", FILE's mode
 * when it exists, else 0666 less the umask), syncs it and renames it over
 * FILE only when the whole report was written: a failed report, a full disk
 * or a signal leaves FILE as it was and no temporary behind.  A symbolic
 * link at FILE is replaced, not followed.  A FILE that is a device, a FIFO
 * or a socket (-o /dev/null, -o /dev/stderr) is written directly.
 */
#ifndef MEMTRAIL_OUTPUT_H
#define MEMTRAIL_OUTPUT_H

#include <stdio.h>

struct report_output {
    FILE *stream;
    const char *name;   /* for messages: the -o FILE, or "standard output" */
    const char *path;   /* -o FILE, or NULL */
    char *tmp;          /* the temporary name renamed to PATH at the end, or NULL */
    int fd;
    int err;            /* errno of the first write that failed, or 0 */
};

/* Opens PATH (NULL: standard output); on failure says why and returns -1. */
int output_open(struct report_output *out, const char *path);
/* Flushes and closes OUT; a report that ended with STATUS 0 is put in
 * place (-o), any other is removed.  Returns STATUS, or 2 when a write
 * failed (said on stderr). */
int output_finish(struct report_output *out, int status);

#endif
