namespace Daos.Engine.Tests.Rdb;

/// <summary>
/// Seeds of <see cref="RdbClusterSimulation"/>, 3 and 5 replicas. Soak only for now: most seeds stop making progress
/// in simulated time after one to three simulated seconds, with or without crashes (seed 1 with 3 replicas spins
/// inside a single scheduler step, outside the replica's own code; not yet diagnosed), so each seed runs under a
/// watchdog that reports it as stuck with its seed.
/// </summary>
public sealed class RdbClusterSimulationTests
{
    private static readonly TimeSpan Watchdog = TimeSpan.FromSeconds(60);

    private static string? RunOne(ulong seed, int replicas)
    {
        var simulation = new RdbClusterSimulation(seed, replicas);
        string? failure = null;
        var thread = new Thread(() => failure = simulation.Run()) { IsBackground = true };
        thread.Start();
        return thread.Join(Watchdog)
            ? failure
            : $"seed {seed} ({replicas} replicas): stuck after {Watchdog.TotalSeconds} s ({simulation.Probe()})";
    }

    private static void RunSeeds(int replicas, ulong first, int count)
    {
        var failures = new List<string>();
        for (ulong seed = first; seed < first + (ulong)count && failures.Count < 3; seed++)
        {
            if (RunOne(seed, replicas) is { } failure)
            {
                failures.Add(failure);
            }
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    [Theory]
    [Trait("Category", "Soak")]
    [InlineData(3)]
    [InlineData(5)]
    public void Seeds(int replicas) => RunSeeds(
        replicas,
        ulong.TryParse(Environment.GetEnvironmentVariable("DAOS_RDB_FIRST_SEED"), out ulong first) ? first : 1,
        int.TryParse(Environment.GetEnvironmentVariable("DAOS_RDB_SEEDS"), out int count) ? count : 200);

    [Fact]
    public void Replay_one_rdb_seed()
    {
        if (!ulong.TryParse(Environment.GetEnvironmentVariable("DAOS_RDB_SEED"), out ulong seed))
        {
            return;
        }

        int replicas = int.TryParse(Environment.GetEnvironmentVariable("DAOS_RDB_REPLICAS"), out int r) ? r : 3;
        string? failure = RunOne(seed, replicas);
        Assert.True(failure is null, failure);
    }
}
