#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Run one libFuzzer harness: tests/fuzz/run.sh TARGET (http, link, dns, devspec, dev).
# FUZZ_TIME seconds (default 10, the `make test` slot; `make fuzz` passes more), FUZZ_SEED
# (default: libFuzzer's own, printed). Every seed of tests/fuzz/corpus/TARGET runs first (they
# are also regression inputs); new inputs go to a fresh build/fuzz/run/TARGET, or with
# FUZZ_KEEP=1 (`make fuzz`) to build/fuzz/corpus/TARGET, which grows from run to run.
# A failure leaves its input in build/fuzz/artifacts/TARGET/. Prints one summary line (also
# kept in build/fuzz/TARGET.summary); the whole libFuzzer output is in build/fuzz/TARGET.log.
set -uo pipefail
t=${1:?usage: tests/fuzz/run.sh TARGET}
top=$(cd "$(dirname "$0")/../.." && pwd)
bin=$top/build/fuzz/fuzz_$t
out=$top/build/fuzz
if [ "${FUZZ_KEEP:-0}" = 1 ]; then
    work=$out/corpus/$t
else
    work=$out/run/$t
    rm -rf "$work"
fi
art=$out/artifacts/$t/
log=$out/$t.log
mkdir -p "$work" "$art"
if [ ! -x "$bin" ]; then
    echo "FAIL fuzz_$t: $bin not built (make fuzz-build)"
    exit 1
fi
# Exit status 1 for every failure: libFuzzer's default, 77, is "skipped" to the test runner.
args=(-max_total_time="${FUZZ_TIME:-10}" -timeout=10 -rss_limit_mb=1024 -error_exitcode=1
      -timeout_exitcode=1 -print_final_stats=1 -artifact_prefix="$art")
[ -f "$top/tests/fuzz/$t.dict" ] && args+=(-dict="$top/tests/fuzz/$t.dict")
[ -n "${FUZZ_SEED:-}" ] && args+=(-seed="$FUZZ_SEED")
start=$SECONDS
"$bin" "${args[@]}" "$work" "$top/tests/fuzz/corpus/$t" >"$log" 2>&1
rc=$?
secs=$((SECONDS - start))
stat() { sed -n "s/^stat::$1: *//p" "$log" | tail -n 1; }
runs=$(stat number_of_executed_units)
rate=$(stat average_exec_per_sec)
seed=$(sed -n 's/^INFO: Seed: \([0-9]*\).*/\1/p' "$log" | head -n 1)
cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f2)
corpus=$(find "$work" -type f | wc -l)
if [ $rc -eq 0 ]; then
    verdict=PASS
else
    verdict=FAIL
    grep -E -m 1 -A 12 '^fuzz: invariant|ERROR: |runtime error' "$log"
    artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
    [ -n "$artifact" ] && echo "replay: $bin $artifact"
fi
line="$verdict fuzz_$t: ${runs:-0} runs in $secs s (${rate:-0} exec/s), cov ${cov:-?},"
line+=" corpus $corpus inputs, seed ${seed:-?} (log: ${log#$top/})"
echo "$line" | tee "$out/$t.summary"
exit $rc
