using Daos.Engine.Engine;
using Daos.Protocol;
using Daos.Protocol.Management;
using Daos.Protocol.Pools;

namespace Daos.Engine.Tests.Cluster;

/// <summary>
/// Fencing the deposed management leader: shard creates and destroys carry the term their leader began the operation
/// in, and an engine refuses one older than the newest it has seen for the pool. A leader held between writing a
/// pool's create intent and creating its shards loses office; its successor rolls the intent back; the old leader,
/// released, sends its creates anyway: every engine refuses them and no shard is left behind.
/// </summary>
public sealed class ManagementFencingTests
{
    private const int Engines = 3;
    private static readonly TimeSpan SettleTimeout = TimeSpan.FromSeconds(45);

    [Fact]
    public async Task A_create_step_sent_by_a_deposed_leader_after_its_successors_roll_back_leaves_no_shard()
    {
        var hold = new HeldStep(ServiceStep.PoolCreateIntentWritten);
        var storages = new SimulatedEngineStorage[Engines];
        await using EngineCluster cluster = await EngineCluster.StartAsync(Engines, 1,
            rank => storages[rank] = new SimulatedEngineStorage($"rank{rank}"), managementReplicas: Engines, stepReached: hold.ReachedAsync,
            serviceCallTimeout: TimeSpan.FromSeconds(5));
        int leader = await LeaderAsync(cluster);
        var uuid = Guid.NewGuid();
        Task<PoolInfoReply> create = cluster.CallAsync<PoolCreateRequest, PoolInfoReply>(leader, ProtocolOpcodes.PoolCreate, ProtocolTargets.System,
            new PoolCreateRequest("tank", 1L << 20, 1L << 20, [0, 1, 2], 1, uuid));
        Assert.Equal(leader, await hold.Reached.WaitAsync(SettleTimeout));
        ulong oldTerm = cluster.Engine(leader).ManagementReplica!.Replica.Term;

        // Leadership moves while the old leader holds its intent; the successor rolls the intent back on step-up,
        // sending its destroys (fenced by its term) to every rank.
        int successor = (leader + 1) % Engines;
        Assert.True(await cluster.Engine(leader).ManagementReplica!.Replica.TransferLeadershipAsync(ReplicatedService.ReplicaIdOf(successor)));
        await WaitForAsync(() => cluster.Engine(successor).ManagementReplica!.IsLeader, () => $"rank {successor} never took over from rank {leader}");
        ulong newTerm = cluster.Engine(successor).ManagementReplica!.Replica.Term;
        Assert.True(newTerm > oldTerm);
        await WaitForAsync(() => Enumerable.Range(0, Engines).All(r => cluster.Engine(r).FenceOf(uuid) == newTerm),
            () => "fences: " + string.Join(",", Enumerable.Range(0, Engines).Select(r => cluster.Engine(r).FenceOf(uuid))));

        // The deposed leader goes on: its shard creates (term oldTerm) are refused everywhere.
        hold.Release();
        DaosException failed = await Assert.ThrowsAnyAsync<DaosException>(() => create.WaitAsync(SettleTimeout));
        Assert.Equal(DaosError.NotLeader, failed.Error);
        for (int rank = 0; rank < Engines; rank++)
        {
            Assert.Empty(cluster.Engine(rank).Pools);
            Assert.DoesNotContain(storages[rank].Directories, d => d.StartsWith(uuid.ToString(), StringComparison.Ordinal));
        }

        // The fence is durable: a crashed and restarted engine still refuses the old term.
        await cluster.StopEngineAsync(2, kill: true);
        storages[2].Crash(7);
        await cluster.StartEngineAsync(2);
        Assert.Equal(newTerm, cluster.Engine(2).FenceOf(uuid));
        DaosException late = await Assert.ThrowsAsync<NotLeaderException>(() => cluster.CallAsync<PoolShardDestroyRequest, EmptyMessage>(2,
            ProtocolOpcodes.PoolShardDestroy, ProtocolTargets.System, new PoolShardDestroyRequest(uuid, oldTerm)));
        Assert.Contains($"term {oldTerm}", late.Message, StringComparison.Ordinal);

        // The pool's uuid and label are free: the successor (or any later leader) creates it.
        PoolInfoReply made = await cluster.CallServiceAsync<PoolCreateRequest, PoolInfoReply>([.. Enumerable.Range(0, Engines)], ProtocolOpcodes.PoolCreate,
            new PoolCreateRequest("tank", 1L << 20, 1L << 20, [0, 1, 2], 1, uuid));
        Assert.Equal(uuid, made.Uuid);
        Assert.All(Enumerable.Range(0, Engines), r => Assert.Contains(uuid, cluster.Engine(r).Pools));
    }

    private static async Task<int> LeaderAsync(EngineCluster cluster)
    {
        int found = -1;
        await WaitForAsync(() =>
        {
            found = Enumerable.Range(0, Engines).FirstOrDefault(r => cluster.Engine(r).ManagementReplica?.IsLeader == true, -1);
            return found >= 0;
        }, () => "no management leader");
        return found;
    }

    private static async Task WaitForAsync(Func<bool> condition, Func<string> describe)
    {
        long deadline = Environment.TickCount64 + (long)SettleTimeout.TotalMilliseconds;
        while (!condition())
        {
            Assert.True(Environment.TickCount64 < deadline, describe());
            await Task.Delay(20);
        }
    }

    /// <summary>Holds the first create that reaches <paramref name="step"/> there (the leader stays up) until released.</summary>
    private sealed class HeldStep(ServiceStep step)
    {
        private readonly TaskCompletionSource<int> _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _fired;

        public Task<int> Reached => _reached.Task;

        public void Release() => _released.SetResult();

        public async Task ReachedAsync(int rank, ServiceStep reached, Guid uuid)
        {
            if (reached != step || Interlocked.Exchange(ref _fired, 1) != 0)
            {
                return;
            }

            _reached.SetResult(rank);
            await _released.Task;
        }
    }
}
