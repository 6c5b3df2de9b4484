#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# make bench (bench/incident.sh): writes a cgroup v2 tree of N memory cgroups
# into DIR, to be bind-mounted over /sys/fs/cgroup in a private mount
# namespace, so that a machine with thousands of cgroups can be sampled
# without making them.  The layout is systemd's: system.slice with services,
# user.slice with users and their sessions, machine.slice with containers
# that hold their own nested services.  Every cgroup has the files memory
# accounting gives it on kernel 6.x, with values derived from its index, so
# two runs write the same tree.
#
#   bench/cgfixture.py DIR N
import os
import sys

STAT_KEYS = ("anon file kernel kernel_stack pagetables sec_pagetables percpu sock vmalloc shmem "
             "zswap zswapped file_mapped file_dirty file_writeback swapcached anon_thp file_thp "
             "shmem_thp inactive_anon active_anon inactive_file active_file unevictable "
             "slab_reclaimable slab_unreclaimable slab workingset_refault_anon "
             "workingset_refault_file workingset_activate_anon workingset_activate_file "
             "workingset_restore_anon workingset_restore_file workingset_nodereclaim pgscan "
             "pgsteal pgscan_kswapd pgscan_direct pgsteal_kswapd pgsteal_direct pgfault pgmajfault "
             "pgrefill pgactivate pgdeactivate pglazyfree pglazyfreed thp_fault_alloc "
             "thp_collapse_alloc").split()


def put(path, text):
    with open(path, "w") as f:
        f.write(text)


def cgroup(path, i, leaf):
    os.makedirs(path, exist_ok=True)
    current = (i * 7919 % 512 + 1) * 1 << 20
    put(os.path.join(path, "cgroup.controllers"), "cpu io memory pids\n")
    put(os.path.join(path, "cgroup.subtree_control"), "" if leaf else "memory pids\n")
    put(os.path.join(path, "cgroup.procs"), "")
    put(os.path.join(path, "cgroup.type"), "domain\n")
    put(os.path.join(path, "memory.current"), "%d\n" % current)
    put(os.path.join(path, "memory.peak"), "%d\n" % (current * 2))
    put(os.path.join(path, "memory.swap.current"), "%d\n" % (i % 5 * 4096))
    put(os.path.join(path, "memory.swap.max"), "max\n")
    put(os.path.join(path, "memory.max"), "max\n" if i % 3 else "%d\n" % (current * 4))
    put(os.path.join(path, "memory.high"), "max\n")
    put(os.path.join(path, "memory.low"), "0\n")
    put(os.path.join(path, "memory.min"), "0\n")
    put(os.path.join(path, "memory.events"),
        "low 0\nhigh %d\nmax %d\noom %d\noom_kill %d\noom_group_kill 0\n" % (i % 7, i % 11, i % 13 == 0, i % 17 == 0))
    put(os.path.join(path, "memory.events.local"),
        "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\noom_group_kill 0\n")
    put(os.path.join(path, "memory.pressure"),
        "some avg10=0.00 avg60=0.00 avg300=0.00 total=%d\n"
        "full avg10=0.00 avg60=0.00 avg300=0.00 total=%d\n" % (i * 1013, i * 511))
    put(os.path.join(path, "memory.stat"),
        "".join("%s %d\n" % (k, (i + n) * 4096 if n < 30 else i + n) for n, k in enumerate(STAT_KEYS)))


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: cgfixture.py DIR N")
    top, want = sys.argv[1], int(sys.argv[2])
    cgroup(top, 0, False)
    os.remove(os.path.join(top, "cgroup.type"))  # the root has none
    made = 1
    parents = []
    for name in ("system.slice", "user.slice", "machine.slice", "init.scope"):
        cgroup(os.path.join(top, name), made, name == "init.scope")
        parents.append(os.path.join(top, name))
        made += 1
    # services: half of the rest; users with two sessions each; containers
    # with five nested services each
    n = 0
    while made < want:
        kind = n % 4
        if kind in (0, 1):
            cgroup(os.path.join(parents[0], "svc%d.service" % n), made, True)
            made += 1
        elif kind == 2:
            user = os.path.join(parents[1], "user-%d.slice" % (1000 + n))
            cgroup(user, made, False)
            made += 1
            for s in range(2):
                if made < want:
                    cgroup(os.path.join(user, "session-%d.scope" % (n * 2 + s)), made, True)
                    made += 1
        else:
            box = os.path.join(parents[2], "container-%d.scope" % n)
            cgroup(box, made, False)
            made += 1
            for s in range(5):
                if made < want:
                    cgroup(os.path.join(box, "system.slice", "inner%d.service" % s) if s else
                           os.path.join(box, "system.slice"), made, s > 0)
                    made += 1
        n += 1
    print(made)


main()
