namespace Daos.Engine.Tests.Rdb;

/// <summary>
/// Seeds of <see cref="RdbClusterSimulation"/>, 3 and 5 replicas: seeds 1-100 of each in the default run, the
/// following ones under Soak. Each seed runs under a watchdog that reports it as stuck with its seed, so a loop that
/// spins without letting simulated time advance fails the test instead of hanging it.
/// </summary>
public sealed class RdbClusterSimulationTests
{
    private const int DefaultSeeds = 100;
    private static readonly TimeSpan Watchdog = TimeSpan.FromSeconds(60);

    private static string? RunOne(ulong seed, int replicas)
    {
        var simulation = new RdbClusterSimulation(seed, replicas);
        string? failure = null;
        var thread = new Thread(() => failure = simulation.Run()) { IsBackground = true };
        thread.Start();
        if (!thread.Join(Watchdog))
        {
            return $"seed {seed} ({replicas} replicas): stuck after {Watchdog.TotalSeconds} s ({simulation.Probe()})";
        }

        // A seed whose clients never completed an operation checked nothing.
        return failure ?? (simulation.Operations == 0 ? $"seed {seed} ({replicas} replicas): no client operation completed ({simulation.Summary})" : null);
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
    [InlineData(3)]
    [InlineData(5)]
    public void Seeds(int replicas) => RunSeeds(replicas, 1, DefaultSeeds);

    [Theory]
    [Trait("Category", "Soak")]
    [InlineData(3)]
    [InlineData(5)]
    public void Soak_seeds(int replicas) => RunSeeds(
        replicas,
        ulong.TryParse(Environment.GetEnvironmentVariable("DAOS_RDB_FIRST_SEED"), out ulong first) ? first : DefaultSeeds + 1,
        int.TryParse(Environment.GetEnvironmentVariable("DAOS_RDB_SEEDS"), out int count) ? count : 1000);

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
