# SPDX-License-Identifier: MIT
# tests/sim/lib.sh: what the shell tests against the virtual board share. Source it after
# setting `name` (the test's name, for its messages) and `top`; it sources
# scripts/lib/netns.sh (wait_ready, the namespace helpers) too.
#
#   pass NAME [TEXT] / fail NAME [WHY] / finish   one line per check; the summary (with the
#                                   wall time since lib.sh was sourced) and the exit status
#   skip WHY                        exit 77 (skipped)
#   need_tap TOOL...                skip unless root with /dev/net/tun and the tools
#   pids+=($!) ...  bg_cleanup      started processes, killed on exit (trap bg_cleanup EXIT)
#   sha FILE                        its SHA-256
#   free_port                       a TCP port free on the loopback now
#   start_toed SOCK SPEC LOG [ARGS]  toed on device SPEC serving SOCK (pid in toedpid, also
#                                   in pids), once its socket is there
#   echo_test NAME LOG HOST:PORT SEED TOE_ECHO_ARGS...
#                                   toe-echo with the args (-p 7000 -n 4 added), then 4 clients
#                                   at once to HOST:PORT (through $via, e.g. an nsenter
#                                   command), 300000 bytes each: each must get its bytes back,
#                                   the server must count them all
#   toed_down_check PREFIX HOLD_PID HOLD_OUT
#                                   after toed went away: the holder (toed_client.py hold, 2
#                                   connections) ends with both ended, `toe info` fails clearly
. "$top/scripts/lib/netns.sh"

passed=0
failed=0
pids=()
t_start=$(date +%s)
pass() { echo "PASS $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1${2:+: $2}"; failed=$((failed + 1)); }
finish() {
    echo "$name: $passed passed, $failed failed, $(($(date +%s) - t_start)) s wall"
    [ "$failed" = 0 ] && exit 0
    exit 1
}
skip() { echo "SKIP: $name: $*"; exit 77; }
need_tap() {
    [ "$(id -u)" = 0 ] || skip "not root"
    [ -c /dev/net/tun ] || skip "/dev/net/tun missing"
    local tool
    for tool in ip nsenter timeout "$@"; do command -v "$tool" >/dev/null || skip "$tool not installed"; done
}
bg_cleanup() {
    local p
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
}
sha() { sha256sum "$1" | cut -d' ' -f1; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

start_toed() {
    local sock=$1 spec=$2 log=$3 i
    shift 3
    rm -f "$sock"
    "${toed:-$top/build/bin/toed}" -d "$spec" -s "$sock" "$@" 2>>"$log" &
    toedpid=$!
    pids+=($toedpid)
    for ((i = 0; i < 100; i++)); do [ -S "$sock" ] && return 0; sleep 0.1; done
    return 1
}

echo_test() {
    local n=$1 slog=$2 addr=$3 seed=$4 rc=0 crc=0 spid i
    shift 4
    "$top/build/bin/toe-echo" "$@" -p 7000 -n 4 2>"$slog" &
    spid=$!
    pids+=($spid)
    for ((i = 0; i < 100; i++)); do grep -q listening "$slog" && break; sleep 0.1; done
    timeout 300 ${via:-} python3 "$top/tests/sim/test_tcp_peer.py" connect --connect "$addr" \
        --conns 4 --bytes 300000 --seed "$seed" --check >"$slog.clients" 2>&1 || crc=$?
    timeout 60 tail --pid="$spid" -f /dev/null || kill "$spid" 2>/dev/null
    wait "$spid" || rc=$?
    if [ "$crc" = 0 ] && [ "$rc" = 0 ] && grep -q "done: 4 connections, 1200000 bytes" "$slog"; then
        pass "$n ($(grep -c ': ok' "$slog.clients") clients at once, 300000 bytes each echoed and checked)"
    else
        fail "$n" "clients exit $crc, server exit $rc: $(tail -n 3 "$slog.clients" "$slog" | tr '\n' ' ')"
    fi
}

toed_down_check() {
    local n=$1 hp=$2 ho=$3 rc=0
    timeout 60 tail --pid="$hp" -f /dev/null || kill "$hp" 2>/dev/null
    wait "$hp" || rc=$?
    [ "$rc" = 0 ] && [ "$(grep -c '^end ' "$ho")" = 2 ] &&
        pass "${n}_held_connections_end ($(grep '^end ' "$ho" | tr '\n' ' '))" ||
        fail "${n}_held_connections_end" "exit $rc: $(cat "$ho")"
    rc=0
    timeout 30 "$top/build/bin/toe" info >"$ho.info" 2>&1 || rc=$?
    [ "$rc" = 1 ] && grep -q "no daemon answers" "$ho.info" &&
        pass "${n}_requests_fail ($(cat "$ho.info"))" ||
        fail "${n}_requests_fail" "exit $rc: $(cat "$ho.info")"
}
