#!/usr/bin/env bash
# Netlist bench: simulate a board top as synthesised for the FPGA.
#   scripts/netlist_bench.sh BOARD      (versa, colorlight-i9, colorlight-i5)
# yosys synth_ecp5 with the board's parameters (scripts/ecp5_build.sh --netlist) and the
# bench's short timers writes build/netlist/BOARD/netlist.v; Icarus runs it with yosys's ECP5
# cell models (cells_sim.v; simcells.v for the tristate buffers) and the primitive models
# under rtl/top/sim_models through tests/netlist/tb.v (ARP, ICMP echo, a bad-FCS frame, and a
# TCP exchange through the board's host-link pins when the netlist has TCP slots).
# NETLIST_PARAMS="NAME=VALUE ..." adds top-level parameters after the board's (e.g.
# NETLIST_PARAMS="TCP_SLOTS=8" for a board built without the engine). Prints PASS and the
# wall times.
set -euo pipefail
board=${1:?usage: netlist_bench.sh BOARD}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
out=build/netlist/$board
mkdir -p "$out"
seed=${SEED:-$(( $(date +%s) % 100000 ))}

# yosys's data directory (yosys-config is in the -dev package, not always installed).
datdir=$(yosys-config --datdir 2>/dev/null ||
         echo "$(dirname "$(dirname "$(command -v yosys)")")/share/yosys")
cells=$datdir/ecp5/cells_sim.v
[ -f "$cells" ] || { echo "netlist_bench: $cells missing (yosys ECP5 cell models)" >&2; exit 1; }

# The timers of tests/rtl/board_tops (microseconds instead of the boards' 20 ms resets).
case "$board" in
versa) short="PHY_RST_CYCLES=200 PHY_WAIT_CYCLES=200 METER_WIN_LOG2=10"; defs=(-DBOARD_VERSA) ;;
colorlight-*) short="PHY_RST_CYCLES=50 PHY_WAIT_CYCLES=50 METER_WIN_LOG2=8"; defs=() ;;
*) echo "netlist_bench: unknown board '$board'" >&2; exit 2 ;;
esac
short+=" ACT_LOG2=6 ERR_LOG2=8 HB_LOG2=12"

t0=$(date +%s)
ECP5_PARAMS="$short ${NETLIST_PARAMS:-}" scripts/ecp5_build.sh --netlist "$board" "$out/netlist.v"
t1=$(date +%s)
# yosys 0.23's DP16KD in cells_sim.v has ports but no behaviour: compile ours instead
# (tests/rtl/lib/DP16KD.v, checked by tests/rtl/dp16kd_model).
sed '/^module DP16KD(/,/^endmodule/d' "$cells" >"$out/cells_sim.v"
iverilog -g2005 -Wno-timescale -o "$out/tb.vvp" -I build/gen -I tests/rtl/lib -I "$datdir/ecp5" \
    "${defs[@]}" -s tb tests/netlist/tb.v "$out/netlist.v" "$out/cells_sim.v" tests/rtl/lib/DP16KD.v \
    "$datdir/simcells.v" rtl/top/sim_models/*.v
t2=$(date +%s)
echo "netlist $board${NETLIST_PARAMS:+ ($NETLIST_PARAMS)}: seed $seed"
vvp -n "$out/tb.vvp" "+seed=$seed" | tee "$out/run.log"
t3=$(date +%s)
grep -q '^PASS' "$out/run.log" || { echo "netlist $board: FAILED (seed $seed)"; exit 1; }
echo "netlist $board: synthesis $((t1 - t0)) s, compile $((t2 - t1)) s, simulation $((t3 - t2)) s"
