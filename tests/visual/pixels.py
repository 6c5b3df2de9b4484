# SPDX-License-Identifier: GPL-2.0-or-later
# The incident signals as Chromium drew them (tests/visual/run.sh):
#   pixels.py SVG PNG T0
# The pressure panel is visible (its some avg10 ink high in the hot columns,
# at the bottom in the calm ones) and labelled (ink in its title row); each
# OOM kill's mark is red ink at its column; the cgroup panel has its bands.
import sys
import xml.etree.ElementTree as E
from pngread import read_png

NS = "{http://www.w3.org/2000/svg}"
svg, png, t0 = sys.argv[1], sys.argv[2], int(sys.argv[3])
root = E.parse(svg).getroot()
w, h, px = read_png(png)
panels = {g.get("id"): g for g in root.iter(NS + "g") if g.get("class") == "panel"}
bad, out = [], []


def geometry(name):
    g = panels[name]
    x0, y0, pw, ph = (int(g.get(k)) for k in ("data-x0", "data-y0", "data-w", "data-h"))
    ta, tb = int(g.get("data-t0")), int(g.get("data-t1"))
    return x0, y0, pw, ph, lambda ts: x0 + (ts - ta) * pw // (tb - ta + 1)


def near(p, rgb, tol=60):
    return sum(abs(a - b) for a, b in zip(p, rgb)) <= tol


def ink_rows(x0, x1, y0, y1, rgb):
    return [y for x in range(x0, x1) for y in range(y0, y1) if near(px(x, y)[:3], rgb)]


if (w, h) != (int(root.get("width")), int(root.get("height"))):
    bad.append(("size", w, h))
if "pressure" not in panels:
    bad.append("no pressure panel")
else:
    x0, y0, pw, ph, col = geometry("pressure")
    orange = (0xe6, 0x55, 0x0d)   # some avg10 at 0.45 over white is lighter: accept both
    light = tuple(int(255 - 0.45 * (255 - c)) for c in orange)
    hot = ink_rows(col(t0 + 12 * 60), col(t0 + 18 * 60), y0, y0 + ph, orange) + \
        ink_rows(col(t0 + 12 * 60), col(t0 + 18 * 60), y0, y0 + ph, light)
    calm = ink_rows(col(t0 + 60), col(t0 + 8 * 60), y0, y0 + ph, orange) + \
        ink_rows(col(t0 + 60), col(t0 + 8 * 60), y0, y0 + ph, light)
    out.append("pressure: some avg10 ink on %d pixels at the peak, top row %s; %d when calm, top row %s"
               % (len(hot), min(hot) if hot else None, len(calm), min(calm) if calm else None))
    if not hot or min(hot) > y0 + ph * 0.4:
        bad.append("the peak of some avg10 is not drawn high in the panel")
    if calm and min(calm) < y0 + ph - 3:
        bad.append("calm columns drawn above the bottom")
    title = [y for x in range(x0, x0 + 200) for y in range(y0 - 22, y0 - 2) if max(px(x, y)[:3]) < 90]
    if len(title) < 100:
        bad.append(("the pressure panel's title is not drawn", len(title)))
x0, y0, pw, ph, col = geometry("memory")
for ts in (t0 + 990,):
    red = ink_rows(col(ts) - 6, col(ts) + 7, y0, y0 + 12, (0xb0, 0, 0))
    out.append("OOM mark: %d red pixels at the top of the memory panel" % len(red))
    if len(red) < 20:
        bad.append(("no OOM mark at", ts))
if "cgroups" not in panels:
    bad.append("no cgroups panel")
else:
    x0, y0, pw, ph, col = geometry("cgroups")
    colored = sum(1 for x in range(x0 + 1, x0 + pw - 1, 3) for y in range(y0 + 1, y0 + ph - 1, 3)
                  if max(px(x, y)[:3]) - min(px(x, y)[:3]) > 40)
    out.append("cgroups: %d coloured samples" % colored)
    if colored < 500:
        bad.append(("the cgroup bands are not drawn", colored))
print("; ".join(out))
if bad:
    print(bad)
sys.exit(1 if bad else 0)
