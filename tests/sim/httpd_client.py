#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""httpd_client: raw HTTP/1.x clients for tests/sim/test_httpd_ab.sh.

  httpd_client.py HOST PORT [--sport N] [--wait S] REQUEST...
      Send every REQUEST (Python escapes: '\\r\\n', '\\x1b') in one write (pipelined), then
      print one line per response, "CODE LENGTH BODY" (BODY: the body up to its last newline
      if it is printable ASCII, else "-"; 1xx answers too), and at the end how the connection
      ended: EOF, RST or OPEN (still open S seconds, default 20, after the last answer).
  httpd_client.py HOST PORT [--sport N] --slow MODE STATUS
      A client that holds a connection: MODE silent sends nothing; trickle sends a request
      head that never ends, one byte every 0.2 s; tricklebody a POST head, then its body one
      byte every 0.2 s; idle sends one kept-alive request and then
      nothing; noread asks for /big.bin with a 4 KB receive buffer and never reads (it sees
      only a RST). STATUS gets "open" once connected, then "closed T WHAT" when the server
      ends it (T: epoch seconds; WHAT: the status line of a last answer, or EOF or RST), or
      "timeout" after 600 s.
--sport N connects from local port N (a test gives each connection its own, so that none
meets the server's TIME-WAIT of an earlier one, or the same one on purpose).
"""
import codecs
import errno
import os
import select
import socket
import sys
import time


def parse_responses(buf, methods):
    """Complete responses at the front of buf: (list of (code, body), bytes used)."""
    out, used = [], 0
    while True:
        end = buf.find(b"\r\n\r\n", used)
        if end < 0:
            return out, used
        head = buf[used:end].decode("latin-1").split("\r\n")
        parts = head[0].split(" ", 2)
        code = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
        length = 0
        for line in head[1:]:
            name, _, value = line.partition(":")
            if name.strip().lower() == "content-length":
                length = int(value.strip())
        if 100 <= code < 200:
            out.append((code, b""))
            used = end + 4
            continue
        if methods and methods[0] == b"HEAD":
            length = 0
        if len(buf) < end + 4 + length:
            return out, used
        out.append((code, buf[end + 4:end + 4 + length]))
        used = end + 4 + length
        if methods:
            methods.pop(0)


def show(code, body):
    text = body.rstrip(b"\n")
    ok = all(32 <= b < 127 for b in text)
    print(f"{code} {len(body)} {text.decode() if ok and text else '-'}", flush=True)


def connect(host, port, sport, rcvbuf=0):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if rcvbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.bind(("", sport))
    s.settimeout(60)
    s.connect((host, port))
    return s


def requests_mode(s, wait, reqs):
    data = [codecs.escape_decode(r.encode())[0] for r in reqs]
    methods = [d.split(b" ", 1)[0] for d in data]
    s.sendall(b"".join(data))
    buf, answered, end = b"", 0, "OPEN"
    deadline = time.time() + 120
    while time.time() < deadline:
        if answered >= len(data):
            deadline = min(deadline, time.time() + wait)
        s.settimeout(max(0.1, deadline - time.time()))
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            break
        except ConnectionResetError:
            end = "RST"
            break
        if not chunk:
            end = "EOF"
            break
        buf += chunk
        got, used = parse_responses(buf, methods)
        buf = buf[used:]
        for code, body in got:
            show(code, body)
            answered += code >= 200
    if buf:
        print(f"partial {len(buf)}", flush=True)
    print(end, flush=True)


def slow_mode(s, mode, status):
    s.setblocking(False)
    with open(status, "w") as f:
        f.write("open\n")
    if mode == "idle":
        s.sendall(b"GET / HTTP/1.1\r\nHost: t\r\n\r\n")
    if mode == "noread":
        s.sendall(b"GET /big.bin HTTP/1.1\r\nHost: t\r\n\r\n")
    if mode == "tricklebody":
        s.sendall(b"POST /a.txt HTTP/1.1\r\nHost: t\r\nContent-Length: 100000\r\n\r\n")
    todo = b"GET / HTTP/1.1\r\nHost: t\r\nX-Slow: " if mode == "trickle" else b""
    got, what, stop = b"", "timeout", time.time() + 600
    while time.time() < stop:
        if mode == "noread":
            time.sleep(0.2)
            if s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == errno.ECONNRESET:
                what = "RST"
                break
            continue
        r, _, _ = select.select([s], [], [], 0.2)
        if r:
            try:
                chunk = s.recv(65536)
            except ConnectionResetError:
                what = "RST"
                break
            if not chunk:
                what = "EOF"
                break
            got += chunk
            continue
        if mode in ("trickle", "tricklebody"):
            try:
                s.send(todo[:1] if todo else b"a")
            except (BrokenPipeError, ConnectionResetError):
                what = "RST"
                break
            todo = todo[1:]
    first = [l for l in got.decode("latin-1").split("\r\n") if l.startswith("HTTP/1.1 ")]
    # The idle client's own answer is not the server's word on the close.
    last = first[-1] if first and (mode != "idle" or len(first) > 1) else ""
    with open(status + ".tmp", "w") as f:
        f.write("timeout\n" if what == "timeout" else
                f"closed {time.time():.3f} {last.replace(' ', '_') + '+' if last else ''}{what}\n")
    os.replace(status + ".tmp", status)


def main():
    a = sys.argv[1:]
    if len(a) < 3:
        sys.exit(__doc__)
    host, port, a = a[0], int(a[1]), a[2:]
    sport, wait = 0, 20.0
    while len(a) > 1 and a[0] in ("--sport", "--wait"):
        if a[0] == "--sport":
            sport = int(a[1])
        else:
            wait = float(a[1])
        a = a[2:]
    s = connect(host, port, sport, 4096 if a[-2:-1] == ["noread"] else 0)
    if a and a[0] == "--slow" and len(a) == 3:
        slow_mode(s, a[1], a[2])
    elif a and a[0] != "--slow":
        requests_mode(s, wait, a)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
