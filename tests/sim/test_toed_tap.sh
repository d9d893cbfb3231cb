#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_toed_tap: the daemon toed(8) against Linux over a TAP device in a private network
# namespace (nothing leaves it). The virtual board is 10.9.3.2 in the namespace, a Python
# http.server there at 10.9.3.1:8000; toed and its clients run outside, on the board's link
# socket:
#   - 8 `toe get` processes through one toed at once, SHA-256 checked
#   - a client killed mid-transfer: its connection is reset (the device's RST to the server's
#     port in the board's capture, or the server's error; counted in client_resets), two
#     others started with it finish
#   - the epoll echo server (examples/echo, toe-echo -s) on the daemon's fds: 4 clients in the
#     namespace at once, each checking what comes back
#   - the daemon killed (SIGKILL) with connections held and a download running: the holder
#     sees its sockets end and the download fails (an error, not a hang); requests fail with a
#     clear error; a new toed on the same board serves again (SHA-256 checked)
#   - toe-echo -d: libtoe itself in the epoll loop, on the board without the daemon
#
#   tests/sim/test_toed_tap.sh     (as root; exit 77 = skipped)   OUT: output folder
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
name=test_toed_tap
. "$top/tests/sim/lib.sh"
need_tap python3 sha256sum
out=${OUT:-$top/build/tests/toed_tap}
toe=$top/build/bin/toe
sim=$top/build/bin/toe-sim
toe_echo=$top/build/bin/toe-echo
toed=${TOED:-$top/build/bin/toed}
client="python3 $top/tests/sim/toed_client.py"
ns=toe-toed-$$
host_ip=10.9.3.1
dev_ip=10.9.3.2
for f in "$toe" "$toed" "$sim" "$toe_echo"; do [ -x "$f" ] || { echo "FAIL $name: $f not built"; exit 1; }; done
trap 'bg_cleanup; netns_down "$ns"' EXIT
trap 'exit 130' INT TERM
netns_tap_up "$ns" "$host_ip/24" || skip "cannot create a network namespace with a TAP device"

rm -rf "$out"
mkdir -p "$out/www" "$out/got"
sock=$out/link.sock
dsock=$out/toed.sock
log=$out/toe-sim.log
pcap=$out/toed_tap.pcap
toed_files "$out/www" 16 30

# The server logs each request with the client's port (to find the killed one's RST).
nsenter --net="/run/netns/$ns" python3 -u - "$out/www" "$host_ip" >"$out/port" 2>"$out/server.log" <<'PY' &
import functools, http.server, sys
class H(http.server.SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, fmt, *a):
        sys.stderr.write("%s:%d %s\n" % (self.client_address[0], self.client_address[1], fmt % a))
s = http.server.ThreadingHTTPServer((sys.argv[2], 8000), functools.partial(H, directory=sys.argv[1]))
s.daemon_threads = True
print(8000, flush=True)
s.serve_forever()
PY
pids+=($!)
for _ in $(seq 50); do [ -s "$out/port" ] && break; sleep 0.1; done
[ -s "$out/port" ] || { echo "FAIL $name: the HTTP server did not start"; cat "$out/server.log"; exit 1; }
base=http://$host_ip:8000

nsenter --net="/run/netns/$ns" "$sim" --net tap:tap0 --ip "$dev_ip/24" --gw "$host_ip" \
    --link "unix:$sock" --link-phy fifo --pcap "$pcap" >"$out/sim.out" 2>"$log" &
simpid=$!
pids+=($simpid)
wait_ready "$log" "$simpid" 60 || { echo "FAIL $name: toe-sim did not start"; cat "$log"; exit 1; }
start_toed "$dsock" "sim:$sock" "$out/toed.log" -v || { echo "FAIL $name: toed did not start"; exit 1; }
export TOE_DEVICE=toed:$dsock

# ---- 8 clients in separate processes at once ----
ok=$(get_check eight f0 f1 f2 f3 f4 f5 f6 f7)
[ "$ok" = 8 ] && pass "test_toed_tap_8_clients_at_once (SHA-256 of all 8 match)" ||
    fail test_toed_tap_8_clients_at_once "$ok of 8 good"

