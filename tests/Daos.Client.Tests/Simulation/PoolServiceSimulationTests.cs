using Xunit.Abstractions;

namespace Daos.Client.Tests.Simulation;

/// <summary>
/// Seeds of <see cref="PoolServiceSimulation"/>: pool service replicas crashing and partitioned under a metadata
/// workload from three clients. Replay a failing seed with <c>new PoolServiceSimulation(seed, rounds).Run()</c> (the
/// seed is in every failure message).
/// </summary>
public sealed class PoolServiceSimulationTests(ITestOutputHelper output)
{
    public static TheoryData<ulong> DefaultSeeds => [1, 2, 3];

    [Theory]
    [MemberData(nameof(DefaultSeeds))]
    public void Metadata_stays_linearizable_while_service_replicas_crash_and_partition(ulong seed) => RunSeed(seed, faultRounds: 4);

    [Fact]
    public void The_same_seed_gives_the_same_run()
    {
        const ulong seed = 11;
        var first = new PoolServiceSimulation(seed, faultRounds: 2);
        first.Run();
        var second = new PoolServiceSimulation(seed, faultRounds: 2);
        second.Run();
        output.WriteLine(first.Summary);
        Assert.True(first.TraceHash == second.TraceHash, $"seed {seed}: trace {first.TraceHash:x16} then {second.TraceHash:x16}");
        Assert.True(first.HistoryHash == second.HistoryHash, $"seed {seed}: history {first.HistoryHash:x16} then {second.HistoryHash:x16}");
        Assert.Equal(first.Faults, second.Faults);
        Assert.Equal(first.Leaders, second.Leaders);
    }

    /// <summary>
    /// Many more seeds and faults; every seed runs and the failures are reported together. A retried service write
    /// can take effect twice (its first attempt committed but the reply was lost, e.g. seed 115): the service has no
    /// duplicate-request detection yet, so such seeds are counted rather than failed; any other violation fails (seed
    /// 142 reads an attribute value older than two acknowledged writes, around a leader change after a heal).
    /// </summary>
    [Fact]
    [Trait("Category", "Soak")]
    public void Many_seeds()
    {
        var duplicates = new List<ulong>();
        var failures = new List<string>();
        for (ulong seed = 100; seed < 160; seed++)
        {
            try
            {
                if (RunSeed(seed, faultRounds: 8, allowDuplicateRetries: true))
                {
                    duplicates.Add(seed);
                }
            }
            catch (Exception e) when (e is Xunit.Sdk.XunitException or InvalidOperationException)
            {
                failures.Add(e.Message);
            }
        }

        output.WriteLine($"seeds whose history needs a retried write applied twice: {string.Join(",", duplicates)}");
        Assert.True(failures.Count == 0, $"{failures.Count} of 60 seeds failed:\n{string.Join("\n", failures)}");
    }

    /// <summary>The known gap, pinned: in seed 115 a retried attribute write takes effect twice.</summary>
    [Fact]
    [Trait("Category", "Soak")]
    public void Seed_115_shows_a_retried_write_applied_twice()
    {
        Assert.True(RunSeed(115, faultRounds: 8, allowDuplicateRetries: true), "seed 115 is now linearizable without duplicates: duplicate detection may have arrived; drop this pin");
    }

    private bool RunSeed(ulong seed, int faultRounds, bool allowDuplicateRetries = false)
    {
        var simulation = new PoolServiceSimulation(seed, faultRounds);
        simulation.Run();
        output.WriteLine(simulation.Summary);
        output.WriteLine($"faults: {string.Join("; ", simulation.Faults)}");
        output.WriteLine($"leaders: {string.Join(",", simulation.Leaders)}; completed {string.Join("/", simulation.Completed)}, uncertain {string.Join("/", simulation.Uncertain)}; {simulation.History.Count} attribute and container operations; network {simulation.NetworkStatistics}; snapshots listed but never returned {simulation.UnreturnedSnapshots} ({simulation.FailedSnapshotCreates} creates failed)");
        simulation.Check(allowDuplicateRetries);
        return simulation.DuplicateExecution;
    }
}
