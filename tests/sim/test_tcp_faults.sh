#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_tcp_faults: the TCP cosimulation against libslirp (test_tcp_slirp.sh) through the
# simulator's fault injector: every frame in each direction dropped, duplicated, reordered and
# corrupted with 1% probability each, from fixed seeds (a failure replays with
# the same seed; toe-sim --fault-log shows every decision). Data integrity is what is checked
# (SHA-256 both ways); no timing is asserted.
#
#   tests/sim/test_tcp_faults.sh        SEEDS="1 2 3" picks the fault seeds (one run each)
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
fail=0
# 1% against slirp here; the 5% pass runs against Linux in test_tcp_tap.sh. slirp's TCP
# recovers from most losses by its own RTO, doubling from 1.5 s of simulated time (about 30x
# slower in wall time), so at 5% a run takes tens of minutes.
for seed in ${SEEDS:-1 2 3}; do
    BYTES=${BYTES:-100000} MULTI_BYTES=${MULTI_BYTES:-20000} \
        "$top/tests/sim/test_tcp_slirp.sh" "faults1_seed$seed" \
        --drop 1 --dup 1 --reorder 1 --corrupt 1 --seed "$seed" || fail=1
done
echo "test_tcp_faults: $([ $fail = 0 ] && echo passed || echo FAILED)"
exit $fail
