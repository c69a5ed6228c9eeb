namespace Daos.Harness.Network;

/// <summary>
/// Fault and delay parameters of one simulated-network run, in the spirit of TigerBeetle's packet simulator.
/// Delays are drawn per packet: the minimum plus an exponential with mean <c>OneWayDelayMean - OneWayDelayMin</c>.
/// </summary>
public sealed class SimulatedNetworkOptions
{
    /// <summary>Least one-way delay of a packet (default 100 µs).</summary>
    public TimeSpan OneWayDelayMin { get; init; } = TimeSpan.FromMicroseconds(100);

    /// <summary>Mean one-way delay of a packet (default 500 µs).</summary>
    public TimeSpan OneWayDelayMean { get; init; } = TimeSpan.FromMicroseconds(500);

    /// <summary>Probability a packet is lost (default 0).</summary>
    public double PacketLossProbability { get; init; }

    /// <summary>Probability a packet is delivered twice (default 0).</summary>
    public double PacketDuplicationProbability { get; init; }

    /// <summary>Probability a packet ignores the per-link FIFO order and may overtake earlier ones (default 0).</summary>
    public double PacketReorderProbability { get; init; }

    /// <summary>Parameters drawn from <paramref name="random"/>, so a seed explores the fault space itself.</summary>
    public static SimulatedNetworkOptions Random(DeterministicRandom random)
    {
        ArgumentNullException.ThrowIfNull(random);
        TimeSpan min = TimeSpan.FromMicroseconds(random.Next(10, 1000));
        return new SimulatedNetworkOptions
        {
            OneWayDelayMin = min,
            OneWayDelayMean = min + TimeSpan.FromMicroseconds(random.Next(0, 5000)),
            PacketLossProbability = random.Chance(0.5) ? 0 : random.NextDouble() * 0.1,
            PacketDuplicationProbability = random.Chance(0.5) ? 0 : random.NextDouble() * 0.1,
            PacketReorderProbability = random.Chance(0.5) ? 0 : random.NextDouble() * 0.5,
        };
    }

    /// <summary>Checks ranges.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(OneWayDelayMin, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(OneWayDelayMean, OneWayDelayMin);
        CheckProbability(PacketLossProbability);
        CheckProbability(PacketDuplicationProbability);
        CheckProbability(PacketReorderProbability);
    }

    /// <inheritdoc/>
    public override string ToString() =>
        $"delay {OneWayDelayMin.TotalMicroseconds:F0}/{OneWayDelayMean.TotalMicroseconds:F0} µs, loss {PacketLossProbability:F3}, " +
        $"duplication {PacketDuplicationProbability:F3}, reorder {PacketReorderProbability:F3}";

    private static void CheckProbability(double p)
    {
        if (!(p >= 0 && p <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(p), p, "probability outside [0, 1]");
        }
    }
}
