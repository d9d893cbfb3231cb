#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""dns_stub: a DNS server on 127.0.0.1:53 (10.0.2.2:53 from the virtual board through slirp;
$STUB_ADDR another address, e.g. a TAP's) that knows the names given, A records only, and
answers NXDOMAIN for the rest.

    dns_stub.py READY_FILE NAME=IPV4...     writes READY_FILE once it listens; exits 1 if
                                            the port cannot be bound (the caller skips)
"""
import os
import socket
import struct
import sys

names = {n.lower(): socket.inet_aton(a) for n, a in (x.split("=", 1) for x in sys.argv[2:])}
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
try:
    s.bind((os.environ.get("STUB_ADDR", "127.0.0.1"), 53))
except OSError as e:
    print("cannot bind port 53: %s" % e, file=sys.stderr)
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
    ip = names.get(".".join(labels).lower())
    if ip:
        ans = b"\xc0\x0c\x00\x01\x00\x01\x00\x00\x00\x3c\x00\x04" + ip
        s.sendto(struct.pack(">HHHHHH", qid, 0x8180, 1, 1, 0, 0) + question + ans, peer)
    else:
        s.sendto(struct.pack(">HHHHHH", qid, 0x8183, 1, 0, 0, 0) + question, peer)
