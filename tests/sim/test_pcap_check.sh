#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_pcap_check: scripts/pcap_check.sh accepts good captures and rejects each kind of bad one
# (IPv4, ICMP, TCP, UDP checksums, malformed packets, FCS, empty files), and --from filters;
# a TCP checksum of 0xffff for 0x0000 is the same value and passes.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
check=$top/scripts/pcap_check.sh
command -v tshark >/dev/null || { echo "SKIP: tshark not installed"; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: python3 not installed"; exit 77; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

python3 - "$dir" <<'PY'
import struct, sys, zlib
out = sys.argv[1]
def csum(b):
    if len(b) % 2: b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff
A, B = bytes([10, 9, 0, 1]), bytes([10, 9, 0, 2])
def ip(src, dst, proto, payload, bad=False):
    h = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(payload), 1, 0, 64, proto, 0, src, dst)
    c = csum(h) ^ (1 if bad else 0)
    return h[:10] + struct.pack('!H', c) + h[12:] + payload
def l4(proto, src, dst, hdr, payload, off, bad=False):
    pseudo = src + dst + struct.pack('!BBH', 0, proto, len(hdr) + len(payload))
    c = csum(pseudo + hdr + payload) ^ (1 if bad else 0)
    return hdr[:off] + struct.pack('!H', c) + hdr[off + 2:] + payload
def icmp(t, payload, bad=False):
    h = struct.pack('!BBHHH', t, 0, 0, 1, 1) + payload
    c = csum(h) ^ (1 if bad else 0)
    return h[:2] + struct.pack('!H', c) + h[4:]
def udp(bad=False):
    return l4(17, A, B, struct.pack('!HHHH', 1000, 2000, 12, 0), b'abcd', 6, bad)
def tcp(bad=False):
    return l4(6, A, B, struct.pack('!HHIIBBHHH', 1, 2, 0, 0, 0x50, 2, 100, 0, 0), b'', 16, bad)
def tcp_ffff():
    # a segment whose checksum comes out 0x0000 (the urgent pointer is chosen for it), sent
    # as 0xffff: the same value in one's complement (RFC 1624), as Linux sometimes sends it
    pseudo = A + B + struct.pack('!BBH', 0, 6, 20)
    h = struct.pack('!HHIIBBHHH', 1, 2, 0, 0, 0x50, 0x10, 100, 0, 0)
    h = h[:18] + struct.pack('!H', csum(pseudo + h))
    assert csum(pseudo + h) == 0
    return h[:16] + b'\xff\xff' + h[18:]
DEV, HOST = b'\x02\0\0\0\0\x01', b'\x02\0\0\0\0\xfe'
def eth(p, src=HOST, dst=DEV, t=0x0800, fcs=False, badfcs=False):
    f = dst + src + struct.pack('!H', t) + p
    f += b'\0' * max(0, 60 - len(f))
    if fcs:
        f += struct.pack('<I', zlib.crc32(f) ^ (1 if badfcs else 0))
    return f
def pcap(name, frames):
    with open(f'{out}/{name}.pcap', 'wb') as fh:
        fh.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for i, fr in enumerate(frames):
            fh.write(struct.pack('<IIII', i, 0, len(fr), len(fr)) + fr)
req = eth(ip(A, B, 1, icmp(8, b'x' * 56)))
rep = eth(ip(B, A, 1, icmp(0, b'x' * 56)), src=DEV, dst=HOST)
pcap('good', [req, rep, eth(ip(A, B, 17, udp())), eth(ip(A, B, 6, tcp()))])
pcap('bad_ip', [req, eth(ip(A, B, 1, icmp(8, b'x'), bad=True))])
pcap('bad_icmp', [req, eth(ip(A, B, 1, icmp(8, b'x', bad=True)))])
pcap('bad_udp', [req, eth(ip(A, B, 17, udp(bad=True)))])
pcap('bad_tcp', [req, eth(ip(A, B, 6, tcp(bad=True)))])
pcap('tcp_ffff', [req, eth(ip(A, B, 6, tcp_ffff()))])
pcap('malformed', [req, eth(ip(A, B, 17, udp()))[:20]])
pcap('empty', [])
pcap('bad_from_host', [rep, eth(ip(A, B, 1, icmp(8, b'x'), bad=True))])
pcap('good_fcs', [eth(ip(A, B, 1, icmp(8, b'x' * 56)), fcs=True)])
pcap('bad_fcs', [eth(ip(A, B, 1, icmp(8, b'x' * 56)), fcs=True, badfcs=True)])
PY

passed=0
failed=0
expect() { # expect STATUS NAME ARGS...: pcap_check.sh must exit with that status
    local want=$1 name=$2 rc=0
    shift 2
    "$check" "$@" >"$dir/out" 2>&1 || rc=$?
    if [ "$rc" = "$want" ]; then
        echo "PASS test_pcap_check_$name"
        passed=$((passed + 1))
    else
        echo "FAIL test_pcap_check_$name: exit $rc, expected $want"
        sed 's/^/  /' "$dir/out"
        failed=$((failed + 1))
    fi
}
expect 0 good "$dir/good.pcap"
expect 1 bad_ip_checksum "$dir/bad_ip.pcap"
expect 1 bad_icmp_checksum "$dir/bad_icmp.pcap"
expect 1 bad_udp_checksum "$dir/bad_udp.pcap"
expect 1 bad_tcp_checksum "$dir/bad_tcp.pcap"
expect 0 tcp_checksum_ffff_for_zero "$dir/tcp_ffff.pcap"
expect 1 malformed "$dir/malformed.pcap"
expect 1 empty "$dir/empty.pcap"
expect 1 missing_file "$dir/none.pcap"
expect 1 one_bad_of_two "$dir/good.pcap" "$dir/bad_ip.pcap"
expect 0 from_filters_direction --from 02:00:00:00:00:01 "$dir/bad_from_host.pcap"
expect 1 from_still_checks_all "$dir/bad_from_host.pcap"
expect 0 fcs_good --fcs "$dir/good_fcs.pcap"
expect 1 fcs_bad --fcs "$dir/bad_fcs.pcap"
expect 2 usage
echo "test_pcap_check: $passed passed, $failed failed"
[ "$failed" = 0 ]
