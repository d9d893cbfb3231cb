#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_install: `make install PREFIX=<temp>` puts libtoe (static, shared with its soname
# links), the headers, libtoe.pc, toe, toe-sim, toed with its systemd unit and the man pages
# in place, and a small program
# compiles and links against the installed library through pkg-config, both shared and static.
#
#   sw/tests/test_install.sh     (from the top of the tree; exit 77 = skipped)
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
command -v pkg-config >/dev/null || { echo "SKIP: test_install: pkg-config not installed"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/usr
passed=0
failed=0
pass() { echo "PASS $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1${2:+: $2}"; failed=$((failed + 1)); }

if make --no-print-directory install PREFIX="$prefix" >"$tmp/install.log" 2>&1; then
    pass test_install_make_install
else
    fail test_install_make_install "make install failed"
    tail -n 20 "$tmp/install.log" | sed 's/^/  /'
    exit 1
fi

missing=""
for f in bin/toe bin/toe-sim lib/libtoe.a lib/libtoe.so lib/libtoe.so.0 include/toe.h \
    include/toe_http.h include/toe_defs.h lib/pkgconfig/libtoe.pc share/man/man1/toe.1 \
    share/man/man1/toe-sim.1 sbin/toed share/man/man8/toed.8 include/toed.h \
    lib/systemd/system/toed.service; do
    [ -e "$prefix/$f" ] || missing="$missing $f"
done
[ -z "$missing" ] && pass test_install_files || fail test_install_files "missing:$missing"

real=$(readlink -f "$prefix/lib/libtoe.so")
if [ "$(readlink "$prefix/lib/libtoe.so")" = libtoe.so.0 ] && [[ "$real" == "$prefix"/lib/libtoe.so.0.* ]] &&
    readelf -d "$real" | grep -q 'SONAME.*\[libtoe.so.0\]'; then
    pass "test_install_soname_links (libtoe.so -> libtoe.so.0 -> $(basename "$real"))"
else
    fail test_install_soname_links "$(ls -l "$prefix/lib")"
fi

export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
if [ "$(pkg-config --variable=prefix libtoe)" = "$prefix" ] && pkg-config --exists libtoe; then
    pass "test_install_pkg_config (libtoe $(pkg-config --modversion libtoe))"
else
    fail test_install_pkg_config "$(pkg-config --print-errors libtoe 2>&1 | head -n 3)"
fi

cat >"$tmp/prog.c" <<'C'
#include <stdio.h>
#include <string.h>
#include <toe.h>
#include <toe_defs.h>
#include <toe_http.h>

int main(void)
{
    struct toe_http_url u;
    char err[200];
    int r = toe_http_parse_url("https://example.com/", &u, err, sizeof(err));
    if (r != TOE_ENOTSUP || strcmp(err, "https is not supported: toe has no TLS"))
        return 1;
    if (toe_http_parse_url("http://10.0.2.2:8000/x", &u, err, sizeof(err)) || u.port != 8000)
        return 1;
    printf("%s %s %u\n", toe_error_name(TOE_ETIMEDOUT), u.target, TOE_CONST_RAW_CSUM_L4);
    return 0;
}
C
want="TOE_ETIMEDOUT /x 2"
cc=${CC:-cc}
# shellcheck disable=SC2046
if $cc -std=c11 -Wall -Wextra -Werror -o "$tmp/prog" "$tmp/prog.c" $(pkg-config --cflags --libs libtoe) \
    2>"$tmp/cc.log" && out=$(LD_LIBRARY_PATH=$prefix/lib "$tmp/prog") && [ "$out" = "$want" ] &&
    deps=$(LD_LIBRARY_PATH=$prefix/lib ldd "$tmp/prog") && [[ "$deps" == *"$prefix/lib/libtoe.so.0"* ]]; then
    pass "test_install_link_shared ($out)"
else
    fail test_install_link_shared "$(cat "$tmp/cc.log") output '${out:-}'"
fi
# Static: the archive, with its dependencies as pkg-config --static names them (linked
# dynamically here: a static libusb needs libudev's archive, which is not always installed).
static_libs=$(pkg-config --static --libs libtoe)
# shellcheck disable=SC2046
if [[ " $static_libs " == *" -lftdi1 "* && " $static_libs " == *" -lusb-1.0 "* && " $static_libs " == *" -lm "* ]] &&
    $cc -std=c11 -o "$tmp/prog_static" "$tmp/prog.c" $(pkg-config --cflags libtoe) \
    "$prefix/lib/libtoe.a" $(pkg-config --libs libftdi1 libusb-1.0) -lm 2>"$tmp/cc.log" &&
    out=$("$tmp/prog_static") && [ "$out" = "$want" ] && deps=$(ldd "$tmp/prog_static") &&
    [[ "$deps" != *libtoe* ]]; then
    pass "test_install_link_static ($out; pkg-config --static: $static_libs)"
else
    fail test_install_link_static "$(cat "$tmp/cc.log") pkg-config --static: $static_libs; output '${out:-}'"
fi
if help=$("$prefix/bin/toe" get --help) && [[ "$help" == *"https is not supported"* ]] &&
    "$prefix/bin/toe-sim" --help >/dev/null && "$prefix/sbin/toed" --help >/dev/null &&
    grep -q "^ExecStart=$prefix/sbin/toed " "$prefix/lib/systemd/system/toed.service"; then
    pass test_install_binaries_run
else
    fail test_install_binaries_run
fi
if command -v man >/dev/null; then
    m1=$(MANWIDTH=80 man -l "$prefix/share/man/man1/toe.1" 2>/dev/null || true)
    m2=$(MANWIDTH=80 man -l "$prefix/share/man/man1/toe-sim.1" 2>/dev/null || true)
    if [[ "$m1" == *"get URL"* && "$m2" == *"virtual board"* ]]; then
        pass test_install_man_pages
    else
        fail test_install_man_pages "man -l does not render them"
    fi
fi

echo "test_install: $passed passed, $failed failed"
[ "$failed" = 0 ]
