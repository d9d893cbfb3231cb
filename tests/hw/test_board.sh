#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_board: first-light checks on a real board (docs/BOARDS.md): `toe info` answers with the
# toe ID and `toe ping` reaches a host on the board's Ethernet segment.
#   TOE_DEVICE=ftdi-uart:0403:6010:B@12000000 TOE_PING_HOST=192.168.1.1 tests/hw/test_board.sh
# Skips (exit 77) with the reason when no board is attached or configured.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
toe=$top/build/bin/toe

[ -n "${TOE_DEVICE:-}" ] || { echo "SKIP: test_board: no board configured (set TOE_DEVICE, see docs/BOARDS.md)"; exit 77; }
case "$TOE_DEVICE" in sim:*) echo "SKIP: test_board: TOE_DEVICE is the virtual board"; exit 77 ;; esac
if ! info=$("$toe" info 2>&1); then
    case "$info" in
        *"no FTDI device"*|*"No such file"*) echo "SKIP: test_board: no board attached ($info)"; exit 77 ;;
    esac
    echo "FAIL: toe info: $info"; exit 1
fi
grep -q toe1 <<<"$info" || { echo "FAIL: toe info did not report the toe ID: $info"; exit 1; }
echo "PASS: toe info"
if [ -n "${TOE_PING_HOST:-}" ]; then
    "$toe" ping -c 3 "$TOE_PING_HOST" || { echo "FAIL: toe ping $TOE_PING_HOST"; exit 1; }
    echo "PASS: toe ping $TOE_PING_HOST"
fi
