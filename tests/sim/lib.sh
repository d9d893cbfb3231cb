# SPDX-License-Identifier: MIT
# tests/sim/lib.sh: what the shell tests against the virtual board share. Source it after
# setting `name` (the test's name, for its messages) and `top`; it sources
# scripts/lib/netns.sh (wait_ready, the namespace helpers) too.
#
#   pass NAME [TEXT] / fail NAME [WHY] / finish   one line per check; the summary (with the
#                                   wall time since lib.sh was sourced) and the exit status
#   skip WHY                        exit 77 (skipped)
#   need_tap TOOL...                skip unless root with /dev/net/tun and the tools
#   pids+=($!) ...  bg_cleanup      started processes, killed on exit (trap bg_cleanup EXIT)
#   sha FILE                        its SHA-256
#   free_port                       a TCP port free on the loopback now
#   start_toed SOCK SPEC LOG [ARGS]  toed on device SPEC serving SOCK (pid in toedpid, also
#                                   in pids), once its socket is there
#   echo_test NAME LOG HOST:PORT SEED TOE_ECHO_ARGS...
#                                   toe-echo with the args (-p 7000 -n 4 added), then 4 clients
#                                   at once to HOST:PORT (through $via, e.g. an nsenter
#                                   command), 300000 bytes each: each must get its bytes back,
#                                   the server must count them all
#   toed_files DIR SEED BIG_MB      f0..f7 (1 MiB and a little more each) and big (BIG_MB MiB)
#                                   of seeded random bytes, for the daemon tests' downloads
#   toed_stat NAME                  a counter of the daemon on $dsock (`toe stats`)
#   get_check TAG FILE...           `toe get` of $base/FILE for each FILE at once (to
#                                   $out/got/TAG.FILE), SHA-256 checked against $out/www/FILE;
#                                   prints how many were good
#   get_partial OUT BYTES           wait (up to 60 s) until the download to OUT has more than
#                                   BYTES in its temporary file; prints its size
#   kill_mid_get                    download $base/big and, with it, f0 and f1 (get_check
#                                   killed); SIGKILL the big one once it has 2 MB. Sets big
#                                   (its bytes then), ok (of the 2 others, good), resets0 and
#                                   resets1 (the daemon's client_resets before and after)
#   toed_down_check PREFIX HOLD_PID HOLD_OUT
#                                   after toed went away: the holder (toed_client.py hold, 2
#                                   connections) ends with both ended, `toe info` fails clearly
. "$top/scripts/lib/netns.sh"

