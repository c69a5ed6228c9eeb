using Daos.Placement;
using Daos.Protocol;
using Daos.Protocol.Containers;
using Daos.Protocol.Management;
using Daos.Protocol.Pools;
using static Daos.Engine.Tests.Cluster.PoolFixture;

namespace Daos.Engine.Tests.Cluster;

/// <summary>
/// The requests keyed in message version 4: object id allocation, container open and close, pool connect and
/// disconnect, and pool map changes. Each, sent again with its key after later calls changed the state it acted on,
/// answers its first outcome and applies nothing a second time.
/// </summary>
public sealed class HandleAndMapKeyTests
{
    private static readonly Guid Client = new("5a5a5a5a-0000-4000-8000-000000000002");

    private static OperationKey Key(ulong sequence) => new(Client, sequence);

    private static Task<EngineCluster> StartAsync(int engines, int targets = 1) =>
        EngineCluster.StartAsync(engines, targets, rank => new SimulatedEngineStorage($"rank{rank}"));

    [Fact]
    public async Task A_replayed_oid_allocation_answers_the_same_range_and_reserves_it_once()
    {
        await using EngineCluster cluster = await StartAsync(1);
        PoolFixture pool = await CreateAsync(cluster);
        var first = new ContainerAllocateOidsRequest(pool.Location.Uuid, pool.ContainerHandle, 100, Key(1));

        ContainerAllocateOidsReply reply = await pool.ServiceAsync<ContainerAllocateOidsRequest, ContainerAllocateOidsReply>(ProtocolOpcodes.ContainerAllocateOids, first);
        ContainerAllocateOidsReply replay = await pool.ServiceAsync<ContainerAllocateOidsRequest, ContainerAllocateOidsReply>(ProtocolOpcodes.ContainerAllocateOids, first);
        Assert.Equal(reply.First, replay.First);

        // The next call's range starts where the first one's ends: the replay reserved nothing.
        ContainerAllocateOidsReply next = await pool.ServiceAsync<ContainerAllocateOidsRequest, ContainerAllocateOidsReply>(ProtocolOpcodes.ContainerAllocateOids,
            new ContainerAllocateOidsRequest(pool.Location.Uuid, pool.ContainerHandle, 10, Key(2)));
        Assert.Equal(reply.First + 100, next.First);
        Assert.Equal(reply.First, (await pool.ServiceAsync<ContainerAllocateOidsRequest, ContainerAllocateOidsReply>(ProtocolOpcodes.ContainerAllocateOids, first)).First);

        // Without a key every arrival reserves a range (version-3 clients).
        ContainerAllocateOidsReply plain1 = await pool.ServiceAsync<ContainerAllocateOidsRequest, ContainerAllocateOidsReply>(ProtocolOpcodes.ContainerAllocateOids,
            new ContainerAllocateOidsRequest(pool.Location.Uuid, pool.ContainerHandle, 5));
        ContainerAllocateOidsReply plain2 = await pool.ServiceAsync<ContainerAllocateOidsRequest, ContainerAllocateOidsReply>(ProtocolOpcodes.ContainerAllocateOids,
            new ContainerAllocateOidsRequest(pool.Location.Uuid, pool.ContainerHandle, 5));
        Assert.Equal((next.First + 10, next.First + 15), (plain1.First, plain2.First));
    }

    [Fact]
    public async Task A_replayed_container_open_does_not_reopen_a_closed_handle_and_a_replayed_close_does_not_close_a_reopened_one()
    {
        await using EngineCluster cluster = await StartAsync(1);
        PoolFixture pool = await CreateAsync(cluster);
        Guid p = pool.Location.Uuid;
        Guid handle = Guid.NewGuid();
        var open = new ContainerOpenRequest(p, pool.PoolHandle, "cont1", handle, HandleAccess.ReadWrite, Key(1));
        var close = new ContainerHandleRequest(p, handle, Key(2));
        Task<ContainerInfoReply> QueryAsync() => pool.ServiceAsync<ContainerHandleRequest, ContainerInfoReply>(ProtocolOpcodes.ContainerQuery, new ContainerHandleRequest(p, handle));

        ContainerInfoReply opened = await pool.ServiceAsync<ContainerOpenRequest, ContainerInfoReply>(ProtocolOpcodes.ContainerOpen, open);
        Assert.Equal(2, opened.Handles); // the fixture's handle and this one
        await pool.ServiceAsync<ContainerHandleRequest, EmptyMessage>(ProtocolOpcodes.ContainerClose, close);
        ContainerInfoReply replayedOpen = await pool.ServiceAsync<ContainerOpenRequest, ContainerInfoReply>(ProtocolOpcodes.ContainerOpen, open);
        Assert.Equal(ProtocolCodec.EncodeToArray(opened), ProtocolCodec.EncodeToArray(replayedOpen));
        Assert.Equal(DaosError.NoHandle, (await Assert.ThrowsAsync<DaosException>(QueryAsync)).Error);

        // The close, replayed, answers success (not NoHandle) and does not close the handle opened again since.
        await pool.ServiceAsync<ContainerOpenRequest, ContainerInfoReply>(ProtocolOpcodes.ContainerOpen, open with { Key = Key(3) });
        await pool.ServiceAsync<ContainerHandleRequest, EmptyMessage>(ProtocolOpcodes.ContainerClose, close);
        Assert.Equal(2, (await QueryAsync()).Handles);

        // Unkeyed, a second close of the same handle is NoHandle, and a late open opens again.
        await pool.ServiceAsync<ContainerHandleRequest, EmptyMessage>(ProtocolOpcodes.ContainerClose, new ContainerHandleRequest(p, handle));
        Assert.Equal(DaosError.NoHandle, (await Assert.ThrowsAsync<DaosException>(() =>
            pool.ServiceAsync<ContainerHandleRequest, EmptyMessage>(ProtocolOpcodes.ContainerClose, new ContainerHandleRequest(p, handle)))).Error);
    }

