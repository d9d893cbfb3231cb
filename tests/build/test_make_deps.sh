#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_make_deps: what the Makefile does about missing tools and libraries.
#  - `make` on a machine without the build's packages stops before building anything and says
#    to run `make deps`, naming what is missing. Simulated, not uninstalled: a PATH without
#    verilator (every other command still there), and PKG_CONFIG_LIBDIR on an empty directory
#    (no -dev package's pkg-config file, so no headers).
#  - With everything there, the check passes (`make -n all`).
#  - The goals that install first (`make deps`, `make test`, `make demo`, `make bitstream`,
#    `bitstreams`, `flash`, `test-ecp5`) are not stopped by it, and each runs scripts/deps.sh
#    (ecp5 for the bitstream ones) before any build step.
#
#   tests/build/test_make_deps.sh     (from the top of the tree)
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0
pass() { echo "PASS $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1${2:+: $2}"; failed=$((failed + 1)); }

# stops_with NAME ENV...: `make BUILD=<fresh> all` under ENV fails at once, says `make deps`
# and names what is missing (the last ENV word is the pattern), and creates no build directory.
stops_with() {
    local name=$1 pattern=$2
    shift 2
    local build=$tmp/build-$name rc=0
    env "$@" make --no-print-directory BUILD="$build" all >"$tmp/$name.log" 2>&1 || rc=$?
    if [ "$rc" != 0 ] && grep -q 'run `make deps`' "$tmp/$name.log" &&
        grep -q -- "$pattern" "$tmp/$name.log" && [ ! -e "$build" ]; then
        pass "test_make_deps_$name ($(grep -c '(package ' "$tmp/$name.log") missing, named)"
    else
        local made=absent
        [ -e "$build" ] && made=created
        fail "test_make_deps_$name" "exit $rc, build dir $made: $(tail -n 4 "$tmp/$name.log")"
    fi
}

# A PATH with every command of the usual directories except verilator.
mkdir "$tmp/path"
for d in /usr/local/sbin /usr/local/bin /usr/sbin /usr/bin /sbin /bin; do
    [ -d "$d" ] || continue
    for f in "$d"/*; do
        b=${f##*/}
        case $b in verilator*) continue ;; esac
        [ -x "$f" ] && [ ! -e "$tmp/path/$b" ] && ln -s "$f" "$tmp/path/$b"
    done
done
if PATH=$tmp/path command -v verilator >/dev/null; then
    fail test_make_deps_no_verilator "verilator still on the PATH"
else
    stops_with no_verilator "command verilator (package verilator)" PATH="$tmp/path"
fi

mkdir "$tmp/no-pc"
stops_with no_headers "slirp headers and library (package libslirp-dev)" \
    PKG_CONFIG_LIBDIR="$tmp/no-pc" PKG_CONFIG_PATH=

if make --no-print-directory -n all >"$tmp/ok.log" 2>&1; then
    pass test_make_deps_present
else
    fail test_make_deps_present "$(tail -n 4 "$tmp/ok.log")"
fi

# Installing goals run deps.sh before any build step. `make -n` prints the commands (and runs
# the recursive makes, dry too). The ECP5 goals and `make deps` need none of the build's
# packages, so the check must not stop them: they run without any pkg-config file, in a fresh
# build directory. `make demo` and `make test` build in a second make after deps.sh, for which
# a dry run installs nothing, so they run with the packages there, on the tree's build.
# installs_first GOAL PATTERN-OF-A-BUILD-STEP DEPS-COMMAND [VAR=VALUE...]
installs_first() {
    local goal=$1 step=$2 deps=$3
    shift 3
    local rc=0 env=(PKG_CONFIG_LIBDIR="$tmp/no-pc" PKG_CONFIG_PATH=) build=(BUILD="$tmp/build-dry")
    case $goal in demo | test) env=() build=() ;; esac
    env "${env[@]}" make --no-print-directory -n "$goal" "$@" "${build[@]}" >"$tmp/dry.log" 2>&1 ||
        rc=$?
    local d s
    d=$(grep -n -m1 -x -F -- "$deps" "$tmp/dry.log" | cut -d: -f1 || true)
    s=$(grep -n -m1 -- "$step" "$tmp/dry.log" | cut -d: -f1 || true)
    if [ "$rc" = 0 ] && [ -n "$d" ] && { [ -z "$step" ] || { [ -n "$s" ] && [ "$d" -lt "$s" ]; }; }; then
        pass "test_make_deps_installs_first_$goal ($deps)"
    else
        fail "test_make_deps_installs_first_$goal" \
            "exit $rc, '$deps' at line ${d:-none}, '$step' at ${s:-none}: $(head -n 5 "$tmp/dry.log")"
    fi
}
installs_first deps "" "scripts/deps.sh"
installs_first bitstream "scripts/ecp5_build.sh versa" "scripts/deps.sh ecp5" BOARD=versa
installs_first bitstreams "scripts/ecp5_build.sh colorlight-i5" "scripts/deps.sh ecp5"
installs_first flash "scripts/ecp5_build.sh --flash versa" "scripts/deps.sh ecp5" BOARD=versa
installs_first test-ecp5 "" "scripts/deps.sh ecp5"
installs_first demo "scripts/demo.sh" "scripts/deps.sh"
installs_first test "" "scripts/deps.sh ecp5"

echo "test_make_deps: $passed passed, $failed failed"
[ "$failed" = 0 ]
