#!/usr/bin/env bash
# Run one RTL unit bench with Icarus: scripts/rtl_bench.sh tests/rtl/NAME
# The bench directory holds tb.v with a top module `tb` that prints "PASS" on success and
# calls $fatal on failure. SEED=N picks the random seed (printed); WAVES=1 dumps build/rtl/NAME.vcd;
# DEFS="NAME=VALUE ..." defines macros for the bench (e.g. a bench's build-time size).
set -euo pipefail
dir=${1:?usage: rtl_bench.sh tests/rtl/NAME}
name=$(basename "$dir")
top=$(cd "$(dirname "$0")/.." && pwd)
out="$top/build/rtl/$name"
mkdir -p "$out"
seed=${SEED:-$(( $(date +%s) % 100000 ))}
defs=()
[ "${WAVES:-0}" = 1 ] && defs+=(-DWAVES "-DWAVES_FILE=\"$out/$name.vcd\"")
for d in ${DEFS:-}; do defs+=("-D$d"); done
mapfile -t rtl < <(find "$top/rtl" -name '*.v' -not -path '*/top/*' | sort)
iverilog -g2005 -Wall -Wno-timescale -o "$out/tb.vvp" -I "$top/build/gen" -I "$top/rtl" -I "$top/tests/rtl/lib" \
    "${defs[@]}" -s tb "$dir"/*.v "${rtl[@]}"
echo "$name: seed $seed"
log="$out/run.log"
vvp -n "$out/tb.vvp" "+seed=$seed" | tee "$log"
grep -q '^PASS' "$log" || { echo "$name: FAILED (seed $seed)"; exit 1; }
