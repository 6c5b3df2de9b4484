/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of the NUMA readers: the node meminfo and numastat parsers with
 * ordinary, sparse-node, odd and hostile text; numa_read() on a fixture sysfs
 * tree (nodes 0 and 2) made under /tmp; numa_read() on this machine's sysfs;
 * and libnuma's warnings going to the silent hooks instead of stderr.
 *
 * the collector sources are not linked into the unit tests, so the reader is included
 * here.  The hooks only take effect when the executable exports them:
 * link with -Wl,--export-dynamic-symbol=numa_warn -Wl,--export-dynamic-symbol=numa_error
 */
#include "check.h"
#include "../../collector/numa.c"

#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>


static struct kv_list kv;

static int node_meminfo(const char *t, int node) { return parse_node_meminfo(t, strlen(t), node, &kv); }
static int numastat(const char *t) { return parse_numastat(t, strlen(t), &kv); }

static const char node0_meminfo[] =
    "Node 0 MemTotal:        3893452 kB\n"
    "Node 0 MemFree:         3614880 kB\n"
    "Node 0 MemUsed:          278572 kB\n"
    "Node 0 Active(anon):       1512 kB\n"
    "Node 0 FilePages:        154112 kB\n"
    "Node 0 AnonPages:          7080 kB\n"
    "Node 0 Shmem:              8872 kB\n"
    "Node 0 Slab:              79564 kB\n"
    "Node 0 HugePages_Total:     0\n"
    "Node 0 HugePages_Free:      0\n";

static const char numastat_text[] =
    "numa_hit 26175958\nnuma_miss 0\nnuma_foreign 0\ninterleave_hit 1133\n"
    "local_node 26175599\nother_node 0\n";

static void test_node_meminfo_ordinary(void)
{
    CHECK(node_meminfo(node0_meminfo, 0) == 10);
    CHECK(strcmp(kv.items[0].name, "MemTotal") == 0 && kv.items[0].value == 3893452);
    CHECK(kv_get(&kv, "MemFree") == 3614880);
    CHECK(kv_get(&kv, "Active(anon)") == 1512);
    CHECK(kv_get(&kv, "Slab") == 79564);
    CHECK(strcmp(kv.items[8].name, "HugePages_Total") == 0);   /* no unit, kernel order */
    /* the same text asked for another node: nothing of it */
    CHECK(node_meminfo(node0_meminfo, 1) == 0);
    CHECK(node_meminfo(node0_meminfo, -1) == 0);
}

static void test_node_meminfo_sparse_and_odd(void)
{
    /* a large sparse node number, tabs, no final newline, mixed nodes */
    const char *text = "Node 12 MemTotal: 100 kB\nNode 1 MemTotal: 7 kB\n"
                       "Node\t12\tMemFree:\t50 kB\n  Node 12 Shmem: 3 kB\nNode 120 Slab: 9 kB\n"
                       "Node 12 Last: 4";
    CHECK(node_meminfo(text, 12) == 4);
    CHECK(kv_get(&kv, "MemTotal") == 100 && kv_get(&kv, "MemFree") == 50);
    CHECK(kv_get(&kv, "Shmem") == 3 && kv_get(&kv, "Last") == 4);
    CHECK(kv_get(&kv, "Slab") == 0);   /* node 120, not 12 */
    CHECK(node_meminfo(text, 1) == 1 && kv_get(&kv, "MemTotal") == 7);
    CHECK(node_meminfo(text, 120) == 1 && kv_get(&kv, "Slab") == 9);
}

