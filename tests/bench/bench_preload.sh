#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# bench_preload: goodput of one HTTP download through the virtual board (toe-sim, slirp, FIFO
# link model), the same file three ways: `toe get` with libtoe in the client (no daemon),
# `toe get` through toed, and unmodified curl through `toe run` (libtoe-preload.so + toed).
# Goodput in device (simulated) time, from the capture: body bytes over the time from the SYN
# to the last data segment of that connection; wall seconds beside it. Figures, not a test:
# it prints FIGURE lines.
#
#   tests/bench/bench_preload.sh      MB=size of the download (default 10)
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/scripts/lib/netns.sh" # wait_ready
out=${OUT:-$top/build/bench/preload}
mb=${MB:-10}
toe=$top/build/bin/toe
toed=$top/build/bin/toed
sim=$top/build/bin/toe-sim
command -v tshark >/dev/null || { echo "bench_preload: tshark not installed"; exit 1; }
command -v curl >/dev/null || { echo "bench_preload: curl not installed"; exit 1; }
rm -rf "$out"
mkdir -p "$out/www"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
bytes=$((mb * 1000000))
head -c "$bytes" /dev/urandom >"$out/www/blob"

python3 -u -m http.server --bind 127.0.0.1 --directory "$out/www" 0 >"$out/http.log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do grep -q "port" "$out/http.log" && break; sleep 0.1; done
port=$(sed -n 's/.*port \([0-9]*\).*/\1/p' "$out/http.log" | head -n 1)
url=http://10.0.2.2:$port/blob

"$sim" --net slirp --link "unix:$out/link.sock" --link-phy fifo --pcap "$out/bench.pcap" \
    >/dev/null 2>"$out/sim.log" &
simpid=$!
pids+=($simpid)
wait_ready "$out/sim.log" "$simpid" 60

# wall CMD...: run it, print its wall seconds
wall() {
    local t0 t1
    t0=$(date +%s.%N)
    "$@" >/dev/null
    t1=$(date +%s.%N)
    awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }'
}
check() { cmp -s "$1" "$out/www/blob" || { echo "bench_preload: $2: the download differs"; exit 1; }; }

w_direct=$(wall "$toe" -d "sim:$out/link.sock" get -q -o "$out/direct" "$url")
check "$out/direct" "toe get"
for _ in $(seq 100); do grep -q "link client disconnected" "$out/sim.log" && break; sleep 0.1; done
"$toed" -d "sim:$out/link.sock" -s "$out/toed.sock" 2>"$out/toed.log" &
pids+=($!)
for _ in $(seq 100); do [ -S "$out/toed.sock" ] && break; sleep 0.1; done
w_toed=$(wall "$toe" -d "toed:$out/toed.sock" get -q -o "$out/toed" "$url")
check "$out/toed" "toe get through toed"
w_curl=$(wall "$toe" -d "toed:$out/toed.sock" run curl -sS -o "$out/curl" "$url")
check "$out/curl" "curl through toe run"
kill -TERM "$simpid"
wait "$simpid" || true

# Per connection to the server, in order: SYN time, last data time (simulated seconds).
{
    tshark -r "$out/bench.pcap" -Y "tcp.dstport == $port && tcp.flags.syn == 1 && tcp.flags.ack == 0" 2>/dev/null \
        -T fields -e tcp.stream -e frame.time_epoch | awk '{ print "syn", $1, $2 }'
    tshark -r "$out/bench.pcap" -Y "tcp.srcport == $port && tcp.len > 0" 2>/dev/null \
        -T fields -e tcp.stream -e frame.time_epoch | awk '{ print "data", $1, $2 }'
} >"$out/times.txt"
awk -v bytes="$bytes" -v mb="$mb" -v wd="$w_direct" -v wt="$w_toed" -v wc="$w_curl" '
    $1 == "syn" && !($2 in syn) { syn[$2] = $3; order[n++] = $2 }
    $1 == "data" { last[$2] = $3 }
    END {
        if (n != 3) { print "bench_preload: expected 3 connections in the capture, saw " n; exit 1 }
        split("toe_get_direct toe_get_toed curl_preload", name, " ")
        w[1] = wd; w[2] = wt; w[3] = wc
        for (i = 0; i < 3; i++) {
            s = order[i]
            t = last[s] - syn[s]
            g[i + 1] = bytes * 8 / t / 1e6
            printf "FIGURE preload_goodput_%s %.1f Mb/s device time (%d MB in %.3f s simulated, %.1f s wall)\n",
                name[i + 1], g[i + 1], mb, t, w[i + 1]
        }
        printf "FIGURE preload_curl_vs_toe_get %.3f (curl through toe run / toe get direct, device-time goodput)\n", g[3] / g[1]
    }' "$out/times.txt"
