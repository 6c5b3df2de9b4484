# SPDX-License-Identifier: GPL-2.0-or-later
# The incident signals in memreport's SVG (tests/visual/run.sh):
#   svgcheck.py WHAT SVG [ARGS]
# WHAT: pressure T0 | calm | kills T0 | cgroups [TOP] | hostile.  Prints what
# is wrong (exit 1) or "fine".
import re
import sys
import xml.etree.ElementTree as E

NS = "{http://www.w3.org/2000/svg}"
what, svg = sys.argv[1], sys.argv[2]
root = E.parse(svg).getroot()
panels = {g.get("id"): g for g in root.iter(NS + "g") if g.get("class") == "panel"}
bad = []


def geometry(g):
    x0, y0, w, h = (int(g.get(k)) for k in ("data-x0", "data-y0", "data-w", "data-h"))
    t0, t1 = int(g.get("data-t0")), int(g.get("data-t1"))
    ymin, ymax = float(g.get("data-ymin")), float(g.get("data-ymax"))
    col = lambda ts: x0 + (ts - t0) * w // (t1 - t0 + 1)
    ypos = lambda v: y0 + h - (v - ymin) / (ymax - ymin) * h
    return col, ypos


def points(el):
    return [tuple(map(float, p.split(","))) for p in el.get("points").split()]


def top_at(g, cls, x0, x1):
    """the highest value's row (smallest y) of CLS's polygons between x0 and x1"""
    ys = [y for el in g.iter(NS + "polygon") if el.get("class") == cls
          for x, y in points(el) if x0 <= x <= x1]
    return min(ys) if ys else None


def legend(g):
    return ["".join(t.itertext()) for t in g.iter(NS + "text") if t.get("class") == "legend"]


def titles(g, cls):
    return [e.find(NS + "title").text for e in g.iter(NS + "g") if e.get("class") == cls]


if what == "pressure":
    # some avg10 40 %, full avg10 15 %, %smem 20 % from sample 10 to 19; 0 before
    t0 = int(sys.argv[3])
    g = panels.get("pressure")
    if g is None:
        bad.append(("no pressure panel", sorted(panels)))
    else:
        title = [t.text for t in g.iter(NS + "text") if t.get("class") == "title"][0]
        if "(%)" not in title or "pressure" not in title.lower():
            bad.append(("title", title))
        col, ypos = geometry(g)
        for cls, v in (("psi-some10", 40), ("psi-full10", 15), ("psi-smem", 20)):
            hot = top_at(g, cls, col(t0 + 12 * 60), col(t0 + 18 * 60))
            calm = top_at(g, cls, col(t0), col(t0 + 8 * 60))
            if hot is None or abs(hot - ypos(v)) > 1.5:
                bad.append((cls, "at its peak, row", hot, "expected", round(ypos(v), 1)))
            if calm is None or abs(calm - ypos(0)) > 1.5:
                bad.append((cls, "calm, row", calm, "expected", round(ypos(0), 1)))
        if len(legend(g)) != 3:
            bad.append(("legend", legend(g)))
elif what == "calm":
    # no PSI recorded: no panel, no zero line; no kills, no cgroups
    for pid in ("pressure", "cgroups"):
        if pid in panels:
            bad.append(("panel", pid))
    for e in root.iter():
        c = e.get("class") or ""
        if c.startswith("psi-") or c.startswith("oom") or c == "cgroup":
            bad.append(("element", c))
elif what == "kills":
    # one mark per kill, in the memory panel, at its time, the victim in a <title>;
    # a line per kill in every panel
    t0 = int(sys.argv[3])
    g = panels["memory"]
    col, _ = geometry(g)
    marks = [e for e in g.iter(NS + "g") if e.get("class") == "oom-kill"]
    got = [(int(e.get("data-ts")), int(e.get("data-pid"))) for e in marks]
    if got != [(t0 + 990, 4242), (t0 + 991, 4243)]:
        bad.append(("marks", got))
    tt = titles(g, "oom-kill")
    if not tt or not re.search(r"pid 4242 hog, anon-rss 800000 kB", tt[0]):
        bad.append(("title", tt[:1]))
    for e in marks:
        x = points(e.find(NS + "polygon"))[2][0]
        if abs(x - (col(int(e.get("data-ts"))) + 0.5)) > 0.01:
            bad.append(("mark x", x))
    labels = ["".join(t.itertext()) for t in g.iter(NS + "text") if t.get("class") == "oom-label"]
    if not labels or labels[0] != "OOM hog":
        bad.append(("label", labels))
    for pid, p in panels.items():
        n = sum(1 for e in p.iter(NS + "line") if e.get("class") == "oom")
        if n != 2:
            bad.append(("oom lines", pid, n))
elif what == "cgroups":
    # by contribution: /system.slice and leak.service (+1160 MiB; the slice's
    # peak is larger), ctr-new (+300, born), db.service and the odd one (0),
    # gone (-400); neither the root nor "..."
    top = int(sys.argv[3]) if len(sys.argv) > 3 else 10
    want = ["/system.slice", "/system.slice/leak.service", "/machine.slice/ctr-new",
            "/system.slice/db.service", None, "/tmp.slice/gone"][:top]
    g = panels.get("cgroups")
    if g is None:
        bad.append(("no cgroups panel", sorted(panels)))
    else:
        got = titles(g, "legend-entry")
        if len(got) != len(want) or any(w is not None and w != x for w, x in zip(want, got)):
            bad.append(("order", got))
        bands = {e.get("fill") for e in g.iter(NS + "polygon") if e.get("class") == "cgroup"}
        if len(bands) != len(want):
            bad.append(("bands", bands))
        col, ypos = geometry(g)
        # leak.service at the last sample: 100 + 29 x 40 MiB
        lk = [e for e in g.iter(NS + "polygon") if e.get("class") == "cgroup"]
        if top >= 2:
            leak = [(x, y) for x, y in points(lk[1]) if x >= col(int(g.get("data-t1")))]
            if not leak or abs(min(y for _, y in leak) - ypos(1260 * 1024)) > 1.5:
                bad.append(("leak.service's last value", leak, ypos(1260 * 1024)))
elif what == "hostile":
    # what an attacker names: exactly the escaped text, in the tooltip and the legend
    odd_path = "/user.slice/a<b>&\"'\u2401\u2421\u00ff\ufffd\\ x,y=z\u240a"
    odd_comm = "<b>&\"'\u2401\u2421\u00ff\ufffd"
    g = panels["cgroups"]
    if odd_path not in titles(g, "legend-entry"):
        bad.append(("cgroup path", titles(g, "legend-entry")))
    if not any(t.endswith(odd_path[-15:]) for t in legend(g)):
        bad.append(("cgroup legend", legend(g)))
    tt = titles(panels["memory"], "oom-kill")
    if len(tt) < 2 or "pid 4243 " + odd_comm + "," not in tt[1]:
        bad.append(("victim", tt))
print(bad or "fine")
sys.exit(1 if bad else 0)
