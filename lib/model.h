/*
 * The memtrail data model: one system-wide sample as the collector fills it,
 * the archive stores it and the reports read it.
 *
 * Keys of /proc/meminfo and /proc/vmstat are kept by name, in the order the
 * kernel printed them, so that keys this code does not know yet are recorded
 * all the same.  Helpers below look values up by name.
 */
#ifndef MEMTRAIL_MODEL_H
#define MEMTRAIL_MODEL_H

#include <stdint.h>
#include <time.h>

#define KEY_NAME_MAX 48   /* longest key name kept, including the NUL */
#define KV_MAX 256        /* most keys kept from one file */
#define SWAP_DEV_MAX 32   /* most swap devices kept */
#define SWAP_NAME_MAX 256
#define BOOT_ID_LEN 36    /* a UUID in text form */

struct kv {
    char name[KEY_NAME_MAX];
    uint64_t value;
};

struct kv_list {
    unsigned n;
    struct kv items[KV_MAX];
};

struct swap_device {
    char name[SWAP_NAME_MAX];
    char type[16];
    uint64_t size_kb;
    uint64_t used_kb;
    int64_t priority;
};

struct swap_list {
    unsigned n;
    struct swap_device dev[SWAP_DEV_MAX];
};

/* Facts about the host, stored once per archive and again when they change. */
struct host_facts {
    char sysname[65];
    char nodename[65];
    char release[65];
    char machine[65];
    char timezone[64];
    int ncpu;
    long page_size;
};

struct sample {
    int64_t ts;              /* wall time, UTC seconds since the epoch */
    int32_t utc_offset;      /* the collector's local offset from UTC, seconds */
    uint64_t uptime_cs;      /* /proc/uptime, hundredths of a second */
    char boot_id[BOOT_ID_LEN + 1];
    struct kv_list meminfo;
    struct kv_list vmstat;   /* the cumulative counters we keep (see vmstat_key_kept) */
    struct swap_list swaps;
};

/* Key NAME, or NULL.  HINT (may be NULL) is where to look first, and is
 * set to where NAME was found: repeated lookups of the same key in lists
 * of the same shape then cost one comparison. */
const struct kv *kv_find(const struct kv_list *list, const char *name, unsigned *hint);
/* Value of key NAME, or 0 when absent (sadc zeroes what the kernel lacks). */
uint64_t kv_get(const struct kv_list *list, const char *name);
/* Sum of every key that starts with PREFIX (sar 12.6.1's pgscan and pgsteal sums). */
uint64_t kv_sum_prefix(const struct kv_list *list, const char *prefix);
/* Adds NAME without looking for it first (parsers: the kernel lists each
 * key once; should it not, lookups find the last, as sadc keeps the last). */
int kv_append(struct kv_list *list, const char *name, uint64_t value);
/* Adds or replaces NAME; returns -1 when the list is full or the name too long. */
int kv_set(struct kv_list *list, const char *name, uint64_t value);

#endif
