#!/usr/bin/env bash
# Run test commands (one per line on stdin), two at a time, each with its own log under
# build/tests/logs. Exit status 77 means skipped. Prints one line per test, the ten slowest
# tests and the total wall time, and a closing "N passed, M failed, K skipped" line (always the
# last); exits non-zero if any failed.
set -uo pipefail
logs=build/tests/logs
mkdir -p "$logs"
jobs=${TEST_JOBS:-2}
times=$(mktemp)
trap 'rm -f "$times"' EXIT

# Seconds since $1 (an $EPOCHREALTIME).
since() { awk -v now="$EPOCHREALTIME" -v t="$1" 'BEGIN { printf "%.1f", now - t }'; }

run_one() {
    local cmd=$1 name log rc start
    name=$(echo "$cmd" | tr -c 'A-Za-z0-9_.-' '_' | sed 's/__*/_/g; s/^_//; s/_$//' | tail -c 80)
    log="$logs/$name.log"
    start=$EPOCHREALTIME
    bash -c "$cmd" >"$log" 2>&1
    rc=$?
    # One short line per test: appends from the parallel jobs do not interleave.
    printf '%s\t%s\n' "$(since "$start")" "$cmd" >>"$times"
    if [ $rc -eq 0 ]; then echo "PASS  $cmd"
    elif [ $rc -eq 77 ]; then echo "SKIP  $cmd ($(grep -m1 -o 'SKIP.*' "$log"))"
    else
        # The failures first (a long log's tail may not hold them), then how it ended.
        echo "FAIL  $cmd (log: $log)"
        grep -a -m 10 'FAIL' "$log" | sed 's/^/    ! /'
        tail -n 20 "$log" | sed 's/^/      /'
    fi
}
export -f run_one since
export logs times

start=$EPOCHREALTIME
results=$(grep -v '^\s*$' | xargs -d '\n' -P "$jobs" -I{} bash -c 'run_one "$1"' _ {} | tee /dev/stderr)
wall=$(since "$start")
passed=$(grep -c '^PASS' <<<"$results")
failed=$(grep -c '^FAIL' <<<"$results")
skipped=$(grep -c '^SKIP' <<<"$results")
echo "slowest tests (wall time):"
sort -t $'\t' -k1,1 -g -r "$times" | head -n 10 | awk -F '\t' '{ printf "  %8.1f s  %s\n", $1, $2 }'
awk -F '\t' -v wall="$wall" -v jobs="$jobs" \
    '{ sum += $1 } END { printf "total wall time %.1f s (tests %.1f s, %d jobs)\n", wall, sum, jobs }' \
    "$times"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
