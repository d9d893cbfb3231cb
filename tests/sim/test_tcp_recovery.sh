#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_tcp_recovery: one TCP segment lost on purpose (toe-sim --drop-segment) in a transfer
# through the virtual board against libslirp, over the FIFO link model, with the library's
# default RTO settings:
#   fast  the device sends 1 MB and its 200th data segment is lost: the hardware must
#         retransmit it on the third duplicate ACK (no RTO expiry in the host)
#   rto   the device sends one 1000-byte segment and it is lost: nothing follows it, so the
#         host's retransmission timer must expire and send it again
#   peer  the device receives 1 MB and the peer's 200th segment is lost: the hardware holds
#         what follows out of order and sends duplicate ACKs until the peer resends it
# Each transfer must arrive whole (SHA-256) with the right mechanism counted. The time from the
# loss to the retransmission and to the covering ACK (simulated time, scripts/loss_recovery.py)
# is printed as a FIGURE line; make bench shows them too. No timing is asserted.
#
#   tests/sim/test_tcp_recovery.sh          exit 0 pass, 1 fail
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/scripts/lib/netns.sh" # wait_ready
cosim=$top/build/tests/test_tcp_cosim
peer=$top/tests/sim/test_tcp_peer.py
[ -x "$cosim" ] || { echo "FAIL test_tcp_recovery: $cosim not built"; exit 1; }
command -v tshark >/dev/null || { echo "FAIL test_tcp_recovery: tshark not installed"; exit 1; }
seed=7
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
}
trap cleanup EXIT
fail=0
bad() { echo "FAIL $*"; fail=1; }

# one NAME DROP MODE SCENARIO BYTES: a run with its own peer and simulator
one() {
    local name=$1 drop=$2 mode=$3 scenario=$4 bytes=$5
    local out=$top/build/tests/tcp_recovery_$name
    mkdir -p "$out"
    rm -f "$out"/*.bin "$out"/*.port "$out"/*.log "$out/tcp.pcap"
    python3 -u "$peer" "$mode" --bytes "$bytes" --seed "$seed" --out "$out" >"$out/peer.port" &
    pids+=($!)
    for _ in $(seq 600); do [ -s "$out/peer.port" ] && break; sleep 0.1; done # the peer makes its stream first (wall-clock guard)
    "$top/build/bin/toe-sim" --net slirp --link "unix:$out/link.sock" --link-phy fifo \
        --pcap "$out/tcp.pcap" --drop-segment "$drop" --fault-log "$out/fault.log" \
        >"$out/stats.txt" 2>"$out/toe-sim.log" &
    local sim=$!
    pids+=($sim)
    wait_ready "$out/toe-sim.log" "$sim" 60 || { bad "test_tcp_recovery_$name: toe-sim did not start"; return; }
    timeout 600 "$cosim" "sim:$out/link.sock" "$scenario" 10.0.2.2 "$(head -n 1 "$out/peer.port")" \
        "$bytes" "$seed" >"$out/cosim.out" 2>&1 || fail=1
    kill -TERM "$sim"
    wait "$sim" || { bad "test_tcp_recovery_$name: toe-sim exit status $?"; sim_crash_report "$out/toe-sim.log"; }
    sed 's/^/  /' "$out/cosim.out"
    grep -q '^FAIL' "$out/cosim.out" && fail=1
    grep -q '^PASS' "$out/cosim.out" || bad "test_tcp_recovery_$name: no result"
    if [ "$scenario" = upload ]; then
        local want got
        want=$(python3 -c "import sys; sys.path.insert(0,'$top/tests/sim'); import test_tcp_peer as p, hashlib; print(hashlib.sha256(p.stream($seed,$bytes)).hexdigest())")
        got=$(sha256sum "$out/sink-0.bin" 2>/dev/null | cut -d' ' -f1)
        [ "$got" = "$want" ] && echo "PASS test_tcp_recovery_${name}_sha256_at_peer" \
            || bad "test_tcp_recovery_${name}_sha256_at_peer: got ${got:-nothing}"
    fi
    local fig
    if fig=$(python3 "$top/scripts/loss_recovery.py" "$out/fault.log" "$out/tcp.pcap" 10.0.2.15); then
        echo "PASS test_tcp_recovery_${name}_resent_and_acknowledged"
        echo "FIGURE recovery $name ($drop): $fig (simulated time from the loss)"
    else
        bad "test_tcp_recovery_${name}_resent_and_acknowledged: $fig"
    fi
}

# counter NAME: its value from the cosim run's counter lines (0 when not printed)
counter() { grep -o " $1=[0-9]*" "$2" | tail -n 1 | cut -d= -f2 | grep . || echo 0; }

one fast to-net:200 sink upload 1000000
f=$top/build/tests/tcp_recovery_fast/cosim.out
[ "$(counter tcp_dupacks "$f")" -ge 3 ] && [ "$(counter tcp_tx_rexmit "$f")" -ge 1 ] &&
    [ "$(counter tcp_rto "$f")" = 0 ] && echo "PASS test_tcp_recovery_fast_by_fast_retransmit" ||
    bad "test_tcp_recovery_fast_by_fast_retransmit: dupacks $(counter tcp_dupacks "$f"), rexmit $(counter tcp_tx_rexmit "$f"), rto $(counter tcp_rto "$f")"

one rto to-net:1 sink upload 1000
f=$top/build/tests/tcp_recovery_rto/cosim.out
[ "$(counter tcp_rto "$f")" -ge 1 ] && echo "PASS test_tcp_recovery_rto_by_timer" ||
    bad "test_tcp_recovery_rto_by_timer: tcp_rto $(counter tcp_rto "$f")"

one peer to-rtl:200 source download 1000000
f=$top/build/tests/tcp_recovery_peer/cosim.out
[ "$(counter tcp_rx_ooo "$f")" -ge 1 ] && echo "PASS test_tcp_recovery_peer_held_out_of_order" ||
    bad "test_tcp_recovery_peer_held_out_of_order: tcp_rx_ooo $(counter tcp_rx_ooo "$f")"

echo "test_tcp_recovery: $([ $fail = 0 ] && echo passed || echo FAILED)"
exit $fail
