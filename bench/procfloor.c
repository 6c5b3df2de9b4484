/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bench/incident.sh's floor of a one-shot sample's process part: a fresh
 * process that reads every process exactly as memcollect does (libproc2
 * loaded, procs_scan once: /proc/PID/stat and /proc/PID/status through one
 * procps_pids_reap) and nothing else, no archive.  Its CPU is what decision
 * 11 (libproc2 stays for processes) costs any one-shot sample at that many
 * processes.  A benchmark: it prints nothing and fails only when the
 * processes cannot be read.
 */
#include <stdio.h>

#include "model.h"
#include "procs.h"

int main(void)
{
    static struct proc_list list;
    struct procs_options po = { 0 };
    char err[256];
    if (procs_scan(&list, &po, err, sizeof err) != 0) {
        fprintf(stderr, "procfloor: %s\n", err);
        return 1;
    }
    proc_list_clear(&list);
    return 0;
}
