# SPDX-License-Identifier: MIT
# Source this: a private network namespace holding a TAP device, the Linux side of the
# virtual board's `--net tap:tap0` peer. Traffic never leaves the namespace.
# Also the helpers for a toe-sim a test starts: wait_ready, sim_crash_report.

# netns_tap_up NS HOST_CIDR: create namespace NS with lo up and tap0 at HOST_CIDR, IPv6 off.
netns_tap_up() {
    local ns=$1 cidr=$2
    ip netns add "$ns" || return 1
    ip netns exec "$ns" ip link set lo up
    ip netns exec "$ns" ip tuntap add dev tap0 mode tap || return 1
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.tap0.disable_ipv6=1 2>/dev/null || true
    ip netns exec "$ns" ip addr add "$cidr" dev tap0
    ip netns exec "$ns" ip link set tap0 up
}

# netns_run NS CMD...: run CMD inside NS. To start a process in the background and signal it
# later, call nsenter directly (`nsenter --net=/run/netns/NS CMD &`): nsenter execs CMD, so $!
# is CMD's own pid, whereas a shell function or `ip netns exec` would stand in between.
netns_run() {
    local ns=$1; shift
    nsenter --net="/run/netns/$ns" "$@"
}

# netns_down NS: delete the namespace (and its TAP). Safe to call twice.
netns_down() {
    ip netns del "$1" 2>/dev/null || true
}

# wait_ready LOG PID [SECONDS]: wait for toe-sim's ready line; fails if PID exits first.
# Remove LOG before starting toe-sim: an earlier run's ready line would pass at once.
wait_ready() {
    local log=$1 pid=$2 limit=${3:-60} i
    for ((i = 0; i < limit * 10; i++)); do
        grep -q 'toe-sim: ready' "$log" 2>/dev/null && return 0
        kill -0 "$pid" 2>/dev/null || return 1
        sleep 0.1
    done
    return 1
}

# sim_crash_report LOG [BINARY]: the stack toe-sim wrote to LOG when it died of a signal (see
# on_fatal_signal in sim/toe_sim.c), as functions and source lines; nothing otherwise.
sim_crash_report() {
    local log=$1 bin=${2:-$(dirname "${BASH_SOURCE[0]}")/../../build/bin/toe-sim}
    grep -q 'toe-sim: fatal signal' "$log" 2>/dev/null || return 0
    echo "toe-sim died of a signal; its stack:"
    grep -o 'toe-sim(+0x[0-9a-f]*)' "$log" | grep -o '0x[0-9a-f]*' |
        addr2line -f -C -p -e "$bin" | sed 's/^/    /'
}
