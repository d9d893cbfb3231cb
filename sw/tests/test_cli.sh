#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_cli: the toe command's version and exit status, as docs/man/toe.1 gives them.
#  - `toe --version` and `toe-sim --version` print the VERSION of spec/toe.spec;
#  - every command (info, stats, netstat, ping, get) exits 6 with a message naming the device
#    when the device cannot be opened (no socket) or does not answer (a socket that accepts
#    and stays silent), and 2 for a malformed device string or none at all;
#  - toe.1's EXIT STATUS gives 6 for every command.
#
#   sw/tests/test_cli.sh     (from the top of the tree, after make; exit 77 = skipped)
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
toe=${TOE_BIN:-build/bin/toe}    # TOE_BIN: another build of toe
sim=build/bin/toe-sim
[ -x "$toe" ] && [ -x "$sim" ] || { echo "SKIP: test_cli: run make first"; exit 77; }
tmp=$(mktemp -d)
listener=""
cleanup() {
    local rc=$?
    if [ -n "$listener" ]; then
        kill "$listener" 2>/dev/null || true
        wait "$listener" 2>/dev/null || true
    fi
    rm -rf "$tmp"
    exit "$rc"
}
trap cleanup EXIT
passed=0
failed=0
pass() { echo "PASS $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1${2:+: $2}"; failed=$((failed + 1)); }

# The version: `const VERSION 0x00MMmmpp` in spec/toe.spec.
hex=$(awk '$1 == "const" && $2 == "VERSION" { print $3 }' spec/toe.spec)
v=$((hex))
want="$((v >> 16)).$(((v >> 8) & 255)).$((v & 255))"
for name in toe toe-sim; do
    prog=$toe
    [ "$name" = toe-sim ] && prog=$sim
    if out=$("$prog" --version) && [ "$out" = "$name $want" ]; then
        pass "test_cli_version_$name ($out)"
    else
        fail "test_cli_version_$name" "got '${out:-}', want '$name $want'"
    fi
done

commands=("info" "stats" "netstat" "ping -c 1 10.0.2.2" "get http://10.0.2.2/" "iperf 10.0.2.2 5001")

# exit_is WANT SPEC MESSAGE-PART: every command against SPEC exits WANT and says MESSAGE-PART.
exit_is() {
    local want=$1 spec=$2 msg=$3 what=$4 bad=""
    for c in "${commands[@]}"; do
        local rc=0
        # shellcheck disable=SC2086
        "$toe" ${spec:+--device "$spec"} $c >"$tmp/out" 2>"$tmp/err" </dev/null || rc=$?
        if [ "$rc" != "$want" ] || ! grep -qF -- "$msg" "$tmp/err"; then
            bad="$bad [toe $c: exit $rc, '$(head -c 200 "$tmp/err")']"
        fi
    done
    [ -z "$bad" ] && pass "test_cli_exit_${what} (exit $want from every command)" ||
        fail "test_cli_exit_${what}" "want exit $want and '$msg':$bad"
}

exit_is 6 "sim:$tmp/missing.sock" "sim:$tmp/missing.sock" device_missing

# A socket that accepts and never answers: the device does not answer.
python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1])
s.listen(16)
held = []
while True:
    held.append(s.accept()[0])
' "$tmp/silent.sock" &
listener=$!
for _ in $(seq 100); do [ -S "$tmp/silent.sock" ] && break; sleep 0.05; done
exit_is 6 "sim:$tmp/silent.sock" "sim:$tmp/silent.sock" device_silent

exit_is 2 "nonsense:x" "unknown device type 'nonsense'" device_malformed
TOE_DEVICE="" exit_is 2 "" "no device" device_none

# The manual says so.
section=$(sed -n '/^\.SH EXIT STATUS/,/^\.SH /p' docs/man/toe.1)
if grep -q '^\.B 6$' <<<"$section" && grep -q 'for every command' <<<"$section"; then
    pass test_cli_exit_documented
else
    fail test_cli_exit_documented "docs/man/toe.1 EXIT STATUS does not give 6 for every command"
fi

echo "test_cli: $passed passed, $failed failed"
[ "$failed" = 0 ]
