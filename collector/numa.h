/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * NUMA nodes for the collector: which nodes have memory, their total and
 * free memory (libnuma), and the per-node detail the kernel keeps in sysfs
 * (nodeN/meminfo and nodeN/numastat), which libnuma has no API for.
 *
 * libnuma is loaded with dlopen() on the first numa_read() of the real sysfs,
 * so a memcollect run that samples no nodes never pays for loading it.
 */
#ifndef MEMTRAIL_COLLECTOR_NUMA_H
#define MEMTRAIL_COLLECTOR_NUMA_H

#include <stddef.h>

#include "model.h"

#define NUMA_SYSFS_ROOT "/sys/devices/system/node"

/* Fills LIST (cleared first).  available=0 and n=0 when the machine has no
 * NUMA (numa_available() < 0, or no node directories); else one node per node
 * with memory, ascending id, values = the node's meminfo keys followed by its
 * numastat keys.  SYSFS_ROOT is normally NUMA_SYSFS_ROOT (NULL means that);
 * any other root (test fixtures) is read without libnuma, and total/free then
 * come from the node's meminfo.  If libnuma.so.1 cannot be loaded, the real
 * sysfs is read the same way.  Returns 0, or -1 with ERR (out of memory, an
 * unreadable root directory). */
int numa_read(struct numa_list *list, const char *sysfs_root, char *err, size_t err_cap);

/* libnuma reports through these two functions, and its own versions print to
 * stderr (which cron would mail).  collector/numa.c defines silent ones; the
 * executable must export them for libnuma to call them:
 *   -Wl,--export-dynamic-symbol=numa_warn -Wl,--export-dynamic-symbol=numa_error
 * The signatures are libnuma's (numa.h). */
void numa_warn(int num, char *fmt, ...);
void numa_error(char *where);
/* How many times libnuma called the hooks above (a test sees whether the
 * executable exports them). */
unsigned numa_hook_calls(void);

#endif
