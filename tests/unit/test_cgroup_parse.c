/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of the cgroup memory file parsers (lib/cgroup_parse.c): v2 and
 * v1 files as kernels print them, "max" limits, v1's unlimited value,
 * keys a kernel lacks left absent, and hostile text refused, not misread.
 */
#include "check.h"
#include <string.h>

#include "cgroup_parse.h"

#define TEXT(s) s, sizeof s - 1

static void test_numbers(void)
{
    uint64_t v = 7;
    CHECK(cgroup_parse_number(TEXT("123456\n"), &v) == 0 && v == 123456);
    CHECK(cgroup_parse_number(TEXT("0"), &v) == 0 && v == 0);
    CHECK(cgroup_parse_number(TEXT(""), &v) == -1);
    CHECK(cgroup_parse_number(TEXT("12x\n"), &v) == -1);
    CHECK(cgroup_parse_number(TEXT("-1\n"), &v) == -1);
    /* would collide with CGROUP_ABSENT / CGROUP_UNLIMITED, or overflow */
    CHECK(cgroup_parse_number(TEXT("18446744073709551615\n"), &v) == -1);
    CHECK(cgroup_parse_number(TEXT("99999999999999999999999\n"), &v) == -1);
    CHECK(cgroup_parse_limit(TEXT("max\n"), &v) == 0 && v == CGROUP_UNLIMITED);
    CHECK(cgroup_parse_limit(TEXT("max"), &v) == 0 && v == CGROUP_UNLIMITED);
    CHECK(cgroup_parse_limit(TEXT("268435456\n"), &v) == 0 && v == 268435456);
    CHECK(cgroup_parse_limit(TEXT("maximum\n"), &v) == -1);
    CHECK(cgroup_parse_v1_limit(TEXT("9223372036854771712\n"), &v) == 0 && v == CGROUP_UNLIMITED);
    CHECK(cgroup_parse_v1_limit(TEXT("52428800\n"), &v) == 0 && v == 52428800);
}

static const char stat_v2[] =
    "anon 1048576\nfile 2097152\nkernel 393216\nkernel_stack 16384\npagetables 40960\n"
    "sock 4096\nvmalloc 0\nshmem 8192\nfile_mapped 65536\nfile_dirty 12288\n"
    "file_writeback 0\nswapcached 0\nanon_thp 0\nworkingset_refault_anon 5\n"
    "workingset_refault_file 77\nworkingset_activate_anon 0\n";