# ---- a client killed mid-transfer: reset; the others go on ----
kill_mid_get
vport=$(sed -n 's/^[0-9.]*:\([0-9]*\) "GET \/big .*/\1/p' "$out/server.log" | head -n 1)
how=""
sleep 1 # the RST reaches the capture
if command -v tshark >/dev/null && [ -n "$vport" ]; then
    nrst=$(tshark -n -r "$pcap" -Y "ip.src==$dev_ip && tcp.srcport==$vport && tcp.dstport==8000 && tcp.flags.reset==1" \
        2>/dev/null | grep -c . || true)
    [ "$nrst" -ge 1 ] && how="$nrst RST from the device to the server's port $vport in the capture"
else
    grep -qE "ConnectionResetError|BrokenPipeError" "$out/server.log" && how="the server saw the reset"
fi
if [ "${big:-0}" -gt 2000000 ] && [ -n "$how" ] && [ "$resets1" -gt "$resets0" ] && [ "$ok" = 2 ]; then
    pass "test_toed_tap_client_killed_reset_others_go_on (killed at $big bytes; $how; client_resets $resets0 -> $resets1)"
else
    fail test_toed_tap_client_killed_reset_others_go_on \
        "big ${big:-0} bytes, port ${vport:-?}: ${how:-no RST seen}, resets $resets0 -> $resets1, $ok of 2 others good"
fi

# ---- the epoll echo server on the daemon's fds, clients in the namespace ----
via="nsenter --net=/run/netns/$ns"
echo_test test_toed_tap_epoll_echo_server "$out/echo_toed.log" "$dev_ip:7000" 7 -s "$dsock"

# ---- the daemon killed under load: errors, not hangs; a new one serves again ----
rm -f "$out/held"
$client hold "$dsock" "$host_ip" 8000 2 "$out/held" >"$out/hold.txt" 2>&1 &
hold=$!
pids+=($hold)
for _ in $(seq 300); do [ -e "$out/held" ] && break; sleep 0.1; done
timeout 600 "$toe" get --timeout 60 -o "$out/got/cut" "$base/big" 2>"$out/got/cut.err" &
cut=$!
get_partial "$out/got/cut" 1000000 >/dev/null
kill -KILL "$toedpid"
wait "$toedpid" 2>/dev/null
rc=0
wait "$cut" || rc=$?
[ "$rc" != 0 ] && [ "$rc" != 124 ] && [ ! -e "$out/got/cut" ] &&
    pass "test_toed_tap_killed_daemon_download_fails (exit $rc: $(head -c 120 "$out/got/cut.err"))" ||
    fail test_toed_tap_killed_daemon_download_fails "exit $rc"
toed_down_check test_toed_tap_killed_daemon "$hold" "$out/hold.txt"
for _ in $(seq 100); do grep -q "link client disconnected" "$log" && break; sleep 0.1; done
ok=0
start_toed "$dsock" "sim:$sock" "$out/toed.log" -v && ok=$(get_check again f3 f5)
[ "$ok" = 2 ] && pass "test_toed_tap_restarted_serves_again (2 downloads, SHA-256 checked)" ||
    fail test_toed_tap_restarted_serves_again "$ok of 2 good: $(tail -n 3 "$out/toed.log")"
kill -TERM "$toedpid"
rc=0
wait "$toedpid" || rc=$?
[ "$rc" = 0 ] && pass test_toed_tap_exits_on_sigterm || fail test_toed_tap_exits_on_sigterm "exit $rc"

# ---- libtoe itself in the epoll loop (no daemon) ----
for _ in $(seq 100); do [ "$(grep -c "link client disconnected" "$log")" -ge 2 ] && break; sleep 0.1; done
echo_test test_toed_tap_epoll_echo_direct "$out/echo_direct.log" "$dev_ip:7000" 11 -d "sim:$sock"
finish
