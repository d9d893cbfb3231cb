#!/usr/bin/env python3
"""Per-module ECP5 resources of toe_core and the board tops, and the cost of each feature.

    scripts/ecp5_area.py [--out build/area] [--jobs N] [--configs NAME,...]

Synthesises a few configurations with Debian yosys `synth_ecp5 -noflatten` (no place and
route), keeps each one's `stat -json` in OUT/NAME.json (reused while newer than every RTL
source), and prints:
  - per configuration, the module tree with each module's cells including its submodules
    (instances of one module under one parent merged, their count in brackets);
  - the cost of each feature, as differences between configurations: per TCP slot (with its
    two rings), per KiB of ring, the statistics counters, the link PHYs, the whole engine.
Columns: LUT4 (logic LUTs), CCU2C (carry cells, two LUT4 each), LUT4 + 2 CCU2C, TRELLIS_FF,
DP16KD (EBR, 18 kbit block RAM), TRELLIS_DPR16X4 (16x4 distributed RAM: 4 LUT4 in RAM mode).
"""
import argparse
import concurrent.futures
import glob
import json
import os
import subprocess
import sys
import time

# name -> (top, {parameter: value}, what)
CONFIGS = {
    "colorlight": ("toe_colorlight", {}, "Colorlight top (i9, i5), 8 slots, 8 KiB rings"),
    "uart_phy": ("uart_phy", {}, "uart_phy (the Versa's link PHY)"),
    "core-4slots": ("toe_core", {"SLOTS": 4}, "toe_core, 4 slots, 8 KiB rings"),
    "core-4k": ("toe_core", {"BUF_LOG2": 12}, "toe_core, 8 slots, 4 KiB rings"),
    "core-notcp": ("toe_core", {"SLOTS": 0}, "toe_core without the TCP engine"),
}
COLS = [("LUT4", "LUT4"), ("CCU2C", "CCU2C"), ("TRELLIS_FF", "FF"), ("DP16KD", "EBR"),
        ("TRELLIS_DPR16X4", "DPR16X4")]


def sources():
    core = sorted(p for p in glob.glob("rtl/**/*.v", recursive=True) if not p.startswith("rtl/top/"))
    tops = sorted(glob.glob("rtl/top/common/*.v") + glob.glob("rtl/top/versa/*.v") +
                  glob.glob("rtl/top/colorlight/*.v"))
    return core + tops


def synth(name, out):
    top, params, _ = CONFIGS[name]
    path = os.path.join(out, name + ".json")
    srcs = sources()
    newest = max(os.path.getmtime(p) for p in srcs + ["build/gen/toe_defs.vh", __file__])
    if os.path.exists(path) and os.path.getmtime(path) > newest:
        return name, path, 0.0
    chparam = "".join("chparam -set %s %s %s; " % (k, v, top) for k, v in params.items())
    script = ("read_verilog -I build/gen -I rtl %s; %s synth_ecp5 -noflatten -top %s; "
              "tee -q -o %s.tmp stat -json" % (" ".join(srcs), chparam, top, path))
    t0 = time.time()
    log = os.path.join(out, name + ".log")
    with open(log, "w") as f:
        rc = subprocess.call(["yosys", "-q", "-p", script], stdout=f, stderr=subprocess.STDOUT)
    if rc != 0:
        sys.exit("ecp5_area: yosys failed for %s, see %s" % (name, log))
    os.replace(path + ".tmp", path)
    return name, path, time.time() - t0


def base(mod):
    """'$paramod$abc\\toe_tcp' or '$paramod\\ram_sdp\\W=8' -> 'toe_tcp', 'ram_sdp'."""
    if mod.startswith("$paramod"):
        return mod.split("\\")[1]
    return mod.lstrip("\\")


class Design:
    def __init__(self, path, top):
        with open(path) as f:
            text = f.read()
        try:
            self.mods = json.loads(text)["modules"]
        except ValueError:
            # yosys 0.23 writes the hierarchy section of `stat -json` as text after "modules"
            self.mods = json.loads(text[:text.index("\n   },\n")] + "\n   }\n}")["modules"]
        # Cell types name plain modules without the backslash their keys have.
        self.mods = {m[1:] if m.startswith("\\") else m: v for m, v in self.mods.items()}
        self.top = next(m for m in self.mods if base(m) == top)
        self.memo = {}

    def total(self, mod):
        """Cells of one instance of mod, submodules included: {cell type: n}."""
        if mod not in self.memo:
            t = {}
            for typ, n in self.mods[mod].get("num_cells_by_type", {}).items():
                if typ in self.mods:
                    for k, v in self.total(typ).items():
                        t[k] = t.get(k, 0) + n * v
                else:
                    t[typ] = t.get(typ, 0) + n
            self.memo[mod] = t
        return self.memo[mod]

    def tree(self, mod=None, depth=0, count=1, max_depth=4):
        """Rows (depth, name, count, totals), children grouped by base name."""
        mod = mod or self.top
        tot = {k: v * count for k, v in self.total(mod).items()}
        rows = [(depth, base(mod), count, tot)]
        if depth >= max_depth:
            return rows
        groups = {}
        for typ, n in self.mods[mod].get("num_cells_by_type", {}).items():
            if typ in self.mods:
                groups.setdefault(base(typ), []).append((typ, n * count))
        for name in sorted(groups, key=lambda g: -lut_eq(merged(self, groups[g]))):
            subs = groups[name]
            if len(subs) == 1:
                rows += self.tree(subs[0][0], depth + 1, subs[0][1], max_depth)
            else:
                rows.append((depth + 1, name, sum(n for _, n in subs), merged(self, subs)))
        return rows


