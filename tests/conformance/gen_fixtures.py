#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Writes the /proc fixture snapshots of every conformance scenario.

Usage: gen_fixtures.py OUTDIR

For each scenario OUTDIR/<name>/ gets
  tz        the TZ both collectors run under
  steps     one line per step, in order:
              sample <utc epoch> <snapshot dir>
              restart <utc epoch>            (sadc's LINUX RESTART record)
  NNN/      a snapshot: meminfo vmstat swaps uptime boot_id
All values are our own, chosen to hit ordinary and odd cases of sar 12.6.1.
"""
import os
import sys
import calendar

BOOT_A = "6f1c2a3e-0b4d-4e5f-9a6b-7c8d9e0f1a2b"
BOOT_B = "0d9e8f7a-6b5c-4d3e-8f2a-1b0c9d8e7f6a"


def epoch(s):
    """'2026-11-25 11:47:44' (UTC) -> epoch seconds."""
    d, t = s.split()
    y, mo, da = map(int, d.split("-"))
    h, mi, se = map(int, t.split(":"))
    return calendar.timegm((y, mo, da, h, mi, se, 0, 0, 0))


# Order and spelling of a 6.x kernel's /proc/meminfo.
MEMINFO_KEYS = [
    "MemTotal", "MemFree", "MemAvailable", "Buffers", "Cached", "SwapCached",
    "Active", "Inactive", "Active(anon)", "Inactive(anon)", "Active(file)",
    "Inactive(file)", "Unevictable", "Mlocked", "SwapTotal", "SwapFree",
    "Zswap", "Zswapped", "Dirty", "Writeback", "AnonPages", "Mapped", "Shmem",
    "KReclaimable", "Slab", "SReclaimable", "SUnreclaim", "KernelStack",
    "PageTables", "SecPageTables", "NFS_Unstable", "Bounce", "WritebackTmp",
    "CommitLimit", "Committed_AS", "VmallocTotal", "VmallocUsed",
    "VmallocChunk", "Percpu", "HardwareCorrupted", "AnonHugePages",
    "ShmemHugePages", "ShmemPmdMapped", "FileHugePages", "FilePmdMapped",
    "Unaccepted", "HugePages_Total", "HugePages_Free", "HugePages_Rsvd",
    "HugePages_Surp", "Hugepagesize", "Hugetlb", "DirectMap4k", "DirectMap2M",
    "DirectMap1G",
]
NO_KB = {"HugePages_Total", "HugePages_Free", "HugePages_Rsvd", "HugePages_Surp"}


def base_meminfo():
    return {
        "MemTotal": 24511000, "MemFree": 23241804, "MemAvailable": 24092496,
        "Buffers": 18148, "Cached": 1002380, "SwapCached": 32,
        "Active": 243952, "Inactive": 879612, "Active(anon)": 100220,
        "Inactive(anon)": 15000, "Active(file)": 143732,
        "Inactive(file)": 864612, "Unevictable": 0, "Mlocked": 0,
        "SwapTotal": 65532, "SwapFree": 32388, "Zswap": 0, "Zswapped": 0,
        "Dirty": 1612, "Writeback": 0, "AnonPages": 114340, "Mapped": 90000,
        "Shmem": 2000, "KReclaimable": 60000, "Slab": 137188,
        "SReclaimable": 60000, "SUnreclaim": 77188, "KernelStack": 11272,
        "PageTables": 36848, "SecPageTables": 0, "NFS_Unstable": 0,
        "Bounce": 0, "WritebackTmp": 0, "CommitLimit": 12321032,
        "Committed_AS": 369096, "VmallocTotal": 34359738367,
        "VmallocUsed": 24140, "VmallocChunk": 0, "Percpu": 2400,
        "HardwareCorrupted": 0, "AnonHugePages": 0, "ShmemHugePages": 0,
        "ShmemPmdMapped": 0, "FileHugePages": 0, "FilePmdMapped": 0,
        "Unaccepted": 0, "HugePages_Total": 8, "HugePages_Free": 5,
        "HugePages_Rsvd": 0, "HugePages_Surp": 0, "Hugepagesize": 2048,
        "Hugetlb": 16384, "DirectMap4k": 200000, "DirectMap2M": 8000000,
        "DirectMap1G": 18000000,
    }


# A 6.x /proc/vmstat subset, including every prefixed pgscan/pgsteal line.
VMSTAT_KEYS = [
    "nr_free_pages", "nr_zone_inactive_anon", "nr_zone_active_anon",
    "nr_dirty", "nr_writeback", "pgpgin", "pgpgout", "pswpin", "pswpout",
    "pgalloc_dma", "pgalloc_normal", "pgfree", "pgactivate", "pgfault",
    "pgmajfault", "pgrefill", "pgreuse", "pgsteal_kswapd", "pgsteal_direct",
    "pgsteal_khugepaged", "pgsteal_proactive", "pgscan_kswapd",
    "pgscan_direct", "pgscan_khugepaged", "pgscan_proactive",
    "pgscan_direct_throttle", "pgscan_anon", "pgscan_file", "pgsteal_anon",
    "pgsteal_file", "pginodesteal", "slabs_scanned", "kswapd_inodesteal",
    "pageoutrun", "pgrotated", "thp_fault_alloc",
]


def base_vmstat():
    v = {k: 0 for k in VMSTAT_KEYS}
    v.update({
        "nr_free_pages": 5810451, "nr_zone_inactive_anon": 3750,
        "nr_zone_active_anon": 25055, "nr_dirty": 403, "pgpgin": 1404216,
        "pgpgout": 402112, "pswpin": 100, "pswpout": 8400,
        "pgalloc_normal": 9876543, "pgfree": 10567890, "pgactivate": 120000,
        "pgfault": 4567890, "pgmajfault": 4321, "pgreuse": 50000,
        "pageoutrun": 3,
    })
    return v


def fmt_meminfo(m, drop=()):
    out = []
    for k in MEMINFO_KEYS:
        if k in drop or k not in m:
            continue
        if k in NO_KB:
            out.append("%-16s%7d\n" % (k + ":", m[k]))
        else:
            out.append("%-16s%8d kB\n" % (k + ":", m[k]))
    return "".join(out)


def fmt_vmstat(v, drop=()):
    return "".join("%s %d\n" % (k, v[k]) for k in VMSTAT_KEYS
                   if k in v and k not in drop)


def fmt_swaps(m):
    s = "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n"
    if m.get("SwapTotal", 0) > 0:
        used = max(m["SwapTotal"] - m.get("SwapFree", 0), 0)
        s += "/swapfile                               file\t\t%d\t\t%d\t\t-2\n" % (
            m["SwapTotal"], used)
    return s


class Scenario:
    def __init__(self, root, name, tz="UTC"):
        self.dir = os.path.join(root, name)
        os.makedirs(self.dir, exist_ok=True)
        self.steps = []
        self.n = 0
        with open(os.path.join(self.dir, "tz"), "w") as f:
            f.write(tz + "\n")

    def sample(self, t, uptime_cs, boot, mem, vm, mdrop=(), vdrop=()):
        snap = os.path.join(self.dir, "%03d" % self.n)
        self.n += 1
        os.makedirs(snap, exist_ok=True)
        files = {
            "meminfo": fmt_meminfo(mem, mdrop),
            "vmstat": fmt_vmstat(vm, vdrop),
            "swaps": fmt_swaps(mem),
            "uptime": "%d.%02d %d.%02d\n" % (uptime_cs // 100, uptime_cs % 100,
                                            uptime_cs * 17 // 10 // 100,
                                            uptime_cs * 17 // 10 % 100),
            "boot_id": boot + "\n",
        }
        for k, text in files.items():
            with open(os.path.join(snap, k), "w") as f:
                f.write(text)
        self.steps.append("sample %d %s" % (t, snap))

    def restart(self, t):
        self.steps.append("restart %d" % t)

    def close(self):
        with open(os.path.join(self.dir, "steps"), "w") as f:
            f.write("\n".join(self.steps) + "\n")


def wiggle(i, amp):
    """Deterministic, irregular offsets."""
    return ((i * 7919) % 13 - 6) * amp


def series(sc, start, n, step, up0, mem_fn, vm_fn, boot=BOOT_A,
           jitter_cs=(0,), mdrop=(), vdrop=()):
    mem, vm = base_meminfo(), base_vmstat()
    up = up0
    t = start
    for i in range(n):
        m = dict(mem)
        v = dict(vm)
        mem_fn(i, m)
        vm_fn(i, v)
        sc.sample(t, up, boot, m, v, mdrop, vdrop)
        t += step
        up += step * 100 + jitter_cs[i % len(jitter_cs)]


def ordinary_mem(i, m):
    m["MemFree"] = 23241804 + wiggle(i, 3311) + i * 1000
    m["MemAvailable"] = 24092496 + wiggle(i, 1201)
    m["Buffers"] = 18148 + i * 37
    m["Cached"] = 1002380 - i * 13001
    m["Active"] = 243952 + wiggle(i, 101)
    m["Inactive"] = 879612 - i * 1111
    m["Dirty"] = 1612 + wiggle(i, 17)
    m["Committed_AS"] = 369096 + i * 4999
    m["AnonPages"] = 114340 + i * 2601
    m["Slab"] = 137188 + wiggle(i, 211)
    m["KernelStack"] = 11272 + i * 16
    m["PageTables"] = 36848 + i * 92
    m["VmallocUsed"] = 24140 + i * 80
    m["SwapFree"] = 32388 - i * 4
    m["SwapCached"] = 32 + i * 3
    m["HugePages_Free"] = 5 - (i % 3)
    m["HugePages_Rsvd"] = i % 2


def ordinary_vm(i, v):
    v["pgpgin"] += i * 1234 + (i * i) * 7
    v["pgpgout"] += i * 4321
    v["pswpin"] += i * 3
    v["pswpout"] += i * 11
    v["pgfree"] += i * 95123
    v["pgfault"] += i * 44321 + (i % 3) * 1000
    v["pgmajfault"] += i * 5
    v["pgscan_kswapd"] += i * 1000
    v["pgscan_direct"] += i * 100
    v["pgsteal_kswapd"] += i * 900
    v["pgsteal_direct"] += i * 90
    v["pgsteal_anon"] += i * 300
    v["pgsteal_file"] += i * 690


def same(i, x):
    pass


def main():
    root = sys.argv[1]
    os.makedirs(root, exist_ok=True)
    T0 = epoch("2026-11-25 11:47:44")

    # 1. ordinary: 1-minute samples, uptime jitter, swap partly used, huge pages.
    sc = Scenario(root, "ordinary")
    series(sc, T0, 8, 60, 4321000, ordinary_mem, ordinary_vm,
           jitter_cs=(3, -2, 0, 7, -5, 1))
    sc.close()

    # 2. zero swap: no swap device at all.
    def noswap(i, m):
        ordinary_mem(i, m)
        m["SwapTotal"] = m["SwapFree"] = m["SwapCached"] = 0
    sc = Scenario(root, "zero_swap")
    series(sc, T0, 5, 60, 900000, noswap, ordinary_vm)
    sc.close()

    # 3. swap full (SwapFree 0), then swap cache with nothing used.
    def swapfull(i, m):
        ordinary_mem(i, m)
        m["SwapTotal"] = 2097148
        m["SwapFree"] = 0 if i < 4 else 2097148
        m["SwapCached"] = 1021 * (i + 1)
    sc = Scenario(root, "swap_full")
    series(sc, T0, 6, 60, 900000, swapfull, ordinary_vm)
    sc.close()

    # 4. SwapFree > SwapTotal (u64 wrap of kbswpused), SwapCached > used.
    def swapodd(i, m):
        ordinary_mem(i, m)
        m["SwapTotal"] = 1000
        m["SwapFree"] = [1500, 900, 1000, 400, 2000][i]
        m["SwapCached"] = [10, 250, 77, 700, 5][i]
    sc = Scenario(root, "swap_odd")
    series(sc, T0, 5, 60, 900000, swapodd, ordinary_vm)
    sc.close()

    # 5a. MemFree+Buffers+Cached+Slab > MemTotal in every sample: clamp to 0,
    #     negative Average kbmemused and %memused.
    def clamp_all(i, m):
        ordinary_mem(i, m)
        m["MemTotal"] = 8000000
        m["MemFree"] = 7000000 + i * 1000
        m["Buffers"] = 300000
        m["Cached"] = 600000 + i * 7
        m["Slab"] = 200000
    sc = Scenario(root, "clamp_all")
    series(sc, T0, 4, 60, 900000, clamp_all, ordinary_vm)
    sc.close()

    # 5b. only some samples over MemTotal: Average differs from column mean.
    def clamp_some(i, m):
        clamp_all(i, m)
        if i % 2:
            m["MemFree"] = 5000000 + i * 333
    sc = Scenario(root, "clamp_some")
    series(sc, T0, 6, 60, 900000, clamp_some, ordinary_vm)
    sc.close()

    # 6. huge pages in use: 1 GiB pages, all used, reserved and surplus.
    def huge(i, m):
        ordinary_mem(i, m)
        m["Hugepagesize"] = 1048576
        m["HugePages_Total"] = 16 + (i % 2)
        m["HugePages_Free"] = [0, 3, 1, 0, 16][i]
        m["HugePages_Rsvd"] = [0, 2, 1, 0, 0][i]
        m["HugePages_Surp"] = i % 2
        m["Hugetlb"] = m["HugePages_Total"] * 1048576
    sc = Scenario(root, "huge_pages")
    series(sc, T0, 5, 60, 900000, huge, same)
    sc.close()

    # 7. counters rising fast, many prefixed pgscan/pgsteal lines, %vmeff > 100,
    #    big memory values wider than the 9-character columns.
    def fastmem(i, m):
        ordinary_mem(i, m)
        m["MemTotal"] = 4294967296
        m["MemFree"] = 1234567890 + i * 987654321
        m["MemAvailable"] = 3999999999
        m["Cached"] = 99999999999 // 100
        m["Committed_AS"] = 9876543210 + i * 123456789
        m["SwapTotal"] = 137438953472
        m["SwapFree"] = 100000000000 - i * 7777777

    def fastvm(i, v):
        k = 10 ** 9
        v["pgpgin"] += i * 37 * k + i * i * 12345
        v["pgpgout"] += i * 11 * k
        v["pswpin"] += i * 3 * k
        v["pswpout"] += i * 5 * k + 1
        v["pgfree"] += i * 77 * k
        v["pgfault"] += i * 91 * k
        v["pgmajfault"] += i * 2 * k
        v["pgscan_kswapd"] += i * 1000003
        v["pgscan_direct"] += i * 200001
        v["pgscan_direct_throttle"] += i * 7
        v["pgscan_khugepaged"] += i * 5000
        v["pgscan_proactive"] += i * 300
        v["pgscan_anon"] += i * 600000
        v["pgscan_file"] += i * 605000
        v["pgsteal_kswapd"] += i * 1000000
        v["pgsteal_direct"] += i * 200000
        v["pgsteal_khugepaged"] += i * 4000
        v["pgsteal_proactive"] += i * 250
        v["pgsteal_anon"] += i * 550000
        v["pgsteal_file"] += i * 600000
    sc = Scenario(root, "fast_counters")
    series(sc, T0, 5, 60, 900000, fastmem, fastvm, jitter_cs=(1, 49, -50, 51))
    sc.close()

    # 8. missing MemAvailable, Dirty, Committed_AS, VmallocUsed, all HugePages
    #    lines, and pswpin/pgscan_* in vmstat.
    sc = Scenario(root, "missing_keys")
    series(sc, T0, 5, 60, 900000, ordinary_mem, ordinary_vm,
           mdrop=("MemAvailable", "Dirty", "Committed_AS", "VmallocUsed",
                  "HugePages_Total", "HugePages_Free", "HugePages_Rsvd",
                  "HugePages_Surp", "Hugepagesize"),
           vdrop=("pswpin", "pgscan_kswapd", "pgscan_direct",
                  "pgscan_direct_throttle"))
    sc.close()

    # 9. 1-second samples (for -i 2, -i 3, `4 1`).
    sc = Scenario(root, "one_second")
    series(sc, T0, 12, 1, 900000, ordinary_mem, ordinary_vm,
           jitter_cs=(0, 1, -1, 2, 0, -2))
    sc.close()

    # 10. 10-minute samples.
    sc = Scenario(root, "ten_minutes")
    series(sc, epoch("2026-11-25 09:00:03"), 7, 600, 900000, ordinary_mem,
           ordinary_vm, jitter_cs=(4, -3, 12))
    sc.close()

    # 11. a reboot in the middle: new boot_id, lower uptime, counters reset.
    sc = Scenario(root, "reboot")
    series(sc, T0, 4, 60, 4321000, ordinary_mem, ordinary_vm)
    treboot = T0 + 3 * 60 + 95
    sc.restart(treboot)
    series(sc, treboot, 5, 60, 1234, lambda i, m: ordinary_mem(i + 7, m),
           lambda i, v: (v.update({k: v[k] // 50 for k in v}),
                         ordinary_vm(i, v)),
           boot=BOOT_B, jitter_cs=(1, 2))
    sc.close()

    # 12. crossing midnight UTC (the collectors' and the default report TZ).
    sc = Scenario(root, "midnight")
    series(sc, epoch("2026-11-25 23:56:30"), 8, 60, 900000, ordinary_mem,
           ordinary_vm)
    sc.close()

    # 13. crossing midnight in Asia/Kolkata (UTC+05:30), collected in UTC.
    sc = Scenario(root, "kolkata_midnight")
    series(sc, epoch("2026-11-25 18:27:10"), 7, 60, 900000, ordinary_mem,
           ordinary_vm)
    sc.close()

    # 14. collected under America/New_York (for -t and the banner date).
    sc = Scenario(root, "collector_ny", tz="America/New_York")
    series(sc, epoch("2026-11-26 03:57:00"), 6, 120, 900000, ordinary_mem,
           ordinary_vm)
    sc.close()

    # 15. counters going down without a reboot (u64 wrap in sar), zero MemTotal.
    def zeromem(i, m):
        ordinary_mem(i, m)
        if i == 2:
            m["MemTotal"] = 0
    sc = Scenario(root, "counter_drop")
    series(sc, T0, 4, 60, 900000, zeromem,
           lambda i, v: ordinary_vm(3 - i if i < 3 else 5, v))
    sc.close()

    # 16. two reboots; the middle boot has a single sample (a segment made of
    #     its reference record only), the last boot starts in the same minute.
    BOOT_C = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d"
    sc = Scenario(root, "double_reboot")
    series(sc, T0, 3, 60, 4321000, ordinary_mem, ordinary_vm)
    sc.restart(T0 + 200)
    series(sc, T0 + 200, 1, 60, 2000, ordinary_mem, ordinary_vm, boot=BOOT_B)
    sc.restart(T0 + 290)
    series(sc, T0 + 290, 4, 30, 1500, lambda i, m: ordinary_mem(i + 2, m),
           ordinary_vm, boot=BOOT_C)
    sc.close()

    # 17. America/New_York leaves daylight saving time in the middle
    #     (2026-11-01 06:00 UTC: 01:59 EDT -> 01:00 EST), collected in UTC.
    sc = Scenario(root, "dst_fallback")
    series(sc, epoch("2026-11-01 05:56:20"), 8, 60, 900000, ordinary_mem,
           ordinary_vm)
    sc.close()


if __name__ == "__main__":
    main()
