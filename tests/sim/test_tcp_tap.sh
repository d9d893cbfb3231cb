#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_tcp_tap: libtoe TCP sockets through the virtual board against the Linux kernel's TCP,
# over a TAP device in a private network namespace (nothing leaves it). The far ends
# (test_tcp_peer.py) run inside the namespace at 10.9.0.1; the device is 10.9.0.2. Transfers
# each way with SHA-256 checked, both at once, 8 connections at once, half close, server close,
# a real RST (SO_LINGER 0), refused, a passive open from Linux: clean over the UART link model,
# clean with 10 MB each way over the FIFO model, and through the fault injector at 1% and 5%
# (two seeds each). Every clean capture through scripts/pcap_check.sh.
#
#   tests/sim/test_tcp_tap.sh [PASS...]   (as root; exit 77 = skipped)   SEED=N, BYTES=N
#       PASS: clean, big, faults1_seedN, faults5_seedN (default: all of them)
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/scripts/lib/netns.sh"
skip() { echo "SKIP: test_tcp_tap: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "not root"
[ -c /dev/net/tun ] || skip "/dev/net/tun missing"
for tool in ip nsenter python3; do command -v "$tool" >/dev/null || skip "$tool not installed"; done
cosim=$top/build/tests/test_tcp_cosim
peer=$top/tests/sim/test_tcp_peer.py
[ -x "$cosim" ] || { echo "FAIL test_tcp_tap: $cosim not built"; exit 1; }
ns=toe-tcp-$$
host_ip=10.9.0.1
dev_ip=10.9.0.2
seed=${SEED:-1}
all_passes=(clean big "faults1_seed$seed" "faults5_seed$seed" "faults1_seed$((seed + 1))" "faults5_seed$((seed + 1))")
passes=("$@")
for p in "${passes[@]}"; do
    [[ " ${all_passes[*]} " == *" $p "* ]] || { echo "FAIL test_tcp_tap: no pass '$p' (${all_passes[*]})"; exit 1; }
done
chosen() { [ ${#passes[@]} -eq 0 ] || [[ " ${passes[*]} " == *" $1 "* ]]; }
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    netns_down "$ns"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
netns_tap_up "$ns" "$host_ip/24" || skip "cannot create a network namespace with a TAP device"
fail=0
bad() { echo "FAIL $*"; fail=1; }

# one pass: NAME BYTES LINK_PHY SEED [fault options]; 8 connections of BYTES/10 at once
pass_run() {
    local name=$1 bytes=$2 phy=$3 seed=$4
    shift 4
    local mbytes=$((bytes / 10))
    local nfaults=$#
    local out=$top/build/tests/tcp_tap_$name
    mkdir -p "$out"
    rm -f "$out"/*.bin "$out"/*.port "$out/link.sock" "$out/toe-sim.log" "$out/tcp.pcap"
    local sock=$out/link.sock log=$out/toe-sim.log pcap=$out/tcp.pcap mypids=()
    echo "test_tcp_tap $name: $bytes bytes, 8 x $mbytes at once, link $phy, seed $seed," \
        "faults: ${*:-none}"
    for mode in source sink reverse echo rst; do
        nsenter --net="/run/netns/$ns" python3 -u "$peer" "$mode" --bind "$host_ip" \
            --bytes "$bytes" --seed "$seed" --out "$out" >"$out/$mode.port" &
        mypids+=($!)
    done
    nsenter --net="/run/netns/$ns" python3 -u "$peer" source --bind "$host_ip" \
        --bytes "$mbytes" --seed "$seed" --out "$out" >"$out/msource.port" &
    mypids+=($!)
    for mode in source sink reverse echo rst msource; do
        for _ in $(seq 600); do [ -s "$out/$mode.port" ] && break; sleep 0.1; done # the peer makes its stream first (wall-clock guard)
    done
    nsenter --net="/run/netns/$ns" "$top/build/bin/toe-sim" --net tap:tap0 --ip "$dev_ip/24" \
        --gw "$host_ip" --link "unix:$sock" --link-phy "$phy" --pcap "$pcap" --stats "$@" \
        >"$out/stats.txt" 2>"$log" &
    local sim=$!
    mypids+=($sim)
    pids+=("${mypids[@]}")
    if ! wait_ready "$log" "$sim" 60; then
        bad "test_tcp_tap_$name: toe-sim did not start"
        cat "$log"
        return
    fi
    port() { head -n 1 "$out/$1.port"; }
    run() {
        local n=$1; shift
        timeout 900 "$cosim" "sim:$sock" --min-rto 50 "$@" >"$out/$n.out" 2>&1 || fail=1
        sed 's/^/  /' "$out/$n.out"
        grep -q '^FAIL' "$out/$n.out" && fail=1
        grep -q '^PASS' "$out/$n.out" || bad "$name/$n: no result"
    }
    local want
    want=$(python3 -c "import sys; sys.path.insert(0,'$top/tests/sim'); import test_tcp_peer as p, hashlib; print(hashlib.sha256(p.stream($seed,$bytes)).hexdigest())")
    run download download "$host_ip" "$(port source)" "$bytes" "$seed"
    run upload upload "$host_ip" "$(port sink)" "$bytes" "$seed"
    local got
    got=$(sha256sum "$out/sink-0.bin" 2>/dev/null | cut -d' ' -f1 || true)
    [ "$got" = "$want" ] && echo "PASS test_tcp_tap_upload_sha256_at_linux" \
        || bad "test_tcp_tap_upload_sha256_at_linux: got ${got:-nothing}"
    run reverse reverse "$host_ip" "$(port reverse)" "$bytes" "$seed"
    run echo echo "$host_ip" "$(port echo)" "$bytes" "$seed"
    run multi multi 8 "$host_ip" "$(port msource)" "$mbytes" "$seed"
    run reset reset "$host_ip" "$(port rst)" "$bytes" "$seed"
    run refused refused "$host_ip" 9
    timeout 900 "$cosim" "sim:$sock" --min-rto 50 serve 7000 "$bytes" "$seed" >"$out/serve.out" 2>&1 &
    local srv=$!
    for _ in $(seq 100); do grep -q listening "$out/serve.out" 2>/dev/null && break; sleep 0.1; done
    timeout 900 nsenter --net="/run/netns/$ns" python3 "$peer" connect --connect "$dev_ip:7000" \
        --bytes "$bytes" --seed "$seed" --out "$out" || bad "test_tcp_tap_serve_client failed"
    wait "$srv" || fail=1
    sed 's/^/  /' "$out/serve.out"
    grep -q '^FAIL' "$out/serve.out" && fail=1
    got=$(sha256sum "$out/client.bin" 2>/dev/null | cut -d' ' -f1 || true)
    [ "$got" = "$want" ] && echo "PASS test_tcp_tap_serve_sha256_at_linux" \
        || bad "test_tcp_tap_serve_sha256_at_linux: got ${got:-nothing}"
    kill -TERM "$sim"
    wait "$sim" || { bad "test_tcp_tap_$name: toe-sim exit status $?"; sim_crash_report "$log"; }
    # The faults leave the board idle while a retransmission timer runs (a lost SYN waits 1 s
    # of device time): the idle skip must jump over it, or one lost frame costs a minute.
    if [ "$nfaults" -gt 0 ]; then
        local skips
        skips=$(awk '$1 == "sim_idle_skips" {print $2}' "$out/stats.txt")
        [ "${skips:-0}" -gt 0 ] && echo "PASS test_tcp_tap_${name}_idle_skipped ($skips skips)" \
            || bad "test_tcp_tap_${name}_idle_skipped: sim_idle_skips ${skips:-missing}"
    fi
    for p in "${mypids[@]}"; do kill "$p" 2>/dev/null || true; done
    # With faults the capture holds the injector's corrupted frames: checked clean runs only.
    if [ "$nfaults" -eq 0 ] && command -v tshark >/dev/null; then
        # Linux offers SACK-permitted, timestamps and window scale in its SYN; the device's
        # SYN-ACK takes window scale only, so no segment either way carries SACK or timestamps.
        count() { tshark -r "$pcap" -Y "$1" 2>/dev/null | wc -l; }
        local offered declined leaked
        offered=$(count "ip.src==$host_ip && tcp.flags.syn==1 && tcp.flags.ack==0 && tcp.options.sack_perm && tcp.options.timestamp.tsval && tcp.options.wscale.shift")
        declined=$(count "ip.src==$dev_ip && tcp.flags.syn==1 && tcp.flags.ack==1 && tcp.options.wscale.shift && !tcp.options.sack_perm && !tcp.options.timestamp.tsval")
        leaked=$(count "(tcp.options.sack_perm && tcp.flags.ack==1) || tcp.options.sack || (tcp.options.timestamp.tsval && tcp.flags.syn==0)")
        [ "$offered" -ge 1 ] && [ "$declined" -ge 1 ] && [ "$leaked" = 0 ] \
            && echo "PASS test_tcp_tap_${name}_linux_options_declined" \
            || bad "test_tcp_tap_${name}_linux_options_declined: offered $offered, declined $declined, leaked $leaked"
        "$top/scripts/pcap_check.sh" "$pcap" >"$out/pcap_check.txt" 2>&1 \
            && echo "PASS test_tcp_tap_${name}_pcap_check" \
            || { bad "test_tcp_tap_${name}_pcap_check"; tail -5 "$out/pcap_check.txt"; }
    fi
}

uart=uart:12000000
chosen clean && pass_run clean "${BYTES:-200000}" $uart 1
chosen big && pass_run big "${BYTES:-10000000}" fifo 2
for s in $seed $((seed + 1)); do
    chosen "faults1_seed$s" && pass_run "faults1_seed$s" "${BYTES:-100000}" $uart $s --drop 1 --dup 1 --reorder 1 --corrupt 1 --seed $s
    chosen "faults5_seed$s" && pass_run "faults5_seed$s" "${BYTES:-100000}" $uart $s --drop 5 --dup 5 --reorder 5 --corrupt 5 --seed $s
done
echo "test_tcp_tap: $([ $fail = 0 ] && echo passed || echo FAILED)"
exit $fail
