#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# toed_client.py: a second, independent client of the toed control protocol (docs/DAEMON.md)
# for tests/sim/test_toed.sh and test_toed_tap.sh. Subcommands:
#   bad SOCK                         bad requests: each must get an ERR line; prints the replies
#   hold SOCK HOST PORT N READY      hold N connections, touch READY, then wait (up to 300 s)
#                                    until every one ends; prints "end I eof|error" lines
#   reset SOCK HOST PORT             connect to a server that resets the connection: reading
#                                    the passed fd must fail with ECONNRESET (not end of file),
#                                    poll say POLLERR|POLLHUP, a write on a second one fail
#                                    with ECONNRESET, as for a kernel socket, and
#                                    the control connection must say "EVENT ID ERR TOE_ECONNRESET"
#   close SOCK HOST PORT [abort]     connect, close the passed fd at once (abort: with
#                                    SO_LINGER {1, 0}, an RST); prints the ID
#   echo SOCK GPORT HPORT            LISTEN on GPORT, connect to 127.0.0.1:HPORT (slirp's
#                                    forward to it), ACCEPT, echo 200 kB through the passed fd,
#                                    half close both ways; prints "echo ok" or why not
import array, errno, os, select, socket, struct, sys, threading, time


class Ctl:
    def __init__(self, path):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.settimeout(60)
        self.s.connect(path)
        self.buf = b""
        self.fds = []

    def line(self):
        while b"\n" not in self.buf:
            data, fds, _, _ = socket.recv_fds(self.s, 4096, 4)
            if not data:
                raise EOFError("control connection closed")
            self.buf += data
            self.fds += fds
        ln, self.buf = self.buf.split(b"\n", 1)
        return ln.decode()

    def req(self, text):
        self.s.sendall(text.encode() + b"\n")
        data = []
        while True:
            ln = self.line()
            if ln.startswith("* "):
                data.append(ln[2:])
            elif ln.startswith("EVENT "):
                continue
            else:
                fd = self.fds.pop(0) if self.fds else None
                return ln, data, fd


def connect(path, host, port):
    """HELLO and CONNECT on a new control connection: (ctl, reply, fd), fd None if it failed."""
    c = Ctl(path)
    c.req("HELLO 1")
    r, _, fd = c.req("CONNECT %s %d" % (host, port))
    if not r.startswith("OK") or fd is None:
        print("connect failed:", r)
        fd = None
    return c, r, fd


def cmd_bad(path):
    c = Ctl(path)
    ok = True
    # before HELLO
    r, _, _ = c.req("INFO")
    print("before-hello:", r)
    ok &= r.startswith("ERR TOE_EPROTO")
    r, _, _ = c.req("HELLO 99")
    print("hello-99:", r)
    ok &= r.startswith("ERR TOE_ENOTSUP")
    r, _, _ = c.req("HELLO 1")
    ok &= r.startswith("OK toed 1")
    for bad in ["", "FOO", "CONNECT", "CONNECT 10.0.2.2", "CONNECT nosuchhost 80",
                "CONNECT 10.0.2.2 0", "CONNECT 10.0.2.2 70000", "CONNECT 10.0.2.2 80 extra",
                "LISTEN", "LISTEN x", "LISTEN 80 999", "ACCEPT", "ACCEPT 12345", "CLOSE 999",
                "INFO extra", "\x00\x01\xff binary", "HELLO"]:
        r, _, fd = c.req(bad)
        print("%r: %s" % (bad, r))
        ok &= r.startswith("ERR ") and fd is None
    # a connect the device refuses: 127.0.0.1 cannot be a TCP peer
    r, _, fd = c.req("CONNECT 127.0.0.1 80")
    print("connect-loopback:", r)
    ok &= r.startswith("ERR TOE_EADDRNOTAVAIL") and fd is None
    # the connection still works after all that
    r, data, _ = c.req("INFO")
    ok &= r == "OK" and any(d.startswith("id ") for d in data)
    # a line too long: an error, then the daemon closes this control connection
    c.s.sendall(b"X" * 2000 + b"\n")
    r = c.line()
    print("too-long:", r)
    ok &= r.startswith("ERR TOE_EINVAL")
    try:
        c.line()
        ok = False
    except (EOFError, OSError):
        pass
    print("bad ok" if ok else "bad FAILED")
    return 0 if ok else 1