def merged(d, subs):
    t = {}
    for typ, n in subs:
        for k, v in d.total(typ).items():
            t[k] = t.get(k, 0) + n * v
    return t


def lut_eq(t):
    return t.get("LUT4", 0) + 2 * t.get("CCU2C", 0)


def fmt_row(label, t, scale=1.0):
    vals = [t.get(k, 0) * scale for k, _ in COLS]
    vals.insert(2, lut_eq(t) * scale)
    if scale == 1.0:
        cells = ["%d" % v for v in vals]
    else:
        cells = ["%.1f" % v for v in vals]
    return "| %-44s | %s |" % (label, " | ".join("%11s" % c for c in cells))


def header():
    names = [n for _, n in COLS]
    names.insert(2, "LUT4+2CCU2C")
    return ("| %-44s | %s |\n|%s|%s" % ("module (instances)", " | ".join("%11s" % n for n in names),
                                         "-" * 46, "|".join(["-" * 13] * len(names)) + "|"))


def diff(a, b):
    return {k: a.get(k, 0) - b.get(k, 0) for k in set(a) | set(b)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default="build/area")
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--depth", type=int, default=4)
    ap.add_argument("--configs", default=",".join(CONFIGS),
                    help="configurations to synthesise (default all: %(default)s); the feature "
                         "rows that need a missing one are left out")
    args = ap.parse_args()
    names = args.configs.split(",")
    for n in names:
        if n not in CONFIGS:
            sys.exit("ecp5_area: unknown configuration %s (%s)" % (n, ", ".join(CONFIGS)))
    if "colorlight" not in names:
        sys.exit("ecp5_area: the colorlight configuration is the base of every table")
    os.chdir(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    os.makedirs(args.out, exist_ok=True)
    paths = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as ex:
        for name, path, secs in ex.map(lambda n: synth(n, args.out), names):
            paths[name] = path
            if secs:
                print("area: synthesised %s in %.0f s" % (name, secs), file=sys.stderr)
    d = {n: Design(p, CONFIGS[n][0]) for n, p in paths.items()}

    for name in ("colorlight",):
        print("## %s (yosys synth_ecp5 -noflatten)\n" % CONFIGS[name][2])
        print(header())
        for depth, mod, count, tot in d[name].tree(max_depth=args.depth):
            label = "  " * depth + mod + (" (%d)" % count if count > 1 else "")
            print(fmt_row(label, tot))
        print()

    def top_total(n):
        return d[n].total(d[n].top)

    def mod_total(n, mod):
        return merged(d[n], [(m, 1) for m in d[n].mods if base(m) == mod])

    # toe_core as the Colorlight top instantiates it (defaults but the link PHY's kind/rate).
    core = mod_total("colorlight", "toe_core")
    print("## Cost of each feature (differences between configurations)\n")
    print(header())
    print(fmt_row("toe_core, 8 slots, 8 KiB rings", core))
    print(fmt_row("TCP engine (toe_tcp, 8 slots, 8 KiB rings)", mod_total("colorlight", "toe_tcp")))
    if "core-notcp" in d:
        print(fmt_row("toe_core without TCP (SLOTS=0)", top_total("core-notcp")))
        print(fmt_row("TCP engine: toe_core 8 slots - SLOTS=0", diff(core, top_total("core-notcp"))))
    if "core-4slots" in d:
        print(fmt_row("toe_core, 4 slots, 8 KiB rings", top_total("core-4slots")))
        print(fmt_row("per TCP slot (8 -> 4 slots) / 4", diff(core, top_total("core-4slots")), 0.25))
    if "core-4k" in d:
        print(fmt_row("per KiB of ring (8 -> 4 KiB, 16 rings) / 64",
                      diff(core, top_total("core-4k")), 1 / 64))
    print(fmt_row("per KiB of ring (a tcp_ring: 8 x 8 KiB) / 64", mod_total("colorlight", "tcp_ring"),
                  1 / 64))
    print(fmt_row("statistics counters (toe_stats)", mod_total("colorlight", "toe_stats")))
    print(fmt_row("link engine (toe_link)", mod_total("colorlight", "toe_link")))
    print(fmt_row("link PHY: ft245_phy (Colorlight)", mod_total("colorlight", "ft245_phy")))
    if "uart_phy" in d:
        print(fmt_row("link PHY: uart_phy (Versa)", top_total("uart_phy")))
    print(fmt_row("board shell without toe_core (Colorlight)",
                  diff(top_total("colorlight"), mod_total("colorlight", "toe_core"))))


if __name__ == "__main__":
    main()