    [Fact]
    public async Task A_replayed_connect_does_not_reconnect_a_disconnected_handle_and_a_replayed_disconnect_does_not_disconnect_a_new_one()
    {
        await using EngineCluster cluster = await StartAsync(1);
        PoolFixture pool = await CreateAsync(cluster);
        Guid p = pool.Location.Uuid;
        Guid handle = Guid.NewGuid();
        var connect = new PoolConnectRequest(p, handle, HandleAccess.ReadOnly, "alice", Key(1));
        var disconnect = new PoolHandleRequest(p, handle, Key(2));
        Task<PoolInfoReply> QueryAsync() => pool.ServiceAsync<PoolHandleRequest, PoolInfoReply>(ProtocolOpcodes.PoolQuery, new PoolHandleRequest(p, handle));

        PoolConnectReply connected = await pool.ServiceAsync<PoolConnectRequest, PoolConnectReply>(ProtocolOpcodes.PoolConnect, connect);
        Assert.Equal(2, connected.Info.Handles);
        Assert.Equal(2, (await QueryAsync()).Handles);
        await pool.ServiceAsync<PoolHandleRequest, EmptyMessage>(ProtocolOpcodes.PoolDisconnect, disconnect);
        PoolConnectReply replayed = await pool.ServiceAsync<PoolConnectRequest, PoolConnectReply>(ProtocolOpcodes.PoolConnect, connect);
        Assert.Equal(connected.PoolMap.ToArray(), replayed.PoolMap.ToArray());
        Assert.Equal(DaosError.NoHandle, (await Assert.ThrowsAsync<DaosException>(QueryAsync)).Error);

        await pool.ServiceAsync<PoolConnectRequest, PoolConnectReply>(ProtocolOpcodes.PoolConnect, connect with { Key = Key(3) });
        await pool.ServiceAsync<PoolHandleRequest, EmptyMessage>(ProtocolOpcodes.PoolDisconnect, disconnect);
        Assert.Equal(2, (await QueryAsync()).Handles);
    }

    [Fact]
    public async Task A_replayed_exclude_answers_its_first_map_and_does_not_undo_a_reintegration()
    {
        await using EngineCluster cluster = await StartAsync(2, 2);
        PoolFixture pool = await CreateAsync(cluster);
        var exclude = new PoolMapChangeRequest(pool.Location.Label, PoolMapChangeKind.Exclude, pool.Ranks[1], 1, [], Key(1));
        Task<PoolInfoReply> ChangeAsync(PoolMapChangeRequest change) =>
            cluster.CallAsync<PoolMapChangeRequest, PoolInfoReply>(0, ProtocolOpcodes.PoolMapChange, ProtocolTargets.System, change);

        PoolInfoReply excluded = await ChangeAsync(exclude);
        Assert.Equal(pool.MapVersion + 1, excluded.MapVersion);
        PoolInfoReply reintegrated = await ChangeAsync(exclude with { Kind = PoolMapChangeKind.Reintegrate, Key = Key(2) });
        Assert.True(reintegrated.MapVersion > excluded.MapVersion);

        PoolInfoReply replay = await ChangeAsync(exclude);
        Assert.Equal(excluded.MapVersion, replay.MapVersion);
        Assert.Equal(excluded.PoolMap.ToArray(), replay.PoolMap.ToArray());
        PoolMap now = cluster.Engine(0).PoolOf(pool.Location.Uuid)!.Map;
        Assert.Equal(reintegrated.MapVersion, now.Version);
        Assert.NotEqual(TargetStatus.Down, now.Targets[now.TargetIdOf(1, 1)].Status);

        // A recorded refusal is answered again: a drain of an excluded target, replayed once the target is back.
        await ChangeAsync(exclude with { Key = Key(3) });
        var drain = exclude with { Kind = PoolMapChangeKind.Drain, Key = Key(4) };
        DaosException refused = await Assert.ThrowsAsync<DaosException>(() => ChangeAsync(drain));
        await ChangeAsync(exclude with { Kind = PoolMapChangeKind.Reintegrate, Key = Key(5) });
        int version = cluster.Engine(0).PoolOf(pool.Location.Uuid)!.Map.Version;
        Assert.Equal(refused.Error, (await Assert.ThrowsAsync<DaosException>(() => ChangeAsync(drain))).Error);
        Assert.Equal(version, cluster.Engine(0).PoolOf(pool.Location.Uuid)!.Map.Version);
    }

