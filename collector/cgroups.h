/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Memory cgroups for the collector: finds the hierarchy that has the memory
 * controller (cgroup v2 when a cgroup2 mount lists "memory" in its
 * cgroup.controllers, else the v1 mount with the memory controller, both
 * from /proc/self/mountinfo, with /sys/fs/cgroup tried first for v2), walks
 * it without following symbolic links, and reads each cgroup's memory files
 * (lib/cgroup_parse.h) into the sample.
 */
#ifndef MEMTRAIL_COLLECTOR_CGROUPS_H
#define MEMTRAIL_COLLECTOR_CGROUPS_H

#include <stddef.h>

#include "model.h"

#define CGROUPS_MAX_DEFAULT 200   /* memcollect --cgroups-max */
#define CGROUPS_DEPTH_MAX 32      /* deeper cgroups are not walked */

/* The hierarchy found: where it is mounted, and what it shows. */
struct cgroup_hierarchy {
    int version;              /* 0: none with the memory controller */
    char mount[512];          /* its mount point */
    char root[512];           /* the hierarchy path at the mount point ("/") */
    char v2_mount[512];       /* v1: a cgroup2 mount beside it ("": none), for the root's pressure */
};

/* Finds the hierarchy (see above).  0 (version 0 when there is none), or
 * -1 with ERR when /proc/self/mountinfo cannot be read. */
int cgroups_find(struct cgroup_hierarchy *h, char *err, size_t err_cap);

/* Fills LIST (cleared first) with the cgroups of H: every one when there
 * are at most MAX (0: no bound), else MAX of them: the root, then those of
 * depth 1, then the largest by memory.current; and a last row of path
 * "..." whose memory.current sums the usage of the others (each subtree
 * left out counted once, at its top; its other values absent), their
 * number in list->aggregated.  The cgroups beyond the first MAX of the walk
 * are ranked by their usage alone, and only the kept ones read in full.
 * Cgroups deeper than CGROUPS_DEPTH_MAX or with paths of CGROUP_PATH_MAX
 * bytes or more are not walked.  A cgroup that vanishes during the walk is
 * left out, a file that is missing leaves its values CGROUP_ABSENT:
 * neither is an error.  0, or -1 with ERR when the hierarchy's mount
 * cannot be opened or memory runs out. */
int cgroups_scan(const struct cgroup_hierarchy *h, long max, struct cgroup_list *list,
                 char *err, size_t err_cap);

#endif
