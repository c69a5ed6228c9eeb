using Daos.Engine.Engine;
using Daos.Harness.Storage;
using Daos.Transport;

namespace Daos.Engine.Tests.Engine;

/// <summary>
/// Every engine of a system draws its own election jitter, also when its host folds the rank into the seed it passes
/// (as the server and the test cluster do): replicas drawing the same timeouts campaign on the same tick and split
/// their votes round after round.
/// </summary>
public sealed class EngineRandomTests
{
    private const ulong Golden = 0x9E3779B97F4A7C15UL;

    [Theory]
    [InlineData(1UL)]
    [InlineData(275UL)]
    public void Engines_whose_host_folded_the_rank_into_the_seed_draw_different_jitter(ulong systemSeed)
    {
        ulong[] draws = [.. Enumerable.Range(0, 4).Select(rank => Context(rank, systemSeed ^ ((ulong)rank * Golden)).ForkRandom().NextUInt64())];
        Assert.True(draws.Distinct().Count() == draws.Length, $"seed {systemSeed}: ranks drew {string.Join(", ", draws)}");
    }

    [Fact]
    public void The_same_rank_and_seed_draw_the_same_jitter()
    {
        Assert.Equal(Context(2, 99).ForkRandom().NextUInt64(), Context(2, 99).ForkRandom().NextUInt64());
    }

    private static EngineContext Context(int rank, ulong seed) => new(new DaosEngineOptions
    {
        Rank = rank,
        TargetCount = 1,
        Network = new InProcessNetwork(),
        ListenAddress = TransportAddress.InProcess($"jitter-{rank}"),
        Storage = new SimulatedEngineStorage($"jitter-{rank}"),
        TimeProvider = TimeProvider.System,
        ExecutorFactory = _ => RpcExecutors.Inline,
        ManagementReplicas = new Dictionary<int, TransportAddress> { [0] = TransportAddress.InProcess("jitter-0") },
        Seed = seed,
    }, calls: null!, clock: null!, poolServices: null!);
}
