#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_cosim_link: the host library and the `toe` command against the virtual board over the
# sim: transport, with libslirp as the network peer and a UDP echo server on the loopback.
# Runs test_cosim_link (API checks), then `toe info`, `toe stats` and `toe ping 10.0.2.2`,
# and checks the capture with tshark. Everything it starts is stopped on exit.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/scripts/lib/netns.sh" # wait_ready
out=$top/build/tests/cosim_link
mkdir -p "$out"
sock=$out/link.sock
log=$out/toe-sim.log
pcap=$out/cosim_link.pcap
toe=$top/build/bin/toe
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

# A UDP echo server on the host's loopback: slirp's 10.0.2.2 reaches it. It writes its port
# to a fresh file (an old one would name a port nobody listens on any more).
rm -f "$out/udp_port" "$sock" "$log"
python3 -u -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1], flush=True)
s.settimeout(300)
while True:
    data, peer = s.recvfrom(2048)
    s.sendto(data, peer)
' >"$out/udp_port" &
pids+=($!)
for _ in $(seq 50); do [ -s "$out/udp_port" ] && break; sleep 0.1; done
port=$(head -n 1 "$out/udp_port")

"$top/build/bin/toe-sim" --net slirp --link "unix:$sock" --pcap "$pcap" >"$out/stats.txt" 2>"$log" &
sim=$!
pids+=($sim)
wait_ready "$log" "$sim" 60 || { echo "FAIL: toe-sim did not start"; cat "$log"; exit 1; }

fail=0
"$top/build/tests/test_cosim_link" "sim:$sock" "$port" || fail=1

export TOE_DEVICE=sim:$sock
if info=$("$toe" info 2>&1) && grep -q "toe1" <<<"$info"; then echo "PASS toe info"
else echo "FAIL toe info: $info"; fail=1; fi
if stats=$("$toe" stats 2>&1) && grep -qw "rx_frames" <<<"$stats" && grep -q "link_rx_msgs" <<<"$stats"; then
    echo "PASS toe stats"
else echo "FAIL toe stats: $stats"; fail=1; fi
if ping=$("$toe" ping -c 3 10.0.2.2 2>&1) && grep -q "3 received" <<<"$ping"; then echo "PASS toe ping 10.0.2.2"
else echo "FAIL toe ping: $ping"; fail=1; fi
if err=$("$toe" --device sim:/nonexistent/sock info 2>&1); then echo "FAIL toe info on a missing socket succeeded"; fail=1
elif [ "$(wc -l <<<"$err")" = 1 ]; then echo "PASS toe one-line error: $err"
else echo "FAIL toe error is not one line: $err"; fail=1; fi

kill -TERM "$sim"; wait "$sim" || { echo "FAIL toe-sim exit status $?"; fail=1; sim_crash_report "$log"; }
"$top/scripts/pcap_check.sh" "$pcap" || fail=1
exit $fail
