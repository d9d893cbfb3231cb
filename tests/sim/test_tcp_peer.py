#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# test_tcp_peer.py: the far end of the TCP cosimulation tests, on the host's loopback (slirp's
# 10.0.2.2) or inside a network namespace (over the TAP). One server per run; it prints its
# port on the first line and serves connections until killed (or --count of them).
#
#   test_tcp_peer.py MODE [--bind ADDR] [--port N] [--bytes N] [--seed N] [--out DIR]
#
# MODE  source:   send --bytes of the seeded stream, then close
#       sink:     read to EOF, write DIR/sink-K.bin, then close
#       echo:     send back what arrives; close after EOF (half close: our direction stays open)
#       reverse:  read to EOF, then send the seeded stream of --bytes, then close
#       rst:      send --bytes, then reset the connection (SO_LINGER 0)
#       slowsink: like sink, but reads nothing until the file --go exists (small receive
#                 buffer, so the sender meets a zero window)
#       idle:     send nothing; read until the client closes, then close
#       connect:  (client) connect to --connect ADDR:PORT, send the seeded stream, half close,
#                 read to EOF into DIR/client.bin. --conns N: N connections at once, the K-th
#                 sending the stream of seed + K; --check: instead of writing client.bin,
#                 check each got back what it sent (an echo server), one line each, exit 1
#                 if any differs
import argparse
import functools
import os
import socket
import struct
import sys
import threading
import time


@functools.lru_cache(maxsize=16)
def stream(seed, n):
    """The seeded test stream: xorshift32, little-endian words (the C side makes the same).
    Made once per (seed, size) and before listening (main), not after accept: generating
    megabytes takes seconds of wall time, which the virtual board would see as a stall of
    as many seconds of device time (it lets simulated time run while the link is idle)."""
    x = seed or 1
    out = bytearray()
    while len(out) < n:
        x ^= (x << 13) & 0xffffffff
        x ^= x >> 17
        x ^= (x << 5) & 0xffffffff
        out += struct.pack("<I", x)
    return bytes(out[:n])


def recv_all(conn):
    """Everything the peer sends, up to its FIN."""
    buf = bytearray()
    while True:
        d = conn.recv(65536)
        if not d:
            return bytes(buf)
        buf += d


def serve(conn, k, a):
    conn.settimeout(600)
    try:
        if a.mode == "source":
            conn.sendall(stream(a.seed, a.bytes))
        elif a.mode in ("sink", "reverse", "slowsink"):
            while a.mode == "slowsink" and not os.path.exists(a.go):
                time.sleep(0.05)
            buf = recv_all(conn)
            with open(os.path.join(a.out, "sink-%d.bin" % k), "wb") as f:
                f.write(buf)
            if a.mode == "reverse":
                conn.sendall(stream(a.seed, a.bytes))
        elif a.mode == "echo":
            while True:
                d = conn.recv(65536)
                if not d:
                    break
                conn.sendall(d)
        elif a.mode == "rst":
            # the data and the RST only once the client's connect has returned (a RST in the
            # same instant as the handshake ends it as a refused connect): wall time, which
            # the virtual board runs as idle device time
            time.sleep(0.5)
            conn.sendall(stream(a.seed, a.bytes))
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        elif a.mode == "idle":
            while conn.recv(65536):
                pass
    finally:
        conn.close()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode")
    p.add_argument("--bind", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--bytes", type=int, default=100000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--out", default=".")
    p.add_argument("--count", type=int, default=0)
    p.add_argument("--connect", default="")
    p.add_argument("--go", default="")
    p.add_argument("--conns", type=int, default=1)
    p.add_argument("--check", action="store_true")
    a = p.parse_args()
    if a.mode == "connect":
        host, port = a.connect.rsplit(":", 1)
        results = [None] * a.conns
        for k in range(a.conns):   # the streams before connecting (see stream)
            stream(a.seed + k, a.bytes)

        def one(k):
            try:
                one_conn(k)
            except OSError as e:
                print("connection %d: %s" % (k, e), flush=True)

        def one_conn(k):
            c = socket.create_connection((host, int(port)), timeout=600)
            data = stream(a.seed + k, a.bytes)

            def send_all():
                c.sendall(data)
                c.shutdown(socket.SHUT_WR)  # half close: the far end reads to EOF, then answers

            t = threading.Thread(target=send_all, daemon=True)
            t.start()
            buf = recv_all(c)
            t.join()
            c.close()
            results[k] = (buf, data)

        ts = [threading.Thread(target=one, args=(k,)) for k in range(a.conns)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        if not a.check:
            with open(os.path.join(a.out, "client.bin"), "wb") as f:
                f.write(results[0][0] if results[0] else b"")
            return 0
        bad = 0
        for k, r in enumerate(results):
            ok = r is not None and r[0] == r[1]
            bad += not ok
            print("echo %d: %s (%d bytes back)" % (k, "ok" if ok else "DIFFERS", len(r[0]) if r else -1))
        return 1 if bad else 0
    if a.mode in ("source", "reverse", "rst"):
        stream(a.seed, a.bytes)
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if a.mode == "slowsink":
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.bind((a.bind, a.port))
    s.listen(16)
    print(s.getsockname()[1], flush=True)
    s.settimeout(900)
    k = 0
    while not a.count or k < a.count:
        conn, _ = s.accept()
        threading.Thread(target=serve, args=(conn, k, a), daemon=True).start()
        k += 1
    # let the last connections finish
    for t in threading.enumerate():
        if t is not threading.current_thread():
            t.join(600)


if __name__ == "__main__":
    sys.exit(main())
