#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_preload: unmodified programs through the virtual board (toe-sim, FIFO link model) with
# `toe run` (libtoe-preload.so + toed), against servers on the far side: with NET=slirp (the
# default) on the host's loopback (10.0.2.2 from the board); with NET=tap in a private
# network namespace holding a TAP device (Linux as the peer, 10.9.6.1; the board 10.9.6.2):
#   - `toe -d sim:SOCK run` starts a daemon for the device; the next run finds it
#   - curl and wget download 0 B, 1 MB and 10 MB, SHA-256 checked
#   - curl: two URLs on one connection (keep-alive), a redirect followed, https:// (the TLS
#     is curl's own, over the offloaded TCP)
#   - a Python urllib + http.client script (getsockname/getpeername are the board's)
#   - a program on epoll (Python selectors.EpollSelector) with non-blocking connects
#   - Python's http.server listening through the preload, fetched by the far side's curl
#     (slirp: through toe-sim's --hostfwd)
#   - a refused connection is ECONNREFUSED, at once or through SO_ERROR after EINPROGRESS
#   - a far end that sends data then resets (SO_LINGER 0): the program reads the data (tap:
#     all of it), then ECONNRESET (errno); on another connection, unread, poll says
#     POLLERR|POLLHUP and SO_ERROR ECONNRESET, then the data it holds reads, as on a kernel
#     socket
#   - host names through the device's DNS (toe run --dns: a stub server that alone knows the
#     name), NXDOMAIN as curl's "could not resolve"
#   - loopback and unrouted destinations stay on the kernel (the daemon's counters do not move;
#     slirp only)
#   - the daemon's counters saw the connections; the capture passes scripts/pcap_check.sh
#
#   tests/sim/test_preload.sh      OUT overrides the output folder (build/tests/preload[_tap])
#                                  BIG (default 10000000): the size of the big download
#   NET=tap tests/sim/test_preload.sh      (as root; exit 77 = skipped)
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
net=${NET:-slirp}
name=test_preload$([ "$net" = tap ] && echo _tap || true)
. "$top/tests/sim/lib.sh"
out=${OUT:-$top/build/tests/${name#test_}}
big=${BIG:-10000000}
toe=$top/build/bin/toe
sim=$top/build/bin/toe-sim
rm -rf "$out"
mkdir -p "$out/www" "$out/got"
sock=$out/link.sock
log=$out/toe-sim.log
pcap=$out/preload.pcap
toedpid=
ns=toe_preload_$$
cleanup() {
    [ -z "$toedpid" ] || kill "$toedpid" 2>/dev/null || true
    bg_cleanup
    [ "$net" = tap ] && netns_down "$ns"
    return 0
}
trap cleanup EXIT
case $net in
slirp)
    peer=10.0.2.2 dev=10.0.2.15 bindaddr=127.0.0.1
    far() { "$@"; } # the far side's commands run here
    far_bg() { exec "$@"; } # for `far_bg CMD &`: $! is CMD's own pid
    ;;
tap)
    need_tap
    peer=10.9.6.1 dev=10.9.6.2 bindaddr=10.9.6.1
    netns_tap_up "$ns" "$peer/24" || skip "cannot create a network namespace with a TAP device"
    far() { nsenter --net="/run/netns/$ns" "$@"; }
    far_bg() { exec nsenter --net="/run/netns/$ns" "$@"; } # nsenter execs CMD too
    ;;
*) echo "FAIL $name: NET=$net (slirp or tap)"; exit 1 ;;
esac

for f in "$toe" "$sim" "$top/build/bin/toed" "$top/build/sw/libtoe-preload.so"; do
    [ -e "$f" ] || { echo "FAIL $name: $f not built"; exit 1; }
done
for c in curl wget openssl; do
    command -v $c >/dev/null || skip "$c not installed"
done

same() { [ -e "$1" ] && [ "$(sha "$1")" = "$(sha "$2")" ]; }

python3 - "$out/www" "$big" <<'PY'
import os, random, sys
d, big = sys.argv[1], int(sys.argv[2])
r = random.Random(16)
open(os.path.join(d, "f0"), "wb").close()
open(os.path.join(d, "f1m"), "wb").write(r.randbytes(1000000))
open(os.path.join(d, "big"), "wb").write(r.randbytes(big))
PY
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$out/key.pem" -out "$out/cert.pem" -days 2 \
    -subj "/CN=$peer" -addext "subjectAltName=IP:$peer" >"$out/openssl.log" 2>&1

