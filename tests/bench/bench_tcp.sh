#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# bench_tcp: goodput of one TCP transfer each way through the virtual board against libslirp,
# on each link PHY model, in device (simulated) time, as a fraction of that link's payload
# rate. Figures, not a test. BYTES (default 10 MB) sets the size.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/scripts/lib/netns.sh" # wait_ready
bytes=${BYTES:-10000000}
out=$top/build/bench/tcp
mkdir -p "$out"
cosim=$top/build/tests/test_tcp_cosim
peer=$top/tests/sim/test_tcp_peer.py
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

for mode in source sink; do
    rm -f "$out/$mode.port"
    python3 -u "$peer" "$mode" --bytes "$bytes" --seed 7 --out "$out" >"$out/$mode.port" &
    pids+=($!)
    for _ in $(seq 600); do [ -s "$out/$mode.port" ] && break; sleep 0.1; done # the peer makes its stream first (wall-clock guard)
done

# link PHY model, payload rate in bytes/s each way (uart: 10 bits per byte; the FT245 FIFO's
# 60 MB/s is shared by both directions)
for phy in uart:12000000 fifo; do
    case $phy in uart:*) rate=1200000 ;; fifo) rate=60000000 ;; esac
    sock=$out/link.sock
    rm -f "$sock" "$out/toe-sim.log"
    # --no-skip-idle: the idle skip counts the host program's wall-time latency as device time
    # (on a loaded machine 2 of 13 1 MB FIFO uploads gave 0.50 and 0.58: 11.6 ms of device
    # time skipped between the handshake and the first TX_DATA); the figure is the device's.
    "$top/build/bin/toe-sim" --net slirp --link "unix:$sock" --link-phy "$phy" --no-skip-idle \
        >/dev/null 2>"$out/toe-sim.log" &
    sim=$!
    wait_ready "$out/toe-sim.log" "$sim" 60 || { echo "bench_tcp: toe-sim did not start"; exit 1; }
    for dir in download upload; do
        port=$(head -n 1 "$out/$([ $dir = download ] && echo source || echo sink).port")
        "$cosim" "sim:$sock" "$dir" 10.0.2.2 "$port" "$bytes" 7 >"$out/$dir.out" 2>&1 ||
            { echo "bench_tcp: $dir on $phy failed"; cat "$out/$dir.out"; exit 1; }
        fig=$(grep -m1 'FIGURE .*bytes in' "$out/$dir.out" | sed 's/^ *FIGURE //')
        mbps=$(sed -n 's/.*, \([0-9.]*\) Mb\/s.*/\1/p' <<<"$fig")
        frac=$(python3 -c "print(f'{$mbps * 1e6 / 8 / $rate:.3f}')")
        echo "tcp $dir $bytes bytes, link $phy: $fig = $frac of the link's $rate B/s"
    done
    kill -TERM "$sim"; wait "$sim" || true
done
