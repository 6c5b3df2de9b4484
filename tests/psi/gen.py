#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Writes the /proc snapshots of tests/psi: the conformance scenarios' meminfo
and vmstat (tests/conformance/gen_fixtures.py) with a /proc/pressure/memory
beside them, in the scenario layout tests/conformance/scenario.sh builds.

Usage: gen.py OUTDIR
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "conformance"))
import gen_fixtures as g  # noqa: E402

ACTS_PSI = "A_NULL,A_MEMORY,A_SWAP,A_PAGE,A_HUGE,A_PSI_MEM"
# sadc's default set leaves A_PSI_MEM out where /proc/pressure is missing
ACTS_NO_PSI = "A_NULL,A_MEMORY,A_SWAP,A_PAGE,A_HUGE"


def pressure_text(some, full):
    """Each of SOME, FULL: (avg10, avg60, avg300 in hundredths, total µs),
    or None for no such line."""
    out = ""
    for name, line in (("some", some), ("full", full)):
        if line is None:
            continue
        a10, a60, a300, total = line
        out += "%s avg10=%d.%02d avg60=%d.%02d avg300=%d.%02d total=%d\n" % (
            name, a10 // 100, a10 % 100, a60 // 100, a60 % 100,
            a300 // 100, a300 % 100, total)
    return out


class PsiScenario(g.Scenario):
    """A scenario whose samples each take a pressure text (None: no file)."""

    def __init__(self, root, name, acts, tz="UTC"):
        super().__init__(root, name, tz)
        with open(os.path.join(self.dir, "acts"), "w") as f:
            f.write(acts + "\n")

    def sample(self, t, uptime_cs, boot, mem, vm, mdrop=(), vdrop=()):
        super().sample(t, uptime_cs, boot, mem, vm, mdrop, vdrop)
        text = self.pressure_fn(self.n - 1)
        if text is not None:
            with open(os.path.join(self.dir, "%03d" % (self.n - 1), "pressure"), "w") as f:
                f.write(text)


def rising(i):
    """A stall that builds up and eases: odd hundredths, totals in µs that
    grow by irregular amounts (a stall of 2.5 s in one minute at the peak)."""
    shape = [0, 3, 17, 153, 1205, 9999, 2500, 40, 0, 0, 1, 0]
    a10 = shape[i % len(shape)]
    some = (a10, a10 // 2 + i, a10 // 5 + 2 * i, 123456789 + i * i * 310077 + a10 * 1999)
    full = (a10 // 3, a10 // 7, i, 98765 + i * i * 110033 + a10 * 777)
    return some, full


def main():
    root = sys.argv[1]
    T0 = g.epoch("2026-11-25 11:47:44")

    # 1. pressure every minute: some and full
    sc = PsiScenario(root, "pressure", ACTS_PSI)
    sc.pressure_fn = lambda i: pressure_text(*rising(i))
    g.series(sc, T0, 10, 60, 900000, g.ordinary_mem, g.ordinary_vm, jitter_cs=(3, -2, 0, 11))
    sc.close()

    # 2. a kernel that prints "some" alone (full is 0 for sadc)
    sc = PsiScenario(root, "some_only", ACTS_PSI)
    sc.pressure_fn = lambda i: pressure_text(rising(i + 2)[0], None)
    g.series(sc, T0, 5, 60, 900000, g.ordinary_mem, g.ordinary_vm)
    sc.close()

    # 3. a reboot in the middle; the stall totals start again from 0
    sc = PsiScenario(root, "psi_reboot", ACTS_PSI)
    sc.pressure_fn = lambda i: pressure_text(*rising(i + 3))
    g.series(sc, T0, 4, 60, 4321000, g.ordinary_mem, g.ordinary_vm)
    sc.restart(T0 + 275)
    first = sc.n
    sc.pressure_fn = lambda i: pressure_text(*rising(i - first))
    g.series(sc, T0 + 275, 5, 60, 2000, g.ordinary_mem, g.ordinary_vm, boot=g.BOOT_B)
    sc.close()

    # 4. pressure, then a reboot into a kernel booted with psi=0 (memtrail's
    #    own tests: sadc would record zeros after the reboot)
    sc = PsiScenario(root, "psi_gone", ACTS_PSI)
    sc.pressure_fn = lambda i: pressure_text(*rising(i + 3))
    g.series(sc, T0, 3, 60, 4321000, g.ordinary_mem, g.ordinary_vm)
    sc.restart(T0 + 215)
    sc.pressure_fn = lambda i: None
    g.series(sc, T0 + 215, 3, 60, 2000, g.ordinary_mem, g.ordinary_vm, boot=g.BOOT_B)
    sc.close()

    # 5. a kernel without PSI: no /proc/pressure at all
    sc = PsiScenario(root, "no_psi", ACTS_NO_PSI)
    sc.pressure_fn = lambda i: None
    g.series(sc, T0, 4, 60, 900000, g.ordinary_mem, g.ordinary_vm)
    sc.close()


if __name__ == "__main__":
    main()
