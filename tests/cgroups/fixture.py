#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A cgroup v2 tree as files, for tests/cgroups: bind-mounted over
/sys/fs/cgroup in a private mount namespace, memcollect reads it as it
reads the kernel's.  Subcommands:
  make DIR           a root, system.slice with two services, a user slice,
                     nested containers, and a symbolic link never to follow
  mutate DIR         ssh.service vanishes, a new scope appears, cron grows
  expect DIR         the lines tests/unit/cgdump.c prints for DIR, without
                     the time: VERSION AGGREGATED ID VALUES... PATH
  big DIR N          N cgroups (for the 2,000-cgroup bench)
"""
import os
import shutil
import sys

# cgdump's value columns, in cg_codec.c's order, and the file each comes from
COLUMNS = ["current", "max", "high", "swap", "anon", "file", "shmem", "kernel", "sock",
           "file_dirty", "file_writeback", "file_mapped", "workingset_refault_anon",
           "workingset_refault_file", "ev_low", "ev_high", "ev_max", "ev_oom", "ev_oom_kill",
           "ev_oom_group_kill", "psi_some", "psi_full"]
STAT_KEYS = ["anon", "file", "kernel", "kernel_stack", "pagetables", "percpu", "sock",
             "vmalloc", "shmem", "file_mapped", "file_dirty", "file_writeback", "swapcached",
             "anon_thp", "workingset_refault_anon", "workingset_refault_file",
             "workingset_activate_anon", "pgfault"]
EVENTS = ["low", "high", "max", "oom", "oom_kill", "oom_group_kill"]

# path -> (seed, options)
TREE = {
    "/": (1, {"root": True}),
    "/system.slice": (2, {}),
    "/system.slice/cron.service": (3, {"max": 268435456, "high": 201326592}),
    "/system.slice/ssh.service": (4, {"no_swap": True}),
    "/user.slice": (5, {}),
    "/user.slice/user-1000.slice": (6, {"old_kernel": True}),
    "/machine.slice": (7, {}),
    "/machine.slice/libpod-web.scope": (8, {"max": 536870912}),
    "/machine.slice/libpod-web.scope/container": (9, {"oom": 3}),
    "/machine.slice/libpod-web.scope/container/inner job": (10, {}),
}


def values(seed, opts, bump=0):
    v = {}
    base = seed * 1048576 + bump
    v["anon"] = base
    v["file"] = seed * 524288
    v["kernel"] = None if opts.get("old_kernel") else seed * 65536
    v["kernel_stack"] = seed * 16384
    v["pagetables"] = seed * 4096
    v["percpu"] = 0
    v["sock"] = seed * 4096 if seed % 2 else 0
    v["vmalloc"] = 0
    v["shmem"] = seed * 8192
    v["file_mapped"] = seed * 12288
    v["file_dirty"] = seed * 4096
    v["file_writeback"] = 0
    v["swapcached"] = 0
    v["anon_thp"] = 0
    v["workingset_refault_anon"] = None if opts.get("old_kernel") else seed * 3
    v["workingset_refault_file"] = None if opts.get("old_kernel") else seed * 7
    v["workingset_activate_anon"] = 1
    v["pgfault"] = seed * 1000
    v["current"] = None if opts.get("root") else v["anon"] + v["file"] + (v["kernel"] or 0)
    v["swap"] = None if opts.get("root") or opts.get("no_swap") else seed * 40960
    v["max"] = None if opts.get("root") else opts.get("max", "max")
    v["high"] = None if opts.get("root") else opts.get("high", "max")
    ev = {"low": 0, "high": seed, "max": seed * 2, "oom": opts.get("oom", 0),
          "oom_kill": opts.get("oom", 0), "oom_group_kill": 0}
    if opts.get("old_kernel"):
        ev["oom_group_kill"] = None
    for k in EVENTS:
        v["ev_" + k] = None if opts.get("root") else ev[k]
    v["psi_some"] = seed * 123457 + bump
    v["psi_full"] = seed * 23456
    return v


def write(path, text):
    with open(path, "w") as f:
        f.write(text)


def make_cgroup(root, path, seed, opts, bump=0):
    d = os.path.join(root, path.lstrip("/"))
    os.makedirs(d, exist_ok=True)
    v = values(seed, opts, bump)
    if opts.get("root"):
        write(os.path.join(d, "cgroup.controllers"), "cpuset cpu io memory hugetlb pids rdma misc\n")
    write(os.path.join(d, "cgroup.procs"), "")
    keys = [k for k in STAT_KEYS if v.get(k) is not None]
    if opts.get("old_kernel"):
        keys.append("workingset_refault")
        v["workingset_refault"] = 99
    write(os.path.join(d, "memory.stat"), "".join("%s %d\n" % (k, v[k]) for k in keys))
    write(os.path.join(d, "memory.pressure"),
          "some avg10=0.00 avg60=0.12 avg300=0.40 total=%d\n"
          "full avg10=0.00 avg60=0.00 avg300=0.00 total=%d\n" % (v["psi_some"], v["psi_full"]))
    if v["current"] is not None:
        write(os.path.join(d, "memory.current"), "%d\n" % v["current"])
    if v["swap"] is not None:
        write(os.path.join(d, "memory.swap.current"), "%d\n" % v["swap"])
    if v["max"] is not None:
        write(os.path.join(d, "memory.max"), "%s\n" % v["max"])
        write(os.path.join(d, "memory.high"), "%s\n" % v["high"])
    if v["ev_low"] is not None:
        write(os.path.join(d, "memory.events"),
              "".join("%s %d\n" % (k, v["ev_" + k]) for k in EVENTS if v["ev_" + k] is not None))


def tree_now(root):
    """The cgroups the fixture holds now: TREE, changed by mutate."""
    tree = dict(TREE)
    marker = os.path.join(root, ".mutated")
    if os.path.exists(marker):
        del tree["/system.slice/ssh.service"]
        tree["/machine.slice/libpod-new.scope"] = (11, {})
    return tree, os.path.exists(marker)


def cmd_make(root):
    for path, (seed, opts) in TREE.items():
        make_cgroup(root, path, seed, opts)
    # never followed: a link to the root would walk the tree twice
    os.symlink(root, os.path.join(root, "system.slice", "evil.service"))
    write(os.path.join(root, "system.slice", "memory.stat.bak"), "anon 1\n")


def cmd_mutate(root):
    shutil.rmtree(os.path.join(root, "system.slice", "ssh.service"))
    make_cgroup(root, "/machine.slice/libpod-new.scope", 11, {})
    make_cgroup(root, "/system.slice/cron.service", 3, TREE["/system.slice/cron.service"][1],
                bump=4096 * 25)
    write(os.path.join(root, ".mutated"), "")


def shown(x):
    if x is None:
        return "-"
    return "max" if x == "max" else str(x)


def cmd_expect(root):
    tree, mutated = tree_now(root)
    for path, (seed, opts) in sorted(tree.items()):
        bump = 4096 * 25 if mutated and path == "/system.slice/cron.service" else 0
        v = values(seed, opts, bump)
        ino = os.stat(os.path.join(root, path.lstrip("/"))).st_ino
        cols = ["current", "max", "high", "swap", "anon", "file", "shmem", "kernel", "sock",
                "file_dirty", "file_writeback", "file_mapped", "workingset_refault_anon",
                "workingset_refault_file"] + ["ev_" + k for k in EVENTS] + ["psi_some", "psi_full"]
        print("2 0 %d %s %s" % (ino, " ".join(shown(v[c]) for c in cols), path))


def cmd_big(root, n):
    make_cgroup(root, "/", 1, {"root": True})
    slices = 20
    for s in range(slices):
        make_cgroup(root, "/slice%d.slice" % s, 2 + s, {})
    for i in range(n - slices - 1):
        make_cgroup(root, "/slice%d.slice/unit%d.service" % (i % slices, i), 30 + i % 50, {})


if __name__ == "__main__":
    cmd, root = sys.argv[1], sys.argv[2]
    if cmd == "make":
        cmd_make(root)
    elif cmd == "mutate":
        cmd_mutate(root)
    elif cmd == "expect":
        cmd_expect(root)
    elif cmd == "big":
        cmd_big(root, int(sys.argv[3]))
    else:
        sys.exit("unknown command " + cmd)
