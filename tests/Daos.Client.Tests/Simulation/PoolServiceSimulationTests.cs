using System.Globalization;
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
    /// Seeds that once needed a write to take effect twice: 115 (a retried attribute write whose first attempt had
    /// committed) and 142 (a stale attribute write applied after its call had returned, reinstating a value older than
    /// two acknowledged writes). With operation keys both are linearizable with every write applied once.
    /// </summary>
    [Theory]
    [InlineData(115UL)]
    [InlineData(142UL)]
    public void Retried_and_late_service_writes_take_effect_once(ulong seed) => RunSeed(seed, faultRounds: 8);

    /// <summary>
    /// Seeds that once stalled before the first fault: 151 (a lost shard-space query held each retried pool create for
    /// the whole call timeout, and the client's retries queued behind one another at the service), 161 (a lost shard
    /// create rolled the pool back, and the resumed create found the destroyed replica's Raft opcode still taken) and
    /// 275 (every engine drew the same election jitter, so the management replicas split their votes for a minute).
    /// </summary>
    [Theory]
    [InlineData(151UL)]
    [InlineData(161UL)]
    [InlineData(275UL)]
    public void Pool_create_and_elections_stay_live_under_loss_and_reordering(ulong seed) => RunSeed(seed, faultRounds: 2);

    /// <summary>
    /// Many more seeds and faults; every seed runs and the failures are reported together. Seeds 100-399 unless
    /// <c>DAOS_POOLSVC_FIRST_SEED</c> and <c>DAOS_POOLSVC_SEEDS</c> (a count) move the window; replay one seed with
    /// <c>DAOS_POOLSVC_FIRST_SEED=151 DAOS_POOLSVC_SEEDS=1</c>.
    /// </summary>
    [Fact]
    [Trait("Category", "Soak")]
    public void Many_seeds()
    {
        ulong first = ulong.Parse(Environment.GetEnvironmentVariable("DAOS_POOLSVC_FIRST_SEED") ?? "100", CultureInfo.InvariantCulture);
        ulong count = ulong.Parse(Environment.GetEnvironmentVariable("DAOS_POOLSVC_SEEDS") ?? "300", CultureInfo.InvariantCulture);
        var failures = new List<string>();
        for (ulong seed = first; seed < first + count; seed++)
        {
            try
            {
                RunSeed(seed, faultRounds: 8);
            }
            catch (Exception e) when (e is Xunit.Sdk.XunitException or InvalidOperationException)
            {
                failures.Add(e.Message);
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of {count} seeds failed:\n{string.Join("\n", failures)}");
    }

    /// <summary>The seeds that showed double effects before operation keys, with 142, strictly.</summary>
    [Theory]
    [Trait("Category", "Soak")]
    [InlineData(123UL)]
    [InlineData(129UL)]
    [InlineData(132UL)]
    [InlineData(149UL)]
    public void Seeds_that_applied_writes_twice(ulong seed) => RunSeed(seed, faultRounds: 8);

    private void RunSeed(ulong seed, int faultRounds)
    {
        var simulation = new PoolServiceSimulation(seed, faultRounds);
        simulation.Run();
        output.WriteLine(simulation.Summary);
        output.WriteLine($"faults: {string.Join("; ", simulation.Faults)}");
        output.WriteLine($"leaders: {string.Join(",", simulation.Leaders)}; completed {string.Join("/", simulation.Completed)}, uncertain {string.Join("/", simulation.Uncertain)}; {simulation.History.Count} attribute and container operations; network {simulation.NetworkStatistics}; snapshots listed but never returned {simulation.UnreturnedSnapshots} ({simulation.FailedSnapshotCreates} creates failed); object id ranges {simulation.OidRangesReturned} ({simulation.FailedAllocations} allocations failed)");
        simulation.Check();
    }
}
