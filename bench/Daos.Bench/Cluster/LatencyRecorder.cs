using System.Diagnostics;

namespace Daos.Bench.Cluster;

/// <summary>
/// Per-operation latencies of one phase: each worker owns one preallocated slice (no locks, no allocation while the
/// phase runs); <see cref="Finish"/> merges and sorts them once the phase is over.
/// </summary>
internal sealed class LatencyRecorder
{
    private readonly long[][] _ticks;
    private readonly int[] _counts;

    public LatencyRecorder(int workers, int operationsPerWorkerMax)
    {
        _ticks = new long[workers][];
        _counts = new int[workers];
        for (int w = 0; w < workers; w++)
        {
            _ticks[w] = new long[operationsPerWorkerMax];
        }
    }

    /// <summary>Records one operation of <paramref name="worker"/> that began at <paramref name="startTimestamp"/>; call from that worker only.</summary>
    public void Record(int worker, long startTimestamp) =>
        _ticks[worker][_counts[worker]++] = Stopwatch.GetTimestamp() - startTimestamp;

    public PhaseResult Finish(string phase, long bytes, TimeSpan elapsed)
    {
        long[] all = new long[_counts.Sum()];
        int at = 0;
        for (int w = 0; w < _ticks.Length; w++)
        {
            Array.Copy(_ticks[w], 0, all, at, _counts[w]);
            at += _counts[w];
        }

        Array.Sort(all);
        return new PhaseResult(phase, all.Length, bytes, elapsed.TotalSeconds, PercentileMicros(all, 0.50), PercentileMicros(all, 0.99), PercentileMicros(all, 1.0));
    }

    /// <summary>The nearest-rank percentile of sorted ticks, in microseconds.</summary>
    public static double PercentileMicros(long[] sortedTicks, double quantile)
    {
        if (sortedTicks.Length == 0)
        {
            return double.NaN;
        }

        int rank = (int)Math.Ceiling(quantile * sortedTicks.Length) - 1;
        return sortedTicks[Math.Clamp(rank, 0, sortedTicks.Length - 1)] * 1e6 / Stopwatch.Frequency;
    }
}
