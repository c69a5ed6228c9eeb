#!/usr/bin/env bash
# Figures for docs/benchmarks/cluster.md, all in one process run on one machine: three interleaved rounds of the raw
# baselines (file bandwidth with fdatasync per 1 MiB transfer and with one fdatasync at the end, durable 4 KiB writes,
# loopback TCP round trip) and the IOR- and mdtest-shaped tools on an in-process cluster and on engines on loopback
# TCP in a child process; then the probes behind the figures (one target's depth scaling, engine-load's direct VOS
# loop taken apart, the client's reply copy).
# Usage: bench/Daos.Bench/Cluster/run-cluster-bench.sh [extra cluster-bench options, e.g. -b 128m -n 2500 --shared]
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
dotnet build -c Release "$root/bench/Daos.Bench" -v quiet -nologo > /dev/null
bench=(dotnet "$root/bench/Daos.Bench/bin/Release/net10.0/Daos.Bench.dll")
"${bench[@]}" cluster-bench --rounds 3 "$@"
"${bench[@]}" cluster-probe --ops 2000
