/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of the pure /proc parsers: ordinary kernel text, text of other
 * kernels, and text that is damaged or hostile.  Each check prints one line;
 * the last line counts them for tests/run.sh.
 */
#include "check.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "parse.h"


static struct kv_list kv;
static struct swap_list swaps;

static int meminfo(const char *text) { return parse_meminfo(text, strlen(text), &kv); }

static void test_meminfo_ordinary(void)
{
    const char *text = "MemTotal:       24684084 kB\nMemFree:        24007360 kB\n"
                       "SwapCached:            0 kB\nCached:           488580 kB\n"
                       "Active(anon):       1520 kB\nHugePages_Total:       8\n"
                       "VmallocTotal:   34359738367 kB\n";
    CHECK(meminfo(text) == 7);
    CHECK(kv_get(&kv, "MemTotal") == 24684084);
    CHECK(kv_get(&kv, "Cached") == 488580);
    CHECK(kv_get(&kv, "SwapCached") == 0);
    CHECK(kv_get(&kv, "Active(anon)") == 1520);
    CHECK(kv_get(&kv, "HugePages_Total") == 8);
    CHECK(kv_get(&kv, "VmallocTotal") == 34359738367ULL);
    CHECK(strcmp(kv.items[0].name, "MemTotal") == 0);   /* kernel order kept */
}

static void test_meminfo_unknown_and_odd(void)
{
    /* a key of a future kernel, a line without a value, junk, no final newline */
    const char *text = "FutureKey:  42 kB\nNoValue:\nGarbage line\n:  5 kB\n"
                       "Neg:  -5 kB\nText:  abc kB\nLast:  7";
    CHECK(meminfo(text) == 2);
    CHECK(kv_get(&kv, "FutureKey") == 42);
    CHECK(kv_get(&kv, "Last") == 7);
    CHECK(kv_get(&kv, "NoValue") == 0);
    /* overflow: skipped, never wrapped */
    CHECK(meminfo("Huge: 99999999999999999999999 kB\nOk: 1 kB\n") == 1);
    CHECK(kv_get(&kv, "Ok") == 1);
    /* a key too long to keep, and a key with characters no kernel uses */
    char long_key[200];
    memset(long_key, 'A', sizeof long_key);
    memcpy(long_key + 150, ": 3 kB\n", 8);
    CHECK(meminfo(long_key) == 0);
    CHECK(meminfo("Bad\"Key: 3 kB\nSemi;colon: 4 kB\n") == 0);
    /* an empty file and one made of NUL bytes */
    CHECK(meminfo("") == 0);
    char nuls[64] = { 0 };
    CHECK(parse_meminfo(nuls, sizeof nuls, &kv) == 0);
    /* the same key twice: the last wins, as in sadc */
    meminfo("MemFree: 1 kB\nMemFree: 2 kB\n");
    CHECK(kv_get(&kv, "MemFree") == 2);
}

static void test_meminfo_bounded(void)
{
    /* more keys than KV_MAX: the first KV_MAX are kept, nothing overflows */
    size_t cap = (KV_MAX + 50) * 32;
    char *text = malloc(cap);
    size_t len = 0;
    for (int i = 0; i < KV_MAX + 50; i++)
        len += (size_t)snprintf(text + len, cap - len, "Key%d: %d kB\n", i, i);
    CHECK(parse_meminfo(text, len, &kv) == KV_MAX);
    CHECK(kv_get(&kv, "Key0") == 0 && kv_get(&kv, "Key1") == 1);
    free(text);
}

static void test_vmstat(void)
{
    const char *text = "nr_free_pages 6001840\npgpgin 369773\npgpgout 173132\npswpin 3\n"
                       "pgscan_kswapd 10\npgscan_direct 5\npgscan_direct_throttle 1\n"
                       "pgsteal_kswapd 7\npgsteal_anon 2\npgsteal_file 5\noom_kill 1\n"
                       "numa_hit 537415\nbogus\npgfault notanumber\n";
    parse_vmstat(text, strlen(text), &kv);
    CHECK(kv_get(&kv, "pgpgin") == 369773);
    CHECK(kv_get(&kv, "pswpin") == 3);
    CHECK(kv_get(&kv, "oom_kill") == 1);
    CHECK(kv_get(&kv, "nr_free_pages") == 0);    /* a gauge: not kept */
    CHECK(kv_get(&kv, "numa_hit") == 0);
    CHECK(kv_get(&kv, "pgfault") == 0);          /* unparsable: not kept */
    /* sar 12.6.1's prefix sums */
    CHECK(kv_sum_prefix(&kv, "pgscan_kswapd") == 10);
    CHECK(kv_sum_prefix(&kv, "pgscan_direct") == 6);
    CHECK(kv_sum_prefix(&kv, "pgsteal_") == 14);
    CHECK(vmstat_key_kept("pgscan_future_kind") && !vmstat_key_kept("nr_anon_pages"));
}

