#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# make demo: start the virtual board (the Verilated FPGA) with the Linux kernel as its network
# peer, through a TAP device in a private namespace, and let Linux ping it: ARP and ICMP echo
# are answered by the RTL. Prints the pings and the device's counters, then removes everything
# it started. Needs root (network namespace and TAP).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/lib/netns.sh"

if [ "$(id -u)" != 0 ] || [ ! -c /dev/net/tun ]; then
    echo "demo: needs root and /dev/net/tun (it creates a network namespace with a TAP device)" >&2
    exit 1
fi

ns=toe-demo-$$
out=$top/build/demo
mkdir -p "$out"
simpid=""
cleanup() {
    [ -n "$simpid" ] && kill -TERM "$simpid" 2>/dev/null && wait "$simpid" 2>/dev/null
    netns_down "$ns"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

netns_tap_up "$ns" 10.9.0.1/24
rm -f "$out/toe-sim.log"  # wait_ready must not see an earlier run's ready line
nsenter --net="/run/netns/$ns" "$top/build/bin/toe-sim" --net tap:tap0 --ip 10.9.0.2/24 --gw 10.9.0.1 \
    --pcap "$out/demo.pcap" --stats >"$out/stats.txt" 2>"$out/toe-sim.log" &
simpid=$!
wait_ready "$out/toe-sim.log" "$simpid" || { echo "demo: toe-sim did not start:" >&2; cat "$out/toe-sim.log" >&2; exit 1; }
head -n 1 "$out/toe-sim.log"

echo "== Linux pings the simulated FPGA (10.9.0.2), 56 and 1472 bytes of payload"
netns_run "$ns" ping -n -c 3 -i 0.2 -W 5 10.9.0.2
netns_run "$ns" ping -n -c 3 -i 0.2 -W 5 -s 1472 10.9.0.2
echo "== Linux's ARP entry for the device (answered by the RTL)"
netns_run "$ns" ip neigh show 10.9.0.2

kill -TERM "$simpid"; wait "$simpid"; simpid=""
echo "== device counters"
grep -E '^(rx|tx)_' "$out/stats.txt" | grep -v ' 0$'
echo "== capture: $out/demo.pcap (open it with wireshark or tshark)"
