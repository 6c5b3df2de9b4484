/* SPDX-License-Identifier: GPL-2.0-or-later */
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
/* A sanity limit on the swap devices kept from one sample, far above real
 * use (the kernel itself allows about 30, MAX_SWAPFILES); more are dropped
 * and counted, and memcollect warns. */
#define SWAP_DEV_LIMIT 4096
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

/* Grown as needed: a sample that is reused keeps its array (swap_list_clear
 * frees it).  A struct sample copied by value shares DEV with its original. */
struct swap_list {
    unsigned n, cap;
    struct swap_device *dev;   /* malloc'd, N of them */
    unsigned dropped;          /* devices beyond SWAP_DEV_LIMIT, or lost to a failed malloc */
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

/* One process (not thread) as the collector saw it.  Its identity is
 * (boot, pid, start_ticks): a reused pid is another process. */
#define COMM_MAX 64
#define PROC_AGGREGATE_PID (-1)   /* --procs-max: the row summing the rest */

struct proc {
    int32_t pid;
    int32_t ppid;
    uint32_t uid;              /* effective */
    uint64_t start_ticks;      /* start time, clock ticks after boot */
    char comm[COMM_MAX];       /* changes with exec: the archive records each name */
    char *cmdline;             /* malloc'd; NULL when not read or not wanted */
    int kernel_thread;         /* never execs; a kworker's name shows its current work */
    uint64_t rss_kb;           /* VmRSS = RssAnon + RssFile + RssShmem */
    uint64_t anon_kb, file_kb, shmem_kb;
    uint64_t swap_kb;          /* VmSwap */
    uint64_t vsz_kb;           /* VmSize */
    uint64_t minflt, majflt;   /* cumulative fault counts */
    int64_t pss_kb;            /* -1: unknown (not asked, or not readable) */
    char *cgroup;              /* memory cgroup path, read with cmdline; NULL: unknown.
                                * Owned as cmdline is (see cmdlines_borrowed) */
};

struct proc_list {
    int scanned;               /* 0: processes were not sampled */
    size_t n, cap;
    struct proc *procs;
    uint32_t aggregated;       /* processes folded into the PROC_AGGREGATE_PID row */
    int cmdlines_borrowed;     /* cmdline and cgroup point into someone else's memory: not freed */
};

/* One NUMA node: libnuma's total and free, and the keys of the node's
 * meminfo ("FilePages", ...) and numastat ("numa_hit", ...) in sysfs. */
struct numa_node {
    int id;
    uint64_t total_kb, free_kb;
    struct kv_list values;
};

struct numa_list {
    int available;             /* 0: no NUMA here (or not sampled) */
    unsigned n;
    struct numa_node *nodes;   /* malloc'd, N of them, by node id */
};

/* Memory pressure: /proc/pressure/memory (or a v2 cgroup's memory.pressure).
 * The averages are kept in hundredths of a percent, as sadc keeps them
 * ("avg10=1.53" is 153); total is microseconds of stall since boot. */
struct psi_line {
    uint32_t avg10, avg60, avg300;
    uint64_t total_us;
};

struct psi {
    int available;             /* 0: not recorded (no PSI in this kernel, psi=0, or
                                * not read): reports leave it out, never print 0 */
    int has_full;              /* the kernel printed a "full" line */
    struct psi_line some, full;
};

/* One OOM kill as the kernel logged it (/dev/kmsg), with its victim.
 * Fields the kernel's message did not carry are -1 (numbers) or "" (text). */
#define CGROUP_PATH_MAX 512
struct oom_event {
    uint64_t seq;              /* kmsg sequence number of the "Killed process" record */
    int64_t ts;                /* wall time, UTC seconds (from the record's monotonic time) */
    int64_t mono_us;           /* the record's own timestamp, µs since boot */
    int32_t pid;
    char comm[COMM_MAX];
    int64_t uid;
    int64_t total_vm_kb, anon_rss_kb, file_rss_kb, shmem_rss_kb, pgtables_kb;
    int64_t oom_score_adj;     /* -1000..1000, -1 included: see has_oom_score_adj */
    int has_oom_score_adj;     /* 0: the kernel's message did not carry it (before 5.10) */
    int memcg_oom;             /* "Memory cgroup out of memory": a cgroup's limit, not the machine */
    char constraint[32];       /* CONSTRAINT_NONE, CONSTRAINT_MEMCG, ...; "" when not logged */
    char oom_memcg[CGROUP_PATH_MAX];
    char task_memcg[CGROUP_PATH_MAX];
};

/* What the collector read from /dev/kmsg since the previous sample. */
struct oom_event_list {
    int read;                  /* 0: the kernel log was not read (no access, or not asked) */
    uint64_t next_seq;         /* where the next sample goes on reading */
    uint64_t lost;             /* records overwritten before they were read (EPIPE), when
                                * the kernel's oom_kill counter leaves room for a kill among
                                * them; 0: none */
    int has_read_oom_kill;     /* read_oom_kill is known */
    uint64_t read_oom_kill;    /* /proc/vmstat oom_kill when the log was read up to next_seq */
    unsigned n, cap;
    struct oom_event *events;  /* malloc'd */
};

/* One memory cgroup at one sample, v1 or v2 behind one shape.  Values in
 * bytes (as the kernel's files give them) or counts; a value the kernel did
 * not give is CGROUP_ABSENT, never 0; an unlimited limit is CGROUP_UNLIMITED. */
#define CGROUP_ABSENT UINT64_MAX
#define CGROUP_UNLIMITED (UINT64_MAX - 1)
struct cgroup_mem {
    char *path;                /* "/system.slice/foo.service"; "/" is the root; malloc'd */
    uint64_t id;               /* v2: the directory's inode (the cgroup id); v1: 0 */
    uint64_t current;          /* v2 memory.current; v1 memory.usage_in_bytes */
    uint64_t max, high;        /* v2 memory.max, memory.high; v1 memory.limit_in_bytes, - */
    uint64_t swap;             /* v2 memory.swap.current; v1 memory.stat swap */
    uint64_t anon, file, shmem, kernel, sock, file_dirty, file_writeback, mapped_file;
                               /* memory.stat; v1: rss, cache, shmem, -, -, dirty, writeback, mapped_file */
    uint64_t refault_anon, refault_file;    /* v2 workingset_refault_anon/_file */
    uint64_t ev_low, ev_high, ev_max, ev_oom, ev_oom_kill, ev_oom_group_kill;
                               /* v2 memory.events; v1: -, -, memory.failcnt, -, oom_control's oom_kill, - */
    uint64_t psi_some_us, psi_full_us;      /* v2 memory.pressure totals */
};

struct cgroup_list {
    int version;               /* 0: cgroups not sampled; 1 or 2: which hierarchy */
    size_t n, cap;
    struct cgroup_mem *items;  /* malloc'd */
    uint32_t aggregated;       /* cgroups beyond the bound, whose usage (current; its other
                                * values absent) is summed into the row with path "..." */
};

struct sample {
    int64_t ts;              /* wall time, UTC seconds since the epoch */
    int32_t utc_offset;      /* the collector's local offset from UTC, seconds */
    uint64_t uptime_cs;      /* /proc/uptime, hundredths of a second */
    char boot_id[BOOT_ID_LEN + 1];
    struct kv_list meminfo;
    struct kv_list vmstat;   /* the cumulative counters we keep (see vmstat_key_kept) */
    struct swap_list swaps;
    struct proc_list procs;
    struct numa_list numa;
    struct psi psi_mem;          /* /proc/pressure/memory */
    struct oom_event_list oom;   /* OOM kills logged since the previous sample */
    struct cgroup_list cgroups;  /* memory cgroups */
};

/* Frees what a sample's process and node lists hold, and empties them. */
void proc_list_clear(struct proc_list *list);
/* Appends a process (copying, cmdline included unless the list borrows
 * them); NULL when out of memory. */
struct proc *proc_list_add(struct proc_list *list, const struct proc *p);
void numa_list_clear(struct numa_list *list);
/* Frees and empties an OOM event list (read, next_seq and lost included). */
void oom_event_list_clear(struct oom_event_list *list);
/* Appends a copy of EV; NULL when out of memory. */
struct oom_event *oom_event_list_add(struct oom_event_list *list, const struct oom_event *ev);
/* A new, zeroed device at the end of LIST (counted in N); NULL at the limit
 * or when out of memory, counted in LIST->dropped. */
struct swap_device *swap_list_add(struct swap_list *list);
/* Empties LIST, keeping its array for the next sample. */
void swap_list_reset(struct swap_list *list);
void swap_list_clear(struct swap_list *list);
/* Appends a copy of M (its path copied); NULL when out of memory. */
struct cgroup_mem *cgroup_list_add(struct cgroup_list *list, const struct cgroup_mem *m);
/* Frees the paths and the array, and empties LIST (version 0). */
void cgroup_list_clear(struct cgroup_list *list);

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
