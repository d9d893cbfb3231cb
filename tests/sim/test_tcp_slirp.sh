#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_tcp_slirp: libtoe TCP sockets through the virtual board against libslirp's TCP (servers
# on this machine's loopback, reached at 10.0.2.2; a client through --hostfwd for the passive
# side). Transfers each way with SHA-256 checked, both at once, 8 connections at once, a slow
# reader on each side (zero windows, persist probes), half close, server close, reset, refused,
# keepalive against a silent peer; then the capture through scripts/pcap_check.sh.
#
#   tests/sim/test_tcp_slirp.sh [NAME] [toe-sim fault options...]
#       e.g. tests/sim/test_tcp_slirp.sh drop5 --drop 5 --dup 5 --reorder 5 --corrupt 5 --seed 3
#
# BYTES (default 200000; 100000 with faults) sets the transfer size (the slow peer runs from
# 4 MB: less fits into slirp's and the kernel's buffers), MULTI_BYTES (default
# BYTES/2) that of each of the 8 connections at once, LINK_PHY the link model (toe-sim
# --link-phy; default its UART). Everything it starts is stopped on exit. Exit 0 pass, 1 fail.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/scripts/lib/netns.sh" # wait_ready
name=${1:-clean}
shift || true
faults=("$@")
bytes=${BYTES:-$([ ${#faults[@]} -gt 0 ] && echo 100000 || echo 200000)}
multi_bytes=${MULTI_BYTES:-$((bytes / 2))}
link_phy=${LINK_PHY:+--link-phy $LINK_PHY}
seed=$((RANDOM % 1000 + 1))
out=$top/build/tests/tcp_slirp_$name
mkdir -p "$out"
rm -f "$out"/*.bin "$out"/*.port "$out/link.sock" "$out/toe-sim.log" "$out/tcp.pcap"
sock=$out/link.sock
log=$out/toe-sim.log
pcap=$out/tcp.pcap
cosim=$top/build/tests/test_tcp_cosim
peer=$top/tests/sim/test_tcp_peer.py
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
}
trap cleanup EXIT
fail=0
pass() { echo "PASS $*"; }
bad() { echo "FAIL $*"; fail=1; }

[ -x "$cosim" ] || { echo "FAIL test_tcp_slirp: $cosim not built"; exit 1; }
echo "test_tcp_slirp $name: $bytes bytes, 8 x $multi_bytes at once, link ${LINK_PHY:-uart}," \
    "stream seed $seed, faults: ${faults[*]:-none}"

for mode in source sink reverse echo rst idle; do
    python3 -u "$peer" "$mode" --bytes "$bytes" --seed "$seed" --out "$out" >"$out/$mode.port" &
    pids+=($!)
done
python3 -u "$peer" source --bytes "$multi_bytes" --seed "$seed" --out "$out" >"$out/msource.port" &
pids+=($!)
mkdir -p "$out/slow"
rm -f "$out/slow/"*
python3 -u "$peer" slowsink --bytes "$bytes" --seed "$seed" --out "$out/slow" --go "$out/slow/go" \
    >"$out/slowsink.port" &
pids+=($!)
for mode in source sink reverse echo rst idle msource slowsink; do
    for _ in $(seq 600); do [ -s "$out/$mode.port" ] && break; sleep 0.1; done # the peer makes its stream first (wall-clock guard)
done
port() { head -n 1 "$out/$1.port"; }
# A port nobody listens on: bind one, note it, let it go.
closed=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
hostfwd=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

"$top/build/bin/toe-sim" --net slirp --link "unix:$sock" $link_phy --pcap "$pcap" \
    --hostfwd "tcp:127.0.0.1:$hostfwd-10.0.2.15:7000" "${faults[@]}" >"$out/stats.txt" 2>"$log" &
sim=$!
pids+=($sim)
wait_ready "$log" "$sim" 60 || { echo "FAIL test_tcp_slirp: toe-sim did not start"; cat "$log"; exit 1; }

run() { # run NAME ARGS...: one cosim scenario, its output indented
    local n=$1; shift
    if timeout 900 "$cosim" "sim:$sock" --min-rto 50 "$@" >"$out/$n.out" 2>&1; then :; else fail=1; fi
    sed 's/^/  /' "$out/$n.out"
    grep -q '^FAIL' "$out/$n.out" && fail=1
    grep -q '^PASS' "$out/$n.out" || { echo "FAIL $n: no result"; fail=1; }
}
want_sha=$(python3 -c "import sys; sys.path.insert(0,'$top/tests/sim'); import test_tcp_peer as p, hashlib; print(hashlib.sha256(p.stream($seed,$bytes)).hexdigest())")

run download download 10.0.2.2 "$(port source)" "$bytes" "$seed"
run upload upload 10.0.2.2 "$(port sink)" "$bytes" "$seed"
got_sha=$(sha256sum "$out/sink-0.bin" 2>/dev/null | cut -d' ' -f1 || true)
[ "$got_sha" = "$want_sha" ] && pass "test_tcp_upload_sha256_at_peer ($got_sha)" \
    || bad "test_tcp_upload_sha256_at_peer: got ${got_sha:-nothing}, want $want_sha"
run reverse reverse 10.0.2.2 "$(port reverse)" "$bytes" "$seed"
run echo echo 10.0.2.2 "$(port echo)" "$bytes" "$seed"
run multi multi 8 10.0.2.2 "$(port msource)" "$multi_bytes" "$seed"
run slowread slowread 10.0.2.2 "$(port source)" "$bytes" "$seed" 300
# slirp's window closes only once its buffer and the kernel's are full: about 3 MB
if [ "$bytes" -ge 4000000 ]; then
    run slowpeer slowpeer 10.0.2.2 "$(port slowsink)" "$bytes" "$seed" "$out/slow/go"
    got_sha=$(sha256sum "$out/slow/sink-0.bin" 2>/dev/null | cut -d' ' -f1 || true)
    [ "$got_sha" = "$want_sha" ] && pass "test_tcp_slowpeer_sha256_at_peer" \
        || bad "test_tcp_slowpeer_sha256_at_peer: got ${got_sha:-nothing}, want $want_sha"
fi
run reset reset 10.0.2.2 "$(port rst)" "$bytes" "$seed"
run refused refused 10.0.2.2 "$closed"
# keepalive idles for seconds of device time (minutes of wall time): the default run only
if [ ${#faults[@]} -eq 0 ] && [ -z "${LINK_PHY:-}" ]; then
    run keepalive keepalive 10.0.2.2 "$(port idle)"
fi

# Passive open: the device listens on 7000; a client on the loopback comes in by hostfwd.
timeout 900 "$cosim" "sim:$sock" --min-rto 50 serve 7000 "$bytes" "$seed" >"$out/serve.out" 2>&1 &
srv=$!
pids+=($srv)
for _ in $(seq 100); do grep -q listening "$out/serve.out" 2>/dev/null && break; sleep 0.1; done
timeout 900 python3 "$peer" connect --connect "127.0.0.1:$hostfwd" --bytes "$bytes" --seed "$seed" \
    --out "$out" || bad "test_tcp_serve_client: the loopback client failed"
wait "$srv" || fail=1
sed 's/^/  /' "$out/serve.out"
grep -q '^FAIL' "$out/serve.out" && fail=1
got_sha=$(sha256sum "$out/client.bin" 2>/dev/null | cut -d' ' -f1 || true)
[ "$got_sha" = "$want_sha" ] && pass "test_tcp_serve_echo_sha256_at_client" \
    || bad "test_tcp_serve_echo_sha256_at_client: got ${got_sha:-nothing}, want $want_sha"

kill -TERM "$sim"
wait "$sim" || { bad "toe-sim exit status $?"; sim_crash_report "$log"; }
# With faults the capture holds the injector's corrupted frames: checked clean runs only.
if [ ${#faults[@]} -eq 0 ] && command -v tshark >/dev/null; then
    "$top/scripts/pcap_check.sh" "$pcap" >"$out/pcap_check.txt" 2>&1 && pass "test_tcp_slirp_pcap_check" \
        || { bad "test_tcp_slirp_pcap_check"; tail -5 "$out/pcap_check.txt"; }
fi
echo "test_tcp_slirp $name: $([ $fail = 0 ] && echo passed || echo FAILED)"
exit $fail
