#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Writes the /proc snapshots of the irregular-interval scenarios, in the
layout of tests/conformance/gen_fixtures.py (whose helpers it uses), so that
tests/conformance/scenario.sh's build_scenario takes each with Debian's sadc
and with memcollect under the same frozen clock.

Usage: gen_mixed.py OUTDIR

  mixed        minute samples (the timer), a run of 20 one-second samples
               (a burst) in between, 40 s to the next minute sample, then
               minute samples again; the burst has its own memory drop and
               fast-growing swap and paging counters.
  mixed_boot   minute samples, a burst, a reboot inside the burst's minute,
               one-second samples of the new boot, then minute samples.
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "conformance"))
import gen_fixtures as g  # noqa: E402


def mem_at(i, burst, m):
    """Memory of sample I; BURST: index inside the burst, or -1."""
    g.ordinary_mem(i, m)
    if burst >= 0:
        m["MemFree"] -= 400000 + burst * 25013
        m["MemAvailable"] -= 380000 + burst * 24007
        m["SwapFree"] -= 7 * burst
        m["Dirty"] += 1000 + burst * 3


def vm_at(i, extra, v):
    """Counters of sample I, plus EXTRA seconds' worth of burst traffic."""
    g.ordinary_vm(i, v)
    v["pswpout"] += extra * 517
    v["pswpin"] += extra * 41
    v["pgpgin"] += extra * 9001
    v["pgmajfault"] += extra * 77
    v["pgfault"] += extra * 12345
    v["pgscan_direct"] += extra * 1500
    v["pgsteal_direct"] += extra * 1100
    v["pgfree"] += extra * 31000


def write(sc, plan, up0, boot=g.BOOT_A):
    """PLAN: (utc epoch, burst index or -1, jitter cs) per sample."""
    extra = 0
    t0 = plan[0][0]
    for i, (t, burst, jit) in enumerate(plan):
        if burst >= 0:
            extra += 1 + burst % 3      # the burst's traffic grows unevenly
        m, v = g.base_meminfo(), g.base_vmstat()
        mem_at(i, burst, m)
        vm_at(i, extra, v)
        sc.sample(t, up0 + (t - t0) * 100 + jit, boot, m, v)


def main():
    root = sys.argv[1]
    os.makedirs(root, exist_ok=True)
    T0 = g.epoch("2026-11-25 11:40:00")

    plan = [(T0 + 60 * k, -1, (0, 3, -2, 1, 5, -1)[k]) for k in range(6)]
    last = plan[-1][0]
    plan += [(last + 1 + k, k, (0, 1, -1, 0, 2)[k % 5]) for k in range(20)]
    plan += [(last + 60 * k, -1, (4, -3, 2, 0)[k - 1]) for k in range(1, 5)]
    sc = g.Scenario(root, "mixed")
    write(sc, plan, 4321000)
    sc.close()

    sc = g.Scenario(root, "mixed_boot")
    plan = [(T0 + 60 * k, -1, 0) for k in range(3)]
    last = plan[-1][0]
    plan += [(last + 1 + k, k, 0) for k in range(6)]
    write(sc, plan, 4321000)
    boot = last + 30
    sc.restart(boot)
    plan = [(boot + k, k + 6, 0) for k in range(5)]
    plan += [(last + 60 * k, -1, 0) for k in range(1, 4)]
    write(sc, plan, 2500, boot=g.BOOT_B)
    sc.close()


if __name__ == "__main__":
    main()
