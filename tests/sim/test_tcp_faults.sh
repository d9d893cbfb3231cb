#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_tcp_faults: the TCP cosimulation against libslirp (test_tcp_slirp.sh) through the
# simulator's fault injector: every frame in each direction dropped, duplicated, reordered and
# corrupted with 1% and then 5% probability each, from a fixed seed (a failure replays with
# the same SEED; toe-sim --fault-log shows every decision). Data integrity is what is checked
# (SHA-256 both ways); no timing is asserted.
#
#   tests/sim/test_tcp_faults.sh        SEED=N picks the fault seed (default 1)
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
seed=${SEED:-1}
fail=0
# slirp's TCP recovers from losses mostly by its own RTO, doubling from 1.5 s of simulated time
# (25x slower in wall time), so the 5% pass moves less data to stay within minutes.
for p in 1 5; do
    bytes=${BYTES:-$([ "$p" = 1 ] && echo 100000 || echo 20000)}
    BYTES=$bytes "$top/tests/sim/test_tcp_slirp.sh" "faults$p" \
        --drop "$p" --dup "$p" --reorder "$p" --corrupt "$p" --seed "$seed" || fail=1
done
echo "test_tcp_faults: $([ $fail = 0 ] && echo passed || echo FAILED)"
exit $fail
