#!/usr/bin/env python3
"""Generate the Verilog and C definitions from spec/toe.spec (the one source of truth)."""
import sys


# Bit width of each kind's values in Verilog.
WIDTHS = {"stat": 6, "msg": 8, "event": 8, "csr": 16, "field": 5, "cmd": 8, "const": 32}


def parse(path):
    rows = []
    with open(path) as f:
        for lineno, line in enumerate(f, 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            parts = line.split(None, 3)
            if len(parts) < 4:
                sys.exit(f"{path}:{lineno}: expected KIND NAME VALUE description")
            kind, name, value, desc = parts
            if kind not in WIDTHS:
                sys.exit(f"{path}:{lineno}: unknown kind {kind}")
            if not 0 <= int(value, 0) < 1 << WIDTHS[kind]:
                sys.exit(f"{path}:{lineno}: {name} = {value} does not fit in {WIDTHS[kind]} bits")
            rows.append((kind, name, int(value, 0), desc))
    seen = {}
    for kind, name, value, _ in rows:
        if kind == "const":
            continue  # constants may share values; every other kind is a numbering
        if (kind, value) in seen:
            sys.exit(f"{path}: {kind} {name} reuses value {value} of {seen[(kind, value)]}")
        seen[(kind, value)] = name
    return rows


def verilog(rows):
    out = ["// Generated from spec/toe.spec by scripts/gen_defs.py. Do not edit.",
           "// Every module includes all definitions and uses only some of them.",
           "/* verilator lint_off UNUSEDPARAM */", ""]
    stats = [r for r in rows if r[0] == "stat"]
    for kind, name, value, desc in rows:
        width = WIDTHS[kind]
        out.append(f"localparam [{width - 1}:0] {kind.upper()}_{name} = {width}'d{value}; // {desc}")
    out.append(f"localparam STAT_COUNT = {max(v for _, _, v, _ in stats) + 1};")
    out.append("/* verilator lint_on UNUSEDPARAM */")
    return "\n".join(out) + "\n"


def c_header(rows):
    out = ["/* Generated from spec/toe.spec by scripts/gen_defs.py. Do not edit. */",
           "#ifndef TOE_DEFS_H", "#define TOE_DEFS_H", ""]
    stats = [r for r in rows if r[0] == "stat"]
    for kind, name, value, desc in rows:
        text = str(value) if kind == "stat" else f"0x{value:x}u"
        out.append(f"#define TOE_{kind.upper()}_{name} {text} /* {desc} */")
    count = max(v for _, _, v, _ in stats) + 1
    out += ["", f"#define TOE_STAT_COUNT {count}", "",
            "/* Counter names, indexed by TOE_STAT_*. */",
            "static const char *const toe_stat_names[TOE_STAT_COUNT] = {"]
    for _, name, value, _ in sorted(stats, key=lambda r: r[2]):
        out.append(f'    [{value}] = "{name.lower()}",')
    out += ["};", "", "#endif", ""]
    return "\n".join(out)


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: gen_defs.py SPEC OUT.vh OUT.h")
    rows = parse(sys.argv[1])
    with open(sys.argv[2], "w") as f:
        f.write(verilog(rows))
    with open(sys.argv[3], "w") as f:
        f.write(c_header(rows))


if __name__ == "__main__":
    main()
