#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_toed: the daemon toed(8) on the virtual board (toe-sim with libslirp) against a Python
# http.server on the host's loopback (10.0.2.2):
#   - the control socket gets the mode asked for
#   - bad requests get ERR replies and are counted; the daemon goes on
#   - `toe info`, `toe netstat`, `toe stats` through the daemon while another process holds
#     connections (netstat lists them)
#   - a client gone with nothing undelivered: its connections end with a FIN
#   - 8 `toe get` processes through one daemon at once, SHA-256 checked
#   - a client killed mid-transfer: its connection is reset (counted), the others finish
#   - a peer's RST: the client's socket polls POLLERR|POLLHUP, its read (and a write on
#     another) fails with ECONNRESET, as a kernel socket's; its control connection gets the
#     EVENT line; every connection's socket was a loopback TCP pair (unix_pairs 0)
#   - a client closes its socket while the peer stays silent: the connection ends (FIN), as
#     the client's close(), not held as a half close; closed with SO_LINGER {1, 0}: RST
#   - LISTEN/ACCEPT: a connection from the host through slirp's forward, echoed through the
#     passed fd, half closes both ways
#   - the epoll echo server (examples/echo, toe-echo -s) on the passed fds: 4 host clients at
#     once, each checking what comes back
#   - the daemon stopped: a client's held connections end (no hang), new requests fail with
#     a clear error; a new daemon on the same device serves again
#
#   tests/sim/test_toed.sh      OUT overrides the output folder (build/tests/toed)
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
name=test_toed
. "$top/tests/sim/lib.sh"
out=${OUT:-$top/build/tests/toed}
toe=$top/build/bin/toe
toed=${TOED:-$top/build/bin/toed} # TOED: another build (e.g. under ASan)
sim=$top/build/bin/toe-sim
toe_echo=$top/build/bin/toe-echo
client="python3 $top/tests/sim/toed_client.py"
rm -rf "$out"
mkdir -p "$out/www" "$out/got"
sock=$out/link.sock
dsock=$out/toed.sock
log=$out/toe-sim.log
trap bg_cleanup EXIT

for f in "$toe" "$toed" "$sim" "$toe_echo"; do [ -x "$f" ] || { echo "FAIL test_toed: $f not built"; exit 1; }; done

toed_files "$out/www" 15 40

python3 -u - "$out/www" >"$out/port" 2>"$out/server.log" <<'PY' &
import functools, http.server, sys
H = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1])
H.func.protocol_version = "HTTP/1.1"
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
s.daemon_threads = True
print(s.server_address[1], flush=True)
s.serve_forever()
PY
pids+=($!)
for _ in $(seq 50); do [ -s "$out/port" ] && break; sleep 0.1; done
port=$(head -n 1 "$out/port")
[ -n "$port" ] || { echo "FAIL test_toed: the HTTP server did not start"; exit 1; }
base=http://10.0.2.2:$port
fwd=$(free_port)

"$sim" --net slirp --link "unix:$sock" --link-phy fifo --hostfwd "tcp:127.0.0.1:$fwd-10.0.2.15:7000" \
    >"$out/sim.out" 2>"$log" &
simpid=$!
pids+=($simpid)
wait_ready "$log" "$simpid" 60 || { echo "FAIL test_toed: toe-sim did not start"; cat "$log"; exit 1; }

start_toed "$dsock" "sim:$sock" "$out/toed.log" -m 0600 -v || { echo "FAIL test_toed: toed did not start"; cat "$out/toed.log"; exit 1; }
export TOE_DEVICE=toed:$dsock

# ---- the socket's mode ----
mode=$(stat -c %a "$dsock")
[ "$mode" = 600 ] && pass "test_toed_socket_mode ($mode)" || fail test_toed_socket_mode "mode $mode"

# ---- bad requests: ERR replies, counted, daemon alive ----
if timeout 120 $client bad "$dsock" >"$out/bad.txt" 2>&1; then
    pass "test_toed_bad_requests_answered ($(grep -c ': ERR' "$out/bad.txt") ERR replies)"
else
    fail test_toed_bad_requests_answered "$(tail -n 5 "$out/bad.txt")"
fi
nbad=$(toed_stat bad_requests)
[ "${nbad:-0}" -ge 19 ] && kill -0 "$toedpid" && pass "test_toed_bad_requests_counted ($nbad)" ||
    fail test_toed_bad_requests_counted "bad_requests ${nbad:-none}"

