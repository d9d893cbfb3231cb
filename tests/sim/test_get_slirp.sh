#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_get_slirp: `toe get` through the virtual board (toe-sim with libslirp) against a Python
# http.server on the host's loopback, reached as 10.0.2.2: files of 0 and 1 byte, 1 MB and
# 10 MB (SHA-256 checked), the same bodies chunked, keep-alive over several URLs (one
# connection, from the server's log), a redirect, 404 (exit 4, no file), a server closing
# mid-body (exit 3, no file), malformed responses (exit 5, no file), https refused (exit 2),
# and DNS through the device when a stub DNS server can be bound on the loopback (root).
#
#   tests/sim/test_get_slirp.sh     (exit 77 = skipped: the TCP socket API is not there yet)
#
# OUT overrides the output folder (build/tests/get_slirp). Everything started is stopped.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
name=test_get_slirp
. "$top/tests/sim/lib.sh"
out=${OUT:-$top/build/tests/get_slirp}
toe=$top/build/bin/toe
sim=$top/build/bin/toe-sim
mkdir -p "$out"
rm -rf "$out/www" "$out/got"
mkdir -p "$out/www" "$out/got"
sock=$out/link.sock
log=$out/toe-sim.log
srvlog=$out/server.log
pcap=$out/get_slirp.pcap
trap bg_cleanup EXIT

for f in "$toe" "$sim"; do [ -x "$f" ] || { echo "FAIL test_get_slirp: $f not built"; exit 1; }; done
syms=$(nm -D --defined-only "$top/build/sw/libtoe.so" 2>/dev/null || true)
if ! grep -qw toe_tcp_connect <<<"$syms"; then
    echo "SKIP: test_get_slirp: libtoe has no TCP sockets yet (toe_tcp_connect)"
    exit 77
fi

# ---- content ----
python3 - "$out/www" <<'PY'
import random, sys, os
d = sys.argv[1]
r = random.Random(6)
for name, n in [("zero", 0), ("one", 1), ("1m", 1 << 20), ("10m", 10 << 20)]:
    with open(os.path.join(d, name), "wb") as f:
        f.write(r.randbytes(n))
for name in ("a", "b", "c"):
    with open(os.path.join(d, name), "wb") as f:
        f.write(("page %s\n" % name).encode() * 100)
PY

# ---- the server: http.server (HTTP/1.1, keep-alive) with a few special paths ----
rm -f "$out/port" "$srvlog"
python3 -u - "$out/www" >"$out/port" 2>"$srvlog" <<'PY' &
import http.server, os, random, sys, socketserver
root = sys.argv[1]

