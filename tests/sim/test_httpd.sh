#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_httpd: the httpd example (build/bin/toe-httpd, on the device's toe_tcp_listen, accept and
# poll) on the virtual board, from Linux in a private network namespace over a TAP device:
#   - curl: an index page, a 1 MB file (SHA-256 checked), two URLs on one kept-alive
#     connection, HEAD, 404, a path escaping the root (refused);
#   - request bodies (Content-Length, chunked) read and dropped, the next request on the same
#     connection answered; bodies refused (too large, broken chunks, Content-Length with
#     Transfer-Encoding, Expect: 100-continue on a refused method) close the connection;
#     pipelining, HEAD, HTTP/1.0 keep-alive, 400/403/404/405/413/414/431/501 (raw requests from
#     tests/sim/httpd_client.py); a client port reused while the server holds its TIME-WAIT;
#   - a request line with control and non-ASCII bytes gets 400, and the log has no byte
#     outside printable ASCII (they are logged as \xNN);
#   - ApacheBench, 200 requests by 8 concurrent clients, with and without keep-alive: every
#     request answered, none failed, none non-2xx, the document length right;
#   - slow clients (silent, trickling a head that never ends or a body, idle after one
#     kept-alive request, not reading a large answer) hold six of the device's eight slots while ab (2
#     clients, keep-alive) fetches through the others; the server closes them on their
#     device-time deadlines (408 for the tricklers, a RST for the one that does not read),
#     each after the fetches are done. A second server does this part, with deadlines of
#     SLOW_S seconds of device time (default 15, the idle one two thirds of it). The
#     simulator's device time never runs ahead of wall time (its idle skip is paced by the
#     wall clock; busy, it is 30-60x slower), so they last at least that long in wall time
#     and end far after the fetches however fast or loaded the machine is;
#   - ab with and without keep-alive through slirp (--hostfwd) on a second virtual board.
# The captures are checked with scripts/pcap_check.sh. Figures (printed, never asserted): ab's
# requests per second of wall time, and per second of device time from the capture.
#
#   tests/sim/test_httpd.sh        (as root; exit 77 = skipped)
#
# OUT overrides the output folder (build/tests/httpd), HTTPD the server binary. SLIRP=0 skips
# the slirp part.
# Traffic stays inside the namespace (and on loopback for slirp); the namespace is deleted on
# exit.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
sim=$top/build/bin/toe-sim
httpd=${HTTPD:-$top/build/bin/toe-httpd}
client=$top/tests/sim/httpd_client.py
out=${OUT:-$top/build/tests/httpd}
ns=toe-httpd-$$
dev_ip=10.9.2.2
host_ip=10.9.2.1
slow_s=${SLOW_S:-15}
name=test_httpd
. "$top/tests/sim/lib.sh"
need_tap ab curl python3 sha256sum
for f in "$sim" "$httpd"; do [ -x "$f" ] || { echo "FAIL test_httpd: $f not built"; exit 1; }; done

mkdir -p "$out"
rm -rf "$out/www" "$out/got" "$out/slow"
mkdir -p "$out/www/sub" "$out/got" "$out/slow"
sock=$out/link.sock
log=$out/toe-sim.log
hlog=$out/httpd.log
pcap=$out/httpd.pcap
rm -f "$sock" "$log" "$hlog" "$pcap"
printf '<html><body>hello from the toe virtual board</body></html>\n' >"$out/www/index.html"
printf 'second page\n' >"$out/www/sub/page.txt"
head -c 1048576 /dev/urandom >"$out/www/big.bin"
printf 'alpha\n' >"$out/www/a.txt"
printf 'bravo\n' >"$out/www/b.txt"
head -c 4096 /dev/urandom >"$out/www/4k.bin"
# One name per ab run, so its connections can be told apart in the capture.
for f in ab-close ab-keep; do cp "$out/www/4k.bin" "$out/www/$f.bin"; done
echo "secret" >"$out/outside.txt"
ln -s ../outside.txt "$out/www/escape.txt"