# ---- info, netstat and stats while another process holds connections ----
rm -f "$out/held1"
# (no `timeout` wrapper where the test kills the process: it would kill the wrapper only)
$client hold "$dsock" 10.0.2.2 "$port" 2 "$out/held1" >"$out/hold1.txt" 2>&1 &
hold1=$!
pids+=($hold1)
for _ in $(seq 300); do [ -e "$out/held1" ] && break; sleep 0.1; done
if [ -e "$out/held1" ]; then
    if timeout 30 "$toe" info >"$out/info.txt" 2>&1 && grep -q "^id .*toe1" "$out/info.txt"; then
        pass "test_toed_info_while_held"
    else
        fail test_toed_info_while_held "$(cat "$out/info.txt")"
    fi
    timeout 30 "$toe" netstat >"$out/netstat.txt" 2>&1 || true
    nest=$(grep -c "ESTABLISHED .*10.0.2.2:$port" "$out/netstat.txt" || true)
    [ "$nest" = 2 ] && pass "test_toed_netstat_while_held (2 connections listed)" ||
        fail test_toed_netstat_while_held "$(cat "$out/netstat.txt")"
    timeout 30 "$toe" stats >"$out/stats.txt" 2>&1 && grep -q "^toed:" "$out/stats.txt" &&
        grep -q "^device:" "$out/stats.txt" && pass test_toed_stats_while_held ||
        fail test_toed_stats_while_held "$(head -n 5 "$out/stats.txt")"
    # The holder goes away with nothing undelivered: both connections end with a FIN.
    resets0=$(toed_stat client_resets)
    kill -KILL "$hold1"
    gone=0
    for _ in $(seq 100); do
        timeout 30 "$toe" netstat >"$out/netstat2.txt" 2>&1 || true
        grep -q "ESTABLISHED .*10.0.2.2:$port" "$out/netstat2.txt" || { gone=1; break; }
        sleep 0.2
    done
    [ "$gone" = 1 ] && [ "$(toed_stat client_resets)" = "$resets0" ] &&
        pass "test_toed_client_gone_idle_closes ($(grep -c . "$out/netstat2.txt") netstat lines)" ||
        fail test_toed_client_gone_idle_closes "$(cat "$out/netstat2.txt")"
else
    fail test_toed_info_while_held "the holder did not connect: $(cat "$out/hold1.txt")"
fi

# ---- 8 clients in separate processes at once ----
ok=$(get_check eight f0 f1 f2 f3 f4 f5 f6 f7)
[ "$ok" = 8 ] && pass "test_toed_8_clients_at_once (SHA-256 of all 8 match)" ||
    fail test_toed_8_clients_at_once "$ok of 8 good"

# ---- a client killed mid-transfer: reset; the others go on ----
kill_mid_get
if [ "${big:-0}" -gt 2000000 ] && [ "$resets1" -gt "$resets0" ] && [ "$ok" = 2 ]; then
    pass "test_toed_client_killed_reset_others_go_on (killed at ${big} bytes; client_resets $resets0 -> $resets1)"
else
    fail test_toed_client_killed_reset_others_go_on "big ${big:-0} bytes, resets $resets0 -> $resets1, $ok of 2 others good"
fi
netstat_after=$(timeout 30 "$toe" netstat 2>&1 || true)
grep -q "ESTABLISHED" <<<"$netstat_after" && fail test_toed_killed_connection_gone "$netstat_after" ||
    pass test_toed_killed_connection_gone

# ---- LISTEN/ACCEPT: echo through the passed fd ----
if timeout 300 $client echo "$dsock" 7000 "$fwd" >"$out/echo.txt" 2>&1; then
    pass "test_toed_listen_accept_echo ($(cat "$out/echo.txt"))"
else
    fail test_toed_listen_accept_echo "$(tail -n 3 "$out/echo.txt")"
fi

# ---- the epoll echo server (examples/echo) on the passed fds: 4 host clients at once ----
echo_test test_toed_epoll_echo_server "$out/echo_srv.log" "127.0.0.1:$fwd" 5 -s "$dsock"

# ---- the peer resets: the fd's read says ECONNRESET, the control connection says why ----
python3 -u - >"$out/rst_port" 2>"$out/rst.log" <<'PY' &
import socket, struct
ls = socket.socket()
ls.bind(("127.0.0.1", 0))
ls.listen(4)
print(ls.getsockname()[1], flush=True)
while True:
    c, _ = ls.accept()
    c.recv(100)
    c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    c.close()  # RST
