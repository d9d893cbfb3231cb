#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Run test_rx_fuzz, then wire-check the frames the device sent in its capture. The capture also
# holds the fuzz input, deliberately bad, so only the device's direction (--from its MAC) is
# checked. FUZZ_COUNT (default 100000) and FUZZ_SEED (default: time) come from the environment.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
bin=${TEST_RX_FUZZ:-$top/build/tests/test_rx_fuzz}
out=${OUT:-$top/build/tests}
pcap=$out/rx_fuzz.pcap
log=$out/rx_fuzz.out
mkdir -p "$out"
args=(-n "${FUZZ_COUNT:-100000}" -p "$pcap")
[ -n "${FUZZ_SEED:-}" ] && args+=(-s "$FUZZ_SEED")
rc=0
"$bin" "${args[@]}" | tee "$log" || rc=$?
mac=$(sed -n 's/^test_rx_fuzz: seed .* mac \([0-9a-f:]\{17\}\)$/\1/p' "$log" | head -n 1)
if [ -z "$mac" ]; then
    echo "FAIL test_rx_fuzz_pcap_check: no device MAC in the test output"
    exit 1
fi
if ! command -v tshark >/dev/null; then
    echo "SKIP test_rx_fuzz_pcap_check: tshark not installed"
elif "$top/scripts/pcap_check.sh" --from "$mac" "$pcap"; then
    echo "PASS test_rx_fuzz_pcap_check"
else
    echo "FAIL test_rx_fuzz_pcap_check"
    rc=1
fi
exit "$rc"
