#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write the seed corpus of the libFuzzer harnesses: tests/fuzz/corpus/<target>/<name>.

A handful of small valid inputs per harness, in the input format its fuzz_<target>.c
describes. Regression inputs (from bugs the fuzzers found) sit beside them, named
crash-<what>, and are not written here. Run from anywhere; rewrites only these seeds.
"""
import os
import struct

TOP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")


def seed(target, name, data):
    d = os.path.join(TOP, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


# ---- devspec: the device string itself.
for name, s in [("sim", "sim:/tmp/toe.sock"), ("fifo", "ftdi-fifo:"),
                ("fifo_serial", "ftdi-fifo:0403:6014:FT12345"),
                ("uart", "ftdi-uart:0403:6010:B@12000000"), ("uart_default", "ftdi-uart:@115200"),
                ("tty", "tty:/dev/ttyUSB1@115200")]:
    seed("devspec", name, s.encode())

# ---- link: a piece size, then records: op, u16 length, bytes (op & 3: 0 raw, 1 framed,
# 2 framed with a flipped bit, 3 typed: op % 9 picks the type in front of the bytes).
def rec(op, b):
    return bytes([op]) + struct.pack(">H", len(b)) + b


TYPES = [0x01, 0x02, 0x03, 0x05, 0x06, 0x81, 0x82, 0x83, 0x84]


def typed(t, b):
    for op in range(3, 256, 4):
        if TYPES[op % 9] == t:
            return rec(op, b)
    raise ValueError(t)


seed("link", "csr_read", bytes([0xff]) + typed(0x01, bytes([7, 0x00, 0x10])))
seed("link", "resp_event", bytes([3]) + typed(0x81, bytes([7, 0, 0, 0, 0, 42])) +
     typed(0x82, bytes([2, 0, 1]) + bytes(8) + bytes(18)))
seed("link", "raw_rx_garbage", bytes([16]) + typed(0x83, bytes([1]) + bytes(8) + bytes(60)) +
     rec(0, b"\x00\x05junk\x00") + rec(2, bytes([0x81, 1, 0, 0, 0, 0, 0])))
seed("link", "data", bytes([0]) + typed(0x84, bytes([0, 0, 0, 0, 1]) + b"hello") +
     typed(0x05, bytes([0, 0, 0, 0, 1]) + bytes(300)))

# ---- dns: an answer (also taken as a host name).
def dname(s):
    return b"".join(bytes([len(l)]) + l.encode() for l in s.split(".")) + b"\0"


def question(s):
    return dname(s) + struct.pack(">HH", 1, 1)


def dns_hdr(qid, flags, qd, an):
    return struct.pack(">HHHHHH", qid, flags, qd, an, 0, 0)


seed("dns", "a_record", dns_hdr(0x1234, 0x8180, 1, 1) + question("example.com") + b"\xc0\x0c" +
     struct.pack(">HHIH", 1, 1, 300, 4) + bytes([93, 184, 216, 34]))
seed("dns", "cname_then_a", dns_hdr(0x4321, 0x8180, 1, 2) + question("www.example.org") +
     b"\xc0\x0c" + struct.pack(">HHIH", 5, 1, 60, 4) + b"\x01x\xc0\x10" + b"\xc0\x2d" +
     struct.pack(">HHIH", 1, 1, 60, 4) + bytes([10, 0, 2, 2]))
seed("dns", "nxdomain", dns_hdr(7, 0x8183, 1, 0) + question("no.such"))
seed("dns", "name", b"toe.example.com.")

# ---- http: piece size, head size limit / 16, header count limit, redirect limit + 1; then
# the server's bytes.
HTTP = {
    "length_keepalive": b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n"
                        b"\r\nhelloHTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n",
    "chunked_trailer": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello"
                       b"\r\n0\r\nX-T: 1\r\n\r\n",
    "redirect": b"HTTP/1.1 301 Moved\r\nLocation: http://example.com:8080/x y?z\r\n"
                b"Content-Length: 3\r\n\r\nabcHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
    "relative_redirect": b"HTTP/1.1 302 Found\r\nLocation: ../next\r\nConnection: close\r\n\r\n"
                         b"HTTP/1.0 200 OK\r\n\r\nbody up to the close",
    "interim": b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n"
               b"HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n",
}
for name, body in HTTP.items():
    seed("http", name, bytes([0, 0, 0, 6]) + body)
seed("http", "one_byte_pieces", bytes([1, 4, 3, 2]) + HTTP["chunked_trailer"])

# ---- dev: records (see fuzz_dev.c), op & 7 the kind.
PAUSE = bytes([4, 0])


def tcp(op, flags, d1=0, d2=0, wnd=65535, opt=b"", data=b""):
    return (bytes([op, flags]) + struct.pack(">hhH", d1, d2, wnd) + bytes([len(opt) // 4]) +
            opt + struct.pack(">H", len(data)) + data)


def slot_event(slot, flags, una=0, wnd=65535, shift=0, rcv=0, rtt=100):
    return bytes([1, slot, flags]) + struct.pack(">hHBhH", una, wnd, shift, rcv, rtt)


def rx_data(slot, d, data):
    return bytes([2, slot]) + struct.pack(">hH", d, len(data)) + data


MSS = bytes([2, 4, 5, 0xb4, 1, 3, 3, 7])  # MSS 1460, NOP, window scale 7
seed("dev", "connect", PAUSE * 4 + tcp(0, 0x12, opt=MSS) + PAUSE * 2 +
     slot_event(0, 0, una=0) + rx_data(0, 0, b"hello") + PAUSE * 2 + tcp(0, 0x11) +
     slot_event(0, 0x02, rcv=1) + PAUSE * 4)
seed("dev", "listen", PAUSE * 4 + tcp(0x18, 0x02, d1=100, opt=MSS) + PAUSE * 2 +
     tcp(0, 0x10) + PAUSE * 2 + slot_event(1, 0x01) + rx_data(1, 0, b"GET / HTTP/1.0\r\n\r\n") +
     PAUSE * 8)
seed("dev", "hostile", PAUSE * 2 +
     bytes([5, 0, 0]) + struct.pack(">I", 7) +              # a RESP to a finished tag
     bytes([6, 0x90]) + struct.pack(">HI", 2, 0xffffffff) +  # CAPS: 255 slots, huge rings
     bytes([6, 0x50]) + struct.pack(">I", 5000000) +         # device clock jumps
     bytes([7, 1]) + struct.pack(">h", 3) + bytes([0]) +     # an ALARM after a gap
     bytes([4, 6]) + b"\x00\x03ab\x00\x00" +                 # broken frames
     bytes([3 | 2 << 3, 9]) + struct.pack(">H", 3) + b"abc")  # RAW_RX too short
