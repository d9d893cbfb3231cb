#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# iperf_peer.py: the far end of `toe iperf` in the tests (tests/sim/test_iperf.sh): one
# connection, then exit. Prints its port on the first line, its result on the last.
#
#   iperf_peer.py sink   [--bind ADDR] [--port N]             read to EOF, check every byte
#   iperf_peer.py source [--bind ADDR] [--port N] --bytes N   send N bytes, then close
#
# The stream is the device's traffic source pattern (rtl/core/toe_traffic.v): the byte at
# offset o is (o ^ o >> 8 ^ o >> 16 ^ o >> 24) & 255. The sink prints
# "bytes N errors E first_error O" (O: -1 if none) and exits 1 if any byte differs.
import argparse
import socket
import sys

# the pattern of one 64 KiB block at offset 0, then per block the XOR of its upper bytes
_LOW = bytes(((i & 255) ^ (i >> 8)) for i in range(65536))
_XOR = [bytes(x ^ c for x in range(256)) for c in range(256)]


def pattern(start, n):
    """Bytes start .. start + n - 1 of the stream."""
    out = bytearray()
    block = start >> 16
    skip = start & 0xffff
    while len(out) < n + skip:
        c = ((block & 255) ^ (block >> 8 & 255)) & 255
        out += _LOW.translate(_XOR[c])
        block += 1
    return bytes(out[skip:skip + n])


def check(data):
    """(errors, first offset that differs or -1)."""
    errors, first = 0, -1
    step = 1 << 20
    for at in range(0, len(data), step):
        got = data[at:at + step]
        want = pattern(at, len(got))
        if got != want:
            bad = [i for i in range(len(got)) if got[i] != want[i]]
            errors += len(bad)
            if first < 0:
                first = at + bad[0]
    return errors, first


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["sink", "source"])
    ap.add_argument("--bind", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--bytes", type=int, default=0)
    a = ap.parse_args()
    data = pattern(0, a.bytes) if a.mode == "source" else b""
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((a.bind, a.port))
    ls.listen(1)
    print(ls.getsockname()[1], flush=True)
    conn, _ = ls.accept()
    conn.settimeout(600)
    if a.mode == "source":
        conn.sendall(data)
        conn.shutdown(socket.SHUT_WR)
        while conn.recv(65536):
            pass
        print(f"sent {len(data)}", flush=True)
        return 0
    buf = bytearray()
    while True:
        d = conn.recv(1 << 20)
        if not d:
            break
        buf += d
    conn.close()
    errors, first = check(bytes(buf))
    print(f"bytes {len(buf)} errors {errors} first_error {first}", flush=True)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