static void test_stat(void)
{
    struct cgroup_mem m;
    cgroup_mem_absent(&m);
    cgroup_parse_stat(TEXT(stat_v2), 2, &m);
    CHECK(m.anon == 1048576 && m.file == 2097152 && m.kernel == 393216 && m.sock == 4096);
    CHECK(m.shmem == 8192 && m.mapped_file == 65536 && m.file_dirty == 12288);
    CHECK(m.file_writeback == 0 && m.refault_anon == 5 && m.refault_file == 77);
    CHECK(m.current == CGROUP_ABSENT && m.swap == CGROUP_ABSENT);

    /* a 5.4 kernel: no "kernel", one workingset_refault */
    cgroup_mem_absent(&m);
    cgroup_parse_stat(TEXT("anon 4096\nfile 0\nworkingset_refault 9\n"), 2, &m);
    CHECK(m.anon == 4096 && m.file == 0 && m.kernel == CGROUP_ABSENT);
    CHECK(m.refault_anon == CGROUP_ABSENT && m.refault_file == CGROUP_ABSENT);

    /* v1: its own names; without total_* keys, the local ones */
    cgroup_mem_absent(&m);
    cgroup_parse_stat(TEXT("cache 9916416\nrss 8253440\nrss_huge 0\nshmem 9580544\n"
                           "mapped_file 8105984\ndirty 16384\nwriteback 0\nswap 4096\n"
                           "workingset_refault_file 1207\n"), 1, &m);
    CHECK(m.file == 9916416 && m.anon == 8253440 && m.shmem == 9580544);
    CHECK(m.mapped_file == 8105984 && m.file_dirty == 16384 && m.file_writeback == 0);
    CHECK(m.swap == 4096 && m.refault_file == 1207 && m.kernel == CGROUP_ABSENT);

    /* v1 hierarchy: usage_in_bytes counts descendants, so the total_* keys
     * win over the local ones wherever the kernel gives both, in any order */
    cgroup_mem_absent(&m);
    cgroup_parse_stat(TEXT("total_rss 69144576\ncache 9916416\nrss 0\nshmem 9580544\n"
                           "mapped_file 8105984\ndirty 16384\nwriteback 0\nswap 4096\n"
                           "workingset_refault_file 1207\ntotal_cache 967852032\n"
                           "total_shmem 21143552\ntotal_mapped_file 37642240\n"
                           "total_dirty 83476480\ntotal_writeback 8192\ntotal_swap 12288\n"
                           "total_workingset_refault_anon 5\ntotal_workingset_refault_file 13355473\n"
                           "total_rss_huge 0\ntotal_bogus 1\n"), 1, &m);
    CHECK(m.anon == 69144576 && m.file == 967852032 && m.shmem == 21143552);
    CHECK(m.mapped_file == 37642240 && m.file_dirty == 83476480 && m.file_writeback == 8192);
    CHECK(m.swap == 12288 && m.refault_anon == 5 && m.refault_file == 13355473);
    CHECK(m.kernel == CGROUP_ABSENT);
    /* a total_* key that is not a number leaves the local value */
    cgroup_mem_absent(&m);
    cgroup_parse_stat(TEXT("rss 4096\ntotal_rss x\n"), 1, &m);
    CHECK(m.anon == 4096);
    /* v1's hierarchical_memory_limit is the least limit of the cgroup and
     * its ancestors: unlimited there makes the cgroup's own limit
     * unlimited; a finite one (an ancestor's, perhaps), a missing or a
     * malformed one says nothing of it, and max stays for
     * memory.limit_in_bytes to tell */
    cgroup_mem_absent(&m);
    cgroup_parse_stat(TEXT("rss 4096\nhierarchical_memory_limit 9223372036854771712\n"
                           "hierarchical_memsw_limit 9223372036854771712\ntotal_rss 4096\n"), 1, &m);
    CHECK(m.max == CGROUP_UNLIMITED && m.anon == 4096 && m.high == CGROUP_ABSENT);
    cgroup_mem_absent(&m);   /* above CGROUP_V1_UNLIMITED_MIN: unlimited, as in limit_in_bytes */
    cgroup_parse_stat(TEXT("hierarchical_memory_limit 9223372036854775807\n"), 1, &m);
    CHECK(m.max == CGROUP_UNLIMITED);
    cgroup_mem_absent(&m);
    cgroup_parse_stat(TEXT("hierarchical_memory_limit 67108864\n"
                           "hierarchical_memsw_limit 9223372036854771712\n"), 1, &m);
    CHECK(m.max == CGROUP_ABSENT);
    cgroup_mem_absent(&m);
    cgroup_parse_stat(TEXT("hierarchical_memory_limit 9223372036854767616\n"), 1, &m);
    CHECK(m.max == CGROUP_ABSENT);   /* one page below "unlimited" is a limit */
    const char *const unknown[] = {
        "rss 4096\ntotal_rss 4096\n",                                  /* no key */
        "hierarchical_memsw_limit 9223372036854771712\n",              /* only memsw's */
        "hierarchical_memory_limit x9223372036854771712\n",
        "hierarchical_memory_limit 18446744073709551615\n",            /* res_counter's RESOURCE_MAX */
        "hierarchical_memory_limit9223372036854771712\n",
        "Hierarchical_memory_limit 9223372036854771712\n",
    };
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
        cgroup_mem_absent(&m);
        cgroup_parse_stat(unknown[i], strlen(unknown[i]), 1, &m);
        CHECK(m.max == CGROUP_ABSENT);
    }
    /* v2's memory.stat has no such key: one there is not ours */
    cgroup_mem_absent(&m);
    cgroup_parse_stat(TEXT("hierarchical_memory_limit 9223372036854771712\n"), 2, &m);
    CHECK(m.max == CGROUP_ABSENT);
    /* v2 has no total_* keys: one there is not ours */
    cgroup_mem_absent(&m);
    cgroup_parse_stat(TEXT("anon 4096\ntotal_anon 8192\n"), 2, &m);
    CHECK(m.anon == 4096);

    /* hostile: no newline at the end, odd lines, a huge line, NULs */
    cgroup_mem_absent(&m);
    char odd[600];
    memset(odd, 'a', sizeof odd);
    memcpy(odd, "anon 5\nfile x\n\n sock 3\nshmem 1 2\n", 34);
    memcpy(odd + sizeof odd - 8, "\nfile 9", 7);
    odd[sizeof odd - 1] = '\0';
    cgroup_parse_stat(odd, sizeof odd - 1, 2, &m);
    CHECK(m.anon == 5 && m.file == 9 && m.sock == CGROUP_ABSENT && m.shmem == CGROUP_ABSENT);
}

