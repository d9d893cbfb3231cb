#!/usr/bin/env bash
# Run test commands (one per line on stdin), two at a time, each with its own log under
# build/tests/logs. Exit status 77 means skipped. Prints one line per test and a closing
# "N passed, M failed, K skipped" line; exits non-zero if any failed.
set -uo pipefail
logs=build/tests/logs
mkdir -p "$logs"
jobs=${TEST_JOBS:-2}

run_one() {
    local cmd=$1 name log rc
    name=$(echo "$cmd" | tr -c 'A-Za-z0-9_.-' '_' | sed 's/__*/_/g; s/^_//; s/_$//' | tail -c 80)
    log="$logs/$name.log"
    bash -c "$cmd" >"$log" 2>&1
    rc=$?
    if [ $rc -eq 0 ]; then echo "PASS  $cmd"
    elif [ $rc -eq 77 ]; then echo "SKIP  $cmd ($(grep -m1 -o 'SKIP.*' "$log"))"
    else echo "FAIL  $cmd (log: $log)"; tail -n 20 "$log" | sed 's/^/      /'; fi
}
export -f run_one
export logs

results=$(grep -v '^\s*$' | xargs -d '\n' -P "$jobs" -I{} bash -c 'run_one "$1"' _ {} | tee /dev/stderr)
passed=$(grep -c '^PASS' <<<"$results")
failed=$(grep -c '^FAIL' <<<"$results")
skipped=$(grep -c '^SKIP' <<<"$results")
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
