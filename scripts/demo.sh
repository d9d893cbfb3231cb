#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# make demo: fetch a web page through the simulated FPGA. Starts an HTTP server on the host's
# loopback, the virtual board (the Verilated toe_core) with libslirp as its network, and runs
# `toe get http://10.0.2.2:PORT/` through it: libtoe opens the connection (handshake on the
# slow path), the RTL fast path moves the data (segments, checksums, ACKs), and the page is
# printed. Then it shows the device's TCP counters, checks the capture with tshark, and stops
# everything it started (no root needed: slirp is a user-space network).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/lib/netns.sh" # wait_ready
out=$top/build/demo
site=$out/site
sock=$out/link.sock
mkdir -p "$site"
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -f "$sock"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cat >"$site/index.html" <<'EOF'
<!doctype html>
<title>toe demo</title>
<h1>Hello from the simulated FPGA</h1>
<p>This page came through toe_core: a Verilog MAC, IPv4 and TCP datapath running in Verilator,
with the TCP connection set up by libtoe and its data segmented, checksummed and acknowledged
in hardware.</p>
EOF

# The web server on the loopback (slirp's 10.0.2.2 is the host); it reports its port.
rm -f "$out/http_port" "$out/toe-sim.log" "$sock"
python3 -u - "$site" >"$out/http_port" 2>"$out/http.log" <<'PY' &
import functools, http.server, sys
handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1])
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
print(server.server_address[1], flush=True)
server.serve_forever()
PY
pids+=($!)
for _ in $(seq 50); do [ -s "$out/http_port" ] && break; sleep 0.1; done
port=$(head -n 1 "$out/http_port")
[ -n "$port" ] || { echo "demo: the HTTP server did not start" >&2; cat "$out/http.log" >&2; exit 1; }

"$top/build/bin/toe-sim" --net slirp --link "unix:$sock" --pcap "$out/demo.pcap" --stats \
    >"$out/stats.txt" 2>"$out/toe-sim.log" &
sim=$!
pids+=($sim)
wait_ready "$out/toe-sim.log" "$sim" 60 || { echo "demo: toe-sim did not start:" >&2; cat "$out/toe-sim.log" >&2; exit 1; }
head -n 1 "$out/toe-sim.log"

url="http://10.0.2.2:$port/index.html"
echo "== toe get $url  (through the simulated FPGA)"
"$top/build/bin/toe" --device "sim:$sock" get "$url"

kill -TERM "$sim"; wait "$sim"
echo "== device counters (TCP fast path)"
grep -E '^(tcp_|rx_tcp|tx_frames|rx_frames)' "$out/stats.txt" | grep -v ' 0$'
"$top/scripts/pcap_check.sh" "$out/demo.pcap"
echo "== capture: $out/demo.pcap (open it with wireshark or tshark)"
