#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Run test_rx_fuzz, then wire-check the frames the device sent in its capture. The capture also
# holds the fuzz input, deliberately bad, so only the device's direction (--from its MAC) is
# checked. From the environment: FUZZ_COUNT frames (default 500000), FUZZ_SEED (default: time
# and pid; printed, replay with FUZZ_SEED=N FUZZ_COUNT=N), FUZZ_PART (names the output files,
# so that `make test` can run two parts with different seeds side by side: 1,000,000 frames).
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
bin=${TEST_RX_FUZZ:-$top/build/tests/test_rx_fuzz}
out=${OUT:-$top/build/tests}
name=rx_fuzz${FUZZ_PART:+_$FUZZ_PART}
pcap=$out/$name.pcap
log=$out/$name.out
mkdir -p "$out"
count=${FUZZ_COUNT:-500000}
args=(-n "$count" -p "$pcap")
[ -n "${FUZZ_SEED:-}" ] && args+=(-s "$FUZZ_SEED")
rc=0
"$bin" "${args[@]}" | tee "$log" || rc=$?
seed=$(sed -n 's/^test_rx_fuzz: seed \([0-9]*\) .*/\1/p' "$log" | head -n 1)
[ -n "$seed" ] && echo "replay: FUZZ_SEED=$seed FUZZ_COUNT=$count tests/sim/test_rx_fuzz.sh"
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