def cmd_hold(path, host, port, n, ready):
    ctls, fds = [], []
    for _ in range(n):
        c, r, fd = connect(path, host, port)
        if fd is None:
            return 1
        ctls.append(c)
        fds.append(fd)
    open(ready, "w").write("ok\n")
    live = {fd: i for i, fd in enumerate(fds)}
    deadline = time.time() + 300
    while live and time.time() < deadline:
        rd, _, _ = select.select(list(live), [], [], 1)
        for fd in rd:
            try:
                d = os.read(fd, 65536)
                if d:
                    continue
                print("end %d eof" % live[fd])
            except OSError as e:
                print("end %d error %s" % (live[fd], e.strerror))
            del live[fd]
    sys.stdout.flush()
    return 0 if not live else 1


def cmd_reset(path, host, port):
    c, r, fd = connect(path, host, port)
    if fd is None:
        return 1
    cid = r.split()[1]
    s = socket.socket(fileno=fd)
    s.settimeout(60)
    s.sendall(b"go\n")
    ln = c.line()  # the EVENT first: the fd has its reset by then
    p = select.poll()
    p.register(s.fileno(), select.POLLIN)
    ev = p.poll(10000)
    rev = ev[0][1] if ev else 0
    got, err = b"", None
    try:
        while True:
            d = s.recv(65536)
            if not d:
                break
            got += d
    except OSError as e:
        err = e.errno
    ok = (ln.startswith("EVENT %s ERR TOE_ECONNRESET" % cid) and err == errno.ECONNRESET and
          bool(rev & select.POLLERR) and bool(rev & select.POLLHUP))
    # Another connection: a write after the reset says ECONNRESET too (once; then EPIPE).
    r, _, fd = c.req("CONNECT %s %d" % (host, port))
    werr = None
    if r.startswith("OK") and fd is not None:
        s2 = socket.socket(fileno=fd)
        s2.sendall(b"go\n")
        c.line()  # its EVENT
        try:
            s2.send(b"more")
        except OSError as e:
            werr = e.errno
    ok &= werr == errno.ECONNRESET
    print("reset %s: poll %s, recv %s after %d bytes, write %s; control: %s" % (
        "ok" if ok else "FAILED", "|".join(n for n in ("POLLIN", "POLLERR", "POLLHUP")
                                           if rev & getattr(select, n)) or "nothing",
        errno.errorcode.get(err, "end of file"), len(got), errno.errorcode.get(werr, werr), ln))
    return 0 if ok else 1


def cmd_close(path, host, port, abort):
    c, r, fd = connect(path, host, port)
    if fd is None:
        return 1
    if abort:
        s = socket.socket(fileno=fd)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        s.close()
    else:
        os.close(fd)
    print(r.split()[1])
    return 0


def cmd_echo(path, gport, hport):
    c = Ctl(path)
    c.req("HELLO 1")
    r, _, _ = c.req("LISTEN %d" % gport)
    if not r.startswith("OK "):
        print("listen failed:", r)
        return 1
    payload = os.urandom(200000)
    got = []

    def peer():
        s = socket.create_connection(("127.0.0.1", hport), timeout=60)
        s.sendall(payload)
        s.shutdown(socket.SHUT_WR)
        buf = b""
        while True:
            d = s.recv(65536)
            if not d:
                break
            buf += d
        got.append(buf)
        s.close()

    t = threading.Thread(target=peer)
    t.start()
    r, _, fd = c.req("ACCEPT " + r.split()[1])
    if not r.startswith("OK ") or fd is None:
        print("accept failed:", r)
        return 1
    s = socket.socket(fileno=fd)
    n = 0
    while True:
        d = s.recv(65536)
        if not d:
            break
        s.sendall(d)
        n += len(d)
    s.shutdown(socket.SHUT_WR)
    t.join(120)
    s.close()
    ok = got and got[0] == payload
    print("echo ok (%d bytes each way, peer %s)" % (n, r) if ok else
          "echo FAILED: sent %d, echoed %d, peer got %d" % (len(payload), n, len(got[0]) if got else -1))
    return 0 if ok else 1


def main():
    a = sys.argv[1:]
    if a[:1] == ["bad"] and len(a) == 2:
        return cmd_bad(a[1])
    if a[:1] == ["hold"] and len(a) == 6:
        return cmd_hold(a[1], a[2], int(a[3]), int(a[4]), a[5])
    if a[:1] == ["reset"] and len(a) == 4:
        return cmd_reset(a[1], a[2], int(a[3]))
    if a[:1] == ["close"] and len(a) in (4, 5) and a[4:] in ([], ["abort"]):
        return cmd_close(a[1], a[2], int(a[3]), a[4:] == ["abort"])
    if a[:1] == ["echo"] and len(a) == 4:
        return cmd_echo(a[1], int(a[2]), int(a[3]))
    print(__doc__ or "usage: see the header", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