static void test_node_meminfo_hostile(void)
{
    const char *text =
        "Node -1 MemTotal: 5 kB\n"                       /* negative node */
        "Node 99999999999999999999999 MemTotal: 5 kB\n"  /* node overflows */
        "Node0 MemTotal: 5 kB\n"                         /* no blank after Node */
        "Node 0MemTotal: 5 kB\n"                         /* no blank after the number */
        "node 0 MemTotal: 5 kB\n"                        /* lower case */
        "Node 0 : 5 kB\n"                                /* no key */
        "Node 0 Bad\"Key: 5 kB\n"                        /* characters no kernel uses */
        "Node 0 NoColon 5 kB\n"
        "Node 0 NoValue:\n"
        "Node 0 Neg: -5 kB\n"
        "Node 0 Huge: 99999999999999999999999 kB\n"      /* value overflows: skipped */
        "Node 0\n"
        "Node\n"
        "MemTotal: 5 kB\n"                               /* /proc/meminfo's shape */
        "Node 0 Ok: 1 kB\n";
    CHECK(node_meminfo(text, 0) == 1);
    CHECK(kv_get(&kv, "Ok") == 1 && kv_get(&kv, "MemTotal") == 0);
    /* a key too long to keep */
    char long_key[300];
    memcpy(long_key, "Node 0 ", 7);
    memset(long_key + 7, 'A', 200);
    memcpy(long_key + 207, ": 3 kB\nNode 0 B: 2 kB\n", 23);
    CHECK(node_meminfo(long_key, 0) == 1 && kv_get(&kv, "B") == 2);
    /* empty, and NUL bytes in the middle */
    CHECK(node_meminfo("", 0) == 0);
    char nuls[] = "Node 0 A\0: 1 kB\nNode 0 B: 2 kB\n";
    CHECK(parse_node_meminfo(nuls, sizeof nuls - 1, 0, &kv) == 1 && kv_get(&kv, "B") == 2);
    char zeros[64] = { 0 };
    CHECK(parse_node_meminfo(zeros, sizeof zeros, 0, &kv) == 0);
    /* more keys than KV_MAX: bounded */
    size_t cap = (KV_MAX + 40) * 40;
    char *many = malloc(cap);
    size_t len = 0;
    for (int i = 0; i < KV_MAX + 40; i++)
        len += (size_t)snprintf(many + len, cap - len, "Node 3 K%d: %d kB\n", i, i);
    CHECK(parse_node_meminfo(many, len, 3, &kv) == KV_MAX && kv_get(&kv, "K7") == 7);
    free(many);
}

static void test_numastat(void)
{
    CHECK(numastat(numastat_text) == 6);
    CHECK(strcmp(kv.items[0].name, "numa_hit") == 0 && kv.items[0].value == 26175958);
    CHECK(kv_get(&kv, "interleave_hit") == 1133 && kv_get(&kv, "other_node") == 0);
    /* a counter of a future kernel, tabs, odd lines, no final newline */
    const char *odd = "future_counter\t42\nnovalue\nnuma_miss notanumber\n bad 1\n"
                      "numa_hit -3\nkey: 5\nnuma_hit 99999999999999999999999\nlast 7";
    CHECK(numastat(odd) == 2);
    CHECK(kv_get(&kv, "future_counter") == 42 && kv_get(&kv, "last") == 7);
    CHECK(numastat("") == 0);
    char nuls[32] = { 0 };
    CHECK(parse_numastat(nuls, sizeof nuls, &kv) == 0);
}

/* Random bytes through both parsers: under the sanitizers, any overrun shows. */
static void test_random_text(void)
{
    srand(4242);
    char buf[2048];
    int bounded = 1;
    for (int round = 0; round < 3000; round++) {
        size_t len = (size_t)rand() % sizeof buf;
        for (size_t i = 0; i < len; i++) {
            static const char alphabet[] = "Node 0123456789:kB\n\t -_()MemTotalnuma_hit\0\xff";
            buf[i] = alphabet[rand() % (int)(sizeof alphabet - 1)];
        }
        parse_node_meminfo(buf, len, rand() % 3, &kv);
        bounded &= kv.n <= KV_MAX;
        parse_numastat(buf, len, &kv);
        bounded &= kv.n <= KV_MAX;
    }
    CHECK(bounded);
}

/* ---- numa_read on a fixture tree ---- */

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (!f)
        return;
    fputs(text, f);
    fclose(f);
}

static void make_node(const char *root, const char *node, const char *meminfo, const char *stat)
{
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s/%s", root, node);
    mkdir(dir, 0755);
    if (meminfo)
        write_file(dir, "meminfo", meminfo);
    if (stat)
        write_file(dir, "numastat", stat);
}

static void remove_tree(const char *root)
{
    char cmd[PATH_MAX + 16];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    if (system(cmd) != 0)
        printf("note: could not remove %s\n", root);
}

