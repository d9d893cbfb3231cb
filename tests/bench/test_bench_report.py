#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""test_bench_report: scripts/bench_report.py turns each benchmark's own output into figures with
the right ratio to the right limit (outputs copied from real runs), and finds none in output
that is not a benchmark's."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'scripts'))
import bench_report as br  # noqa: E402

failures = 0


def check(name, got, want):
    global failures
    if got == want:
        print('PASS test_bench_report_' + name)
    else:
        failures += 1
        print('FAIL test_bench_report_%s: got %r, want %r' % (name, got, want))


def ratios(parse, out):
    return [(what, None if r is None else round(r, 3)) for what, _, r, _ in parse(out)]


check('sim', ratios(br.parse_sim, '''bench idle: 1250000 core cycles (20.000 ms simulated) in 0.625 s wall: 2000000 cycles/s, 31.2x slower than real time
bench loaded: 1250000 core cycles (20.000 ms simulated) in 1.250 s wall: 1000000 cycles/s, 62.5x slower than real time; 0.500 s CPU: 2500000 cycles per CPU second, 29763 frames offered
'''), [('simulation speed, idle', 0.032), ('simulation speed, loaded', 0.016),
       ('simulation speed, loaded, per CPU second', 0.04)])

# 56-byte payload: 98 B frame, (98 + 4 + 8) * 8 ns = 0.88 us each way
check('echo', ratios(br.parse_echo, '''ICMP echo latency through toe_core, simulated time (GMII 125 MHz, core 62.5 MHz)
 payload      frame  first in-last out  last in-first out
      56       98 B           2.608 us           0.848 us
'''), [('ICMP echo, 56-byte payload, first byte in to last byte out', round(1.76 / 2.608, 3))])

check('link', ratios(br.parse_link, '''bench_link ideal CSR_READ round trip: mean 336 ns, worst 336 ns (request 10 link bytes, RESP 13)
bench_link uart  CSR_READ round trip: mean 19434 ns, worst 19440 ns (request 10 link bytes, RESP 13)
bench_link ideal RAW_TX  200 frames: efficiency 0.9916 (frame bytes / link bytes), 312.00 MB/s of frames in 1.000 ms simulated, TX_RAW 200 TX_RAW_BAD 0
bench_link uart  RAW_RX  200 frames: efficiency 0.9865 (frame bytes / link bytes), 1.17 MB/s of frames in 258.212 ms simulated, RX_TO_HOST 200 RX_HOST_DROP 0
'''), [('CSR read round trip, uart', round(23 / 1.2e6 * 1e9 / 19434, 3)),
       ('link efficiency, 1514-byte raw frames to the device', 0.992),
       ('raw frames from the device, uart', 0.975)])

check('tcp', ratios(br.parse_tcp, '''tcp download 10000000 bytes, link uart:12000000: download: 10000000 bytes in 8537.000 ms device time, 9.37 Mb/s = 0.976 of the link's 1200000 B/s
'''), [('TCP download against slirp, 10000000 bytes, link uart:12000000', 0.976)])

check('b2b', ratios(br.parse_b2b, '''core clock 62.5 MHz, 1 Gb/s wire model, MSS 1460, 400 KiB each way at once (ring 16 KiB)
A->B: 409600 bytes in 4551.9 us: 719.9 Mb/s = 0.758 of 949.3 Mb/s (280 frames)
'''), [('TCP back to back, MSS 1460, 16 KiB rings, both ways at once, A->B', 0.758)])

check('iperf', ratios(br.parse_iperf, '''  toe iperf: source to 10.9.0.1:43485, 1048576 bytes, MSS 1460 (wire limit 949.3 Mb/s)
FIGURE iperf_tap_source: 1048576 bytes in 0.009501 s of device time: 882.9 Mb/s, 0.930 of the wire's 949.3 Mb/s (toe iperf, tap, link fifo, 1048576 bytes)
FIGURE iperf_slirp_sink: 4194304 bytes in 0.045919 s of device time: 730.7 Mb/s, 0.770 of the wire's 949.3 Mb/s (toe iperf, slirp, link fifo, 4194304 bytes)
FIGURE iperf_tap_sink: missing (toe iperf, tap, link fifo, 4194304 bytes)
'''), [('toe iperf against Linux over TAP, the device\'s source sends 1048576 bytes', 0.930),
       ('toe iperf against slirp, the device\'s sink takes 4194304 bytes', 0.770)])

check('toed', ratios(br.parse_toed, '''FIGURE toed_cpu_ms_per_mb_total 55.90
FIGURE direct_cpu_ms_per_mb 21.50 (toe get with libtoe in the client)
FIGURE toed_idle_cpu_ms 0 (over 5 s, clock tick 10 ms)
'''), [('host CPU per MB through toed (daemon + client)', round(21.5 / 55.9, 3)),
       ('toed idle CPU', None)])

# 240 Mb/s = 30 MB/s, half the FIFO's 60 MB/s
check('preload', ratios(br.parse_preload, '''FIGURE preload_goodput_toe_get_direct 240.0 Mb/s device time (10 MB in 0.333 s simulated, 60.1 s wall)
FIGURE preload_goodput_curl_preload 120.0 Mb/s device time (10 MB in 0.667 s simulated, 70.2 s wall)
FIGURE preload_curl_vs_toe_get 0.500 (curl through toe run / toe get direct, device-time goodput)
'''), [('HTTP download, FT245 model, `toe get`, libtoe in the client', 0.5),
       ('HTTP download, FT245 model, unmodified curl through `toe run`', 0.25),
       ('curl through `toe run` / `toe get` direct, goodput', None)])

check('recovery', ratios(br.parse_recovery, '''FIGURE recovery fast (to-net:200): retransmit_ms=0.100 recovered_ms=0.149 (simulated time from the loss)
'''), [('TCP loss fast (to-net:200): from the loss to the ACK covering it', None)])

check('no_figures', [ratios(p, 'make: *** [bench] Error 1\nPASS\n') for _, _, p in br.STEPS],
      [[] for _ in br.STEPS])

sys.exit(1 if failures else 0)