simpid=""
httpdpid=""
slowpids=""
nsx() { netns_run "$ns" "$@"; }
cleanup() {
    for p in $slowpids $httpdpid $simpid; do
        kill -KILL "$p" 2>/dev/null || true
        wait "$p" 2>/dev/null || true
    done
    netns_down "$ns"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# start_httpd LOG ARGS...: start the server (pid in httpdpid), wait for its "serving" line.
start_httpd() {
    local hl=$1
    shift
    "$httpd" "$@" -p 80 -r "$out/www" 2>"$hl" &
    httpdpid=$!
    for _ in $(seq 100); do
        grep -q "httpd: serving" "$hl" 2>/dev/null && return 0
        kill -0 "$httpdpid" 2>/dev/null || return 1
        sleep 0.1
    done
    return 1
}

# stop_httpd LOG NAME: SIGTERM; passes if it exits 0 and prints its summary.
stop_httpd() {
    local rc=0
    kill -TERM "$httpdpid"
    timeout 60 tail --pid="$httpdpid" -f /dev/null || true
    wait "$httpdpid" || rc=$?
    httpdpid=""
    if [ "$rc" = 0 ] && grep -q "httpd: done:" "$1"; then
        pass "$2 ($(grep "httpd: done:" "$1"))"
    else
        fail "$2" "exit $rc"
    fi
}

# check_ab NAME FILE KEEP [N]: ab's report says every one of N (200) requests for a 4096-byte
# file passed.
check_ab() {
    local name=$1 f=$2 keep=$3 n=${4:-200} why=""
    grep -q "^Complete requests: *$n\$" "$f" || why="$why incomplete;"
    grep -q '^Failed requests: *0$' "$f" || why="$why failed requests;"
    ! grep -q '^Non-2xx responses:' "$f" || why="$why non-2xx;"
    grep -q '^Document Length: *4096 bytes$' "$f" || why="$why document length;"
    grep -q "^HTML transferred: *$((n * 4096)) bytes\$" "$f" || why="$why bytes;"
    if [ "$keep" = 1 ]; then grep -q "^Keep-Alive requests: *$n\$" "$f" || why="$why keep-alive;"; fi
    if [ -z "$why" ]; then
        pass "$name ($(grep -o '^Requests per second: *[0-9.]*' "$f" | tr -s ' ') wall)"
    else
        fail "$name" "$why $(grep -E '^(Complete|Failed|Non-2xx|Keep-Alive|Document Length)' "$f" | tr -s ' ' | tr '\n' ' ')$(grep -m1 -E 'apr_|timeout' "$f" || true)"
    fi
}

netns_tap_up "$ns" "$host_ip/24" || skip "cannot create a network namespace with a TAP device"
nsenter --net="/run/netns/$ns" "$sim" --net tap:tap0 --ip "$dev_ip/24" --gw "$host_ip" \
    --link "unix:$sock" --link-phy fifo --pcap "$pcap" >"$out/stats.txt" 2>"$log" &
simpid=$!
wait_ready "$log" "$simpid" 60 || { fail test_httpd_sim_ready; tail -n 20 "$log"; finish; }

if start_httpd "$hlog" -d "sim:$sock" --timeout 20000 --idle-timeout 20000; then
    pass "test_httpd_listening ($(head -n 1 "$hlog"))"
else
    fail test_httpd_listening "$(cat "$hlog")"
    finish
fi
url=http://$dev_ip

# ---- curl ----
c() { nsx timeout 120 curl -sS --max-time 100 "$@"; }
if c -o "$out/got/index.html" "$url/" && cmp -s "$out/got/index.html" "$out/www/index.html"; then
    pass test_httpd_index
else
    fail test_httpd_index "$(head -c 200 "$out/got/index.html" 2>/dev/null)"
fi
if c -o "$out/got/big.bin" "$url/big.bin" &&
    [ "$(sha256sum <"$out/got/big.bin")" = "$(sha256sum <"$out/www/big.bin")" ]; then
    pass test_httpd_1mb_sha256
else
    fail test_httpd_1mb_sha256 "size $(stat -c %s "$out/got/big.bin" 2>/dev/null || echo none)"
fi
# Two URLs in one curl run: the second must re-use the connection.
if v=$(c -v -o "$out/got/ka1" "$url/index.html" -o "$out/got/ka2" "$url/sub/page.txt" 2>&1) &&
    cmp -s "$out/got/ka1" "$out/www/index.html" && cmp -s "$out/got/ka2" "$out/www/sub/page.txt" &&
    grep -qi "re-using existing connection" <<<"$v"; then
    pass test_httpd_keep_alive_two_urls
else
    fail test_httpd_keep_alive_two_urls "$(grep -i 'connect\|re-using' <<<"$v" | head -n 5 | tr '\n' ' ')"
fi
if h=$(c -I "$url/big.bin") && grep -qi "^content-length: 1048576" <<<"$h" && grep -q "^HTTP/1.1 200" <<<"$h"; then
    pass test_httpd_head
else
    fail test_httpd_head "$h"
fi
code=$(c -o /dev/null -w '%{http_code}' "$url/no-such-page" || true)
[ "$code" = 404 ] && pass test_httpd_404 || fail test_httpd_404 "status $code"
code=$(c --path-as-is -o "$out/got/escape" -w '%{http_code}' "$url/../outside.txt" || true)
if [ "$code" = 403 ] && ! grep -q secret "$out/got/escape"; then
    pass test_httpd_curl_no_escape_from_root
else
    fail test_httpd_curl_no_escape_from_root "status $code"
fi

# ---- raw requests on one connection: answers and how the connection ended ----
# Each connection from its own port below Linux's ephemeral range: the server closes most of
# them first and keeps their TIME-WAIT, and a new SYN on a 4-tuple in TIME-WAIT opens a new
# connection only if its sequence number is beyond the old one's (RFC 6191; else it gets an
# ACK and the RST that follows is ignored), which Linux's clock-driven ISNs make likely, not
# certain.
sport=20000
# expect_raw NAME EXPECTED REQUEST...: EXPECTED is httpd_client.py's output, lines joined by '|'.
expect_raw() {
    local name=$1 want=$2 got
    shift 2
    sport=$((sport + 1))
    got=$(nsx timeout 200 python3 "$client" "$dev_ip" 80 --sport "$sport" --wait 10 "$@" 2>&1 |
        tr '\n' '|' | sed 's/|$//') || true
    [ "$got" = "$want" ] && pass "$name" || fail "$name" "got '$got', want '$want'"
}
H='Host: t\r\n'
expect_raw test_httpd_body_content_length_then_next "200 6 alpha|200 6 bravo|EOF" \
    "GET /a.txt HTTP/1.1\r\n${H}Content-Length: 13\r\n\r\nGET /b.txt X\n" \
    "GET /b.txt HTTP/1.1\r\n${H}Connection: close\r\n\r\n"
expect_raw test_httpd_body_chunked_dropped "405 23 405 Method Not Allowed|200 6 bravo|200 6 alpha|EOF" \
    "POST /a.txt HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6;ext=\"1\"\r\n world\r\n0\r\nX-Trailer: 1\r\n\r\n" \
    "GET /b.txt HTTP/1.1\r\n${H}\r\n" \
    "GET /a.txt HTTP/1.1\r\n${H}Transfer-Encoding: gzip, chunked\r\nConnection: close\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
expect_raw test_httpd_post_405_body_dropped "405 23 405 Method Not Allowed|200 6 bravo|EOF" \
    "POST /a.txt HTTP/1.1\r\n${H}Content-Length: 16\r\n\r\nGET /a.txt HTTP/" \
    "GET /b.txt HTTP/1.1\r\n${H}Connection: close\r\n\r\n"
expect_raw test_httpd_expect_continue_refused_closes "405 23 405 Method Not Allowed|EOF" \
    "PUT /a.txt HTTP/1.1\r\n${H}Content-Length: 100000\r\nExpect: 100-continue\r\n\r\n"
expect_raw test_httpd_body_too_large_413 "413 22 413 Content Too Large|EOF" \
    "POST /a.txt HTTP/1.1\r\n${H}Content-Length: 2000000\r\n\r\nxyz"
expect_raw test_httpd_body_bad_chunk_400 "400 16 400 Bad Request|EOF" \
    "GET /a.txt HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n" \
    "GET /b.txt HTTP/1.1\r\n${H}\r\n"
expect_raw test_httpd_content_length_and_chunked_400 "400 16 400 Bad Request|EOF" \
    "GET /a.txt HTTP/1.1\r\n${H}Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" \
    "GET /b.txt HTTP/1.1\r\n${H}\r\n"
expect_raw test_httpd_transfer_coding_not_chunked_400 "400 16 400 Bad Request|EOF" \
    "GET /a.txt HTTP/1.1\r\n${H}Transfer-Encoding: gzip\r\n\r\nxx" "GET /b.txt HTTP/1.1\r\n${H}\r\n"
expect_raw test_httpd_pipelined_head_get_501 "200 0 -|501 20 501 Not Implemented|200 6 alpha|EOF" \
    "HEAD /a.txt HTTP/1.1\r\n${H}\r\n" "BREW /a.txt HTTP/1.1\r\n${H}\r\n" \
    "GET /a.txt HTTP/1.1\r\n${H}Connection: close\r\n\r\n"
expect_raw test_httpd_http10_keep_alive "200 6 alpha|200 6 bravo|EOF" \
    "GET /a.txt HTTP/1.0\r\nConnection: keep-alive\r\n\r\n" "GET /b.txt HTTP/1.0\r\n\r\n"
expect_raw test_httpd_http11_no_host_400 "400 16 400 Bad Request|EOF" "GET /a.txt HTTP/1.1\r\n\r\n"
expect_raw test_httpd_no_escape_from_root "403 14 403 Forbidden|404 14 404 Not Found|EOF" \
    "GET /../outside.txt HTTP/1.1\r\n${H}\r\n" "GET /escape.txt HTTP/1.1\r\n${H}Connection: close\r\n\r\n"
# A port reused at once while the server holds its TIME-WAIT (the server closed first): the
# new SYN from Linux is beyond the old connection's sequence numbers, so it opens a new
# connection (RFC 9293 3.6.1, RFC 6191) instead of getting an ACK for 2 MSL of device time.
expect_raw test_httpd_port_reuse_first "200 6 alpha|EOF" \
    "GET /a.txt HTTP/1.1\r\n${H}Connection: close\r\n\r\n"
sport=$((sport - 1))
expect_raw test_httpd_port_reused_from_time_wait "200 6 bravo|EOF" \
    "GET /b.txt HTTP/1.1\r\n${H}Connection: close\r\n\r\n"
long=$(printf 'a%.0s' $(seq 9000))
expect_raw test_httpd_request_line_too_long_414 "414 17 414 URI Too Long|EOF" "GET /$long HTTP/1.1\r\n${H}\r\n"
expect_raw test_httpd_head_too_long_431 "431 36 431 Request Header Fields Too Large|EOF" \
    "GET /a.txt HTTP/1.1\r\n${H}X-Long: $long\r\n\r\n"
expect_raw test_httpd_control_bytes_400 "400 16 400 Bad Request|EOF" \
    "GET /\x1b[31mred\rX\xff HTTP/1.1\r\n${H}\r\n"
# The log: the request line with \xNN for what is not printable, and no raw control byte at all.
if grep -qF '"GET /\x1b[31mred\x0dX\xff HTTP/1.1" 400' "$hlog" && ! LC_ALL=C grep -q '[^[:print:]]' "$hlog"; then
    pass test_httpd_log_escaped
else
    fail test_httpd_log_escaped "$(grep -n ' 400 ' "$hlog" | cat -v | tail -n 3)"
fi

# ---- ApacheBench: 8 concurrent clients, with and without keep-alive ----
# Without keep-alive last: the server closes each of those 200 connections first and keeps
# their TIME-WAIT (host records: no slot; see above); one ab run uses ports in sequence, so it
# meets none of its own. The 8 clients reconnect as soon as an answer is in: the SYN often
# comes with the FIN that ends a connection, and takes the slot that FIN frees.
nsx timeout 300 ab -s 60 -k -n 200 -c 8 "$url/ab-keep.bin" >"$out/ab_keep.txt" 2>&1 || true
check_ab test_httpd_c8_keep_alive "$out/ab_keep.txt" 1
nsx timeout 300 ab -s 60 -n 200 -c 8 "$url/ab-close.bin" >"$out/ab_close.txt" 2>&1 || true
check_ab test_httpd_c8_close "$out/ab_close.txt" 0

stop_httpd "$hlog" test_httpd_clean_stop

# span URI: seconds of device time from the first to the last frame of the connections that
# asked for URI (the capture's clock is simulated time; the simulator keeps the file flushed).
span() {
    command -v tshark >/dev/null || return 0
    tshark -r "$pcap" -Y tcp -T fields -e tcp.stream -e frame.time_relative -e http.request.uri 2>/dev/null |
        awk -F'\t' -v uri="$1" '{t[NR] = $2; s[NR] = $1; if ($3 == uri) want[$1] = 1}
            END {for (i = 1; i <= NR; i++) if (s[i] in want) {
                     if (lo == "" || t[i] < lo) lo = t[i]; if (t[i] > hi) hi = t[i] }
                 if (hi > lo) printf "%.6f", hi - lo}'
}
d_close=$(span /ab-close.bin)
d_keep=$(span /ab-keep.bin)
w_keep=$(awk '/^Time taken for tests:/ {print $5}' "$out/ab_keep.txt")
if [ -n "$d_close" ] && [ -n "$d_keep" ] && [ -n "$w_keep" ]; then
    echo "figure: ab -n 200 -c 8: $(awk -v d="$d_close" 'BEGIN {printf "%.0f req/s of device time (%.1f ms)", 200 / d, d * 1000}'); with -k: $(awk -v d="$d_keep" 'BEGIN {printf "%.0f req/s of device time (%.1f ms)", 200 / d, d * 1000}')"
    echo "simulator: $(awk -v w="$w_keep" -v d="$d_keep" 'BEGIN {printf "%.0f", w / d}')x slower than real time on the ab -k run"
fi
# Scaling these to the speed measured above undercut them: an idle board's time runs at the
# wall clock's pace, not at the busy board's.
tmo=$((slow_s * 1000))
idle=$((tmo * 2 / 3))

# ---- slow clients hold six of the eight slots; the others are served meanwhile ----
# A new server, so a new libtoe handle: no TIME-WAIT is left from the connections above.
hlog2=$out/httpd-slow.log
if ! start_httpd "$hlog2" -d "sim:$sock" --timeout "$tmo" --idle-timeout "$idle"; then
    fail test_httpd_slow_listening "$(cat "$hlog2")"
    finish
fi
slow_modes="silent trickle trickle tricklebody idle noread"
i=0
for m in $slow_modes; do
    i=$((i + 1))
    nsenter --net="/run/netns/$ns" python3 "$client" "$dev_ip" 80 --sport $((21000 + i)) \
        --slow "$m" "$out/slow/$i.$m" \
        2>"$out/slow/err-$i.$m" &
    slowpids="$slowpids $!"
done
for _ in $(seq 600); do
    [ "$(cat "$out"/slow/[0-9].[a-z]* 2>/dev/null | grep -c .)" = 6 ] && break
    sleep 0.1
done
# Two kept-alive clients through the two free slots (one ab process: little wall time, so the
# device-time deadlines of the slow ones are far off when it ends, whatever the simulator's speed).
nsx timeout 300 ab -s 60 -k -n 20 -c 2 "$url/4k.bin" >"$out/ab_slow.txt" 2>&1 || true
t_fetched=$(date +%s.%N)
open_then=$(cat "$out"/slow/[0-9].[a-z]* 2>/dev/null | grep -c '^open' || true)
check_ab "test_httpd_slow_clients_others_served ($open_then of 6 slow clients open after it)" \
    "$out/ab_slow.txt" 1 20
# The slow clients' ends: each waits (600 s at most) for the server to close it.
for p in $slowpids; do wait "$p" 2>/dev/null || true; done
slowpids=""
i=0
for m in $slow_modes; do
    i=$((i + 1))
    st=$(cat "$out/slow/$i.$m")
    case $m in
        silent) want=EOF ;;
        trickle | tricklebody) want=HTTP/1.1_408_Request_Timeout+EOF ;;
        idle) want=EOF ;;
        noread) want=RST ;;
    esac
    read -r what t how <<<"$st"
    if [ "$what" = closed ] && [ "$how" = "$want" ] &&
        python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) > float(sys.argv[2]) else 1)" "$t" "$t_fetched"; then
        pass "test_httpd_slow_${m}_closed_by_server_after_the_fetches ($how, $(python3 -c "print(f'{float(\"$t\") - float(\"$t_fetched\"):.1f}')") s after them)"
    else
        fail "test_httpd_slow_${m}_closed_by_server_after_the_fetches" "client $i: '$st' (fetches done at $t_fetched)"
    fi
