/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Pure parsers from the text of /proc files to the model.  They never read a
 * file themselves, so fixtures test them directly, and they never trust the
 * text: every line is bounded, odd lines are skipped, nothing overflows.
 */
#ifndef MEMTRAIL_PARSE_H
#define MEMTRAIL_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"

/* /proc/meminfo: every "Key: value [kB]" line.  Returns the number of keys kept. */
int parse_meminfo(const char *text, size_t len, struct kv_list *out);
/* /proc/vmstat: the cumulative counters that vmstat_key_kept() accepts. */
int parse_vmstat(const char *text, size_t len, struct kv_list *out);
/* /proc/swaps: each device after the header line. */
int parse_swaps(const char *text, size_t len, struct swap_list *out);
/* /proc/uptime: the first number, in hundredths of a second; -1 when unreadable. */
int parse_uptime(const char *text, size_t len, uint64_t *uptime_cs);
/* /proc/sys/kernel/random/boot_id: a 36-character UUID; -1 when malformed. */
int parse_boot_id(const char *text, size_t len, char out[BOOT_ID_LEN + 1]);

/* /proc/pressure/memory (or a v2 cgroup's memory.pressure): the "some"
 * line and, when the kernel prints one, the "full" line, each exactly as the
 * kernel writes it ("some avg10=1.53 avg60=0.20 avg300=0.05 total=123"),
 * averages kept in hundredths as sadc keeps them.  Lines of other names are
 * skipped.  Returns 0 with OUT->available set; -1 with OUT->available 0
 * when "some" is missing or any some/full line is malformed, repeated or
 * out of range: pressure is then not recorded, rather than half read. */
int parse_psi(const char *text, size_t len, struct psi *out);

/* Whether a /proc/vmstat counter is one memtrail records. */
int vmstat_key_kept(const char *name);
/* Whether NAME is safe and sensible as a key (and so as a column name). */
int key_name_valid(const char *name);

/* /sys/devices/system/node/nodeN/meminfo: "Node N Key: value [kB]" lines.
 * Lines of another node than NODE, and odd lines, are skipped.  Returns the
 * number of keys kept (names without the "Node N " prefix: "MemTotal", ...). */
int parse_node_meminfo(const char *text, size_t len, int node, struct kv_list *out);
/* /sys/devices/system/node/nodeN/numastat: "key value" lines ("numa_hit", ...). */
int parse_numastat(const char *text, size_t len, struct kv_list *out);

#endif