static void test_fixture_tree(void)
{
    char root[] = "/tmp/test_numa.XXXXXX";
    if (!mkdtemp(root)) {
        CHECK(!"mkdtemp");
        return;
    }
    make_node(root, "node0", node0_meminfo, numastat_text);
    make_node(root, "node2",
              "Node 2 MemTotal:  2000 kB\nNode 2 MemFree:  1500 kB\nNode 2 FilePages:  300 kB\n"
              "Node 0 MemTotal:  9999 kB\n",   /* another node's line: not node 2's */
              "numa_hit 5\nnuma_miss 6\n");
    make_node(root, "node3", "Node 3 MemTotal:  0 kB\nNode 3 MemFree:  0 kB\n", "numa_hit 0\n");
    make_node(root, "node5", NULL, NULL);     /* no meminfo: not a node with memory */
    make_node(root, "nodeX", "Node 0 MemTotal:  1 kB\n", NULL);
    make_node(root, "node", "Node 0 MemTotal:  1 kB\n", NULL);
    write_file(root, "possible", "0-5\n");
    write_file(root, "node7", "a file, not a directory\n");

    struct numa_list list = { 0 };
    char err[256] = "";
    CHECK(numa_read(&list, root, err, sizeof err) == 0);
    CHECK(list.available == 1);
    CHECK(list.n == 2);
    if (list.n == 2) {
        struct numa_node *a = &list.nodes[0], *b = &list.nodes[1];
        CHECK(a->id == 0 && b->id == 2);
        CHECK(a->total_kb == 3893452 && a->free_kb == 3614880);
        CHECK(b->total_kb == 2000 && b->free_kb == 1500);
        /* node 0: its 10 meminfo keys, then the 6 numastat keys, in file order */
        static const char *const names0[] = {
            "MemTotal", "MemFree", "MemUsed", "Active(anon)", "FilePages", "AnonPages", "Shmem",
            "Slab", "HugePages_Total", "HugePages_Free", "numa_hit", "numa_miss", "numa_foreign",
            "interleave_hit", "local_node", "other_node",
        };
        static const uint64_t values0[] = {
            3893452, 3614880, 278572, 1512, 154112, 7080, 8872, 79564, 0, 0,
            26175958, 0, 0, 1133, 26175599, 0,
        };
        int same = a->values.n == 16;
        for (unsigned i = 0; same && i < 16; i++)
            same = strcmp(a->values.items[i].name, names0[i]) == 0 &&
                   a->values.items[i].value == values0[i];
        CHECK(same);
        CHECK(b->values.n == 5);
        CHECK(b->values.n == 5 && strcmp(b->values.items[0].name, "MemTotal") == 0 &&
              b->values.items[0].value == 2000 && strcmp(b->values.items[2].name, "FilePages") == 0 &&
              b->values.items[2].value == 300 && strcmp(b->values.items[3].name, "numa_hit") == 0 &&
              b->values.items[3].value == 5 && b->values.items[4].value == 6);
    }
    /* read again into the same list: cleared first, same result */
    CHECK(numa_read(&list, root, err, sizeof err) == 0 && list.n == 2);
    numa_list_clear(&list);

    /* a tree without node directories, and no tree at all: no NUMA, not an error */
    char empty[PATH_MAX];
    snprintf(empty, sizeof empty, "%s/node5", root);
    CHECK(numa_read(&list, empty, err, sizeof err) == 0 && list.available == 0 && list.n == 0);
    snprintf(empty, sizeof empty, "%s/absent", root);
    CHECK(numa_read(&list, empty, err, sizeof err) == 0 && list.available == 0 && list.n == 0);
    numa_list_clear(&list);
    remove_tree(root);
}

/* ---- numa_read on this machine ---- */

static int file_kv(const char *path, int node, const char *key, uint64_t *value)
{
    static char buf[16384];
    size_t len;
    if (read_text_file(path, buf, sizeof buf, &len) != 0)
        return -1;
    static struct kv_list tmp;
    if (node >= 0)
        parse_node_meminfo(buf, len, node, &tmp);
    else
        parse_numastat(buf, len, &tmp);
    const struct kv *found = kv_find(&tmp, key, NULL);
    if (!found)
        return -1;
    *value = found->value;
    return 0;
}

