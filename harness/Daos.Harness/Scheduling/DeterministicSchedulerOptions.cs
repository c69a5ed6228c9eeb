namespace Daos.Harness.Scheduling;

/// <summary>Per-run settings of a <see cref="DeterministicScheduler"/>.</summary>
public sealed class DeterministicSchedulerOptions
{
    /// <summary>
    /// Pick the next ready work item at random (from the seed) instead of first-in first-out. Either order is
    /// reproducible; the random one explores interleavings that FIFO never produces.
    /// </summary>
    public bool RandomizeOrder { get; init; } = true;

    /// <summary>Simulated time a run may take before it is declared stuck (default one hour).</summary>
    public TimeSpan SimulatedTimeLimit { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Work items a run may execute before it is declared stuck (default 10 million).</summary>
    public long StepsMax { get; init; } = 10_000_000;

    /// <summary>Where a finished run prints its seed and trace hash; nothing is printed if null.</summary>
    public TextWriter? Output { get; init; } = Console.Out;
}
