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

    [Fact]
    [Trait("Category", "Soak")]
    public void Many_seeds()
    {
        for (ulong seed = 100; seed < 160; seed++)
        {
            RunSeed(seed, faultRounds: 8);
        }
    }

    private void RunSeed(ulong seed, int faultRounds)
    {
        var simulation = new PoolServiceSimulation(seed, faultRounds);
        simulation.Run();
        output.WriteLine(simulation.Summary);
        output.WriteLine($"faults: {string.Join("; ", simulation.Faults)}");
        output.WriteLine($"leaders: {string.Join(",", simulation.Leaders)}; completed {string.Join("/", simulation.Completed)}, uncertain {string.Join("/", simulation.Uncertain)}; {simulation.History.Count} attribute and container operations; network {simulation.NetworkStatistics}; snapshots listed but never returned {simulation.UnreturnedSnapshots} ({simulation.FailedSnapshotCreates} creates failed)");
        simulation.Check();
    }
}
