#!/usr/bin/env python3
"""Generate the Verilog and C definitions from spec/toe.spec (the one source of truth)."""
import sys


# Bit width of each kind's values in Verilog.
WIDTHS = {"stat": 6, "msg": 8, "event": 8, "csr": 16, "field": 5, "cmd": 8, "const": 32,
          "layout": 4}


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
            if kind == "layout" and (name.count(".") != 1 or not 1 <= int(value, 0) <= 8):
                sys.exit(f"{path}:{lineno}: layout GROUP.FIELD BYTES, 1 to 8 bytes")
            if not 0 <= int(value, 0) < 1 << WIDTHS[kind]:
                sys.exit(f"{path}:{lineno}: {name} = {value} does not fit in {WIDTHS[kind]} bits")
            rows.append((kind, name, int(value, 0), desc))
    seen = {}
    for kind, name, value, _ in rows:
        if kind in ("const", "layout"):
            continue  # constants may share values, layouts are sizes; the rest are numberings
        if (kind, value) in seen:
            sys.exit(f"{path}: {kind} {name} reuses value {value} of {seen[(kind, value)]}")
        seen[(kind, value)] = name
    return rows


def stat_count(rows):
    """Counters in the statistics block: one past the highest index."""
    return max(v for k, _, v, _ in rows if k == "stat") + 1


def layouts(rows):
    """The layout rows as offsets: (NAME, value, description) for each field's byte offset
    (AT_G_F), size (SIZE_G_F) and bit position in its group's fixed part packed first byte
    highest (LSB_G_F), and each group's fixed length (HDR_G). A group named after a message
    starts at byte 2, after the type and arg bytes (counted in HDR); any other (an event's
    fields) at byte 0. A group's fields are consecutive lines, in wire order (big-endian)."""
    msgs = {name for kind, name, _, _ in rows if kind == "msg"}
    groups = {}
    for kind, name, size, desc in rows:
        if kind != "layout":
            continue
        group, field = name.split(".")
        if group in groups and list(groups)[-1] != group:
            sys.exit(f"spec: layout {group}'s fields are not consecutive")
        groups.setdefault(group, []).append((field, size, desc))
    out = []
    for group, fields in groups.items():
        at = 2 if group in msgs else 0
        hdr = at + sum(size for _, size, _ in fields)
        for field, size, desc in fields:
            out.append((f"AT_{group}_{field}", at, f"byte offset of {group}'s {field.lower()}: {desc}"))
            out.append((f"SIZE_{group}_{field}", size, f"bytes of {group}'s {field.lower()}"))
            out.append((f"LSB_{group}_{field}", (hdr - at - size) * 8,
                        f"bit of {group}'s {field.lower()} in its fixed part, first byte highest"))
            at += size
        out.append((f"HDR_{group}", hdr, f"bytes of {group}'s fixed part"))
    out += [(f"HDR_{m}", 2, f"bytes of {m}'s fixed part (type and arg)")
            for kind, m, _, _ in rows if kind == "msg" and m not in groups]
    return out


def listing(rows):
    """Every generated name and its value, as both headers define them."""
    return ([(f"{kind.upper()}_{name}", value) for kind, name, value, _ in rows if kind != "layout"]
            + [("STAT_COUNT", stat_count(rows))]
            + [(name, value) for name, value, _ in layouts(rows)])


def verilog(rows):
    out = ["// Generated from spec/toe.spec by scripts/gen_defs.py. Do not edit.",
           "// Every module includes all definitions and uses only some of them.",
           "/* verilator lint_off UNUSEDPARAM */", ""]
    for kind, name, value, desc in rows:
        if kind == "layout":
            continue
        width = WIDTHS[kind]
        out.append(f"localparam [{width - 1}:0] {kind.upper()}_{name} = {width}'d{value}; // {desc}")
    out.append(f"localparam STAT_COUNT = {stat_count(rows)};")
    out += [f"localparam {name} = {value}; // {desc}" for name, value, desc in layouts(rows)]
    out.append("/* verilator lint_on UNUSEDPARAM */")
    return "\n".join(out) + "\n"


def c_header(rows):
    out = ["/* Generated from spec/toe.spec by scripts/gen_defs.py. Do not edit. */",
           "#ifndef TOE_DEFS_H", "#define TOE_DEFS_H", ""]
    stats = [r for r in rows if r[0] == "stat"]
    for kind, name, value, desc in rows:
        if kind == "layout":
            continue
        text = str(value) if kind == "stat" else f"0x{value:x}u"
        out.append(f"#define TOE_{kind.upper()}_{name} {text} /* {desc} */")
    out += [f"#define TOE_{name} {value}u /* {desc} */" for name, value, desc in layouts(rows)]
    out += ["", f"#define TOE_STAT_COUNT {stat_count(rows)}", "",
            "/* Counter names, indexed by TOE_STAT_*. */",
            "static const char *const toe_stat_names[TOE_STAT_COUNT] = {"]
    for _, name, value, _ in sorted(stats, key=lambda r: r[2]):
        out.append(f'    [{value}] = "{name.lower()}",')
    out += ["};", "", "#endif", ""]
    return "\n".join(out)


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--list":
        for name, value in listing(parse(sys.argv[2])):
            print(name, value)
        return
    if len(sys.argv) != 4:
        sys.exit("usage: gen_defs.py SPEC OUT.vh OUT.h  |  gen_defs.py --list SPEC")
    rows = parse(sys.argv[1])
    with open(sys.argv[2], "w") as f:
        f.write(verilog(rows))
    with open(sys.argv[3], "w") as f:
        f.write(c_header(rows))


if __name__ == "__main__":
    main()
