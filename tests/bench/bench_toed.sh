#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# bench_toed: host CPU of the daemon toed(8) on the virtual board (toe-sim, slirp): CPU time
# per MB moved through the daemon, in the daemon and in the client (`toe get` through
# toed:), beside the same download with libtoe in the client (no daemon); and the daemon's
# CPU while idle for a few seconds. Figures, not a test: it prints FIGURE lines.
#
#   tests/bench/bench_toed.sh      MB=size of the download (default 20), IDLE_S (default 5)
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/scripts/lib/netns.sh" # wait_ready
out=${OUT:-$top/build/bench/toed}
mb=${MB:-20}
idle_s=${IDLE_S:-5}
toe=$top/build/bin/toe
toed=$top/build/bin/toed
sim=$top/build/bin/toe-sim
rm -rf "$out"
mkdir -p "$out/www"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
head -c $((mb << 20)) /dev/urandom >"$out/www/blob"

python3 -u -m http.server --bind 127.0.0.1 --directory "$out/www" 0 >"$out/http.log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do grep -q "port" "$out/http.log" && break; sleep 0.1; done
port=$(sed -n 's/.*port \([0-9]*\).*/\1/p' "$out/http.log" | head -n 1)
url=http://10.0.2.2:$port/blob

"$sim" --net slirp --link "unix:$out/link.sock" --link-phy fifo >/dev/null 2>"$out/sim.log" &
simpid=$!
pids+=($simpid)
wait_ready "$out/sim.log" "$simpid" 60

# cpu_ticks PID: user + system clock ticks of a process so far
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)
# run_cpu CMD...: run it, print the CPU seconds (user + system) it and its children used
run_cpu() {
    python3 -c 'import resource, subprocess, sys
r = subprocess.run(sys.argv[1:]).returncode
u = resource.getrusage(resource.RUSAGE_CHILDREN)
print("%.3f" % (u.ru_utime + u.ru_stime)) if r == 0 else sys.exit(r)' "$@"
}

# Direct: libtoe in the client.
direct=$(run_cpu "$toe" -d "sim:$out/link.sock" get -q -o "$out/direct" "$url")
for _ in $(seq 100); do grep -q "link client disconnected" "$out/sim.log" && break; sleep 0.1; done

"$toed" -d "sim:$out/link.sock" -s "$out/toed.sock" 2>"$out/toed.log" &
toedpid=$!
pids+=($toedpid)
for _ in $(seq 100); do [ -S "$out/toed.sock" ] && break; sleep 0.1; done
t0=$(cpu_ticks "$toedpid")
client=$(run_cpu "$toe" -d "toed:$out/toed.sock" get -q -o "$out/via" "$url")
t1=$(cpu_ticks "$toedpid")
cmp -s "$out/via" "$out/www/blob" || { echo "bench_toed: the download through toed differs"; exit 1; }
sleep 1
i0=$(cpu_ticks "$toedpid")
sleep "$idle_s"
i1=$(cpu_ticks "$toedpid")

awk -v mb="$mb" -v d="$direct" -v c="$client" -v t0="$t0" -v t1="$t1" -v hz="$hz" \
    -v i0="$i0" -v i1="$i1" -v idle="$idle_s" 'BEGIN {
    daemon = (t1 - t0) / hz
    printf "FIGURE toed_cpu_ms_per_mb_daemon %.2f (%d MB, %.2f s)\n", daemon * 1000 / mb, mb, daemon
    printf "FIGURE toed_cpu_ms_per_mb_client %.2f (toe get through toed:)\n", c * 1000 / mb
    printf "FIGURE toed_cpu_ms_per_mb_total %.2f\n", (daemon + c) * 1000 / mb
    printf "FIGURE direct_cpu_ms_per_mb %.2f (toe get with libtoe in the client)\n", d * 1000 / mb
    printf "FIGURE toed_idle_cpu_ms %.0f (over %d s, clock tick %.0f ms)\n", (i1 - i0) * 1000 / hz, idle, 1000 / hz
}'