PY
pids+=($!)
for _ in $(seq 50); do [ -s "$out/rst_port" ] && break; sleep 0.1; done
errs0=$(toed_stat conn_errors)
if timeout 120 $client reset "$dsock" 10.0.2.2 "$(head -n 1 "$out/rst_port")" >"$out/reset.txt" 2>&1 &&
    [ "$(toed_stat conn_errors)" -gt "$errs0" ] && [ "$(toed_stat unix_pairs)" = 0 ]; then
    pass "test_toed_peer_reset_reported ($(cat "$out/reset.txt"); every pair loopback TCP)"
else
    fail test_toed_peer_reset_reported "$(cat "$out/reset.txt"); unix_pairs $(toed_stat unix_pairs)"
fi

# ---- a client closes, the peer stays silent: the daemon knows a close from a half close ----
# (over loopback TCP both reach it as a FIN; a close must end the connection, a half close
# keeps it: the LISTEN/ACCEPT echo above half closes)
python3 -u - >"$out/quiet_port" 2>"$out/quiet.log" <<'PY' &
import socket
ls = socket.socket()
ls.bind(("127.0.0.1", 0))
ls.listen(4)
print(ls.getsockname()[1], flush=True)
held = []
while True:
    held.append(ls.accept()[0])  # never reads, never closes
PY
pids+=($!)
for _ in $(seq 50); do [ -s "$out/quiet_port" ] && break; sleep 0.1; done
resets0=$(toed_stat client_resets)
qid=$(timeout 120 $client close "$dsock" 10.0.2.2 "$(head -n 1 "$out/quiet_port")" 2>&1 || true)
closed=0
for _ in $(seq 300); do # wall-clock guard 60 s
    grep -q "connection $qid: closed" "$out/toed.log" && { closed=1; break; }
    sleep 0.2
done
[ "$closed" = 1 ] && [ "$(toed_stat client_resets)" = "$resets0" ] &&
    pass "test_toed_client_close_silent_peer (connection $qid: FIN, then closed into the engine)" ||
    fail test_toed_client_close_silent_peer "connection '$qid': $(grep "connection $qid:" "$out/toed.log")"
# An abortive close (SO_LINGER {1, 0}): the RST goes on to the peer, as from a kernel socket.
qid=$(timeout 120 $client close "$dsock" 10.0.2.2 "$(head -n 1 "$out/quiet_port")" abort 2>&1 || true)
reset=0
for _ in $(seq 300); do # wall-clock guard 60 s
    grep -q "connection $qid: the client's socket was reset: reset" "$out/toed.log" && { reset=1; break; }
    sleep 0.2
done
[ "$reset" = 1 ] && [ "$(toed_stat client_resets)" -gt "$resets0" ] &&
    pass "test_toed_client_abort_resets_peer (connection $qid: RST; client_resets $resets0 -> $(toed_stat client_resets))" ||
    fail test_toed_client_abort_resets_peer "connection '$qid': $(grep "connection $qid:" "$out/toed.log")"

# ---- the daemon goes away: clients get an error or end of file, not a hang ----
rm -f "$out/held2"
$client hold "$dsock" 10.0.2.2 "$port" 2 "$out/held2" >"$out/hold2.txt" 2>&1 &
hold2=$!
pids+=($hold2)
for _ in $(seq 300); do [ -e "$out/held2" ] && break; sleep 0.1; done
kill -TERM "$toedpid"
rc=0
wait "$toedpid" || rc=$?
[ "$rc" = 0 ] && pass test_toed_exits_on_sigterm || fail test_toed_exits_on_sigterm "exit $rc"
toed_down_check test_toed_stopped "$hold2" "$out/hold2.txt"
rc=0
timeout 60 "$toe" get --timeout 10 -o "$out/got/down" "$base/f0" 2>"$out/got/down.err" || rc=$?
[ "$rc" != 0 ] && [ "$rc" != 124 ] && pass "test_toed_stopped_get_fails (exit $rc)" ||
    fail test_toed_stopped_get_fails "exit $rc"

# ---- a new daemon on the same device ----
for _ in $(seq 100); do grep -q "link client disconnected" "$log" && break; sleep 0.1; done
if start_toed "$dsock" "sim:$sock" "$out/toed.log" -m 0600 -v && timeout 120 "$toe" get --timeout 60 -o "$out/got/again" "$base/f3" 2>"$out/got/again.err" &&
    [ "$(sha "$out/got/again")" = "$(sha "$out/www/f3")" ]; then
    pass test_toed_restarted_serves_again
else
    fail test_toed_restarted_serves_again "$(cat "$out/got/again.err" 2>/dev/null) $(tail -n 3 "$out/toed.log")"
fi
kill -TERM "$toedpid" 2>/dev/null || true
wait "$toedpid" 2>/dev/null || true
finish