done
n_to=$(grep -c 'closed: request timeout' "$hlog2" || true)
n_none=$(grep -c 'closed: no request in time' "$hlog2" || true)
n_send=$(grep -c 'closed: send timeout' "$hlog2" || true)
if [ "$n_to" = 3 ] && [ "$n_none" = 1 ] && [ "$n_send" = 1 ] &&
    grep -q '"POST /a.txt HTTP/1.1" 408 ' "$hlog2"; then
    pass test_httpd_slow_clients_logged
else
    fail test_httpd_slow_clients_logged "$n_to request timeouts (want 3), $n_none silent (want 1), $n_send send timeouts (want 1)"
fi

stop_httpd "$hlog2" test_httpd_slow_clean_stop
kill -TERM "$simpid"
rc=0
wait "$simpid" || rc=$?
simpid=""
[ "$rc" = 0 ] && pass test_httpd_sim_clean_exit || fail test_httpd_sim_clean_exit "toe-sim exit $rc"

if command -v tshark >/dev/null; then
    "$top/scripts/pcap_check.sh" "$pcap" >"$out/pcap_check.txt" 2>&1 && pass test_httpd_pcap_check ||
        fail test_httpd_pcap_check "$(tail -n 5 "$out/pcap_check.txt")"
fi

# ---- slirp: ab with and without keep-alive through --hostfwd ----
# Without keep-alive every SYN must find a slot at once: slirp sends a lost SYN again only
# after 3 s of simulated time, which ab does not wait for.
if [ "${SLIRP:-1}" = 1 ]; then
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    ssock=$out/slirp.sock
    slog=$out/toe-sim-slirp.log
    shlog=$out/httpd-slirp.log
    rm -f "$ssock" "$slog"
    "$sim" --net slirp --hostfwd "tcp::$port-:80" --link "unix:$ssock" --link-phy fifo \
        --pcap "$out/httpd_slirp.pcap" >"$out/stats_slirp.txt" 2>"$slog" &
    simpid=$!
    if wait_ready "$slog" "$simpid" 60 && start_httpd "$shlog" -d "sim:$ssock"; then
        timeout 300 ab -s 60 -k -n 200 -c 8 "http://127.0.0.1:$port/4k.bin" >"$out/ab_slirp_keep.txt" 2>&1 || true
        check_ab test_httpd_slirp_c8_keep_alive "$out/ab_slirp_keep.txt" 1
        timeout 300 ab -s 60 -n 200 -c 8 "http://127.0.0.1:$port/4k.bin" >"$out/ab_slirp_close.txt" 2>&1 || true
        check_ab test_httpd_slirp_c8_close "$out/ab_slirp_close.txt" 0
        stop_httpd "$shlog" test_httpd_slirp_clean_stop
    else
        fail test_httpd_slirp_ready "$(tail -n 3 "$slog" "$shlog")"
    fi
    kill -TERM "$simpid"
    wait "$simpid" || true
    simpid=""
    if command -v tshark >/dev/null; then
        "$top/scripts/pcap_check.sh" "$out/httpd_slirp.pcap" >"$out/pcap_check_slirp.txt" 2>&1 &&
            pass test_httpd_slirp_pcap_check ||
            fail test_httpd_slirp_pcap_check "$(tail -n 5 "$out/pcap_check_slirp.txt")"
    fi
fi
finish
