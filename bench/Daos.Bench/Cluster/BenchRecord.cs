using static Daos.Bench.Cluster.ClusterLoadModes;

namespace Daos.Bench.Cluster;

/// <summary>
/// Every phase of every round, printed as it ends; then the medians over the rounds and, for each ratio, the median
/// of that ratio taken within each round (a tool and its baseline measured minutes apart on the same machine).
/// </summary>
internal sealed class BenchRecord
{
    private readonly List<(int Round, string Path, PhaseResult Result)> _entries = [];

    public IReadOnlyList<(int Round, string Path, PhaseResult Result)> Entries => _entries;

    public void Add(int round, string path, params PhaseResult[] results)
    {
        foreach (PhaseResult result in results)
        {
            _entries.Add((round, path, result));
            Console.WriteLine(Invariant($"  {path,-18} {result}"));
        }
    }

    public PhaseResult? Find(int round, string path, string? phase = null) =>
        _entries.FirstOrDefault(e => e.Round == round && e.Path == path && (phase is null || e.Result.Phase == phase)).Result;

    public void PrintSummary(TextWriter output, ClusterBenchOptions options)
    {
        int[] rounds = [.. _entries.Select(e => e.Round).Distinct()];
        double Median(string path, string? phase, Func<PhaseResult, double> figure) =>
            ClusterLoadModes.Median(rounds.Select(r => Find(r, path, phase) is { } p ? figure(p) : double.NaN));
        double MedianRatio(string path, string? phase, string basePath, string? basePhase, Func<PhaseResult, double> figure) =>
            ClusterLoadModes.Median(rounds.Select(r => Find(r, path, phase) is { } p && Find(r, basePath, basePhase) is { } b ? figure(p) / figure(b) : double.NaN));

        output.WriteLine();
        output.WriteLine(Invariant($"Medians of {rounds.Length} round(s); ratios are medians of the per-round ratios."));
        if (_entries.Any(e => e.Path.StartsWith("ior", StringComparison.Ordinal)))
        {
            output.WriteLine();
            output.WriteLine("| ior path | write GiB/s | write p50 / p99 ms | read GiB/s | read p50 / p99 ms | write ÷ raw write+fdatasync | write ÷ raw streaming write | read ÷ raw read |");
            output.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");
            if (_entries.Any(e => e.Path == "raw file"))
            {
                output.WriteLine(Invariant($"| raw file, fdatasync per transfer | {Median("raw file", "raw write+fdatasync", p => p.GiBPerSecond):F3} | {Median("raw file", "raw write+fdatasync", p => p.P50Micros) / 1000:F2} / {Median("raw file", "raw write+fdatasync", p => p.P99Micros) / 1000:F2} | {Median("raw file", "raw read", p => p.GiBPerSecond):F3} | {Median("raw file", "raw read", p => p.P50Micros) / 1000:F2} / {Median("raw file", "raw read", p => p.P99Micros) / 1000:F2} | 1 | | 1 |"));
                output.WriteLine(Invariant($"| raw file, one fdatasync at the end | {Median("raw file", "raw write, one fdatasync", p => p.GiBPerSecond):F3} | {Median("raw file", "raw write, one fdatasync", p => p.P50Micros) / 1000:F2} / {Median("raw file", "raw write, one fdatasync", p => p.P99Micros) / 1000:F2} | | | | 1 | |"));
            }

            foreach (string path in _entries.Select(e => e.Path).Where(p => p.StartsWith("ior ", StringComparison.Ordinal)).Distinct())
            {
                output.WriteLine(Invariant($"| {path} ({options.Ior.Layout}) | {Median(path, "write", p => p.GiBPerSecond):F3} | {Median(path, "write", p => p.P50Micros) / 1000:F2} / {Median(path, "write", p => p.P99Micros) / 1000:F2} | {Median(path, "read", p => p.GiBPerSecond):F3} | {Median(path, "read", p => p.P50Micros) / 1000:F2} / {Median(path, "read", p => p.P99Micros) / 1000:F2} | {MedianRatio(path, "write", "raw file", "raw write+fdatasync", p => p.GiBPerSecond):F2} | {MedianRatio(path, "write", "raw file", "raw write, one fdatasync", p => p.GiBPerSecond):F2} | {MedianRatio(path, "read", "raw file", "raw read", p => p.GiBPerSecond):F2} |"));
            }
        }

        if (_entries.Any(e => e.Path.StartsWith("mdtest", StringComparison.Ordinal)))
        {
            output.WriteLine();
            if (_entries.Any(e => e.Path.StartsWith("raw loopback", StringComparison.Ordinal) || e.Path.StartsWith("raw 4 KiB", StringComparison.Ordinal)))
            {
                output.WriteLine("| baseline | ops/s | p50 µs | p99 µs |");
                output.WriteLine("|---|---:|---:|---:|");
                foreach (string path in new[] { "raw loopback", "raw 4 KiB sync" })
                {
                    output.WriteLine(Invariant($"| {Find(rounds[0], path)?.Phase ?? path} | {Median(path, null, p => p.OperationsPerSecond):F0} | {Median(path, null, p => p.P50Micros):F1} | {Median(path, null, p => p.P99Micros):F1} |"));
                }

                output.WriteLine();
            }

            output.WriteLine("| mdtest path | create ops/s | create p50 / p99 µs | stat ops/s | stat p50 / p99 µs | remove ops/s | remove p50 / p99 µs | stat p50 ÷ raw RTT | create p50 ÷ raw 4 KiB sync | remove p50 ÷ raw 4 KiB sync |");
            output.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            foreach (string path in _entries.Select(e => e.Path).Where(p => p.StartsWith("mdtest ", StringComparison.Ordinal)).Distinct())
            {
                string Cell(string phase) => Invariant($"{Median(path, phase, p => p.OperationsPerSecond):F0} | {Median(path, phase, p => p.P50Micros):F0} / {Median(path, phase, p => p.P99Micros):F0}");
                output.WriteLine(Invariant($"| {path} ({options.Mdtest.Layout}) | {Cell("create")} | {Cell("stat")} | {Cell("remove")} | {MedianRatio(path, "stat", "raw loopback", null, p => p.P50Micros):F1} | {MedianRatio(path, "create", "raw 4 KiB sync", null, p => p.P50Micros):F2} | {MedianRatio(path, "remove", "raw 4 KiB sync", null, p => p.P50Micros):F2} |"));
            }
        }
    }
}
