using Daos.Engine;
using Daos.Protocol;
using Daos.Protocol.Management;
using Daos.Protocol.Objects;
using Daos.Protocol.Pools;
using static Daos.Engine.Tests.Cluster.PoolFixture;

namespace Daos.Engine.Tests.Cluster;

/// <summary>Engines killed and restarted on the same storage reopen their VOS pools and service replicas: every acknowledged write is readable.</summary>
public sealed class EngineRestartTests
{
    [Fact]
    public async Task Killed_engines_on_files_recover_pools_services_handles_and_data()
    {
        string root = Path.Combine(Path.GetTempPath(), "daos-engine-restart-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using EngineCluster cluster = await EngineCluster.StartAsync(2, 2, rank => new FileEngineStorage(Path.Combine(root, $"rank{rank}")));
            await WriteKillRestartAndVerifyAsync(cluster, crash: null);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Theory]
    [InlineData(1UL)]
    [InlineData(2UL)]
    public async Task Killed_engines_on_crashed_simulated_media_keep_every_acknowledged_write(ulong seed)
    {
        var storages = new Dictionary<int, SimulatedEngineStorage>();
        await using EngineCluster cluster = await EngineCluster.StartAsync(2, 2, rank => storages[rank] = new SimulatedEngineStorage($"rank{rank}"));
        await WriteKillRestartAndVerifyAsync(cluster, rank => storages[rank].Crash(seed * 1000 + (ulong)rank));
    }

    private static async Task WriteKillRestartAndVerifyAsync(EngineCluster cluster, Action<int>? crash)
    {
        PoolFixture pool = await CreateAsync(cluster);
        var written = new Dictionary<(int MapRank, uint Target, ulong Object), string>();
        for (ulong i = 0; i < 16; i++)
        {
            int mapRank = (int)(i % 2);
            uint target = (uint)(i / 2 % 2);
            string value = $"value-{i}";
            await pool.TargetAsync<ObjectUpdateRequest, EpochReply>(mapRank, target, ProtocolOpcodes.ObjectUpdate, new ObjectUpdateRequest(
                pool.Address(Oid(i)), Epoch.Zero, UpdateCondition.None, Bytes("dkey"),
                [new IodUpdate(Bytes("akey"), IodKind.Single, 0, 0, Bytes(value)), new IodUpdate(Bytes("array"), IodKind.Array, 1, 100, Bytes(value))]));
            written[(mapRank, target, i)] = value;
        }

        for (int rank = 0; rank < cluster.EngineCount; rank++)
        {
            await cluster.StopEngineAsync(rank, kill: true);
            crash?.Invoke(rank);
        }

        for (int rank = 0; rank < cluster.EngineCount; rank++)
        {
            await cluster.StartEngineAsync(rank);
        }

        for (int rank = 0; rank < cluster.EngineCount; rank++)
        {
            await cluster.Engine(rank).WaitForJoinAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }

        // The container handle opened before the crash is still recorded in RDB, so I/O through it works.
        foreach (((int mapRank, uint target, ulong i), string value) in written)
        {
            ObjectFetchReply fetched = await RetryUntilServedAsync(() => pool.TargetAsync<ObjectFetchRequest, ObjectFetchReply>(mapRank, target,
                ProtocolOpcodes.ObjectFetch, new ObjectFetchRequest(pool.Address(Oid(i)), Epoch.Max, Bytes("dkey"),
                    [new IodFetch(Bytes("akey"), IodKind.Single, 0, 0, 0), new IodFetch(Bytes("array"), IodKind.Array, 1, 100, value.Length)])));
            Assert.Equal(value, System.Text.Encoding.UTF8.GetString(fetched.Results[0].Data.Span));
            Assert.Equal(value, System.Text.Encoding.UTF8.GetString(fetched.Results[1].Data.Span));
        }

        PoolListReply pools = await cluster.CallServiceAsync<EmptyMessage, PoolListReply>([0], ProtocolOpcodes.PoolList, EmptyMessage.Instance);
        Assert.Equal(pool.Location.Uuid, Assert.Single(pools.Pools).Uuid);
        PoolInfoReply info = await pool.ServiceAsync<PoolHandleRequest, PoolInfoReply>(ProtocolOpcodes.PoolQuery, new PoolHandleRequest(pool.Location.Uuid, pool.PoolHandle));
        Assert.Equal(1, info.Handles);
        Assert.Equal(4, info.Space.Targets);
    }

    /// <summary>Right after a restart the pool service may still be electing; the handle check then fails over to retries.</summary>
    private static async Task<T> RetryUntilServedAsync<T>(Func<Task<T>> call)
    {
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                return await call();
            }
            catch (DaosException e) when (e.Error is DaosError.Unreachable or DaosError.NotLeader && attempt < 100)
            {
                await Task.Delay(50);
            }
        }
    }
}
