using Daos.Placement;
using Daos.Protocol;
using Daos.Protocol.Management;
using Daos.Protocol.Objects;
using Daos.Protocol.Pools;
using static Daos.Engine.Tests.Cluster.PoolFixture;

namespace Daos.Engine.Tests.Cluster;

/// <summary>
/// A map change reaches every engine of the pool (published by the pool service), survives an engine's crash and
/// restart (kept in its registry), and the engines answer requests by it: Stale for an older map, Excluded for a
/// target the map excludes.
/// </summary>
public sealed class PoolMapChangeTests
{
    [Fact]
    public async Task An_exclusion_is_published_to_every_engine_kept_across_a_crash_and_enforced_on_io()
    {
        var storages = new Dictionary<int, SimulatedEngineStorage>();
        await using EngineCluster cluster = await EngineCluster.StartAsync(2, 2, rank => storages[rank] = new SimulatedEngineStorage($"rank{rank}"));
        PoolFixture pool = await CreateAsync(cluster);
        ObjectId oid = Oid(7);
        await pool.TargetAsync<ObjectUpdateRequest, EpochReply>(0, 0, ProtocolOpcodes.ObjectUpdate, new ObjectUpdateRequest(
            pool.Address(oid), Epoch.Zero, UpdateCondition.None, Bytes("d"), [new IodUpdate(Bytes("a"), IodKind.Single, 0, 0, Bytes("kept"))]));

        PoolInfoReply info = await cluster.CallAsync<PoolMapChangeRequest, PoolInfoReply>(0, ProtocolOpcodes.PoolMapChange, ProtocolTargets.System,
            new PoolMapChangeRequest(pool.Location.Label, PoolMapChangeKind.Exclude, pool.Ranks[1], 1, []));
        Assert.Equal(pool.MapVersion + 1, info.MapVersion);
        Assert.Equal(TargetStatus.Down, PoolMap.Deserialize(info.PoolMap.Span).Targets[PoolMap.Deserialize(info.PoolMap.Span).TargetIdOf(1, 1)].Status);

        // Published to both engines; the excluded engine crashes and comes back with it.
        for (int rank = 0; rank < 2; rank++)
        {
            Assert.Equal(info.MapVersion, cluster.Engine(rank).PoolOf(pool.Location.Uuid)!.Map.Version);
        }

        await cluster.StopEngineAsync(1, kill: true);
        storages[1].Crash(5);
        await cluster.StartEngineAsync(1);
        Assert.Equal(info.MapVersion, cluster.Engine(1).PoolOf(pool.Location.Uuid)!.Map.Version);

        // The old map is Stale everywhere; the excluded target refuses I/O with the current map; the others serve it.
        ObjectFetchRequest Fetch(int version) => new(pool.Address(oid, mapVersion: version), Epoch.Max, Bytes("d"), [new IodFetch(Bytes("a"), IodKind.Single, 0, 0, 0)]);
        StaleMapException stale = await Assert.ThrowsAsync<StaleMapException>(() =>
            pool.TargetAsync<ObjectFetchRequest, ObjectFetchReply>(1, 0, ProtocolOpcodes.ObjectFetch, Fetch(pool.MapVersion)));
        Assert.Equal(info.MapVersion, PoolMap.Deserialize(stale.PoolMap.Span).Version);
        DaosException excluded = await Assert.ThrowsAsync<DaosException>(() =>
            pool.TargetAsync<ObjectFetchRequest, ObjectFetchReply>(1, 1, ProtocolOpcodes.ObjectFetch, Fetch(info.MapVersion)));
        Assert.Equal(DaosError.Excluded, excluded.Error);
        ObjectFetchReply kept = await pool.TargetAsync<ObjectFetchRequest, ObjectFetchReply>(0, 0, ProtocolOpcodes.ObjectFetch, Fetch(info.MapVersion));
        Assert.Equal("kept", System.Text.Encoding.UTF8.GetString(kept.Results[0].Data.Span));
    }

    [Fact]
    public async Task A_publish_of_another_incarnation_or_an_older_map_changes_nothing()
    {
        await using EngineCluster cluster = await EngineCluster.StartAsync(1, 1, rank => new SimulatedEngineStorage($"rank{rank}"));
        PoolFixture pool = await CreateAsync(cluster);
        Pools.LocalPool local = cluster.Engine(0).PoolOf(pool.Location.Uuid)!;
        PoolShardCreateRequest record = local.Record;
        byte[] newer = local.Map.Exclude(0).Serialize().ToArray();

        DaosException other = await Assert.ThrowsAsync<DaosException>(() => cluster.CallAsync<PoolShardCreateRequest, EmptyMessage>(0,
            ProtocolOpcodes.PoolMapPublish, ProtocolTargets.System, record with { PoolMap = newer, RaftOpcode = (ushort)(record.RaftOpcode + 1) }));
        Assert.Equal(DaosError.InvalidArgument, other.Error);
        DaosException unknown = await Assert.ThrowsAsync<DaosException>(() => cluster.CallAsync<PoolShardCreateRequest, EmptyMessage>(0,
            ProtocolOpcodes.PoolMapPublish, ProtocolTargets.System, record with { Uuid = Guid.NewGuid(), PoolMap = newer }));
        Assert.Equal(DaosError.NonExistent, unknown.Error);
        await cluster.CallAsync<PoolShardCreateRequest, EmptyMessage>(0, ProtocolOpcodes.PoolMapPublish, ProtocolTargets.System, record);
        Assert.Equal(1, local.Map.Version); // same version: nothing adopted
        Assert.False(local.IsExcluded(0));
    }
}
