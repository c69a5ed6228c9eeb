#!/bin/bash
# VOS update/fetch beside its peers on the same disk, interleaved round by round (the machine is shared: take the
# median of the rounds). Each round runs: fio raw sequential 1 MiB writes (fdatasync after each, and O_DIRECT without
# barriers), RocksDB db_bench (sync WAL, one thread) for 64 B, 4 KiB and 1 MiB values, then VosBenchmarks and
# VosScanBenchmarks from this tree and, when given, from an earlier build of Daos.Bench.
# usage: vos-vs-peers.sh OUT_DIR [ROUNDS] [EARLIER_DAOS_BENCH_DLL]
set -u
out=${1:?out dir}; rounds=${2:-3}; before=${3:-}
here=$(cd "$(dirname "$0")/.." && pwd)   # bench/Daos.Bench
peers=/work/shared/peers
scratch=${DAOS_BENCH_DIR:-/tmp}/vos-vs-peers-$$
mkdir -p "$out" "$scratch"
(cd "$here" && dotnet build -c Release -v q >/dev/null) || exit 1
after="$here/bin/Release/net10.0/Daos.Bench.dll"
bdn() { # label dll filter iterations
    mkdir -p "$out/$1"
    # In process: the earlier build has no project beside it to generate a child process from.
    (cd "$scratch" && dotnet "$2" --inProcess --warmupCount 2 --iterationCount "$4" --filter "$3" >"$out/$1.log" 2>&1)
    cp "$scratch"/BenchmarkDotNet.Artifacts/results/*-report-github.md "$out/$1/" 2>/dev/null
    rm -rf "$scratch/BenchmarkDotNet.Artifacts"
}
for r in $(seq 1 "$rounds"); do
    echo "round $r $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out/rounds.txt"
    fio --name=seqsync --directory="$scratch" --rw=write --bs=1M --size=512M --overwrite=1 --fdatasync=1 \
        --ioengine=psync --output-format=json >"$out/fio-sync-$r.json" 2>&1
    fio --name=seqdirect --directory="$scratch" --rw=write --bs=1M --size=512M --overwrite=1 --direct=1 \
        --ioengine=psync --output-format=json >"$out/fio-direct-$r.json" 2>&1
    rm -f "$scratch"/seq*
    for v in "64 3000" "4096 3000" "1048576 200"; do
        set -- $v
        bash "$peers/dbbench.sh" "$1" 1 1 "$2" >"$out/dbbench-$1-$r.txt" 2>&1
    done
    bdn "vos-after-$r" "$after" '*VosBenchmarks*' 15
    if [ -n "$before" ]; then bdn "vos-before-$r" "$before" '*VosBenchmarks*' 15; fi
done
# Enumeration and aggregation rates: once, after the rounds.
bdn "scan-after" "$after" '*VosScanBenchmarks*' 5
if [ -n "$before" ]; then bdn "scan-before" "$before" '*VosScanBenchmarks*' 5; fi
rm -rf "$scratch"
