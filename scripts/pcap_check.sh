#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Wire check of captures with tshark: every IPv4/ICMP/TCP/UDP checksum must be right and no packet
# may be malformed or carry an expert error.
#
#   scripts/pcap_check.sh [--from MAC] [--fcs] FILE...
#
#   --from MAC  check only frames with that Ethernet source (the device-sent direction), for
#               captures that also hold deliberately bad input (the RX fuzz test).
#   --fcs       the capture's frames end with the 4-byte FCS; check it too.
#
# Prints one line per file: "pcap_check: FILE: N frames, B bad" and the first bad frames.
# Exits 0 when every file has at least one checked frame and no bad one, 1 otherwise, 2 on usage.
set -euo pipefail

usage() { echo "usage: $0 [--from MAC] [--fcs] FILE..." >&2; exit 2; }

from=""
fcs=0
while [ $# -gt 0 ]; do
    case "$1" in
        --from) [ $# -ge 2 ] || usage; from=$2; shift 2 ;;
        --fcs) fcs=1; shift ;;
        --) shift; break ;;
        -*) usage ;;
        *) break ;;
    esac
done
[ $# -ge 1 ] || usage
command -v tshark >/dev/null || { echo "pcap_check: tshark not found" >&2; exit 1; }

# ICMP checksums are verified by tshark without a preference; IP, TCP and UDP need one.
opts=(-o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE -o udp.check_checksum:TRUE)
# Payloads are test data: decode them as plain data, or tshark guesses an application protocol
# from a port or a heuristic (random bytes as Thrift, say) and calls the packet malformed.
opts+=(-d 'tcp.port==1-65535,data' -d 'udp.port==1-65535,data')
# Status 0 is "Bad" (tshark -G values); severity "error" is 8388608. A TCP checksum of 0xffff
# where 0x0000 is computed is the same one's complement value (RFC 1624 section 3): Linux's
# incremental updates send it; a sum computed from scratch, as the device does, never does.
bad='ip.checksum.status == 0 || (tcp.checksum.status == 0 && !tcp.checksum.ffff)'
bad+=' || udp.checksum.status == 0'
bad+=' || icmp.checksum.status == 0 || _ws.malformed || _ws.expert.severity >= error'
if [ "$fcs" = 1 ]; then
    opts+=(-o eth.fcs:TRUE -o eth.check_fcs:TRUE)
    bad+=' || eth.fcs.status == 0'
fi
sel=""
[ -n "$from" ] && sel="eth.src == $from"

# tshark prints a warning when run as root; keep stderr only when tshark fails.
run_tshark() {
    local err rc=0 out
    err=$(mktemp)
    out=$(tshark -n -r "$@" 2>"$err") || rc=$?
    if [ "$rc" != 0 ]; then
        grep -v 'Running as user "root"' "$err" >&2 || true
        rm -f "$err"
        return "$rc"
    fi
    rm -f "$err"
    printf '%s' "$out"
}

status=0
for f in "$@"; do
    if [ ! -r "$f" ]; then
        echo "pcap_check: $f: cannot read"
        status=1
        continue
    fi
    filt_all=${sel:-frame}
    filt_bad="($bad)"
    [ -n "$sel" ] && filt_bad="($sel) && $filt_bad"
    if ! nums=$(run_tshark "$f" "${opts[@]}" -Y "$filt_all" -T fields -e frame.number); then
        echo "pcap_check: $f: tshark failed"
        status=1
        continue
    fi
    total=$(printf '%s' "$nums" | grep -c . || true)
    if ! badlist=$(run_tshark "$f" "${opts[@]}" -Y "$filt_bad"); then
        echo "pcap_check: $f: tshark failed"
        status=1
        continue
    fi
    nbad=$(printf '%s' "$badlist" | grep -c . || true)
    echo "pcap_check: $f: $total frames${from:+ from $from}, $nbad bad"
    if [ "$nbad" != 0 ]; then
        printf '%s\n' "$badlist" | head -n 10 | sed 's/^/  bad: /'
        status=1
    elif [ "$total" = 0 ]; then
        echo "  no frames to check"
        status=1
    fi
done
exit "$status"
