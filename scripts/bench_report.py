#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`make bench`: run each benchmark, show its own output, then every figure as a ratio to its
limit with the command that produced it.

    scripts/bench_report.py               run them all (from the top of the tree, after make all)
    scripts/bench_report.py --markdown    the same, plus the summary as a Markdown table (README)
    scripts/bench_report.py --only NAME   one step: sim, echo, link, tcp, toed, preload,
                                          recovery, b2b, b2b16 (16 KiB rings), iperf

A ratio is the fraction of the limit reached: measured/limit for a rate, limit/measured for a
time, so 1.000 is the limit and less is short of it. Each limit is stated beside it. Figures
without a defined limit print "-". Exit status 1 if a step fails or prints no figure.
"""
import argparse
import re
import subprocess
import sys

CORE_HZ = 62.5e6          # the device clock (VBOARD_CORE_HZ)
NS_PER_BYTE = 8.0         # GMII, 1 Gb/s
UART_BPS = 1.2e6          # 12 Mbaud 8N1, each way
FIFO_BPS = 60e6           # FT245 FIFO, shared by both directions
CSR_LINK_BYTES = 10 + 13  # CSR_READ request and RESP on the link (bench_link)


def wire_ns(frame):
    """GMII time of a frame of `frame` bytes without FCS: padding, FCS, preamble and SFD."""
    return (max(frame, 60) + 4 + 8) * NS_PER_BYTE


def parse_sim(out):
    for m in re.finditer(r'bench (\w+): .* in [0-9.]+ s wall: ([0-9]+) cycles/s(.*)', out):
        rate = float(m.group(2))
        yield ('simulation speed, %s' % m.group(1), '%.2f M core cycles/s' % (rate / 1e6),
               rate / CORE_HZ, 'real time, %.1f M cycles/s' % (CORE_HZ / 1e6))
        cpu = re.search(r'([0-9]+) cycles per CPU second', m.group(3))
        if cpu:
            rate = float(cpu.group(1))
            yield ('simulation speed, %s, per CPU second' % m.group(1),
                   '%.2f M core cycles' % (rate / 1e6), rate / CORE_HZ,
                   'real time, %.1f M cycles/s' % (CORE_HZ / 1e6))


def parse_echo(out):
    for m in re.finditer(r'^\s*(\d+)\s+(\d+) B\s+([0-9.]+) us\s+([0-9.]+) us', out, re.M):
        payload, frame, total = int(m.group(1)), int(m.group(2)), float(m.group(3))
        floor = 2 * wire_ns(frame) / 1000
        yield ('ICMP echo, %d-byte payload, first byte in to last byte out' % payload,
               '%.3f us (%s us in the device)' % (total, m.group(4)), floor / total,
               'the request and the reply on the wire, %.3f us' % floor)


def parse_link(out):
    rates = {'uart': UART_BPS, 'fifo': FIFO_BPS}
    for m in re.finditer(r'bench_link (\w+)\s+CSR_READ round trip: mean ([0-9]+) ns', out):
        phy, ns = m.group(1), float(m.group(2))
        if phy in rates:
            floor = CSR_LINK_BYTES / rates[phy] * 1e9
            yield ('CSR read round trip, %s' % phy, '%.2f us' % (ns / 1000), floor / ns,
                   'its %d link bytes, %.2f us' % (CSR_LINK_BYTES, floor / 1000))
    for m in re.finditer(r'bench_link (\w+)\s+(RAW_TX|RAW_RX)\s+\d+ frames: efficiency ([0-9.]+) '
                         r'.*?, ([0-9.]+) MB/s of frames', out):
        phy, kind, eff, mbs = m.group(1), m.group(2), float(m.group(3)), float(m.group(4))
        way = 'to the device' if kind == 'RAW_TX' else 'from the device'
        if phy == 'ideal':  # the framing's overhead, the same on every PHY
            yield ('link efficiency, 1514-byte raw frames %s' % way, '%.4f' % eff, eff,
                   'every link byte a frame byte')
        else:
            yield ('raw frames %s, %s' % (way, phy), '%.2f MB/s' % mbs, mbs * 1e6 / rates[phy],
                   'the link, %g MB/s' % (rates[phy] / 1e6))


def parse_tcp(out):
    for m in re.finditer(r'tcp (\w+) (\d+) bytes, link (\S+): .*?([0-9.]+) Mb/s = [0-9.]+ of '
                         r'the link\'s ([0-9]+) B/s', out):
        mbps, rate = float(m.group(4)), float(m.group(5))
        yield ('TCP %s against slirp, %s bytes, link %s' % (m.group(1), m.group(2), m.group(3)),
               '%.2f Mb/s' % mbps, mbps * 1e6 / 8 / rate, 'the link, %g MB/s' % (rate / 1e6))


def parse_toed(out):
    fig = dict(re.findall(r'FIGURE (\w+) ([0-9.]+)', out))
    if {'toed_cpu_ms_per_mb_total', 'direct_cpu_ms_per_mb'} <= fig.keys():
        total, direct = float(fig['toed_cpu_ms_per_mb_total']), float(fig['direct_cpu_ms_per_mb'])
        yield ('host CPU per MB through toed (daemon + client)', '%.1f ms' % total,
               direct / total if total else 0, 'libtoe in the client, %.1f ms' % direct)
    if 'toed_idle_cpu_ms' in fig:
        yield ('toed idle CPU', '%s ms' % fig['toed_idle_cpu_ms'], None, None)


def parse_preload(out):
    fig = dict(re.findall(r'FIGURE preload_(\w+) ([0-9.]+)', out))
    for key, what in (('goodput_toe_get_direct', '`toe get`, libtoe in the client'),
                      ('goodput_toe_get_toed', '`toe get` through toed'),
                      ('goodput_curl_preload', 'unmodified curl through `toe run`')):
        if key in fig:
            mbps = float(fig[key])
            yield ('HTTP download, FT245 model, %s' % what, '%.1f Mb/s' % mbps,
                   mbps * 1e6 / 8 / FIFO_BPS, 'the link, %g MB/s' % (FIFO_BPS / 1e6))
    if 'curl_vs_toe_get' in fig:
        yield ('curl through `toe run` / `toe get` direct, goodput', fig['curl_vs_toe_get'],
               None, None)


def parse_recovery(out):
    for m in re.finditer(r'FIGURE recovery (\S+) \(([^)]*)\): retransmit_ms=([0-9.]+) '
                         r'recovered_ms=([0-9.]+)', out):
        yield ('TCP loss %s (%s): from the loss to the ACK covering it' % (m.group(1), m.group(2)),
               '%s ms (resent at %s ms)' % (m.group(4), m.group(3)), None, None)


def parse_b2b(out):
    ring = re.search(r'\(ring (\d+) KiB\)', out)
    for m in re.finditer(r'(A->B|B->A): (\d+) bytes .*?: ([0-9.]+) Mb/s = [0-9.]+ of ([0-9.]+) Mb/s',
                         out):
        mbps, limit = float(m.group(3)), float(m.group(4))
        yield ('TCP back to back, MSS 1460, %s KiB rings, both ways at once, %s'
               % (ring.group(1) if ring else '?', m.group(1)),
               '%.1f Mb/s' % mbps, mbps / limit, 'the wire, %.1f Mb/s of payload' % limit)


def parse_iperf(out):
    for m in re.finditer(r"FIGURE iperf_(\w+)_(source|sink): (\d+) bytes in [0-9.]+ s of device "
                         r"time: ([0-9.]+) Mb/s, [0-9.]+ of the wire's ([0-9.]+) Mb/s", out):
        net, way, mbps, limit = m.group(1), m.group(2), float(m.group(4)), float(m.group(5))
        peer = 'Linux over TAP' if net == 'tap' else 'slirp'
        what = ('the device\'s source sends' if way == 'source' else
                'the device\'s sink takes')
        yield ('toe iperf against %s, %s %s bytes' % (peer, what, m.group(3)),
               '%.1f Mb/s' % mbps, mbps / limit, 'the wire, %.1f Mb/s of payload' % limit)


STEPS = [
    ('sim', 'build/bin/toe-sim --bench', parse_sim),
    ('echo', 'build/bench/bench_echo', parse_echo),
    ('link', 'build/bench/bench_link', parse_link),
    ('tcp', 'tests/bench/bench_tcp.sh', parse_tcp),
    ('toed', 'tests/bench/bench_toed.sh', parse_toed),
    ('preload', 'tests/bench/bench_preload.sh', parse_preload),
    ('recovery', 'tests/sim/test_tcp_recovery.sh', parse_recovery),
    ('b2b', 'scripts/rtl_bench.sh tests/rtl/toe_tcp_b2b', parse_b2b),
    ('b2b16', 'DEFS=B2B_BUF_LOG2=14 scripts/rtl_bench.sh tests/rtl/toe_tcp_b2b', parse_b2b),
    ('iperf', 'env BYTES=16777216 tests/sim/test_iperf.sh', parse_iperf),
]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--markdown', action='store_true')
    ap.add_argument('--only', action='append', choices=[s[0] for s in STEPS])
    args = ap.parse_args()
    rows, failed = [], []
    for name, cmd, parse in STEPS:
        if args.only and name not in args.only:
            continue
        print('$ ' + cmd, flush=True)
        p = subprocess.run(cmd, shell=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True)
        sys.stdout.write(p.stdout)
        got = [(what, fig, ratio, limit, cmd) for what, fig, ratio, limit in parse(p.stdout)]
        if p.returncode != 0 or not got:
            failed.append('%s (exit status %d, %d figures)' % (cmd, p.returncode, len(got)))
        rows += got
    print('\nfigure | measured | ratio to the limit | limit | command')
    for what, fig, ratio, limit, cmd in rows:
        r = '-' if ratio is None else '%.3f' % ratio
        print('%s | %s | %s | %s | %s' % (what, fig, r, limit or '-', cmd))
    if args.markdown:
        print('\n| figure | measured | ratio to the limit | limit | command |\n|---|---|---|---|---|')
        for what, fig, ratio, limit, cmd in rows:
            r = '-' if ratio is None else '%.3f' % ratio
            print('| %s | %s | %s | %s | `%s` |' % (what, fig, r, limit or '-', cmd))
    for f in failed:
        print('bench_report: failed: ' + f, file=sys.stderr)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
