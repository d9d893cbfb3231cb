#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Write garbage (random bytes with 0x00 delimiters among them) into toe-sim's link socket, then a
# valid CSR_READ of ID (COBS + CRC-32 per docs/LINK.md); expect a good RESP with 0x746f6531, the
# device's LINK_RX_BAD_FRAME/LINK_RX_BAD_CRC counters up, every byte written delivered once, and
# a second client served after the first one left.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
sim=${TOE_SIM:-$top/build/bin/toe-sim}
out=${OUT:-$top/build/tests}
mkdir -p "$out"
sock=$out/link_garbage.sock
stats=$out/link_garbage.stats
errlog=$out/link_garbage.err
name=test_link_garbage

"$sim" --net none --link "unix:$sock" --link-phy "${LINK_PHY:-uart:12000000}" --stats \
    >"$stats" 2>"$errlog" &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do
    grep -q 'toe-sim: ready' "$errlog" && break
    sleep 0.1
done
if ! grep -q "link unix:$sock" "$errlog"; then
    echo "FAIL $name: no ready line with the link"; cat "$errlog"; exit 1
fi

# CSR addresses of the two link error counters, from the generated definitions (spec/toe.spec).
def() { sed -n "s/^#define TOE_$1 \(0x[0-9a-f]*\|[0-9]*\)u\{0,1\} .*/\1/p" "$top/build/gen/toe_defs.h"; }
stat_base=$(def CSR_STAT_BASE)
bad_frame_csr=$(( stat_base + $(def STAT_LINK_RX_BAD_FRAME) ))
bad_crc_csr=$(( stat_base + $(def STAT_LINK_RX_BAD_CRC) ))

rc=0
python3 - "$sock" "$bad_frame_csr" "$bad_crc_csr" <<'PY' || rc=$?
import os, random, socket, struct, sys, time, zlib

def cobs(data):
    out, block = bytearray(), bytearray()
    for b in data:
        if b == 0:
            out += bytes([len(block) + 1]) + block; block = bytearray()
        else:
            block.append(b)
            if len(block) == 254:
                out += bytes([255]) + block; block = bytearray()
    return bytes(out + bytes([len(block) + 1]) + block)

def uncobs(data):
    out, i = bytearray(), 0
    while i < len(data):
        code = data[i]
        if code == 0 or i + code > len(data):
            raise ValueError("bad COBS")
        out += data[i + 1:i + code]; i += code
        if code != 255 and i < len(data):
            out.append(0)
    return bytes(out)

def frame(msg):
    return cobs(msg + struct.pack("<I", zlib.crc32(msg))) + b"\0"

def csr_read(s, tag, addr, timeout=60.0):
    s.sendall(frame(bytes([0x01, tag]) + struct.pack(">H", addr)))
    buf, end = b"", time.time() + timeout
    while time.time() < end:
        s.settimeout(max(0.1, end - time.time()))
        try:
            chunk = s.recv(4096)
        except socket.timeout:
            continue
        if not chunk:
            raise SystemExit("FAIL: the simulator closed the link")
        buf += chunk
        while b"\0" in buf:
            f, buf = buf.split(b"\0", 1)
            if not f:
                continue
            m = uncobs(f)
            body, crc = m[:-4], struct.unpack("<I", m[-4:])[0]
            if zlib.crc32(body) != crc:
                raise SystemExit("FAIL: RESP with a bad CRC")
            if body[0] == 0x81 and body[1] == tag:
                if len(body) != 7 or body[2] != 0:
                    raise SystemExit("FAIL: bad RESP %s" % body.hex())
                return struct.unpack(">I", body[3:7])[0]
    raise SystemExit("FAIL: no RESP to CSR_READ 0x%04x in %.0f s" % (addr, timeout))

rnd = random.Random(int(os.environ.get("SEED", "7")))
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
BAD_FRAME_CSR, BAD_CRC_CSR = int(sys.argv[2]), int(sys.argv[3])
bad0 = csr_read(s, 1, BAD_FRAME_CSR) + csr_read(s, 2, BAD_CRC_CSR)
garbage = bytearray(rnd.getrandbits(8) for _ in range(4000))
for i in range(0, len(garbage), 37):
    garbage[i] = 0                                 # many short and malformed frames
msg = bytes([0x01, 9, 0x00, 0x00])                  # a frame whose CRC does not match
garbage += b"\0" + cobs(b"\x01\x09\x00\x01" + struct.pack("<I", zlib.crc32(msg))) + b"\0"
s.sendall(bytes(garbage) + b"\0")
v = csr_read(s, 3, 0x0000)
if v != 0x746f6531:
    raise SystemExit("FAIL: ID reads 0x%08x" % v)
bad_frame, bad_crc = csr_read(s, 4, BAD_FRAME_CSR), csr_read(s, 5, BAD_CRC_CSR)
print("link garbage: ID 0x%08x, LINK_RX_BAD_FRAME %d LINK_RX_BAD_CRC %d (before: %d in all)"
      % (v, bad_frame, bad_crc, bad0))
if bad_crc < 1 or bad_frame + bad_crc < bad0 + 50:
    raise SystemExit("FAIL: error counters did not go up")
s.close()
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)   # the board takes the next client
s.connect(sys.argv[1])
if csr_read(s, 6, 0x0000) != 0x746f6531:
    raise SystemExit("FAIL: the second client read a wrong ID")
s.close()
PY
kill -INT $pid
wait $pid || rc=1
trap - EXIT
get() { sed -n "s/^$1 //p" "$stats"; }
if [ "$(get sim_link_clients_accepted)" != 2 ]; then
    echo "FAIL $name: clients accepted $(get sim_link_clients_accepted), want 2"; rc=1
fi
if [ "$(get sim_link_to_device_bytes)" != "$(get sim_link_from_client_bytes)" ]; then
    echo "FAIL $name: $(get sim_link_from_client_bytes) bytes from clients but" \
        "$(get sim_link_to_device_bytes) delivered to the device"; rc=1
fi
if [ -e "$sock" ]; then
    echo "FAIL $name: socket file left behind"; rc=1
fi
if [ "$rc" = 0 ]; then echo "PASS $name"; else echo "FAIL $name"; cat "$errlog"; fi
exit "$rc"
