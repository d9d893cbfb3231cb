#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_install: `make install PREFIX=<temp>` puts libtoe (static, shared with its soname
# links), libtoe-preload.so, the headers, libtoe.pc, toe, toe-sim, toed with its systemd unit and the man pages
# in place, and a small program
# compiles and links against the installed library through pkg-config, both shared and static.
# The README's Install commands run as written (PREFIX=/usr/local made the temporary prefix),
# on a program made of the README's C examples; toe.h compiles alone, as C and C++.
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

# The README's Install block: `make install ...`, then the `cc ...` lines.
readme_install=$(awk '/^## Install/ { f = 1 } f && /^```sh/ { b = 1; next } b && /^```/ { exit } b' README.md)
readme_install=${readme_install//\/usr\/local/$prefix}
make_line=$(grep '^make install ' <<<"$readme_install" || true)
if [ -n "$make_line" ] && bash -c "$make_line" >"$tmp/install.log" 2>&1; then
    pass "test_install_make_install ($make_line)"
else
    fail test_install_make_install "make install failed"
    tail -n 20 "$tmp/install.log" | sed 's/^/  /'
    exit 1
fi

missing=""
for f in bin/toe bin/toe-sim lib/libtoe.a lib/libtoe.so lib/libtoe.so.0 include/toe.h \
    include/toe_http.h include/toe_defs.h lib/pkgconfig/libtoe.pc share/man/man1/toe.1 \
    share/man/man1/toe-sim.1 sbin/toed share/man/man8/toed.8 include/toed.h \
    lib/systemd/system/toed.service lib/libtoe-preload.so; do
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
# The version is spec/toe.spec's VERSION (as `toe --version` prints it).
v=$(($(awk '$1 == "const" && $2 == "VERSION" { print $3 }' spec/toe.spec)))
version="$((v >> 16)).$(((v >> 8) & 255)).$((v & 255))"
if [ "$(pkg-config --variable=prefix libtoe)" = "$prefix" ] && pkg-config --exists libtoe &&
    [ "$(pkg-config --modversion libtoe)" = "$version" ] &&
    [ "$("$prefix/bin/toe" --version)" = "toe $version" ]; then
    pass "test_install_pkg_config (libtoe $(pkg-config --modversion libtoe))"
else
    fail test_install_pkg_config "$(pkg-config --print-errors --modversion libtoe 2>&1 | head -n 3), want $version"
fi

# toe.h alone: everything it names (TOE_CONST_*, TOE_STAT_*) comes with it; as C11 with
# -pedantic, and as C++.
cat >"$tmp/alone.c" <<'C'
#include <toe.h>

int toe_alone(void);
int toe_alone(void)
{
    return (int)(TOE_CONST_RAW_CSUM_L4 + TOE_CONST_ID + TOE_STAT_RX_FRAMES + TOE_CONST_VERSION) +
           (int)sizeof(struct toe_info);
}
C
cc=${CC:-cc}
cxx=${CXX:-c++}
# shellcheck disable=SC2046
if $cc -std=c11 -pedantic -Wall -Wextra -Werror -c -o "$tmp/alone.o" "$tmp/alone.c" \
        $(pkg-config --cflags libtoe) 2>"$tmp/cc.log" &&
    $cxx -std=c++11 -Wall -Wextra -Werror -x c++ -c -o "$tmp/alone_cxx.o" "$tmp/alone.c" \
        $(pkg-config --cflags libtoe) 2>>"$tmp/cc.log"; then
    pass test_install_header_alone
else
    fail test_install_header_alone "$(head -n 5 "$tmp/cc.log")"
fi

# The README's C examples in one program (the TCP one in a function of its own, as it uses
# the handle the first one opens), built by the README's cc lines: it must run and fail to
# reach a device that is not there.
mkdir "$tmp/app"
readme_c() {  # readme_c N: the README's Nth C block
    awk -v want="$1" '/^```c/ { n++; b = (n == want); next } b && /^```/ { b = 0 } b' README.md
}
{
    readme_c 1 | grep '^#include'
    echo 'void readme_tcp_example(toe_dev *dev);'
    echo 'void readme_tcp_example(toe_dev *dev)'
    echo '{'
    readme_c 2
    echo '}'
    echo 'int main(void)'
    echo '{'
    readme_c 1 | grep -v '^#include'
    echo 'return 0;'
    echo '}'
} | sed "s|sim:/tmp/toe.sock|sim:$tmp/none.sock|" >"$tmp/app/app.c"
# shellcheck disable=SC2046
if $cc -std=c11 -Wall -Wextra -Werror -fsyntax-only "$tmp/app/app.c" $(pkg-config --cflags libtoe) \
    2>"$tmp/cc.log"; then
    pass test_install_readme_c_examples
else
    fail test_install_readme_c_examples "$(head -n 5 "$tmp/cc.log")"
fi
ncc=0
while IFS= read -r line; do
    ncc=$((ncc + 1))
    rm -f "$tmp/app/a.out"
    if ! (cd "$tmp/app" && bash -c "$line") >"$tmp/cc.log" 2>&1; then
        fail "test_install_readme_cc_$ncc" "'$line': $(head -n 3 "$tmp/cc.log")"
        continue
    fi
    rc=0
    LD_LIBRARY_PATH=$prefix/lib "$tmp/app/a.out" >"$tmp/run.log" 2>&1 || rc=$?
    deps=$(LD_LIBRARY_PATH=$prefix/lib ldd "$tmp/app/a.out")
    libtoe=shared
    [[ "$deps" == *"$prefix/lib/libtoe.so.0"* ]] || libtoe=static
    want=shared
    [[ "$line" == *"# libtoe.a"* ]] && want=static
    if [ "$rc" = 1 ] && grep -q "cannot connect to sim:$tmp/none.sock" "$tmp/run.log" &&
        [ "$libtoe" = "$want" ]; then
        pass "test_install_readme_cc_$ncc (libtoe $libtoe: $(sed 's/ *#.*//' <<<"$line"))"
    else
        fail "test_install_readme_cc_$ncc" "'$line': exit $rc, libtoe $libtoe (want $want): $(head -n 2 "$tmp/run.log")"
    fi
done < <(grep '^cc ' <<<"$readme_install")
[ "$ncc" -ge 2 ] || fail test_install_readme_cc "README's Install block has $ncc cc lines, want the shared and the static one"

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
# shellcheck disable=SC2046
if $cc -std=c11 -Wall -Wextra -Werror -o "$tmp/prog" "$tmp/prog.c" $(pkg-config --cflags --libs libtoe) \
    2>"$tmp/cc.log" && out=$(LD_LIBRARY_PATH=$prefix/lib "$tmp/prog") && [ "$out" = "$want" ] &&
    deps=$(LD_LIBRARY_PATH=$prefix/lib ldd "$tmp/prog") && [[ "$deps" == *"$prefix/lib/libtoe.so.0"* ]]; then
    pass "test_install_link_shared ($out)"
else
    fail test_install_link_shared "$(cat "$tmp/cc.log") output '${out:-}'"
fi
# Static: the archive, with its dependencies as pkg-config --static names them (the system's
# libraries linked dynamically: Debian has no static libudev, which a static libusb needs).
static_libs=$(pkg-config --static --libs libtoe)
# shellcheck disable=SC2046
if [[ " $static_libs " == *" -lftdi1 "* && " $static_libs " == *" -lusb-1.0 "* && " $static_libs " == *" -lm "* ]] &&
    $cc -std=c11 -o "$tmp/prog_static" "$tmp/prog.c" "$prefix/lib/libtoe.a" \
    $(pkg-config --static --cflags --libs libtoe) 2>"$tmp/cc.log" &&
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
