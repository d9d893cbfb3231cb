#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_iperf: `toe iperf` (the device's on-chip traffic source and sink, rtl/core/toe_traffic.v)
# through the virtual board against Linux's TCP over a TAP device in a private network namespace
# (tests/sim/iperf_peer.py at 10.9.0.1; the device is 10.9.0.2), then against libslirp (the
# peer on this machine's loopback). Source: the peer gets exactly BYTES and checks every byte
# of the pattern. Sink (-R): the peer sends BYTES, the device's sink and the host together
# account for every byte. A source for 5 ms of device time, stopped and closed by the host:
# the peer gets exactly what the device generated. Over the FIFO link model, whose 60 MB/s is half the wire. The
# throughput in device time is printed as FIGURE lines (not asserted).
#
#   tests/sim/test_iperf.sh [tap|slirp|both]   (tap needs root; exit 77 = skipped)   BYTES=N
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/scripts/lib/netns.sh"
what=${1:-both}
bytes=${BYTES:-4194304}
phy=${LINK_PHY:-fifo}
poll=${POLL:-10us}
toe=$top/build/bin/toe
sim=$top/build/bin/toe-sim
peer=$top/tests/sim/iperf_peer.py
for b in "$toe" "$sim"; do [ -x "$b" ] || { echo "FAIL test_iperf: $b not built"; exit 1; }; done
out=$top/build/tests/iperf
mkdir -p "$out"
ns=toe-iperf-$$
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    netns_down "$ns"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
fail=0
ran=0
pass() { echo "PASS $*"; }
bad() { echo "FAIL $*"; fail=1; }

# start_peer NAME MODE [args]: the peer in the background (in the namespace for tap); its
# port is in $out/NAME.port
start_peer() {
    local name=$1; shift
    rm -f "$out/$name.port" "$out/$name.out"
    $inns timeout 300 python3 -u "$peer" "$@" --bind "$peer_ip" >"$out/$name.out" & # wall-clock guard
    pids+=($!)
    eval "${name}_pid=$!"
    for _ in $(seq 600); do [ -s "$out/$name.out" ] && break; sleep 0.1; done # wall-clock guard: the peer makes its stream first
    head -n 1 "$out/$name.out" >"$out/$name.port"
}

# figure NAME FILE: the ratio line of a `toe iperf` output as a FIGURE line
figure() {
    local line
    line=$(grep -m1 "of the wire's" "$2")
    echo "FIGURE iperf_$1: ${line:-missing} (toe iperf, $net, link $phy, $bytes bytes)"
}