static void test_events_pressure(void)
{
    struct cgroup_mem m;
    cgroup_mem_absent(&m);
    cgroup_parse_events(TEXT("low 0\nhigh 12\nmax 3\noom 2\noom_kill 1\noom_group_kill 0\n"), &m);
    CHECK(m.ev_low == 0 && m.ev_high == 12 && m.ev_max == 3 && m.ev_oom == 2);
    CHECK(m.ev_oom_kill == 1 && m.ev_oom_group_kill == 0);
    cgroup_mem_absent(&m);   /* before 5.17: no oom_group_kill */
    cgroup_parse_events(TEXT("low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\n"), &m);
    CHECK(m.ev_oom_kill == 0 && m.ev_oom_group_kill == CGROUP_ABSENT);
    cgroup_mem_absent(&m);
    cgroup_parse_oom_control(TEXT("oom_kill_disable 0\nunder_oom 0\noom_kill 4\n"), &m);
    CHECK(m.ev_oom_kill == 4 && m.ev_oom == CGROUP_ABSENT);
    cgroup_mem_absent(&m);
    cgroup_parse_pressure(TEXT("some avg10=1.53 avg60=0.20 avg300=0.04 total=123456\n"
                               "full avg10=0.00 avg60=0.00 avg300=0.00 total=789\n"), &m);
    CHECK(m.psi_some_us == 123456 && m.psi_full_us == 789);
    cgroup_mem_absent(&m);
    cgroup_parse_pressure(TEXT("some avg10=0.00 total=x\nfull total=\nsome total=-1\n"), &m);
    CHECK(m.psi_some_us == CGROUP_ABSENT && m.psi_full_us == CGROUP_ABSENT);
    cgroup_parse_pressure(TEXT("full total=5"), &m);   /* by key, not by position */
    CHECK(m.psi_full_us == 5);
}

static void test_proc_lines(void)
{
    char path[32];
    CHECK(cgroup_parse_proc_line(TEXT("0::/system.slice/cron.service\n"), 2, path, sizeof path) == 1 &&
          strcmp(path, "/system.slice/cron.service") == 0);
    CHECK(cgroup_parse_proc_line(TEXT("0::/\n"), 2, path, sizeof path) == 1 && strcmp(path, "/") == 0);
    CHECK(cgroup_parse_proc_line(TEXT("4:memory:/process_api/05bd\n"), 1, path, sizeof path) == 1 &&
          strcmp(path, "/process_api/05bd") == 0);
    CHECK(cgroup_parse_proc_line(TEXT("4:cpu,memory:/x\n"), 1, path, sizeof path) == 1 &&
          strcmp(path, "/x") == 0);
    CHECK(cgroup_parse_proc_line(TEXT("4:memory:/x\n"), 2, path, sizeof path) == 0);
    CHECK(cgroup_parse_proc_line(TEXT("9:name=systemd:/\n"), 1, path, sizeof path) == 0);
    CHECK(cgroup_parse_proc_line(TEXT("3:memoryx:/y\n"), 1, path, sizeof path) == 0);
    CHECK(cgroup_parse_proc_line(TEXT("0::/a/very/long/path/that/does/not/fit\n"), 2, path,
                                 sizeof path) == -1);
    CHECK(cgroup_parse_proc_line(TEXT("0::relative\n"), 2, path, sizeof path) == 0);
    CHECK(cgroup_parse_proc_line(TEXT("garbage"), 2, path, sizeof path) == 0);
}

static void test_mountinfo(void)
{
    char mnt[64], root[64];
    int version = 0;
    CHECK(cgroup_parse_mountinfo_line(TEXT("35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup "
                                           "cgroup rw,memory\n"), &version, mnt, sizeof mnt, root,
                                      sizeof root) == 1 &&
          version == 1 && strcmp(mnt, "/sys/fs/cgroup/memory") == 0 && strcmp(root, "/") == 0);
    CHECK(cgroup_parse_mountinfo_line(TEXT("41 31 0:38 / /sys/fs/cgroup/unified rw,relatime shared:9 "
                                           "- cgroup2 cgroup2 rw,nsdelegate\n"), &version, mnt,
                                      sizeof mnt, root, sizeof root) == 1 &&
          version == 2 && strcmp(mnt, "/sys/fs/cgroup/unified") == 0);
    CHECK(cgroup_parse_mountinfo_line(TEXT("32 31 0:29 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu"),
                                      &version, mnt, sizeof mnt, root, sizeof root) == 0);
    CHECK(cgroup_parse_mountinfo_line(TEXT("36 31 0:33 /docker/ab /mnt/my\\040cg rw - cgroup cg "
                                           "rw,cpuset,memory"), &version, mnt, sizeof mnt, root,
                                      sizeof root) == 1 &&
          version == 1 && strcmp(mnt, "/mnt/my cg") == 0 && strcmp(root, "/docker/ab") == 0);
    CHECK(cgroup_parse_mountinfo_line(TEXT("31 23 0:28 / /sys/fs/cgroup rw - tmpfs tmpfs rw"),
                                      &version, mnt, sizeof mnt, root, sizeof root) == 0);
    CHECK(cgroup_parse_mountinfo_line(TEXT("1 2 3"), &version, mnt, sizeof mnt, root, sizeof root) == 0);
    CHECK(cgroup_parse_mountinfo_line(TEXT("1 2 0:1 / /x\\000y rw - cgroup2 c rw"), &version, mnt,
                                      sizeof mnt, root, sizeof root) == 0);
}

int main(void)
{
    test_mountinfo();
    test_numbers();
    test_stat();
    test_events_pressure();
    test_proc_lines();
    return CHECK_SUMMARY("cgroup_parse");
}
