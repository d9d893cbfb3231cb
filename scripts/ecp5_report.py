#!/usr/bin/env python3
"""Summarise a nextpnr-ecp5 JSON report (--report) for one board build.

Prints a one-line summary, then utilisation by bel type (used / available) and, per clock,
the achieved frequency against its constraint and the margin; for a failing clock, its
critical path from the nextpnr log. A clock fails when it misses its constraint plus the
required margin (--margin, percent). With --synth-log and --slots, the TCP engine must be in
the netlist with that many slots (the SLOTS parameter yosys derived toe_tcp with), else the
build fails. Clocks constrained in the LPF that have no timing paths (unused yet, or
constant-input I/O registers only) are listed as such; a constraint on a net that does not exist
(nextpnr only warns) is a failure. Exit status 1 if a clock fails.
"""
import argparse
import json
import re
import sys

# Bel types in report order, with the usual names.
BELS = [
    ("TRELLIS_COMB", "LUT4"),
    ("TRELLIS_FF", "FF"),
    ("TRELLIS_RAMW", "LUTRAM"),
    ("DP16KD", "EBR"),
    ("MULT18X18D", "DSP"),
    ("EHXPLLL", "PLL"),
    ("TRELLIS_IO", "IO"),
    ("IOLOGIC", "IOLOGIC"),
    ("DCCA", "global clk"),
]


def clock_name(net):
    """'$glbnet$eth_rxc$TRELLIS_IO_IN' -> 'eth_rxc'."""
    name = re.sub(r"^\$glbnet\$", "", net)
    return re.sub(r"\$TRELLIS_IO_IN$", "", name)


def lpf_clocks(path):
    """FREQUENCY PORT/NET constraints of an LPF: {name: MHz}."""
    clocks = {}
    if not path:
        return clocks
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.split("#", 1)[0]
            m = re.match(r'\s*FREQUENCY\s+(?:PORT|NET)\s+"([^"]+)"\s+([0-9.]+)\s*MHz', line, re.I)
            if m:
                clocks[m.group(1)] = float(m.group(2))
    return clocks


def ignored_constraints(log_path):
    """Nets nextpnr could not find for a FREQUENCY constraint (it only warns)."""
    if not log_path:
        return []
    try:
        with open(log_path, encoding="utf-8", errors="replace") as f:
            text = f.read()
    except OSError:
        return []
    return re.findall(r"net '([^']+)' does not exist in design, ignoring clock constraint", text)


def critical_path(log_path, net):
    """The last critical path report for clock `net` in the nextpnr log, compacted."""
    if not log_path:
        return []
    try:
        with open(log_path, encoding="utf-8", errors="replace") as f:
            lines = f.read().splitlines()
    except OSError:
        return []
    head = "Critical path report for clock '%s'" % net
    starts = [i for i, line in enumerate(lines) if head in line]
    if not starts:
        return []
    out = []
    for line in lines[starts[-1] + 2:]:
        body = line[len("Info: "):] if line.startswith("Info: ") else line
        if not body.strip():
            break
        if "Defined in" in body or re.match(r"\s+(/|rtl/)", body):
            continue
        out.append(body.rstrip())
    return out