# one pass over NET (tap or slirp)
pass_run() {
    net=$1
    local sock=$out/link-$net.sock log=$out/toe-sim-$net.log
    rm -f "$sock" "$log"
    if [ "$net" = tap ]; then
        inns="nsenter --net=/run/netns/$ns"
        peer_ip=10.9.0.1
        local simnet=(--net tap:tap0 --ip 10.9.0.2/24 --gw 10.9.0.1)
    else
        inns=""
        peer_ip=127.0.0.1
        local simnet=(--net slirp)
    fi
    start_peer sink sink
    start_peer source source --bytes "$bytes"
    start_peer tsink sink
    local far=$peer_ip
    [ "$net" = slirp ] && far=10.0.2.2
    # --no-skip-idle: the peer lives on wall time, 30-40 times faster than the simulated
    # board; an idle skip while the board waits for its ACK (it comes after the next wall-clock
    # poll, later still on a loaded machine) would count host latency as device time.
    $inns "$sim" "${simnet[@]}" --link "unix:$sock" --link-phy "$phy" --stats --no-skip-idle --poll-interval "$poll" \
        >"$out/stats-$net.txt" 2>"$log" &
    local simpid=$!
    pids+=($simpid)
    if ! wait_ready "$log" "$simpid" 60; then
        bad "test_iperf_$net: toe-sim did not start"
        cat "$log"
        return
    fi
    ran=1
    # source: the peer gets every byte, in order, of the pattern
    timeout 600 "$toe" -d "sim:$sock" iperf "$far" "$(cat "$out/sink.port")" -n "$bytes" \
        >"$out/source-$net.txt" 2>&1
    local rc=$?
    sed 's/^/  /' "$out/source-$net.txt"
    [ $rc = 0 ] && pass "test_iperf_${net}_source_exit" || bad "test_iperf_${net}_source_exit: status $rc"
    wait "$sink_pid"
    local res
    res=$(tail -n 1 "$out/sink.out")
    [ "$res" = "bytes $bytes errors 0 first_error -1" ] \
        && pass "test_iperf_${net}_source_bytes_checked ($res)" \
        || bad "test_iperf_${net}_source_bytes_checked: peer says '$res', want $bytes bytes, no error"
    grep -q "device source generated $bytes bytes" "$out/source-$net.txt" \
        && pass "test_iperf_${net}_source_count" || bad "test_iperf_${net}_source_count"
    grep -q "traffic_bad 0 " "$out/source-$net.txt" \
        && pass "test_iperf_${net}_source_no_bad" || bad "test_iperf_${net}_source_no_bad"
    figure "${net}_source" "$out/source-$net.txt"

    # sink: what the device took and what came up to the host before add up to BYTES
    timeout 600 "$toe" -d "sim:$sock" iperf "$far" "$(cat "$out/source.port")" -R \
        >"$out/sink-$net.txt" 2>&1
    rc=$?
    sed 's/^/  /' "$out/sink-$net.txt"
    [ $rc = 0 ] && pass "test_iperf_${net}_sink_exit" || bad "test_iperf_${net}_sink_exit: status $rc"
    wait "$source_pid"
    local took up
    took=$(sed -n 's/^device sink took \([0-9]*\) bytes.*/\1/p' "$out/sink-$net.txt")
    up=$(sed -n 's/.*, \([0-9]*\) came up to the host.*/\1/p' "$out/sink-$net.txt")
    [ -n "$took" ] && [ -n "$up" ] && [ $((took + up)) = "$bytes" ] && [ "$took" -gt $((bytes / 2)) ] \
        && pass "test_iperf_${net}_sink_count (sink $took + host $up)" \
        || bad "test_iperf_${net}_sink_count: sink ${took:-?} + host ${up:-?}, want $bytes"
    figure "${net}_sink" "$out/sink-$net.txt"

    # source for a time: stopped by the host, then closed; the peer gets what the device
    # generated, every byte checked (the FIN goes after the device's TX_END)
    timeout 600 "$toe" -d "sim:$sock" iperf "$far" "$(cat "$out/tsink.port")" -t 0.005 \
        >"$out/timed-$net.txt" 2>&1
    rc=$?
    sed 's/^/  /' "$out/timed-$net.txt"
    wait "$tsink_pid"
    local gen
    gen=$(sed -n 's/^device source generated \([0-9]*\) bytes.*/\1/p' "$out/timed-$net.txt")
    res=$(tail -n 1 "$out/tsink.out")
    [ $rc = 0 ] && [ -n "$gen" ] && [ "$res" = "bytes $gen errors 0 first_error -1" ] \
        && pass "test_iperf_${net}_timed_source ($res)" \
        || bad "test_iperf_${net}_timed_source: status $rc, generated ${gen:-?}, peer says '$res'"

    # bad arguments: a clear error, exit status 2
    "$toe" -d "sim:$sock" iperf "$far" 5001 -n 0 >"$out/bad.txt" 2>&1
    rc=$?
    [ $rc = 2 ] && grep -q "needs BYTES" "$out/bad.txt" && pass "test_iperf_${net}_bad_bytes" \
        || bad "test_iperf_${net}_bad_bytes: status $rc: $(cat "$out/bad.txt")"
    "$toe" -d "sim:$sock" iperf "$far" 5001 -n 1M -t 2 >"$out/bad.txt" 2>&1
    rc=$?
    [ $rc = 2 ] && grep -q "exclude" "$out/bad.txt" && pass "test_iperf_${net}_bad_n_and_t" \
        || bad "test_iperf_${net}_bad_n_and_t: status $rc: $(cat "$out/bad.txt")"

    kill -TERM "$simpid"
    wait "$simpid" || bad "test_iperf_$net: toe-sim exit status $?"
}

if [ "$what" = tap ] || [ "$what" = both ]; then
    if [ "$(id -u)" != 0 ] || [ ! -c /dev/net/tun ] || ! command -v nsenter >/dev/null; then
        echo "SKIP test_iperf_tap: needs root, /dev/net/tun and nsenter"
    elif ! netns_tap_up "$ns" 10.9.0.1/24; then
        echo "SKIP test_iperf_tap: cannot create a network namespace with a TAP device"
    else
        pass_run tap
        netns_down "$ns"
    fi
fi
if [ "$what" = slirp ] || [ "$what" = both ]; then
    pass_run slirp
fi
[ $ran = 1 ] || { echo "SKIP: test_iperf: nothing could run"; exit 77; }
echo "test_iperf: $([ $fail = 0 ] && echo passed || echo FAILED)"
exit $fail
