/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of the kernel log parsers (lib/kmsg_parse.c): /dev/kmsg
 * records, and the OOM killer's lines of every kernel from 4.19 to 6.x as
 * mm/oom_kill.c printed them, with hostile process and cgroup names.
 */
#include "check.h"
#include <stdio.h>
#include <string.h>

#include "kmsg_parse.h"

static struct kmsg_record rec;
static struct oom_parser parser;
static struct oom_event ev;

static int record(const char *raw) { return kmsg_parse_record(raw, strlen(raw), &rec); }

/* Feeds kernel records (facility 0, level 3) of TEXTS, seq from 100 on;
 * returns how many kills they completed (the last in ev). */
static int feed(const char *const *texts)
{
    int kills = 0;
    char raw[KMSG_RECORD_MAX + 64];
    oom_parser_init(&parser);
    for (unsigned i = 0; texts[i]; i++) {
        snprintf(raw, sizeof raw, "3,%u,%u,-;%s\n SUBSYSTEM=x\n", 100 + i, 5000000 + i, texts[i]);
        if (record(raw) != 0)
            return -1;
        kills += oom_parser_feed(&parser, &rec, &ev);
    }
    return kills;
}

static void test_record_header(void)
{
    CHECK(record("6,1234,56789012,-;hello world\n SUBSYSTEM=pci\n") == 0);
    CHECK(rec.facility == 0 && rec.level == 6);
    CHECK(rec.seq == 1234 && rec.usec == 56789012);
    CHECK(!rec.continuation);
    CHECK(strcmp(rec.text, "hello world") == 0);
    /* CONFIG_PRINTK_CALLER adds a field; a continuation fragment */
    CHECK(record("12,7,8,c,caller=T42;x\\x01y\\x5cz") == 0);
    CHECK(rec.facility == 1 && rec.level == 4 && rec.continuation);
    CHECK(strcmp(rec.text, "x\001y\\z") == 0);
    /* an escaped NUL ends the text; a broken escape stays as it is */
    CHECK(record("0,1,1,-;ab\\x00cd") == 0 && strcmp(rec.text, "ab") == 0);
    CHECK(record("0,1,1,-;ab\\xZZ") == 0 && strcmp(rec.text, "ab\\xZZ") == 0);
    /* malformed headers */
    CHECK(record("") == -1);
    CHECK(record("6,1,2;no flags") == -1);
    CHECK(record("6,1,2,") == -1);
    CHECK(record("x,1,2,-;text") == -1);
    CHECK(record("6,99999999999999999999,2,-;text") == -1);
    CHECK(record("6,-1,2,-;text") == -1);
    char longhdr[300];
    memset(longhdr, '1', sizeof longhdr - 1);
    longhdr[sizeof longhdr - 1] = '\0';
    longhdr[250] = ';';
    CHECK(record(longhdr) == -1);
    /* a text longer than the kernel's maximum is cut, never overflowed */
    static char big[3 * KMSG_RECORD_MAX];
    memset(big, 'a', sizeof big - 1);
    memcpy(big, "0,1,1,-;", 8);
    big[sizeof big - 1] = '\0';
    CHECK(record(big) == 0 && strlen(rec.text) == KMSG_RECORD_MAX - 1);
}