class H(http.server.SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def __init__(self, *a, **k):
        super().__init__(*a, directory=root, **k)
    def log_message(self, fmt, *args):
        sys.stderr.write("%s:%d %s\n" % (self.client_address[0], self.client_address[1], fmt % args))
    def raw(self, data):
        self.wfile.write(data)
        self.wfile.flush()
        self.close_connection = True
    def do_GET(self):
        p = self.path
        if p.startswith("/chunked/"):
            data = open(os.path.join(root, p[9:]), "rb").read()
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            rnd, i = random.Random(len(data)), 0
            while i < len(data):
                n = min(rnd.randint(1, 40000), len(data) - i)
                self.wfile.write(b"%x;ext=1\r\n" % n + data[i:i + n] + b"\r\n")
                i += n
            self.wfile.write(b"0\r\n\r\n")
        elif p == "/redirect":
            self.send_response(302)
            self.send_header("Location", "/chunked/one")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif p == "/truncated":
            self.log_request(200)
            self.raw(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + b"x" * 50000)
        elif p == "/truncated-chunked":
            self.log_request(200)
            self.raw(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1000\r\n" + b"y" * 100)
        elif p == "/malformed":
            self.log_request(200)
            self.raw(b"HTTP/1.1 2OO OK\r\nContent-Length: 2\r\n\r\nok")
        elif p == "/bad-chunk":
            self.log_request(200)
            self.raw(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n")
        elif p == "/huge-head":
            self.log_request(200)
            self.raw(b"HTTP/1.1 200 OK\r\n" + b"X-Pad: " + b"p" * 40000 + b"\r\nContent-Length: 0\r\n\r\n")
        else:
            super().do_GET()

class S(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
s = S(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()
PY
pids+=($!)
for _ in $(seq 50); do [ -s "$out/port" ] && break; sleep 0.1; done
port=$(head -n 1 "$out/port")
[ -n "$port" ] || { echo "FAIL test_get_slirp: the HTTP server did not start"; cat "$srvlog"; exit 1; }
base=http://10.0.2.2:$port

# ---- the virtual board (the FT245 link rate, so 10 MB take seconds, not minutes) ----
rm -f "$sock" "$log"
"$sim" --net slirp --link "unix:$sock" --link-phy fifo --pcap "$pcap" >"$out/stats.txt" 2>"$log" &
simpid=$!
pids+=($simpid)
wait_ready "$log" "$simpid" 60 || { echo "FAIL test_get_slirp: toe-sim did not start"; cat "$log"; exit 1; }
export TOE_DEVICE=sim:$sock

# get NAME EXPECTED_EXIT ARGS...: run toe get, check the exit status; the output is in
# $out/got/NAME, stderr in $out/got/NAME.err.
get() {
    local name=$1 want=$2 rc=0
    shift 2
    timeout 600 "$toe" get --timeout 60 -o "$out/got/$name" "$@" 2>"$out/got/$name.err" || rc=$?
    if [ "$rc" != "$want" ]; then
        fail "test_get_$name" "exit $rc, expected $want: $(head -c 300 "$out/got/$name.err")"
        return 1
    fi
    return 0
}

# ---- whole files, SHA-256 checked ----
for f in zero one 1m 10m; do
    if get "file_$f" 0 "$base/$f"; then
        if [ -f "$out/got/file_$f" ] && [ "$(sha "$out/got/file_$f")" = "$(sha "$out/www/$f")" ]; then
            pass "test_get_file_$f ($(stat -c %s "$out/got/file_$f") bytes, SHA-256 matches)"
        else
            fail "test_get_file_$f" "content differs or missing"
        fi
    fi
done
for f in one 1m 10m; do
    if get "chunked_$f" 0 "$base/chunked/$f"; then
        if [ "$(sha "$out/got/chunked_$f")" = "$(sha "$out/www/$f")" ]; then
            pass "test_get_chunked_$f (SHA-256 matches)"
        else
            fail "test_get_chunked_$f" "content differs"
        fi
    fi
done
# A progress bar only on a terminal: none in the captured stderr.
if grep -q $'\r' "$out/got/file_10m.err" 2>/dev/null; then
    fail test_get_no_progress_bar_when_not_a_tty "stderr has a progress bar"
else
    pass test_get_no_progress_bar_when_not_a_tty
fi

# ---- keep-alive: three URLs on one host, one connection ----
: >"$out/got/keepalive.want"
for f in a b c; do cat "$out/www/$f" >>"$out/got/keepalive.want"; done
before=$(wc -l <"$srvlog")
if get keepalive 0 "$base/a" "$base/b" "$base/c"; then
    ports=$(tail -n +"$((before + 1))" "$srvlog" | grep -E '"GET /[abc] ' | cut -d' ' -f1 | sort -u)
    nreq=$(tail -n +"$((before + 1))" "$srvlog" | grep -cE '"GET /[abc] ' || true)
    if cmp -s "$out/got/keepalive" "$out/got/keepalive.want" && [ "$nreq" = 3 ] && [ "$(wc -l <<<"$ports")" = 1 ]; then
        pass "test_get_keepalive_three_urls_one_connection ($ports)"
    else
        fail test_get_keepalive_three_urls_one_connection "requests $nreq from: $(tr '\n' ' ' <<<"$ports")"
    fi
fi

# ---- redirect ----
if get redirect 0 "$base/redirect"; then
    cmp -s "$out/got/redirect" "$out/www/one" && pass test_get_redirect_followed ||
        fail test_get_redirect_followed "content differs"
fi
if get redirect_off 4 --max-redirects 0 "$base/redirect"; then
    [ ! -e "$out/got/redirect_off" ] && grep -q "302" "$out/got/redirect_off.err" &&
        pass "test_get_redirect_not_followed_exit_4 ($(cat "$out/got/redirect_off.err"))" ||
        fail test_get_redirect_not_followed_exit_4 "$(cat "$out/got/redirect_off.err")"
fi

# ---- failures: the exit status, one line on stderr, and no output file ----
check_fail() { # NAME EXIT PATTERN URL...
    local name=$1 want=$2 pat=$3
    shift 3
    if get "$name" "$want" "$@"; then
        local err
        err=$(cat "$out/got/$name.err")
        if [ -e "$out/got/$name" ]; then
            fail "test_get_$name" "an output file was left behind"
        elif ls "$out/got/$name".toe-* >/dev/null 2>&1; then
            fail "test_get_$name" "a temporary file was left behind"
        elif [ "$(wc -l <<<"$err")" != 1 ] || ! grep -q -- "$pat" <<<"$err"; then
            fail "test_get_$name" "stderr: $err"
        else
            pass "test_get_$name (exit $want: $err)"
        fi
    fi
}
check_fail not_found_exit_4 4 "HTTP 404" "$base/no-such-file"
check_fail closed_mid_body_exit_3 3 "closed after 50000 of 100000" "$base/truncated"
check_fail closed_mid_chunk_exit_3 3 "closed in the middle of a chunk" "$base/truncated-chunked"
check_fail malformed_status_exit_5 5 "malformed status line" "$base/malformed"
check_fail bad_chunk_size_exit_5 5 "bad chunk size" "$base/bad-chunk"
check_fail oversized_head_exit_5 5 "larger than" "$base/huge-head"
check_fail https_exit_2 2 "https is not supported: toe has no TLS" "https://10.0.2.2:$port/one"
check_fail connect_refused_exit_3 3 "cannot connect" "http://10.0.2.2:1/"
# a failure after a good URL: the whole output is dropped
check_fail second_url_fails_no_file 4 "HTTP 404" "$base/one" "$base/no-such-file"
# an existing file is left untouched by a failed get
echo keep >"$out/got/existing"
rc=0
"$toe" get -o "$out/got/existing" "$base/no-such-file" 2>/dev/null || rc=$?
[ "$rc" = 4 ] && [ "$(cat "$out/got/existing")" = keep ] && pass test_get_failure_keeps_existing_file ||
    fail test_get_failure_keeps_existing_file "exit $rc, content '$(cat "$out/got/existing")'"
# stdout: the body, byte for byte
if "$toe" get "$base/1m" 2>"$out/got/stdout.err" | cmp -s - "$out/www/1m"; then
    pass test_get_to_stdout
else
    fail test_get_to_stdout "$(cat "$out/got/stdout.err")"
fi

# ---- DNS through the device: a stub server on 127.0.0.1:53 (10.0.2.2:53 through slirp) ----
rm -f "$out/dns_ready"
python3 -u - "$out/dns_ready" 2>"$out/dns.log" <<'PY' &
import socket, struct, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
try:
    s.bind(("127.0.0.1", 53))
except OSError as e:
    print("cannot bind 127.0.0.1:53: %s" % e, file=sys.stderr)
    sys.exit(1)
open(sys.argv[1], "w").write("ok\n")
s.settimeout(600)
while True:
    q, peer = s.recvfrom(512)
    qid, flags, qd = struct.unpack(">HHH", q[:6])
    i, labels = 12, []
    while q[i]:
        labels.append(q[i + 1:i + 1 + q[i]].decode())
        i += 1 + q[i]
    question = q[12:i + 5]
    name = ".".join(labels).lower()
    if name == "toe-test.example":
        ans = b"\xc0\x0c\x00\x01\x00\x01\x00\x00\x00\x3c\x00\x04" + bytes([10, 0, 2, 2])
        s.sendto(struct.pack(">HHHHHH", qid, 0x8180, 1, 1, 0, 0) + question + ans, peer)
    else:
        s.sendto(struct.pack(">HHHHHH", qid, 0x8183, 1, 0, 0, 0) + question, peer)
PY
dnspid=$!
pids+=($dnspid)
for _ in $(seq 30); do [ -s "$out/dns_ready" ] || ! kill -0 "$dnspid" 2>/dev/null && break; sleep 0.1; done
if [ -s "$out/dns_ready" ]; then
    if get dns_name 0 --dns 10.0.2.2 "http://toe-test.example:$port/one"; then
        cmp -s "$out/got/dns_name" "$out/www/one" && pass test_get_dns_name_resolved ||
            fail test_get_dns_name_resolved "content differs"
    fi
    check_fail dns_nxdomain_exit_3 3 "no such host" --dns 10.0.2.2 "http://nosuch.example:$port/one"
else
    echo "SKIP test_get_dns: $(cat "$out/dns.log")"
fi

kill -TERM "$simpid"
rc=0
wait "$simpid" || rc=$?
[ "$rc" = 0 ] && pass test_get_sim_clean_exit || fail test_get_sim_clean_exit "toe-sim exit $rc"
if command -v tshark >/dev/null; then
    "$top/scripts/pcap_check.sh" "$pcap" >"$out/pcap_check.txt" 2>&1 && pass test_get_pcap_check ||
        fail test_get_pcap_check "$(tail -n 5 "$out/pcap_check.txt")"
fi
finish