passed=0
failed=0
pids=()
t_start=$(date +%s)
pass() { echo "PASS $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1${2:+: $2}"; failed=$((failed + 1)); }
finish() {
    echo "$name: $passed passed, $failed failed, $(($(date +%s) - t_start)) s wall"
    [ "$failed" = 0 ] && exit 0
    exit 1
}
skip() { echo "SKIP: $name: $*"; exit 77; }
need_tap() {
    [ "$(id -u)" = 0 ] || skip "not root"
    [ -c /dev/net/tun ] || skip "/dev/net/tun missing"
    local tool
    for tool in ip nsenter timeout "$@"; do command -v "$tool" >/dev/null || skip "$tool not installed"; done
}
bg_cleanup() {
    local p
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
}
sha() { sha256sum "$1" | cut -d' ' -f1; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

start_toed() {
    local sock=$1 spec=$2 log=$3 i
    shift 3
    rm -f "$sock"
    "${toed:-$top/build/bin/toed}" -d "$spec" -s "$sock" "$@" 2>>"$log" &
    toedpid=$!
    pids+=($toedpid)
    for ((i = 0; i < 100; i++)); do [ -S "$sock" ] && return 0; sleep 0.1; done
    return 1
}

echo_test() {
    local n=$1 slog=$2 addr=$3 seed=$4 rc=0 crc=0 spid i
    shift 4
    "$top/build/bin/toe-echo" "$@" -p 7000 -n 4 2>"$slog" &
    spid=$!
    pids+=($spid)
    for ((i = 0; i < 100; i++)); do grep -q listening "$slog" && break; sleep 0.1; done
    timeout 300 ${via:-} python3 "$top/tests/sim/test_tcp_peer.py" connect --connect "$addr" \
        --conns 4 --bytes 300000 --seed "$seed" --check >"$slog.clients" 2>&1 || crc=$?
    timeout 60 tail --pid="$spid" -f /dev/null || kill "$spid" 2>/dev/null
    wait "$spid" || rc=$?
    if [ "$crc" = 0 ] && [ "$rc" = 0 ] && grep -q "done: 4 connections, 1200000 bytes" "$slog"; then
        pass "$n ($(grep -c ': ok' "$slog.clients") clients at once, 300000 bytes each echoed and checked)"
    else
        fail "$n" "clients exit $crc, server exit $rc: $(tail -n 3 "$slog.clients" "$slog" | tr '\n' ' ')"
    fi
}

toed_files() {
    python3 - "$@" <<'PY'
import os, random, sys
d, r, big = sys.argv[1], random.Random(int(sys.argv[2])), int(sys.argv[3])
for i in range(8):
    open(os.path.join(d, "f%d" % i), "wb").write(r.randbytes((1 << 20) + i * 4099))
open(os.path.join(d, "big"), "wb").write(r.randbytes(big << 20))
PY
}
toed_stat() { timeout 30 "$top/build/bin/toe" -d "toed:$dsock" stats | awk -v n="$1" '$1 == n { print $2 }' | tail -n 1; }

get_check() {
    local tag=$1 f rc ok=0 gp=()
    shift
    for f in "$@"; do
        timeout 600 "$top/build/bin/toe" get --timeout 60 -o "$out/got/$tag.$f" "$base/$f" \
            2>"$out/got/$tag.$f.err" &
        gp+=($!)
    done
    for f in "$@"; do
        rc=0
        wait "${gp[0]}" || rc=$?
        gp=("${gp[@]:1}")
        if [ "$rc" = 0 ] && [ "$(sha "$out/got/$tag.$f")" = "$(sha "$out/www/$f")" ]; then
            ok=$((ok + 1))
        else
            echo "  $tag $f: exit $rc $(head -c 200 "$out/got/$tag.$f.err")" >&2
        fi
    done
    echo "$ok"
}

get_partial() {
    local n=0 i
    for ((i = 0; i < 600; i++)); do
        n=$(stat -c %s "$1".toe-* 2>/dev/null | head -n 1 || true)
        [ "${n:-0}" -gt "$2" ] && break
        sleep 0.1
    done
    echo "${n:-0}"
}

kill_mid_get() {
    local victim others
    resets0=$(toed_stat client_resets)
    "$top/build/bin/toe" get --timeout 60 -o "$out/got/big" "$base/big" 2>"$out/got/big.err" &
    victim=$!
    pids+=($victim)
    get_check killed f0 f1 >"$out/killed_others" &
    others=$!
    big=$(get_partial "$out/got/big" 2000000)
    kill -KILL "$victim" 2>/dev/null || true
    wait "$victim" 2>/dev/null || true
    wait "$others" || true
    ok=$(cat "$out/killed_others")
    resets1=$(toed_stat client_resets)
}

toed_down_check() {
    local n=$1 hp=$2 ho=$3 rc=0
    timeout 60 tail --pid="$hp" -f /dev/null || kill "$hp" 2>/dev/null
    wait "$hp" || rc=$?
    [ "$rc" = 0 ] && [ "$(grep -c '^end ' "$ho")" = 2 ] &&
        pass "${n}_held_connections_end ($(grep '^end ' "$ho" | tr '\n' ' '))" ||
        fail "${n}_held_connections_end" "exit $rc: $(cat "$ho")"
    rc=0
    timeout 30 "$top/build/bin/toe" info >"$ho.info" 2>&1 || rc=$?
    [ "$rc" = 1 ] && grep -q "no daemon answers" "$ho.info" &&
        pass "${n}_requests_fail ($(cat "$ho.info"))" ||
        fail "${n}_requests_fail" "exit $rc: $(cat "$ho.info")"
}