/* 6.x, a cgroup v1 limit (the kill tests/oom makes on this machine's kernel) */
static void test_6x_memcg(void)
{
    const char *const t[] = {
        "python3 invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0",
        "memory: usage 65536kB, limit 65536kB, failcnt 71",
        "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,"
        "oom_memcg=/x,task_memcg=/x,task=python3,pid=32726,uid=0",
        "Memory cgroup out of memory: Killed process 32726 (python3) total-vm:82848kB, "
        "anon-rss:65280kB, file-rss:5324kB, shmem-rss:0kB, UID:0 pgtables:196kB oom_score_adj:0",
        "oom_reaper: reaped process 32726 (python3), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB",
        NULL };
    CHECK(feed(t) == 1);
    CHECK(ev.seq == 103 && ev.mono_us == 5000003);
    CHECK(ev.pid == 32726 && strcmp(ev.comm, "python3") == 0);
    CHECK(ev.uid == 0);
    CHECK(ev.total_vm_kb == 82848 && ev.anon_rss_kb == 65280 && ev.file_rss_kb == 5324);
    CHECK(ev.shmem_rss_kb == 0 && ev.pgtables_kb == 196);
    CHECK(ev.has_oom_score_adj && ev.oom_score_adj == 0);
    CHECK(ev.memcg_oom == 1);
    CHECK(strcmp(ev.constraint, "CONSTRAINT_MEMCG") == 0);
    CHECK(strcmp(ev.oom_memcg, "/x") == 0 && strcmp(ev.task_memcg, "/x") == 0);
}

/* 6.x, the whole machine; a negative oom_score_adj; mems_allowed a list */
static void test_6x_global(void)
{
    const char *const t[] = {
        "oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0-1,3,"
        "global_oom,task_memcg=/user.slice/user-1000.slice/session-2.scope,task=stress,pid=4242,uid=1000",
        "Out of memory: Killed process 4242 (stress) total-vm:8432120kB, anon-rss:7821300kB, "
        "file-rss:4kB, shmem-rss:12kB, UID:1000 pgtables:15340kB oom_score_adj:-1",
        NULL };
    CHECK(feed(t) == 1);
    CHECK(ev.pid == 4242 && strcmp(ev.comm, "stress") == 0 && ev.uid == 1000);
    CHECK(ev.anon_rss_kb == 7821300 && ev.shmem_rss_kb == 12 && ev.pgtables_kb == 15340);
    CHECK(ev.has_oom_score_adj && ev.oom_score_adj == -1);
    CHECK(ev.memcg_oom == 0);
    CHECK(strcmp(ev.constraint, "CONSTRAINT_NONE") == 0);
    CHECK(ev.oom_memcg[0] == '\0');
    CHECK(strcmp(ev.task_memcg, "/user.slice/user-1000.slice/session-2.scope") == 0);
}

/* 6.x with oom_kill_allocating_task */
static void test_allocating_task(void)
{
    const char *const t[] = {
        "Out of memory (oom_kill_allocating_task): Killed process 77 (a) total-vm:10kB, "
        "anon-rss:5kB, file-rss:1kB, shmem-rss:0kB, UID:5 pgtables:4kB oom_score_adj:1000",
        NULL };
    CHECK(feed(t) == 1);
    CHECK(ev.pid == 77 && ev.uid == 5 && ev.oom_score_adj == 1000 && ev.memcg_oom == 0);
    CHECK(ev.constraint[0] == '\0' && ev.task_memcg[0] == '\0');
}

/* 5.3 to 5.8: UID, no pgtables nor oom_score_adj */
static void test_5x_uid(void)
{
    const char *const t[] = {
        "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,"
        "oom_memcg=/docker/abc,task_memcg=/docker/abc/inner,task=java,pid=900,uid=33",
        "Memory cgroup out of memory: Killed process 900 (java) total-vm:100kB, anon-rss:90kB, "
        "file-rss:3kB, shmem-rss:1kB, UID:33",
        NULL };
    CHECK(feed(t) == 1);
    CHECK(ev.pid == 900 && ev.uid == 33 && ev.anon_rss_kb == 90 && ev.shmem_rss_kb == 1);
    CHECK(ev.pgtables_kb == -1 && !ev.has_oom_score_adj);
    CHECK(strcmp(ev.oom_memcg, "/docker/abc") == 0);
    CHECK(strcmp(ev.task_memcg, "/docker/abc/inner") == 0);
}

