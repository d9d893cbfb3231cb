#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_link_session: link sessions on the virtual board (docs/LINK.md section 2). Runs
# test_link_session against toe-sim (immediate reconnects after a client wrote a burst and
# left, clients killed in the middle of a frame; see the C file), then checks toe-sim's link
# counters: no client refused, every one accepted, and the old clients' bytes dropped by the
# board instead of being acted on.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/scripts/lib/netns.sh" # wait_ready
sim=${TOE_SIM:-$top/build/bin/toe-sim}
out=$top/build/tests/link_session
mkdir -p "$out"
sock=$out/link.sock
log=$out/toe-sim.log
stats=$out/stats.txt
name=test_link_session
rm -f "$log"

"$sim" --net none --link "unix:$sock" --link-phy "${LINK_PHY:-uart:12000000}" --stats \
    >"$stats" 2>"$log" &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
wait_ready "$log" "$pid" 60 || { echo "FAIL $name: toe-sim did not start"; cat "$log"; exit 1; }

rc=0
"$top/build/tests/test_link_session" "sim:$sock" || rc=1
kill -INT $pid
wait $pid || { echo "FAIL $name: toe-sim exit status $?"; rc=1; }
trap - EXIT
get() { sed -n "s/^$1 //p" "$stats"; }
# 1 first session, 12 bursts + 12 sessions, 4 killed clients + 4 sessions
if [ "$(get sim_link_clients_refused)" != 0 ] || [ "$(get sim_link_clients_accepted)" != 33 ]; then
    echo "FAIL $name: clients accepted $(get sim_link_clients_accepted) (want 33)," \
        "refused $(get sim_link_clients_refused) (want 0)"; rc=1
fi
echo "$name: old clients' bytes dropped unread $(get sim_link_client_bytes_dropped)," \
    "dropped from the board's input $(get sim_link_session_bytes_dropped)"
if [ "$(get sim_link_client_bytes_dropped)" -le 0 ] || [ "$(get sim_link_session_bytes_dropped)" -le 0 ]; then
    echo "FAIL $name: the board kept the old clients' bytes"; rc=1
fi
if [ "$rc" = 0 ]; then echo "PASS $name"; else echo "FAIL $name"; tail -20 "$log"; fi
exit "$rc"
