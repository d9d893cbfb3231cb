#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# loss_recovery.py: how a TCP sender recovered from the one segment toe-sim dropped on purpose
# (--drop-segment). Reads the fault log line of that drop and the run's capture (through
# tshark; the capture is taken behind the injector, so it never holds the dropped frame) and
# prints, in simulated time from the drop: when the same sequence number went out again and
# when the receiver's ACK covered it.
#
#   loss_recovery.py FAULT_LOG PCAP DEVICE_IP
#
# Prints "retransmit_ms=X recovered_ms=Y" and exits 0; exits 1 with a reason if the drop, the
# retransmission or the covering ACK is missing.
import re
import subprocess
import sys


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: loss_recovery.py FAULT_LOG PCAP DEVICE_IP")
    log, pcap, dev_ip = sys.argv[1:]
    drop = None
    with open(log) as f:
        for line in f:
            m = re.match(r"(to-net|to-rtl) \d+ drop segment \d+ seq (\d+) len (\d+) at (\d+) ps", line)
            if m:
                drop = m.group(1), int(m.group(2)), int(m.group(3)), int(m.group(4)) / 1e12
    if not drop:
        print("no --drop-segment decision in %s" % log)
        return 1
    direction, seq, length, t_drop = drop
    sender_is_device = direction == "to-net"
    out = subprocess.run(
        ["tshark", "-r", pcap, "-Y", "tcp", "-o", "tcp.relative_sequence_numbers:FALSE",
         "-T", "fields", "-e", "frame.time_epoch", "-e", "ip.src", "-e", "tcp.seq",
         "-e", "tcp.ack", "-e", "tcp.len"],
        capture_output=True, text=True, check=True).stdout
    end = (seq + length) & 0xffffffff
    t_rexmit = t_ack = None
    for row in out.splitlines():
        t, src, s, a, n = row.split("\t")
        t = float(t)
        if t < t_drop:
            continue
        from_sender = (src == dev_ip) == sender_is_device
        if from_sender and t_rexmit is None and int(s) == seq and int(n) > 0:
            t_rexmit = t
        # the receiver's ACK covers the lost bytes: ack - end in [0, 2^31)
        if not from_sender and a and ((int(a) - end) & 0xffffffff) < 0x80000000:
            t_ack = t
            break
    if t_rexmit is None or t_ack is None:
        print("seq %d (%d bytes, %s) dropped at %.6f s: %s" % (
            seq, length, direction, t_drop,
            "never sent again" if t_rexmit is None else "never acknowledged"))
        return 1
    print("retransmit_ms=%.3f recovered_ms=%.3f" % ((t_rexmit - t_drop) * 1e3, (t_ack - t_drop) * 1e3))
    return 0


if __name__ == "__main__":
    sys.exit(main())