def tcp_slots(log_path):
    """SLOTS of the toe_tcp in the final design, 0 when there is none. yosys also derives
    toe_tcp for the top's default parameters before `chparam` takes effect, then removes that
    copy as unused ("Removing unused module"), so a derivation counts only if it stays."""
    derived, slots, in_tcp = {}, None, False
    try:
        with open(log_path, encoding="utf-8", errors="replace") as f:
            for line in f:
                if "derive mode" in line:
                    in_tcp, slots = line.rstrip().endswith("module `\\toe_tcp'."), None
                elif in_tcp:
                    m = re.match(r"Parameter \\SLOTS = (\d+)", line)
                    if m:
                        slots = int(m.group(1))
                    m = re.match(r"(?:Generating|Found cached) RTLIL representation for module "
                                 r"`(.*)'", line)
                    if m and slots is not None:
                        derived[m.group(1)] = slots
                        in_tcp = False
                m = re.match(r"Removing unused module `(.*)'", line)
                if m:
                    derived.pop(m.group(1), None)
    except OSError:
        return -1
    return max(derived.values(), default=0)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("report", help="nextpnr --report JSON")
    ap.add_argument("--board", required=True)
    ap.add_argument("--part", default="")
    ap.add_argument("--seed", default="1")
    ap.add_argument("--lpf", default="")
    ap.add_argument("--log", default="", help="nextpnr log (critical paths of failing clocks)")
    ap.add_argument("--synth-seconds", type=int, default=-1)
    ap.add_argument("--pnr-seconds", type=int, default=-1)
    ap.add_argument("--pnr-status", type=int, default=0)
    ap.add_argument("--margin", type=float, default=0.0,
                    help="required margin over each clock's constraint, percent")
    ap.add_argument("--synth-log", default="", help="yosys log (the TCP engine's slots)")
    ap.add_argument("--slots", type=int, default=-1, help="TCP slots the netlist must have")
    args = ap.parse_args()

    try:
        with open(args.report, encoding="utf-8") as f:
            rep = json.load(f)
    except (OSError, ValueError) as e:
        print("ecp5_report: cannot read %s: %s" % (args.report, e), file=sys.stderr)
        return 2

    util = rep.get("utilization", {})
    fmax = rep.get("fmax", {})
    constrained = lpf_clocks(args.lpf)

    clocks = []
    failed = False
    for net in sorted(fmax, key=clock_name):
        achieved = float(fmax[net]["achieved"])
        required = float(fmax[net]["constraint"])
        ok = achieved >= required * (1.0 + args.margin / 100.0)
        failed |= not ok
        clocks.append((clock_name(net), net, achieved, required, ok))
    seen = {c[0] for c in clocks}
    ignored = set(ignored_constraints(args.log))
    unused = [(n, mhz) for n, mhz in sorted(constrained.items()) if n not in seen and n not in ignored]
    failed |= bool(ignored)

    def used(bel):
        return util.get(bel, {}).get("used", 0), util.get(bel, {}).get("available", 0)

    slots = tcp_slots(args.synth_log) if args.synth_log else -1
    lost = args.slots >= 0 and slots != args.slots
    status = "PASS"
    if lost:
        status = "FAIL (TCP engine: %d slots in the netlist, %d expected)" % (slots, args.slots)
    elif ignored:
        status = "FAIL (constraint on a missing net)"
    elif failed:
        status = "FAIL (timing: a clock misses its constraint + %g %%)" % args.margin
    elif args.pnr_status != 0:
        status = "FAIL (place and route exit %d)" % args.pnr_status
    lut, ff, ebr = used("TRELLIS_COMB"), used("TRELLIS_FF"), used("DP16KD")
    summary = "%-14s %s  " % (args.board, status)
    if slots >= 0:
        summary += "TCP %d slots  " % slots
    summary += "LUT4 %d/%d  FF %d/%d  EBR %d/%d  " % (lut[0], lut[1], ff[0], ff[1], ebr[0], ebr[1])
    summary += "  ".join("%s %.1f/%.1f MHz%s" % (n, a, r, "" if ok else " FAIL")
                         for n, _, a, r, ok in clocks)
    summary += "  pnr %d s" % args.pnr_seconds
    print(summary)
    print("  part %s, nextpnr seed %s, synthesis %d s, place and route %d s (wall)" % (
        args.part, args.seed, args.synth_seconds, args.pnr_seconds))
    print("  utilisation (used / available):")
    for bel, label in BELS:
        u, a = used(bel)
        if bel in util:
            print("    %-12s %-11s %6d / %-6d %5.1f %%" % (bel, label, u, a, 100.0 * u / a if a else 0))
    print("  clocks (achieved / constraint, margin; %g %% required):" % args.margin)
    for name, _, a, r, ok in clocks:
        print("    %-18s %8.2f MHz / %6.2f MHz  %+6.1f %%  %s" % (
            name, a, r, 100.0 * (a / r - 1.0), "ok" if ok else "FAIL"))
    for name, mhz in unused:
        print("    %-18s %8s     / %6.2f MHz  no timing paths (unused or constant)" % (name, "-", mhz))
    for name in sorted(ignored):
        print("    %-18s %8s     / %6.2f MHz  NET NOT FOUND: constraint ignored by nextpnr" % (
            name, "-", constrained.get(name, 0.0)))
    for name, net, a, r, ok in clocks:
        if ok:
            continue
        path = critical_path(args.log, net)
        if path:
            print("  critical path of %s (%.2f ns, %.2f ns allowed):" % (name, 1000.0 / a, 1000.0 / r))
            for line in path:
                print("    " + line)
    return 1 if failed or lost else 0


if __name__ == "__main__":
    sys.exit(main())