# HTTP/1.1 (keep-alive; /redir answers 302 to /f1m) and the same over TLS, on the loopback.
far_bg python3 -u - "$out/www" "$out/cert.pem" "$out/key.pem" "$bindaddr" >"$out/ports" 2>"$out/server.log" <<'PY' &
import functools, http.server, ssl, sys, threading
class H(http.server.SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        if self.path == "/redir":
            self.send_response(302)
            self.send_header("Location", "/f1m")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        super().do_GET()
h = functools.partial(H, directory=sys.argv[1])
s = http.server.ThreadingHTTPServer((sys.argv[4], 0), h)
t = http.server.ThreadingHTTPServer((sys.argv[4], 0), h)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(sys.argv[2], sys.argv[3])
t.socket = ctx.wrap_socket(t.socket, server_side=True)
for x in (s, t):
    x.daemon_threads = True
    threading.Thread(target=x.serve_forever, daemon=True).start()
print(s.server_address[1], t.server_address[1], flush=True)
threading.Event().wait()
PY
pids+=($!)
for _ in $(seq 100); do [ -s "$out/ports" ] && break; sleep 0.1; done
read -r port tport <"$out/ports" || { echo "FAIL $name: the HTTP servers did not start"; exit 1; }
base=http://$peer:$port
if [ "$net" = slirp ]; then
    fwd=$(free_port)
    srv_url=http://127.0.0.1:$fwd
    "$sim" --net slirp --link "unix:$sock" --link-phy fifo --pcap "$pcap" \
        --hostfwd "tcp:127.0.0.1:$fwd-$dev:8000" >"$out/sim.out" 2>"$log" &
else
    srv_url=http://$dev:8000
    # nsenter execs the simulator itself: $! is toe-sim's own pid.
    nsenter --net="/run/netns/$ns" "$sim" --net tap:tap0 --ip "$dev/24" --gw "$peer" \
        --link "unix:$sock" --link-phy fifo --pcap "$pcap" >"$out/sim.out" 2>"$log" &
fi
simpid=$!
pids+=($simpid)
wait_ready "$log" "$simpid" 60 || { echo "FAIL $name: toe-sim did not start"; cat "$log"; exit 1; }
export TOE_DEVICE=sim:$sock
unset TOE_DAEMON TOE_PRELOAD_ROUTE

# ---- toe run starts a daemon for the device, then finds it ----
dsock=$(timeout 60 "$toe" run sh -c 'echo "$TOE_DAEMON"' 2>"$out/run_start.err" || true)
toedpid=$(pgrep -f "toed -d sim:$sock -s $dsock" || true)
if [ -n "$dsock" ] && [ -n "$toedpid" ] && timeout 30 "$toe" -d "toed:$dsock" info >"$out/info.txt" 2>&1; then
    pass "test_preload_run_starts_daemon ($dsock, pid $toedpid)"
else
    fail test_preload_run_starts_daemon "socket '$dsock' pid '$toedpid': $(cat "$out/run_start.err")"
    finish
fi
run() { timeout 300 "$toe" run "$@"; }
connects0=$(toed_stat connects)

# ---- curl and wget: 0 B, 1 MB, big ----
for f in f0 f1m big; do
    rc=0
    run curl -sS -o "$out/got/curl_$f" "$base/$f" 2>"$out/got/curl_$f.err" || rc=$?
    same "$out/got/curl_$f" "$out/www/$f" && pass "test_preload_curl_$f ($(stat -c %s "$out/www/$f") bytes, SHA-256 matches)" ||
        fail "test_preload_curl_$f" "exit $rc $(head -c 300 "$out/got/curl_$f.err")"
    rc=0
    run wget -q -O "$out/got/wget_$f" "$base/$f" 2>"$out/got/wget_$f.err" || rc=$?
    same "$out/got/wget_$f" "$out/www/$f" && pass "test_preload_wget_$f ($(stat -c %s "$out/www/$f") bytes, SHA-256 matches)" ||
        fail "test_preload_wget_$f" "exit $rc $(head -c 300 "$out/got/wget_$f.err")"
done
n=$(toed_stat connects)
[ $((n - connects0)) -ge 6 ] && pass "test_preload_daemon_carried_them (toed connects $connects0 -> $n)" ||
    fail test_preload_daemon_carried_them "toed connects $connects0 -> $n"

# ---- keep-alive, redirect, https ----
rc=0
nc=$(run curl -sS -o "$out/got/ka1" -o "$out/got/ka2" -w '%{num_connects} ' "$base/f1m" "$base/f0" 2>"$out/ka.err") || rc=$?
same "$out/got/ka1" "$out/www/f1m" && same "$out/got/ka2" "$out/www/f0" && [ "$nc" = "1 0 " ] &&
    pass "test_preload_curl_keepalive (two URLs, new connections per URL: $nc)" ||
    fail test_preload_curl_keepalive "exit $rc, connects '$nc' $(cat "$out/ka.err")"
rc=0
run curl -sS -L -o "$out/got/redir" "$base/redir" 2>"$out/redir.err" || rc=$?
same "$out/got/redir" "$out/www/f1m" && pass test_preload_curl_redirect ||
    fail test_preload_curl_redirect "exit $rc $(cat "$out/redir.err")"
rc=0
run curl -sS --cacert "$out/cert.pem" -o "$out/got/tls" "https://$peer:$tport/f1m" 2>"$out/tls.err" || rc=$?
same "$out/got/tls" "$out/www/f1m" && pass "test_preload_curl_https (certificate verified, SHA-256 matches)" ||
    fail test_preload_curl_https "exit $rc $(cat "$out/tls.err")"

# ---- Python: urllib, http.client, a refused connection ----
closed=$(free_port)
rc=0
run python3 - "$port" "$closed" "$(sha "$out/www/f1m")" "$peer" "$dev" >"$out/py.txt" 2>&1 <<'PY' || rc=$?
import errno, hashlib, http.client, socket, sys, urllib.request
port, closed, want, peer, dev = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
d = urllib.request.urlopen("http://%s:%d/f1m" % (peer, port)).read()
assert hashlib.sha256(d).hexdigest() == want, "urllib: SHA-256 differs"
c = http.client.HTTPConnection(peer, port)
c.connect()
local = c.sock.getsockname()
assert local[0] == dev and c.sock.getpeername() == (peer, port), (local, c.sock.getpeername())
assert c.sock.family == socket.AF_INET and c.sock.type == socket.SOCK_STREAM
c.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
assert c.sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1
c.request("GET", "/f1m")
r = c.getresponse()
assert r.status == 200 and hashlib.sha256(r.read()).hexdigest() == want, "http.client"
try:
    socket.create_connection((peer, closed))
    raise SystemExit("connect to a closed port succeeded")
except ConnectionRefusedError as e:
    assert e.errno == errno.ECONNREFUSED
print("urllib and http.client OK (local %s:%d), closed port ECONNREFUSED" % local)
PY
[ "$rc" = 0 ] && pass "test_preload_python ($(tail -n 1 "$out/py.txt"))" ||
    fail test_preload_python "exit $rc $(tail -n 5 "$out/py.txt")"

# ---- epoll, non-blocking connect (EINPROGRESS, writable when connected, SO_ERROR) ----
rc=0
run python3 - "$port" "$(sha "$out/www/f1m")" "$closed" "$peer" "$dev" >"$out/epoll.txt" 2>&1 <<'PY' || rc=$?
import errno, hashlib, selectors, socket, sys
port, want, closed, peer, dev = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
sel = selectors.EpollSelector()
def nb_connect(p):
    s = socket.socket()
    s.setblocking(False)
    e = s.connect_ex((peer, p))
    assert e == errno.EINPROGRESS, "connect: %s, not EINPROGRESS" % errno.errorcode.get(e, e)
    sel.register(s, selectors.EVENT_WRITE)
    sel.select()
    sel.unregister(s)
    return s, s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
s, err = nb_connect(closed)
assert err == errno.ECONNREFUSED, "closed port: SO_ERROR %s" % errno.errorcode.get(err, err)
s.close()
s, err = nb_connect(port)
assert err == 0, "SO_ERROR %s" % errno.errorcode.get(err, err)
assert s.getpeername() == (peer, port) and s.getsockname()[0] == dev
req = b"GET /f1m HTTP/1.0\r\n\r\n"
sel.register(s, selectors.EVENT_WRITE)
buf = bytearray()
wakes = 0
while True:
    for k, ev in sel.select():
        wakes += 1
        if ev & selectors.EVENT_WRITE:
            req = req[s.send(req):]
            if not req:
                sel.modify(s, selectors.EVENT_READ)
        if ev & selectors.EVENT_READ:
            d = s.recv(65536)
            if not d:
                body = bytes(buf).split(b"\r\n\r\n", 1)[1]
                assert hashlib.sha256(body).hexdigest() == want, "SHA-256 differs"
                print("EINPROGRESS, refused: ECONNREFUSED; %d bytes in %d wake-ups" % (len(body), wakes))
                sys.exit(0)
            buf += d
PY
[ "$rc" = 0 ] && pass "test_preload_epoll ($(tail -n 1 "$out/epoll.txt"))" ||
    fail test_preload_epoll "exit $rc $(tail -n 5 "$out/epoll.txt")"

# ---- the far end sends data, then resets (SO_LINGER 0): ECONNRESET, as from the kernel ----
far_bg python3 -u - "$bindaddr" >"$out/rst_port" 2>"$out/rst_srv.log" <<'PY' &
import fcntl, socket, struct, sys, termios, time
ls = socket.socket()
ls.bind((sys.argv[1], 0))
ls.listen(4)
print(ls.getsockname()[1], flush=True)
while True:
    c, _ = ls.accept()
    n = int(c.recv(100).split()[0])  # the request: how many bytes before the RST
    c.sendall(bytes(range(256)) * (n // 256))
    # The RST once the board acknowledged them (wall-clock guard 60 s). (slirp passes it on
    # while it still has data for the board; a reset it reads after everything turns into a
    # FIN.)
    end = time.time() + 60
    while time.time() < end and struct.unpack("i", fcntl.ioctl(c, termios.TIOCOUTQ, b"    "))[0]:
        time.sleep(0.05)
    c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    c.close()
PY
pids+=($!)
for _ in $(seq 100); do [ -s "$out/rst_port" ] && break; sleep 0.1; done
rc=0
run python3 - "$peer" "$(head -n 1 "$out/rst_port")" "$net" >"$out/reset.txt" 2>&1 <<'PY' || rc=$?
import errno, select, socket, sys, time
peer, port = sys.argv[1], int(sys.argv[2])
full = sys.argv[3] == "tap"  # Linux sends all 102400 bytes first (slirp drops what it holds)
name = lambda e: errno.errorcode.get(e, "end of file")
# Read to the end: the data, then the error.
s = socket.create_connection((peer, port))
s.sendall(b"102400\n")
n, err = 0, None
try:
    while True:
        d = s.recv(65536)
        if not d:
            break
        n += len(d)
except OSError as e:
    err = e.errno
assert err == errno.ECONNRESET, "read to the end: %s after %d bytes, not ECONNRESET" % (name(err), n)
assert n == 102400 or not full, "read %d bytes of 102400 before ECONNRESET" % n
# Without reading: poll says POLLERR|POLLHUP, SO_ERROR ECONNRESET (once), then the data that
# reached the socket before the reset (what was still in the daemon's end is gone, as what an
# RST overtakes) and end of file.
s2 = socket.create_connection((peer, port))
s2.sendall(b"102400\n")
p = select.poll()
p.register(s2, select.POLLIN)
ev = 0
for _ in range(600):  # up to 60 s (wall-clock guard): POLLIN is there from the first byte
    r = p.poll(0)
    ev = r[0][1] if r else 0
    if ev & select.POLLERR:
        break
    time.sleep(0.1)
assert ev & select.POLLERR and ev & select.POLLHUP, "poll: 0x%x, not POLLERR|POLLHUP" % ev
e2 = s2.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
assert e2 == errno.ECONNRESET, "SO_ERROR %s, not ECONNRESET" % name(e2)
m = 0
while True:
    d = s2.recv(65536)
    if not d:
        break
    m += len(d)
print("read %d bytes then ECONNRESET; unread: poll POLLERR|POLLHUP, SO_ERROR ECONNRESET, "
      "then %d bytes and end of file" % (n, m))
PY
[ "$rc" = 0 ] && pass "test_preload_peer_reset_econnreset ($(tail -n 1 "$out/reset.txt"))" ||
    fail test_preload_peer_reset_econnreset "exit $rc $(tail -n 3 "$out/reset.txt")"

# ---- a server through the preload: http.server on the board's port 8000 ----
accepts0=$(toed_stat accepts)
"$toe" run python3 -u -m http.server -d "$out/www" 8000 >"$out/pysrv.log" 2>&1 &
srv=$!
pids+=($srv)
for _ in $(seq 100); do grep -q "Serving HTTP" "$out/pysrv.log" && break; sleep 0.1; done
ok=0
for f in f1m f0; do
    rc=0
    far timeout 120 curl -sS -o "$out/got/srv_$f" "$srv_url/$f" 2>"$out/srv_$f.err" || rc=$?
    same "$out/got/srv_$f" "$out/www/$f" && ok=$((ok + 1)) || echo "  $f: exit $rc $(cat "$out/srv_$f.err")"
done
n=$(toed_stat accepts)
if [ "$ok" = 2 ] && [ $((n - accepts0)) -ge 2 ] && grep -q "^${peer//./\\.} .*\"GET /f1m" "$out/pysrv.log"; then
    pass "test_preload_http_server (far side's curl to $srv_url, SHA-256 matches; toed accepts $accepts0 -> $n)"
else
    fail test_preload_http_server "$ok of 2, accepts $accepts0 -> $n: $(tail -n 3 "$out/pysrv.log")"
fi
kill "$srv" 2>/dev/null || true

# ---- host names through the device's DNS: a stub server on the far side's port 53 ----
rm -f "$out/dns_ready"
STUB_ADDR=$bindaddr far_bg python3 -u "$top/tests/sim/dns_stub.py" "$out/dns_ready" preload-test.example="$peer" 2>"$out/dns.log" &
dnspid=$!
pids+=($dnspid)
for _ in $(seq 30); do [ -s "$out/dns_ready" ] || ! kill -0 "$dnspid" 2>/dev/null && break; sleep 0.1; done
if [ -s "$out/dns_ready" ]; then
    rc=0
    run --dns "$peer" curl -sS -o "$out/got/dns" "http://preload-test.example:$port/f1m" 2>"$out/dns.err" || rc=$?
    rc2=0
    run --dns "$peer" curl -sS -o /dev/null "http://nosuch.example:$port/f1m" 2>"$out/nxdomain.err" || rc2=$?
    same "$out/got/dns" "$out/www/f1m" && [ "$rc2" = 6 ] &&
        pass "test_preload_dns_through_device (a name only the device's DNS server knows; NXDOMAIN: curl exit 6)" ||
        fail test_preload_dns_through_device "exit $rc $(cat "$out/dns.err"); nxdomain exit $rc2 $(cat "$out/nxdomain.err")"
else
    echo "SKIP test_preload_dns_through_device: $(cat "$out/dns.log")"
fi

# ---- what is not routed stays on the kernel (slirp: the server is on this loopback) ----
if [ "$net" = slirp ]; then
    c0=$(toed_stat connects)
    rc=0
    timeout 60 "$toe" run curl -sS -o "$out/got/lo" "http://127.0.0.1:$port/f1m" 2>"$out/lo.err" || rc=$?
    timeout 60 "$toe" run --route 10.0.2.2:1-2 curl -sS -o "$out/got/unrouted" "http://127.0.0.1:$port/f0" 2>>"$out/lo.err" || rc=$?
    c1=$(toed_stat connects)
    same "$out/got/lo" "$out/www/f1m" && same "$out/got/unrouted" "$out/www/f0" && [ "$c0" = "$c1" ] &&
        pass "test_preload_unrouted_on_kernel (toed connects stay $c1)" ||
        fail test_preload_unrouted_on_kernel "exit $rc, connects $c0 -> $c1 $(cat "$out/lo.err")"
fi

# ---- the wire ----
if command -v tshark >/dev/null; then
    kill -TERM "$simpid" 2>/dev/null || true
    wait "$simpid" 2>/dev/null || true
    "$top/scripts/pcap_check.sh" "$pcap" >"$out/pcap_check.txt" 2>&1 && pass "test_preload_pcap_check ($(tail -n 1 "$out/pcap_check.txt"))" ||
        fail test_preload_pcap_check "$(tail -n 5 "$out/pcap_check.txt")"
fi
finish
