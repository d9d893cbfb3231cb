#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_demo: runs `make demo` exactly as the README says and checks that the page came through
# the simulated FPGA (printed, fast-path counters non-zero, capture clean) and that nothing it
# started is left behind (no simulator on its socket, no socket file, no HTTP server).
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
out=$top/build/tests/demo
mkdir -p "$out"
fail=0
check() { if eval "$2"; then echo "PASS $1"; else echo "FAIL $1"; fail=1; fi; }

(cd "$top" && make demo) >"$out/demo.log" 2>&1
rc=$?
check "test_demo_exit_status ($rc)" '[ "$rc" = 0 ]'
check test_demo_page_printed 'grep -q "<h1>Hello from the simulated FPGA</h1>" "$out/demo.log"'
check test_demo_fast_path_used 'grep -Eq "^rx_tcp_slot [1-9]" "$out/demo.log" && grep -Eq "^tcp_tx_segs [1-9]" "$out/demo.log"'
check test_demo_capture_clean 'grep -q "pcap_check: .*demo.pcap: [0-9]* frames, 0 bad" "$out/demo.log"'
check test_demo_socket_removed '[ ! -e "$top/build/demo/link.sock" ]'
check test_demo_no_simulator_left '! pgrep -f "$top/build/demo/link.sock" >/dev/null'
check test_demo_no_server_left '! pgrep -f "$top/build/demo/site" >/dev/null'
[ "$fail" = 0 ] || { echo "--- make demo output:"; cat "$out/demo.log"; }
exit $fail
