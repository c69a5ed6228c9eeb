#!/usr/bin/env bash
# Transport figures for docs/benchmarks/transport.md, all in one run on one machine:
# the RPC layer over TCP loopback and in-process, a raw C# socket echo (the physical limit), and Debian's
# redis-server answering PING (started here on a non-default port and stopped afterwards).
# Usage: bench/Daos.Bench/Transport/run-transport-bench.sh [seconds-per-cell]
set -euo pipefail
seconds="${1:-3}"
port=6391
root="$(cd "$(dirname "$0")/../../.." && pwd)"
pidfile="$(mktemp -u /tmp/daos-bench-redis.XXXXXX.pid)"

dotnet build -c Release "$root/bench/Daos.Bench" -v quiet -nologo > /dev/null
dotnet run -c Release --no-build --project "$root/bench/Daos.Bench" -- transport-load "$seconds" 64,1048576 1,64

if command -v redis-server > /dev/null; then
  redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes --pidfile "$pidfile" --logfile /dev/null
  trap 'kill "$(cat "$pidfile")" 2> /dev/null || true; rm -f "$pidfile"' EXIT
  sleep 0.5
  echo
  echo "# redis-server $(redis-server --version | sed 's/.*v=\([^ ]*\).*/\1/') on 127.0.0.1:$port"
  for args in "-c 1 -n 100000" "-c 64 -n 500000" "-c 1 -P 64 -n 2000000"; do
    echo "## redis-benchmark -t ping $args"
    redis-benchmark -h 127.0.0.1 -p "$port" -t ping $args -q | tr '\r' '\n' | grep 'requests per second'
  done
fi
