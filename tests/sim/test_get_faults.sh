#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_get_faults: `toe get` of a 1 MB file through the virtual board (toe-sim with libslirp)
# while toe-sim drops 4 %, duplicates 2 %, reorders 2 % and corrupts 1 % of the frames each
# way, with toe get's default options (no --timeout): its 30 s timeouts are device time, so
# the slirp peer's retransmission timeouts (device time too) fit in them however slowly the
# model runs. Checks the SHA-256 of the file, and that toe-sim skipped idle time
# (sim_idle_skips > 0: without that the fetch takes an hour of wall time). Prints the wall
# and device time as FIGURE lines; no timing is asserted.
#
#   tests/sim/test_get_faults.sh
#
# SEED sets the fault seed (default 1); BIN the folder of toe and toe-sim (default
# build/bin); WALL a wall-clock guard in seconds on the fetch (default 600); OUT the output
# folder (build/tests/get_faults). Everything started is stopped.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/scripts/lib/netns.sh" # wait_ready
out=${OUT:-$top/build/tests/get_faults}
bin=${BIN:-$top/build/bin}
seed=${SEED:-1}
wall=${WALL:-600}
toe=$bin/toe
sim=$bin/toe-sim
rm -rf "$out"
mkdir -p "$out/www"
sock=$out/link.sock
log=$out/toe-sim.log
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
for f in "$toe" "$sim"; do [ -x "$f" ] || { echo "FAIL test_get_faults: $f not built"; exit 1; }; done

python3 -c 'import random, sys; sys.stdout.buffer.write(random.Random(17).randbytes(1 << 20))' \
    >"$out/www/1m"
python3 -u - "$out/www" >"$out/port" 2>"$out/server.log" <<'PY' &
import functools, http.server, socketserver, sys
class S(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
h = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1])
h.func.protocol_version = "HTTP/1.1"
s = S(("127.0.0.1", 0), h)
print(s.server_address[1], flush=True)
s.serve_forever()
PY
pids+=($!)
for _ in $(seq 50); do [ -s "$out/port" ] && break; sleep 0.1; done
port=$(head -n 1 "$out/port")
[ -n "$port" ] || { echo "FAIL test_get_faults: the HTTP server did not start"; exit 1; }

"$sim" --net slirp --link "unix:$sock" --link-phy fifo --drop 4 --dup 2 --reorder 2 \
    --corrupt 1 --seed "$seed" --stats >"$out/stats.txt" 2>"$log" &
simpid=$!
pids+=($simpid)
wait_ready "$log" "$simpid" 60 || { echo "FAIL test_get_faults: toe-sim did not start"; cat "$log"; exit 1; }

failed=0
start=$(date +%s.%N)
rc=0
timeout "$wall" "$toe" -d "sim:$sock" get -o "$out/got" "http://10.0.2.2:$port/1m" \
    2>"$out/get.err" || rc=$?
end=$(date +%s.%N)
kill -TERM "$simpid"
wait "$simpid" || true
stat() { awk -v k="$1" '$1 == k { print $2 }' "$out/stats.txt"; }
dev_ps=$(stat sim_time_ps)
echo "FIGURE get_faults seed $seed: $(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }') s wall," \
    "$(awk -v p="${dev_ps:-0}" 'BEGIN { printf "%.1f", p / 1e12 }') s device time," \
    "$(awk -v p="$(stat sim_idle_skipped_ps)" 'BEGIN { printf "%.1f", p / 1e12 }') s of it skipped idle" \
    "in $(stat sim_idle_skips) skips; faults to_rtl dropped $(stat sim_fault_to_rtl_dropped)," \
    "to_net dropped $(stat sim_fault_to_net_dropped)"
if [ "$rc" != 0 ]; then
    guard=""
    [ "$rc" = 124 ] && guard=" (stopped by the $wall s wall guard)"
    echo "FAIL test_get_faults_1m_sha256: toe get exit $rc$guard: $(head -c 300 "$out/get.err")"
    failed=1
elif [ "$(sha256sum <"$out/got")" != "$(sha256sum <"$out/www/1m")" ]; then
    echo "FAIL test_get_faults_1m_sha256: content differs"
    failed=1
else
    echo "PASS test_get_faults_1m_sha256 (1048576 bytes through 4 % drop, 2 % dup, 2 % reorder, 1 % corruption)"
fi
if [ "$(stat sim_idle_skips)" -gt 0 ] 2>/dev/null; then
    echo "PASS test_get_faults_idle_skip_engaged ($(stat sim_idle_skips) skips)"
else
    echo "FAIL test_get_faults_idle_skip_engaged: sim_idle_skips '$(stat sim_idle_skips)'"
    failed=1
fi
exit "$failed"
