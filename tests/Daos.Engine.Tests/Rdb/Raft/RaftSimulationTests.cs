using System.Globalization;
using Xunit.Abstractions;

namespace Daos.Engine.Tests.Rdb.Raft;

/// <summary>
/// Seeded whole-group simulations (see <see cref="RaftSimulation"/>). A failure names its seed; replay one with
/// <c>DAOS_RAFT_SEED=&lt;seed&gt; DAOS_RAFT_REPLICAS=3 dotnet test tests/Daos.Engine.Tests --filter Replay_one_seed</c>.
/// The soak runs seeds 1,000,000 onwards; <c>DAOS_RAFT_FIRST_SEED</c> moves the window to explore new seeds.
/// </summary>
public sealed class RaftSimulationTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(3)]
    [InlineData(5)]
    public void Two_hundred_seeds_stay_safe_converge_and_are_linearizable(int replicas) => RunSeeds(replicas, 1, 200);

    [Theory]
    [Trait("Category", "Soak")]
    [InlineData(3)]
    [InlineData(5)]
    public void Ten_thousand_seeds_stay_safe_converge_and_are_linearizable(int replicas) =>
        RunSeeds(replicas, ulong.Parse(Environment.GetEnvironmentVariable("DAOS_RAFT_FIRST_SEED") ?? "1000000", CultureInfo.InvariantCulture), 10_000);

    [Fact]
    public void Replay_one_seed()
    {
        string? seed = Environment.GetEnvironmentVariable("DAOS_RAFT_SEED");
        if (seed is null)
        {
            return; // Only when asked to replay.
        }

        int replicas = int.Parse(Environment.GetEnvironmentVariable("DAOS_RAFT_REPLICAS") ?? "3", CultureInfo.InvariantCulture);
        RunSeeds(replicas, ulong.Parse(seed, CultureInfo.InvariantCulture), 1);
    }

    private void RunSeeds(int replicas, ulong firstSeed, int count)
    {
        long reads = 0;
        long writes = 0;
        long checks = 0;
        long crashes = 0;
        long snapshots = 0;
        long elections = 0;
        ulong messages = 0;
        long configurationChanges = 0;
        long transfers = 0;
        int slowest = 0;
        for (ulong seed = firstSeed; seed < firstSeed + (ulong)count; seed++)
        {
            var simulation = new RaftSimulation(seed, replicas);
            RaftSimulation.SimulationReport report;
            try
            {
                report = simulation.Run();
            }
            catch (Exception e)
            {
                Assert.Fail($"{simulation.Describe()}\nfailed: {e}");
                throw;
            }

            reads += report.Reads;
            writes += report.WritesAcknowledged;
            checks += report.SafetyChecks;
            crashes += report.Crashes;
            snapshots += report.SnapshotsInstalled;
            elections += (long)report.HighestTerm;
            messages += report.MessagesDelivered;
            configurationChanges += report.ConfigurationChanges;
            transfers += report.Transfers;
            slowest = Math.Max(slowest, report.ConvergenceTicks);
        }

        output.WriteLine($"{count} seeds, {replicas} replicas: {reads} linearizable reads and {writes} acknowledged writes checked, " +
            $"{checks} safety checks, {crashes} crashes, {snapshots} snapshots installed, {elections} terms, {messages} messages, " +
            $"{configurationChanges} configuration changes, {transfers} leadership transfers, " +
            $"slowest convergence {slowest} ticks");
        if (count >= 100)
        {
            // Guard against a simulation that silently stops exercising anything.
            Assert.True(reads > count && writes > count, $"too few operations: {reads} reads, {writes} writes");
            Assert.True(crashes > count / 4 && snapshots > 0 && elections > 2L * count, $"too few faults: {crashes} crashes, {snapshots} snapshots, {elections} terms");
            Assert.True(configurationChanges > count / 10, $"too few configuration changes: {configurationChanges}");
        }
    }
}
