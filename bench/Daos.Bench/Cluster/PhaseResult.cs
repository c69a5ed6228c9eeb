using System.Globalization;

namespace Daos.Bench.Cluster;

/// <summary>One timed phase of a load tool: how much it did, how long the whole phase took, and per-operation latency.</summary>
internal sealed record PhaseResult(string Phase, long Operations, long Bytes, double Seconds, double P50Micros, double P99Micros, double MaxMicros = double.NaN)
{
    public double GiBPerSecond => Bytes / Seconds / (1L << 30);

    public double MiBPerSecond => Bytes / Seconds / (1L << 20);

    public double OperationsPerSecond => Operations / Seconds;

    public override string ToString() => Bytes > 0
        ? string.Create(CultureInfo.InvariantCulture, $"{Phase}: {MiBPerSecond:F1} MiB/s ({GiBPerSecond:F3} GiB/s), {Operations} ops in {Seconds:F2} s, p50 {P50Micros:F0} us, p99 {P99Micros:F0} us")
        : string.Create(CultureInfo.InvariantCulture, $"{Phase}: {OperationsPerSecond:F0} ops/s, {Operations} ops in {Seconds:F2} s, p50 {P50Micros:F1} us, p99 {P99Micros:F1} us");
}