/* 5.1 and 5.2: the prefix, no UID: the summary's uid is kept */
static void test_51_no_uid(void)
{
    const char *const t[] = {
        "oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,"
        "global_oom,task_memcg=/,task=mysqld,pid=12,uid=27",
        "Out of memory: Killed process 12 (mysqld) total-vm:1kB, anon-rss:2kB, file-rss:3kB, shmem-rss:4kB",
        NULL };
    CHECK(feed(t) == 1);
    CHECK(ev.uid == 27 && ev.total_vm_kb == 1 && ev.file_rss_kb == 3 && ev.pgtables_kb == -1);
    CHECK(strcmp(ev.task_memcg, "/") == 0);
}

/* 4.19: memcg context before the cpuset, padded pid and uid, "Kill process
 * ... or sacrifice child" and an unprefixed "Killed process" (a child) */
static void test_419(void)
{
    const char *const t[] = {
        "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),oom_memcg=/t,task_memcg=/t/sub,"
        "cpuset=/,mems_allowed=0,task=parent,pid=  321,uid=    0",
        "Memory cgroup out of memory: Kill process 321 (parent) score 950 or sacrifice child",
        "Killed process 322 (child) total-vm:4200kB, anon-rss:2000kB, file-rss:100kB, shmem-rss:0kB",
        NULL };
    CHECK(feed(t) == 1);
    CHECK(ev.pid == 322 && strcmp(ev.comm, "child") == 0);
    CHECK(ev.memcg_oom == 1);   /* from the "Kill process" line */
    CHECK(ev.uid == -1);        /* the summary named the parent: not merged */
    CHECK(ev.constraint[0] == '\0');
    const char *const same[] = {
        "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),oom_memcg=/t,task_memcg=/t/sub,"
        "cpuset=/,mems_allowed=0,task=hog,pid=  321,uid= 1001",
        "Memory cgroup out of memory: Kill process 321 (hog) score 950 or sacrifice child",
        "Killed process 321 (hog) total-vm:4200kB, anon-rss:2000kB, file-rss:100kB, shmem-rss:0kB",
        NULL };
    CHECK(feed(same) == 1);
    CHECK(ev.pid == 321 && ev.uid == 1001 && ev.memcg_oom == 1 && !ev.has_oom_score_adj);
    CHECK(strcmp(ev.oom_memcg, "/t") == 0 && strcmp(ev.task_memcg, "/t/sub") == 0);
    const char *const global[] = {
        "Out of memory: Kill process 9 (x) score 10 or sacrifice child",
        "Killed process 9 (x) total-vm:1kB, anon-rss:1kB, file-rss:0kB, shmem-rss:0kB",
        NULL };
    CHECK(feed(global) == 1 && ev.memcg_oom == 0);
}

/* RHEL 7's backport: ", UID N," before total-vm */
static void test_rhel(void)
{
    const char *const t[] = {
        "Out of memory: Kill process 21945 (tidb-server) score 956 or sacrifice child",
        "Killed process 21945 (tidb-server), UID 1000, total-vm:33027492kB, anon-rss:31303276kB, "
        "file-rss:0kB, shmem-rss:0kB",
        NULL };
    CHECK(feed(t) == 1);
    CHECK(ev.pid == 21945 && strcmp(ev.comm, "tidb-server") == 0 && ev.uid == 1000);
    CHECK(ev.anon_rss_kb == 31303276);
}

/* comm chosen by the victim: parentheses, spaces, the keys themselves,
 * control bytes (escaped by the kernel) */