static void test_swaps(void)
{
    const char *text =
        "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n"
        "/dev/vda2                               partition\t1048572\t\t1024\t\t-2\n"
        "/swap\\040file                          file\t\t65532\t\t33144\t\t10\n"
        "/broken line\n";
    CHECK(parse_swaps(text, strlen(text), &swaps) == 2);
    CHECK(strcmp(swaps.dev[0].name, "/dev/vda2") == 0);
    CHECK(strcmp(swaps.dev[0].type, "partition") == 0);
    CHECK(swaps.dev[0].size_kb == 1048572 && swaps.dev[0].used_kb == 1024);
    CHECK(swaps.dev[0].priority == -2);
    CHECK(strcmp(swaps.dev[1].name, "/swap\\040file") == 0 && swaps.dev[1].priority == 10);
    const char *only_header = "Filename\tType\tSize\tUsed\tPriority\n";
    CHECK(parse_swaps(only_header, strlen(only_header), &swaps) == 0);
    CHECK(parse_swaps("", 0, &swaps) == 0);
}

/* Every device up to the sanity limit, then counted as dropped. */
static void test_swaps_many(void)
{
    size_t cap = (size_t)(SWAP_DEV_LIMIT + 10) * 64, len = 0;
    char *text = malloc(cap);
    CHECK(text != NULL);
    if (!text)
        return;
    len += (size_t)snprintf(text, cap, "Filename\tType\tSize\tUsed\tPriority\n");
    for (int i = 0; i < SWAP_DEV_LIMIT + 4; i++)
        len += (size_t)snprintf(text + len, cap - len, "/dev/zram%d partition\t%d\t0\t100\n",
                                i, 1000 + i);
    CHECK(parse_swaps(text, len, &swaps) == SWAP_DEV_LIMIT);
    CHECK(swaps.n == SWAP_DEV_LIMIT && swaps.dropped == 4);
    CHECK(strcmp(swaps.dev[39].name, "/dev/zram39") == 0 && swaps.dev[39].size_kb == 1039);
    CHECK(strcmp(swaps.dev[SWAP_DEV_LIMIT - 1].name, "/dev/zram4095") == 0);
    CHECK(parse_swaps(text, 0, &swaps) == 0 && swaps.dropped == 0);
    free(text);
}

static void test_uptime_and_boot_id(void)
{
    uint64_t cs = 0;
    CHECK(parse_uptime("12345.67 2345.67\n", 17, &cs) == 0 && cs == 1234567);
    CHECK(parse_uptime("5.5 1.0\n", 8, &cs) == 0 && cs == 550);
    CHECK(parse_uptime("7 1\n", 4, &cs) == 0 && cs == 700);
    CHECK(parse_uptime("abc\n", 4, &cs) == -1);
    CHECK(parse_uptime("", 0, &cs) == -1);
    char id[BOOT_ID_LEN + 1];
    const char *good = "1ac9eb53-43c1-4786-a220-44c0c0a20bcb\n";
    CHECK(parse_boot_id(good, strlen(good), id) == 0 && strcmp(id, "1ac9eb53-43c1-4786-a220-44c0c0a20bcb") == 0);
    const char *upper = "1AC9EB53-43C1-4786-A220-44C0C0A20BCB\n";
    CHECK(parse_boot_id(upper, strlen(upper), id) == -1);
    CHECK(parse_boot_id("short", 5, id) == -1);
    const char *trailing = "1ac9eb53-43c1-4786-a220-44c0c0a20bcbXX";
    CHECK(parse_boot_id(trailing, strlen(trailing), id) == -1);
}

/* Random bytes through every parser: under the sanitizers, any overrun shows. */
static void test_random_text(void)
{
    srand(12345);
    char buf[4096];
    for (int round = 0; round < 2000; round++) {
        size_t len = (size_t)rand() % sizeof buf;
        for (size_t i = 0; i < len; i++) {
            static const char alphabet[] = "Mem: 0123456789kB\n\t -_()abcXYZ.\0\xff";
            buf[i] = alphabet[rand() % (int)(sizeof alphabet - 1)];
        }
        uint64_t cs;
        char id[BOOT_ID_LEN + 1];
        parse_meminfo(buf, len, &kv);
        CHECK(kv.n <= KV_MAX);
        parse_vmstat(buf, len, &kv);
        parse_swaps(buf, len, &swaps);
        CHECK(swaps.n <= SWAP_DEV_LIMIT);
        parse_uptime(buf, len, &cs);
        parse_boot_id(buf, len, id);
    }
}

int main(void)
{
    test_meminfo_ordinary();
    test_meminfo_unknown_and_odd();
    test_meminfo_bounded();
    test_vmstat();
    test_swaps();
    test_swaps_many();
    test_uptime_and_boot_id();
    test_random_text();
    swap_list_clear(&swaps);
    return CHECK_SUMMARY("test_parse");
}
