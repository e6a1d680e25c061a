#!/usr/bin/env bash
# Runs a command in a network namespace of its own whose loopback is limited to RATE (tbf), so client and server
# on 127.0.0.1 talk over a link slower than the CPU, as across a real network. Root only; the namespace is
# removed on exit. Nothing outside the namespace is touched.
#   sudo test/Bytestream.Client.Benchmarks/limited-loopback.sh 1gbit -- \
#     dotnet run --project test/Bytestream.Client.Benchmarks -c Release -- run --suite reapi
set -euo pipefail

rate="${1:?usage: limited-loopback.sh RATE -- COMMAND...}"
shift
[ "${1:-}" = "--" ] && shift
[ "$#" -gt 0 ] || { echo "usage: limited-loopback.sh RATE -- COMMAND..." >&2; exit 2; }

ns="bslimit$$"
ip netns add "$ns"
trap 'ip netns delete "$ns" 2>/dev/null || true' EXIT
ip netns exec "$ns" ip link set lo up
# A 1 MiB bucket lets HTTP/2 frames through whole; 100 ms of queue absorbs bursts without drops.
ip netns exec "$ns" tc qdisc add dev lo root tbf rate "$rate" burst 1mb latency 100ms
echo "# loopback of namespace $ns: $(ip netns exec "$ns" tc qdisc show dev lo)"
ip netns exec "$ns" "$@"