static void test_hostile_comm(void)
{
    const char *const t[] = {
        "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,"
        "oom_memcg=/h,task_memcg=/h,task=a) total-vm:1kB,pid=5,uid=0",
        "Memory cgroup out of memory: Killed process 55 (a) total-vm:1kB) total-vm:64kB, "
        "anon-rss:32kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:4kB oom_score_adj:0",
        NULL };
    CHECK(feed(t) == 1);
    CHECK(ev.pid == 55 && strcmp(ev.comm, "a) total-vm:1kB") == 0);
    CHECK(ev.total_vm_kb == 64 && ev.anon_rss_kb == 32);
    CHECK(ev.uid == 0 && ev.constraint[0] == '\0');   /* summary of pid 5: not this kill */

    const char *const keys[] = {
        "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,"
        "oom_memcg=/h,task_memcg=/h,task=x,task=y,pid=1,pid=7,uid=3",
        "Memory cgroup out of memory: Killed process 7 (x,task=y,pid=1) total-vm:1kB, "
        "anon-rss:1kB, file-rss:0kB, shmem-rss:0kB, UID:3 pgtables:4kB oom_score_adj:0",
        NULL };
    CHECK(feed(keys) == 1);
    CHECK(ev.pid == 7 && strcmp(ev.comm, "x,task=y,pid=1") == 0);
    CHECK(strcmp(ev.task_memcg, "/h") == 0 && strcmp(ev.oom_memcg, "/h") == 0);

    const char *const ctl[] = {
        "oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,"
        "global_oom,task_memcg=/we ird\\x0a,task=\\x1b[31m (x,pid=8,uid=0",
        "Out of memory: Killed process 8 (\\x1b[31m (x) total-vm:1kB, anon-rss:1kB, "
        "file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:4kB oom_score_adj:0",
        NULL };
    CHECK(feed(ctl) == 1);
    CHECK(strcmp(ev.comm, "\033[31m (x") == 0);
    CHECK(strcmp(ev.task_memcg, "/we ird\n") == 0);
}

/* lines that only look like kills, and a forged one from userspace */
static void test_not_kills(void)
{
    const char *const t[] = {
        "Killed process",
        "Killed process x (y) total-vm:1kB",
        "Killed process 5 (no close total-vm:1kB",
        "Killed process 5 (y) anon-rss:1kB",
        "Something: Killed process 5 (y) total-vm:1kB, anon-rss:1kB",
        "oom_reaper: reaped process 5 (y), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB",
        "Killed process 99999999999 (y) total-vm:1kB",
        NULL };
    CHECK(feed(t) == 0);
    oom_parser_init(&parser);
    CHECK(record("14,5,5,-;Out of memory: Killed process 5 (y) total-vm:1kB, anon-rss:1kB") == 0);
    CHECK(oom_parser_feed(&parser, &rec, &ev) == 0);   /* facility 1: written by a user */
    /* numbers out of range are absent, never wrapped */
    const char *const big[] = {
        "Out of memory: Killed process 5 (y) total-vm:99999999999999999999kB, anon-rss:1kB, "
        "file-rss:-kB, shmem-rss:0kB",
        NULL };
    CHECK(feed(big) == 1 && ev.total_vm_kb == -1 && ev.anon_rss_kb == 1 && ev.file_rss_kb == -1);
}

/* two kills in a row: the second's summary does not leak into the first */
static void test_two_kills(void)
{
    const char *const t[] = {
        "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,"
        "oom_memcg=/a,task_memcg=/a,task=one,pid=1,uid=0",
        "Memory cgroup out of memory: Killed process 1 (one) total-vm:1kB, anon-rss:1kB, "
        "file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:4kB oom_score_adj:0",
        "Out of memory: Killed process 2 (two) total-vm:1kB, anon-rss:1kB, "
        "file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:4kB oom_score_adj:0",
        NULL };
    CHECK(feed(t) == 2);
    CHECK(ev.pid == 2 && ev.oom_memcg[0] == '\0' && ev.constraint[0] == '\0' && !ev.memcg_oom);
}

/* A reading of records numbered FIRST.. (skipping those in GAP_FROM..GAP_TO),
 * a kill's summary at 104 and its "Killed process" line at 106. */