static void test_real_sysfs(void)
{
    const char *meminfo = NUMA_SYSFS_ROOT "/node0/meminfo";
    const char *stat = NUMA_SYSFS_ROOT "/node0/numastat";
    if (access(meminfo, R_OK) != 0) {
        printf("note: %s absent: no NUMA here, real-sysfs checks reduced\n", meminfo);
        struct numa_list list = { 0 };
        char err[256];
        CHECK(numa_read(&list, NULL, err, sizeof err) == 0 && list.n == 0 && !list.available);
        numa_list_clear(&list);
        return;
    }
    uint64_t total_before = 0, hit_before = 0, total_after = 0, hit_after = 0;
    CHECK(file_kv(meminfo, 0, "MemTotal", &total_before) == 0);
    CHECK(file_kv(stat, -1, "numa_hit", &hit_before) == 0);

    struct numa_list list = { 0 };
    char err[256] = "";
    int rc = numa_read(&list, NULL, err, sizeof err);

    CHECK(file_kv(meminfo, 0, "MemTotal", &total_after) == 0);
    CHECK(file_kv(stat, -1, "numa_hit", &hit_after) == 0);
    CHECK(rc == 0);
    CHECK(list.available == 1 && list.n >= 1);
    if (list.n >= 1) {
        struct numa_node *n0 = &list.nodes[0];
        uint64_t memtotal = kv_get(&n0->values, "MemTotal");
        CHECK(n0->id == 0);
        CHECK(total_before == total_after);   /* no memory hot-plug during the test */
        CHECK(memtotal == total_before);
        CHECK(n0->total_kb == total_before);  /* libnuma's figure: the same file */
        CHECK(n0->free_kb > 0 && n0->free_kb <= n0->total_kb);
        uint64_t hit = kv_get(&n0->values, "numa_hit");
        CHECK(hit >= hit_before && hit <= hit_after);
        CHECK(kv_find(&n0->values, "FilePages", NULL) && kv_find(&n0->values, "local_node", NULL));
        for (unsigned i = 1; i < list.n; i++)
            CHECK(list.nodes[i].id > list.nodes[i - 1].id);
    }
    numa_list_clear(&list);
}

/* libnuma's warnings reach our hooks, not stderr.  numa_node_size64(9999)
 * fails silently in libnuma 2.0.16, so a call that does warn is used:
 * numa_parse_nodestring() on garbage ("unparseable node description"). */
static void test_libnuma_silent(void)
{
    void *h = dlopen("libnuma.so.1", RTLD_NOW | RTLD_NOLOAD);
    if (!h) {
        printf("note: libnuma not loaded (no NUMA or not installed): hook check skipped\n");
        return;
    }
    void *(*parse_nodestring)(const char *) =
        (void *(*)(const char *))dlsym(h, "numa_parse_nodestring");
    CHECK(parse_nodestring != NULL);
    char path[] = "/tmp/test_numa_stderr.XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    if (!parse_nodestring || fd < 0) {
        dlclose(h);
        return;
    }
    unsigned calls_before = numa_hook_calls();
    fflush(stderr);
    int saved = dup(2);
    dup2(fd, 2);
    void *mask = parse_nodestring("no such node!");
    long long free_bytes;
    if (lib.node_size64)
        lib.node_size64(9999, &free_bytes);   /* the brief's example: silent anyway */
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    struct stat st;
    CHECK(fstat(fd, &st) == 0);
    CHECK(mask == NULL);
    if (st.st_size != 0 || numa_hook_calls() == calls_before)
        printf("FAIL test_numa.c: libnuma wrote %lld bytes to stderr and called the hooks %u times: "
               "link with -Wl,--export-dynamic-symbol=numa_warn -Wl,--export-dynamic-symbol=numa_error\n",
               (long long)st.st_size, numa_hook_calls() - calls_before);
    CHECK(st.st_size == 0);
    CHECK(numa_hook_calls() > calls_before);
    close(fd);
    unlink(path);
    dlclose(h);   /* drops the NOLOAD reference only */
}

int main(void)
{
    test_node_meminfo_ordinary();
    test_node_meminfo_sparse_and_odd();
    test_node_meminfo_hostile();
    test_numastat();
    test_random_text();
    test_fixture_tree();
    test_real_sysfs();
    test_libnuma_silent();
    return CHECK_SUMMARY("test_numa");
}
