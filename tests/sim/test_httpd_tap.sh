#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_httpd_tap: Linux curl fetches pages from the httpd example (build/bin/toe-httpd, on the
# device's toe_tcp_listen/toe_tcp_accept) on the virtual board, through a TAP device in a
# private network namespace: an index page, a 1 MB file (SHA-256 checked), two URLs on one
# kept-alive connection, HEAD, 404 and a path escaping the root (refused).
#
#   tests/sim/test_httpd_tap.sh        (as root; exit 77 = skipped)
#
# OUT overrides the output folder (build/tests/httpd_tap). Traffic stays inside the namespace;
# the namespace is deleted on exit.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
sim=$top/build/bin/toe-sim
httpd=$top/build/bin/toe-httpd
out=${OUT:-$top/build/tests/httpd_tap}
ns=toe-httpd-$$
dev_ip=10.9.0.2
host_ip=10.9.0.1

skip() { echo "SKIP: test_httpd_tap: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "not root"
[ -c /dev/net/tun ] || skip "/dev/net/tun missing"
for tool in ip curl nsenter timeout sha256sum; do
    command -v "$tool" >/dev/null || skip "$tool not installed"
done
for f in "$sim" "$httpd"; do [ -x "$f" ] || { echo "FAIL test_httpd_tap: $f not built"; exit 1; }; done
syms=$(nm -D --defined-only "$top/build/sw/libtoe.so" 2>/dev/null || true)
grep -qw toe_tcp_accept <<<"$syms" || skip "libtoe has no TCP sockets yet (toe_tcp_accept)"

mkdir -p "$out"
rm -rf "$out/www" "$out/got"
mkdir -p "$out/www/sub" "$out/got"
sock=$out/link.sock
log=$out/toe-sim.log
hlog=$out/httpd.log
pcap=$out/httpd_tap.pcap
rm -f "$sock" "$log" "$hlog"
printf '<html><body>hello from the toe virtual board</body></html>\n' >"$out/www/index.html"
printf 'second page\n' >"$out/www/sub/page.txt"
head -c 1048576 /dev/urandom >"$out/www/big.bin"
echo "secret" >"$out/outside.txt"

simpid=""
httpdpid=""
. "$top/scripts/lib/netns.sh"
nsx() { netns_run "$ns" "$@"; }
cleanup() {
    for p in $httpdpid $simpid; do
        kill -KILL "$p" 2>/dev/null || true
        wait "$p" 2>/dev/null || true
    done
    netns_down "$ns"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

passed=0
failed=0
pass() { echo "PASS $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1${2:+: $2}"; failed=$((failed + 1)); }
finish() {
    echo "test_httpd_tap: $passed passed, $failed failed"
    [ "$failed" = 0 ] && exit 0
    exit 1
}

netns_tap_up "$ns" "$host_ip/24" || skip "cannot create a network namespace with a TAP device"
nsenter --net="/run/netns/$ns" "$sim" --net tap:tap0 --ip "$dev_ip/24" --gw "$host_ip" \
    --link "unix:$sock" --link-phy fifo --pcap "$pcap" >"$out/stats.txt" 2>"$log" &
simpid=$!
wait_ready "$log" "$simpid" 60 || { fail test_httpd_tap_sim_ready; tail -n 20 "$log"; finish; }

# The server talks to the device over the link socket (a path: reachable from any namespace).
"$httpd" -d "sim:$sock" -p 80 -r "$out/www" 2>"$hlog" &
httpdpid=$!
for _ in $(seq 100); do
    grep -q "httpd: serving" "$hlog" 2>/dev/null && break
    kill -0 "$httpdpid" 2>/dev/null || break
    sleep 0.1
done
if grep -q "httpd: serving" "$hlog"; then
    pass "test_httpd_tap_listening ($(head -n 1 "$hlog"))"
else
    fail test_httpd_tap_listening "$(cat "$hlog")"
    finish
fi

c() { nsx timeout 120 curl -sS --max-time 100 "$@"; }
url=http://$dev_ip

if c -o "$out/got/index.html" "$url/" && cmp -s "$out/got/index.html" "$out/www/index.html"; then
    pass test_httpd_tap_index
else
    fail test_httpd_tap_index "$(head -c 200 "$out/got/index.html" 2>/dev/null)"
fi

if c -o "$out/got/big.bin" "$url/big.bin" &&
    [ "$(sha256sum <"$out/got/big.bin")" = "$(sha256sum <"$out/www/big.bin")" ]; then
    pass "test_httpd_tap_1mb_sha256"
else
    fail test_httpd_tap_1mb_sha256 "size $(stat -c %s "$out/got/big.bin" 2>/dev/null || echo none)"
fi

# Two URLs in one curl run: the second must re-use the connection.
if v=$(c -v -o "$out/got/ka1" "$url/index.html" -o "$out/got/ka2" "$url/sub/page.txt" 2>&1) &&
    cmp -s "$out/got/ka1" "$out/www/index.html" && cmp -s "$out/got/ka2" "$out/www/sub/page.txt" &&
    grep -qi "re-using existing connection" <<<"$v"; then
    pass test_httpd_tap_keep_alive_two_urls
else
    fail test_httpd_tap_keep_alive_two_urls "$(grep -i 'connect\|re-using' <<<"$v" | head -n 5 | tr '\n' ' ')"
fi

if h=$(c -I "$url/big.bin") && grep -qi "^content-length: 1048576" <<<"$h" && grep -q "^HTTP/1.1 200" <<<"$h"; then
    pass test_httpd_tap_head
else
    fail test_httpd_tap_head "$h"
fi

code=$(c -o /dev/null -w '%{http_code}' "$url/no-such-page" || true)
[ "$code" = 404 ] && pass test_httpd_tap_404 || fail test_httpd_tap_404 "status $code"

code=$(c --path-as-is -o "$out/got/escape" -w '%{http_code}' "$url/../outside.txt" || true)
if [ "$code" = 403 ] && ! grep -q secret "$out/got/escape"; then
    pass test_httpd_tap_no_escape_from_root
else
    fail test_httpd_tap_no_escape_from_root "status $code"
fi

# Clean stop: SIGTERM ends the server with status 0 and one log line per request.
kill -TERM "$httpdpid"
rc=0
timeout 30 tail --pid="$httpdpid" -f /dev/null || true
wait "$httpdpid" || rc=$?
httpdpid=""
n=$(grep -c '" [0-9][0-9][0-9] ' "$hlog" || true)
if [ "$rc" = 0 ] && [ "$n" -ge 7 ]; then
    pass "test_httpd_tap_clean_stop ($n requests logged)"
else
    fail test_httpd_tap_clean_stop "exit $rc, $n requests logged"
fi
kill -TERM "$simpid"
rc=0
wait "$simpid" || rc=$?
simpid=""
[ "$rc" = 0 ] && pass test_httpd_tap_sim_clean_exit || fail test_httpd_tap_sim_clean_exit "toe-sim exit $rc"
if command -v tshark >/dev/null; then
    "$top/scripts/pcap_check.sh" "$pcap" >"$out/pcap_check.txt" 2>&1 && pass test_httpd_tap_pcap_check ||
        fail test_httpd_tap_pcap_check "$(tail -n 5 "$out/pcap_check.txt")"
fi
finish