static void read_records(struct kmsg_reading *r, struct oom_event_list *out, int have_from,
                         uint64_t from, unsigned first, unsigned last, unsigned gap_from,
                         unsigned gap_to)
{
    char raw[512];
    kmsg_reading_start(r, out, have_from, from, 1000000000LL * 1000000, 1000001000);
    for (unsigned seq = first; seq <= last; seq++) {
        if (seq >= gap_from && seq <= gap_to)
            continue;
        const char *text = seq == 104 ? "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),"
                                         "cpuset=/,mems_allowed=0,oom_memcg=/m,task_memcg=/m,"
                                         "task=hog,pid=9,uid=0"
                         : seq == 106 ? "Memory cgroup out of memory: Killed process 9 (hog) "
                                        "total-vm:1kB, anon-rss:2kB, file-rss:0kB, shmem-rss:0kB, "
                                        "UID:0 pgtables:4kB oom_score_adj:0"
                                      : "something else";
        snprintf(raw, sizeof raw, "3,%u,%u,-;%s\n", seq, 50000000 + seq * 1000000, text);
        kmsg_reading_take(r, raw, strlen(raw));
    }
    kmsg_reading_finish(r);
}

/* positions, lost records, and a kill split across two readings */
static void test_reading(void)
{
    static struct kmsg_reading r;
    struct oom_event_list out = { 0 };
    /* a boot's first reading: every record, nothing lost */
    read_records(&r, &out, 0, 0, 90, 110, 1, 0);
    CHECK(out.read && out.next_seq == 111 && out.lost == 0 && out.n == 1);
    CHECK(out.events[0].pid == 9 && strcmp(out.events[0].task_memcg, "/m") == 0);
    /* wall time: the record's µs (156 s) plus the offset */
    CHECK(out.events[0].ts == 1000000000 + 156 && out.events[0].mono_us == 156000000);
    /* from 105: the summary (104) was read before, the kill (106) is new and whole */
    read_records(&r, &out, 1, 105, 90, 110, 1, 0);
    CHECK(out.n == 1 && out.lost == 0 && out.next_seq == 111);
    CHECK(strcmp(out.events[0].constraint, "CONSTRAINT_MEMCG") == 0);
    /* from 107: the kill was stored before */
    read_records(&r, &out, 1, 107, 90, 110, 1, 0);
    CHECK(out.n == 0 && out.lost == 0 && out.next_seq == 111);
    /* the oldest record the kernel still holds is 108: 100..107 were overwritten */
    read_records(&r, &out, 1, 100, 108, 120, 1, 0);
    CHECK(out.n == 0 && out.lost == 8 && out.next_seq == 121);
    /* a gap in the middle (EPIPE: overwritten while reading) */
    read_records(&r, &out, 1, 100, 90, 120, 110, 112);
    CHECK(out.lost == 3 && out.n == 1 && out.next_seq == 121);
    /* nothing new: the position stays */
    read_records(&r, &out, 1, 121, 90, 120, 1, 0);
    CHECK(out.n == 0 && out.lost == 0 && out.next_seq == 121);
    /* a kill is never placed after the moment it was read */
    kmsg_reading_start(&r, &out, 0, 0, 2000000000LL * 1000000, 1000000100);
    const char killed[] = "3,5,7000000,-;Out of memory: Killed process 1 (x) total-vm:1kB, "
                          "anon-rss:1kB, file-rss:0kB, shmem-rss:0kB";
    kmsg_reading_take(&r, killed, strlen(killed));
    kmsg_reading_finish(&r);
    CHECK(out.n == 1 && out.events[0].ts == 1000000100);
    oom_event_list_clear(&out);
}

int main(void)
{
    test_reading();
    test_record_header();
    test_6x_memcg();
    test_6x_global();
    test_allocating_task();
    test_5x_uid();
    test_51_no_uid();
    test_419();
    test_rhel();
    test_hostile_comm();
    test_not_kills();
    test_two_kills();
    return CHECK_SUMMARY("test_kmsg");
}
