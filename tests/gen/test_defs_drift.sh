#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_defs_drift: the Verilog and the C definitions generated from spec/toe.spec must give
# every name the same value. A Verilog bench prints each localparam as Verilog sees it (after
# its declared width), a C program prints each #define; the two lists must be identical and
# must match the spec (the message layouts as the offsets the generator numbers). Fails on a
# value too wide for its Verilog width, a name missing on one side, or generated files out of
# date with the spec.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
out=$top/build/tests/defs_drift
mkdir -p "$out"
python3 "$top/scripts/gen_defs.py" "$top/spec/toe.spec" "$out/toe_defs.vh" "$out/toe_defs.h"
for f in toe_defs.vh toe_defs.h; do
    cmp -s "$out/$f" "$top/build/gen/$f" || { echo "FAIL: build/gen/$f is out of date with spec/toe.spec"; exit 1; }
done

# Every generated name and its value (gen_defs.py --list); each spec line that is not a
# layout must be there as KIND_NAME with its value (layouts become offsets: AT_*, HDR_*, ...).
python3 "$top/scripts/gen_defs.py" --list "$top/spec/toe.spec" >"$out/spec.txt"
python3 - "$top/spec/toe.spec" "$out/spec.txt" <<'PY'
import sys
listed = dict(line.split() for line in open(sys.argv[2]))
for line in open(sys.argv[1]):
    line = line.split("#", 1)[0].split()
    if len(line) >= 3 and line[0] != "layout":
        name = f"{line[0].upper()}_{line[1]}"
        if listed.get(name) != str(int(line[2], 0)):
            sys.exit(f"FAIL: {name} = {line[2]} in the spec, {listed.get(name)} generated")
PY

{
    echo '`timescale 1ns / 1ps'
    echo 'module tb;'
    echo '`include "toe_defs.vh"'
    echo 'initial begin'
    while read -r name _; do echo "    \$display(\"$name %0d\", $name);"; done <"$out/spec.txt"
    echo '    $finish;'
    echo 'end'
    echo 'endmodule'
} >"$out/tb.v"
iverilog -g2005 -I "$out" -o "$out/tb.vvp" "$out/tb.v"
vvp -n "$out/tb.vvp" | grep -v '^VCD\|finish' >"$out/verilog.txt"

{
    echo '#include <stdio.h>'
    echo '#include "toe_defs.h"'
    echo 'int main(void) {'
    while read -r name _; do echo "    printf(\"$name %llu\\n\", (unsigned long long)TOE_$name);"; done <"$out/spec.txt"
    echo '    return 0;'
    echo '}'
} >"$out/defs.c"
cc -std=c11 -Wall -Werror -I "$out" -o "$out/defs" "$out/defs.c"
"$out/defs" >"$out/c.txt"

status=0
diff -u "$out/spec.txt" "$out/verilog.txt" >"$out/verilog.diff" || { echo "FAIL: Verilog differs from the spec:"; cat "$out/verilog.diff"; status=1; }
diff -u "$out/spec.txt" "$out/c.txt" >"$out/c.diff" || { echo "FAIL: C differs from the spec:"; cat "$out/c.diff"; status=1; }
[ $status = 0 ] && echo "PASS: $(wc -l <"$out/spec.txt") definitions agree in Verilog, C and spec/toe.spec"
exit $status