    [Fact]
    public async Task A_replayed_extend_answers_its_first_outcome_where_an_unkeyed_retry_is_refused()
    {
        await using EngineCluster cluster = await StartAsync(3);
        await cluster.CallServiceAsync<PoolCreateRequest, PoolInfoReply>([0], ProtocolOpcodes.PoolCreate, new PoolCreateRequest("small", 0, 0, [0, 1], 1));
        var extend = new PoolMapChangeRequest("small", PoolMapChangeKind.Extend, -1, -1, [2], Key(1));
        Task<PoolInfoReply> ChangeAsync(PoolMapChangeRequest change) =>
            cluster.CallAsync<PoolMapChangeRequest, PoolInfoReply>(0, ProtocolOpcodes.PoolMapChange, ProtocolTargets.System, change);

        PoolInfoReply extended = await ChangeAsync(extend);
        PoolInfoReply replay = await ChangeAsync(extend);
        Assert.Equal(ProtocolCodec.EncodeToArray(extended), ProtocolCodec.EncodeToArray(replay));
        Assert.Equal([0, 1, 2], extended.Ranks);
        Assert.Equal(DaosError.Exists, (await Assert.ThrowsAsync<DaosException>(() => ChangeAsync(extend with { Key = OperationKey.None }))).Error);
        PoolLocation location = await cluster.CallServiceAsync<PoolLookupRequest, PoolLocation>([0], ProtocolOpcodes.PoolLookup, new PoolLookupRequest("small"));
        Assert.Equal([0, 1, 2], location.Ranks);
    }

    [Fact]
    public async Task A_replayed_pool_destroy_does_not_destroy_a_pool_created_since_under_the_same_label()
    {
        await using EngineCluster cluster = await StartAsync(2);
        Task<TReply> ManagementAsync<TRequest, TReply>(ushort opcode, TRequest request)
            where TRequest : IProtocolMessage<TRequest>
            where TReply : IProtocolMessage<TReply> =>
            cluster.CallAsync<TRequest, TReply>(0, opcode, ProtocolTargets.System, request);

        await ManagementAsync<PoolCreateRequest, PoolInfoReply>(ProtocolOpcodes.PoolCreate, new PoolCreateRequest("tank", 0, 0, [], 1, Guid.NewGuid()));
        var destroy = new PoolDestroyRequest("tank", Force: true, Key(1));
        await ManagementAsync<PoolDestroyRequest, EmptyMessage>(ProtocolOpcodes.PoolDestroy, destroy);
        PoolInfoReply again = await ManagementAsync<PoolCreateRequest, PoolInfoReply>(ProtocolOpcodes.PoolCreate, new PoolCreateRequest("tank", 0, 0, [], 1, Guid.NewGuid()));

        await ManagementAsync<PoolDestroyRequest, EmptyMessage>(ProtocolOpcodes.PoolDestroy, destroy);
        PoolLocation location = await ManagementAsync<PoolLookupRequest, PoolLocation>(ProtocolOpcodes.PoolLookup, new PoolLookupRequest("tank"));
        Assert.Equal(again.Uuid, location.Uuid);
        Assert.All(Enumerable.Range(0, 2), rank => Assert.Equal([again.Uuid], cluster.Engine(rank).Pools));

        // A destroy refused for certain (no such pool) is answered so again after a pool of that label appeared.
        var missing = new PoolDestroyRequest("other", Force: true, Key(2));
        Assert.Equal(DaosError.NonExistent, (await Assert.ThrowsAsync<DaosException>(() => ManagementAsync<PoolDestroyRequest, EmptyMessage>(ProtocolOpcodes.PoolDestroy, missing))).Error);
        await ManagementAsync<PoolCreateRequest, PoolInfoReply>(ProtocolOpcodes.PoolCreate, new PoolCreateRequest("other", 0, 0, [], 1, Guid.NewGuid()));
        Assert.Equal(DaosError.NonExistent, (await Assert.ThrowsAsync<DaosException>(() => ManagementAsync<PoolDestroyRequest, EmptyMessage>(ProtocolOpcodes.PoolDestroy, missing))).Error);
        Assert.Equal("other", (await ManagementAsync<PoolLookupRequest, PoolLocation>(ProtocolOpcodes.PoolLookup, new PoolLookupRequest("other"))).Label);
    }
}
