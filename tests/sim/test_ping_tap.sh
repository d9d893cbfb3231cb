#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_ping_tap: Linux pings the virtual board through a TAP device in a private network
# namespace. The device must resolve ARP and answer every echo request (several sizes, 0% loss);
# the capture it writes must pass scripts/pcap_check.sh.
#
#   tests/sim/test_ping_tap.sh        (as root; exit 77 = skipped)
#
# TOE_SIM overrides the binary (default build/bin/toe-sim), OUT the output folder (build/tests).
# Traffic stays inside the namespace; the namespace is deleted on exit.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
sim=${TOE_SIM:-$top/build/bin/toe-sim}
out=${OUT:-$top/build/tests}
pcap=$out/ping_tap.pcap
log=$out/ping_tap.log
stats=$out/ping_tap.stats
ns=toe-ping-$$
dev_ip=10.9.0.2
host_ip=10.9.0.1
sizes=(0 56 1000 1472)
count=3

name=test_ping_tap
. "$top/tests/sim/lib.sh"
need_tap ping
if [ ! -x "$sim" ]; then
    echo "FAIL test_ping_tap: $sim not built"
    exit 1
fi
mkdir -p "$out"
rm -f "$pcap" "$log" "$stats"

simpid=""
nsx() { netns_run "$ns" "$@"; }
cleanup() {
    if [ -n "$simpid" ] && kill -0 "$simpid" 2>/dev/null; then
        kill -KILL "$simpid" 2>/dev/null || true
        wait "$simpid" 2>/dev/null || true
    fi
    netns_down "$ns"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

show_log() { echo "  --- toe-sim log (last lines) ---"; tail -n 20 "$log" | sed 's/^/  /'; }

# ---- namespace and TAP ----
netns_tap_up "$ns" "$host_ip/24" || skip "cannot create a network namespace with a TAP device"

# ---- the virtual board ----
# nsenter execs the simulator itself (ip netns exec forks), so $simpid is toe-sim's own pid.
nsenter --net="/run/netns/$ns" "$sim" --net tap:tap0 --ip "$dev_ip/24" --gw "$host_ip" \
    --pcap "$pcap" --stats >"$stats" 2>"$log" &
simpid=$!
if ! wait_ready "$log" "$simpid" 60; then
    fail test_ping_tap_sim_ready "toe-sim did not print its ready line within 60 s"
    show_log
    finish
fi
pass test_ping_tap_sim_ready
mac=$(sed -n 's/.*toe-sim: ready.*mac \([0-9a-f:]\{17\}\).*/\1/p' "$log" | head -n 1)
[ -n "$mac" ] || mac=02:00:00:00:00:01

# ---- pings of several sizes ----
sent_total=0
for size in "${sizes[@]}"; do
    # -w bounds the whole run; -W each reply. ping keeps going until $count replies or -w.
    if res=$(nsx timeout 60 ping -n -c "$count" -i 0.2 -W 5 -w 30 -s "$size" "$dev_ip" 2>&1); then
        rc=0
    else
        rc=$?
    fi
    summary=$(printf '%s\n' "$res" | grep 'packets transmitted' || true)
    tx=$(printf '%s\n' "$summary" | sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p')
    rx=$(printf '%s\n' "$summary" | sed -n 's/.* \([0-9]*\) received.*/\1/p')
    sent_total=$((sent_total + ${tx:-0}))
    if [ "$rc" = 0 ] && [ "${tx:-0}" = "$count" ] && [ "${rx:-0}" = "$count" ]; then
        pass "test_ping_tap_size_$size ($summary)"
    else
        fail "test_ping_tap_size_$size" "ping exit $rc: ${summary:-no summary}"
        printf '%s\n' "$res" | tail -n 5 | sed 's/^/  /'
    fi
done

# ---- ARP resolved by the device ----
neigh=$(nsx ip neigh show "$dev_ip" dev tap0 || true)
if printf '%s\n' "$neigh" | grep -qi "lladdr $mac"; then
    pass "test_ping_tap_arp_resolved ($neigh)"
else
    fail test_ping_tap_arp_resolved "ip neigh shows '${neigh:-nothing}', expected lladdr $mac"
fi

# ---- clean stop ----
kill -TERM "$simpid"
stopped=0
for _ in $(seq 1 150); do # 15 s
    if ! kill -0 "$simpid" 2>/dev/null; then
        stopped=1
        break
    fi
    sleep 0.1
done
if [ "$stopped" = 1 ]; then
    rc=0
    wait "$simpid" || rc=$?
    simpid=""
    if [ "$rc" = 0 ]; then
        pass test_ping_tap_sigterm_exit
    else
        fail test_ping_tap_sigterm_exit "toe-sim exited with status $rc"
        show_log
    fi
else
    fail test_ping_tap_sigterm_exit "toe-sim still running 15 s after SIGTERM"
    kill -KILL "$simpid" 2>/dev/null || true
    wait "$simpid" 2>/dev/null || true
    simpid=""
fi

# ---- counters printed on exit (--stats) ----
stat_of() { sed -n "s/^$1 \([0-9]*\)$/\1/p" "$stats"; }
echo_rx=$(stat_of rx_icmp_echo)
echo_tx=$(stat_of tx_icmp_reply)
arp_rx=$(stat_of rx_arp_req)
if [ -z "$echo_rx" ]; then
    fail test_ping_tap_counters "no counters printed by --stats"
elif [ "$echo_rx" = "$sent_total" ] && [ "$echo_tx" = "$sent_total" ] && [ "${arp_rx:-0}" -ge 1 ]; then
    pass "test_ping_tap_counters (rx_icmp_echo $echo_rx, tx_icmp_reply $echo_tx, rx_arp_req $arp_rx)"
else
    fail test_ping_tap_counters \
        "pings sent $sent_total, rx_icmp_echo $echo_rx, tx_icmp_reply $echo_tx, rx_arp_req ${arp_rx:-?}"
fi

# ---- the capture ----
if [ ! -s "$pcap" ]; then
    fail test_ping_tap_pcap "no capture written to $pcap"
elif ! command -v tshark >/dev/null; then
    echo "SKIP test_ping_tap_pcap: tshark not installed"
else
    if "$top/scripts/pcap_check.sh" "$pcap"; then
        pass test_ping_tap_pcap_check
    else
        fail test_ping_tap_pcap_check "scripts/pcap_check.sh $pcap"
    fi
    n=$(tshark -n -r "$pcap" -Y "arp.opcode == 2 && eth.src == $mac" -T fields -e frame.number \
        2>/dev/null | grep -c . || true)
    r=$(tshark -n -r "$pcap" -Y "icmp.type == 0 && eth.src == $mac" -T fields -e frame.number \
        2>/dev/null | grep -c . || true)
    if [ "$n" -ge 1 ] && [ "$r" = "$sent_total" ]; then
        pass "test_ping_tap_pcap_replies ($n ARP replies, $r echo replies from the device)"
    else
        fail test_ping_tap_pcap_replies "capture has $n ARP replies and $r echo replies from $mac, expected >= 1 and $sent_total"
    fi
fi

finish
