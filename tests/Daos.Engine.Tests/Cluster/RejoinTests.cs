using Daos.Placement;
using Daos.Protocol;
using Daos.Protocol.Containers;
using Daos.Protocol.Management;
using Daos.Protocol.Objects;
using Daos.Protocol.Pools;
using static Daos.Engine.Tests.Cluster.PoolFixture;

namespace Daos.Engine.Tests.Cluster;

/// <summary>
/// An engine that was down while its pool's map changed or one of its containers was destroyed catches up when it
/// comes back (on files, as a real restart would): it asks the pool service leader for the current map and container
/// list, serves the newer map (a request with the old one is answered Stale), and deletes the destroyed container's
/// VOS data from every target.
/// </summary>
public sealed class RejoinTests : IAsyncLifetime
{
    private static readonly TimeSpan SettleTimeout = TimeSpan.FromSeconds(45);
    private readonly string _root = Path.Combine(Path.GetTempPath(), "daos-engine-rejoin-" + Guid.NewGuid().ToString("N"));

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }

        return Task.CompletedTask;
    }

    private Task<EngineCluster> StartAsync() =>
        EngineCluster.StartAsync(3, 2, rank => new FileEngineStorage(Path.Combine(_root, $"rank{rank}")), serviceCallTimeout: TimeSpan.FromSeconds(2));

    [Fact]
    public async Task A_rank_down_during_an_exclusion_serves_the_new_map_after_its_restart()
    {
        await using EngineCluster cluster = await StartAsync();
        cluster.CallTimeout = TimeSpan.FromSeconds(5);
        PoolFixture pool = await CreateAsync(cluster, serviceReplicas: 1); // one replica: the rank taken down is not one
        Guid uuid = pool.Location.Uuid;
        int down = pool.Location.Ranks.First(r => r != 0 && !pool.Location.ServiceRanks.Contains(r));
        int other = pool.Location.Ranks.First(r => r != down && r != 0);
        int mapRankOfDown = Array.IndexOf(pool.Ranks, down);

        // Keyed as the client sends them: the publish to the rank that is down holds each change until its call times
        // out, and the management service's retry of the change must not apply it twice.
        await cluster.StopEngineAsync(down, kill: true);
        var client = Guid.NewGuid();
        PoolInfoReply changed = await cluster.CallAsync<PoolMapChangeRequest, PoolInfoReply>(0, ProtocolOpcodes.PoolMapChange, ProtocolTargets.System,
            new PoolMapChangeRequest(pool.Location.Label, PoolMapChangeKind.Drain, other, 1, [], new OperationKey(client, 1)));
        changed = await cluster.CallAsync<PoolMapChangeRequest, PoolInfoReply>(0, ProtocolOpcodes.PoolMapChange, ProtocolTargets.System,
            new PoolMapChangeRequest(pool.Location.Label, PoolMapChangeKind.Exclude, other, 0, [], new OperationKey(client, 2)));
        Assert.Equal(pool.MapVersion + 2, changed.MapVersion);

        // Back up: the service's leader did not change, so no step-up republishes; the rank asks for itself.
        await cluster.StartEngineAsync(down);
        await WaitForAsync(() => cluster.Engine(down).PoolOf(uuid)!.Map.Version == changed.MapVersion,
            () => $"rank {down} still serves map version {cluster.Engine(down).PoolOf(uuid)!.Map.Version}, not {changed.MapVersion}");
        PoolMap map = cluster.Engine(down).PoolOf(uuid)!.Map;
        int otherMapRank = Array.IndexOf(pool.Ranks, other);
        Assert.Equal(TargetStatus.Down, map.Targets[map.TargetIdOf(otherMapRank, 0)].Status);
        Assert.Equal(TargetStatus.Drain, map.Targets[map.TargetIdOf(otherMapRank, 1)].Status);

        // A request with the old map is answered Stale with the new one.
        var fetch = new ObjectFetchRequest(pool.Address(Oid(3), mapVersion: pool.MapVersion), Epoch.Max, Bytes("d"), [new IodFetch(Bytes("a"), IodKind.Single, 0, 0, 0)]);
        StaleMapException stale = await Assert.ThrowsAsync<StaleMapException>(() =>
            pool.TargetAsync<ObjectFetchRequest, ObjectFetchReply>(mapRankOfDown, 0, ProtocolOpcodes.ObjectFetch, fetch));
        Assert.Equal(changed.MapVersion, PoolMap.Deserialize(stale.PoolMap.Span).Version);

        // Kept across another restart (the adopted map is in the registry).
        await cluster.StopEngineAsync(down, kill: false);
        await cluster.StartEngineAsync(down);
        Assert.Equal(changed.MapVersion, cluster.Engine(down).PoolOf(uuid)!.Map.Version);
    }

    [Fact]
    public async Task A_rank_down_during_a_container_destroy_deletes_its_vos_data_after_its_restart_and_keeps_the_others()
    {
        await using EngineCluster cluster = await StartAsync();
        cluster.CallTimeout = TimeSpan.FromSeconds(5);
        PoolFixture pool = await CreateAsync(cluster, serviceReplicas: 1); // one replica: the rank taken down is not one
        Guid uuid = pool.Location.Uuid;
        int down = pool.Location.Ranks.First(r => r != 0 && !pool.Location.ServiceRanks.Contains(r));
        int mapRankOfDown = Array.IndexOf(pool.Ranks, down);

        // A second container that stays; both get data on every target of the rank that will be down.
        Guid kept = Guid.NewGuid();
        Guid keptHandle = Guid.NewGuid();
        await pool.ServiceAsync<ContainerCreateRequest, ContainerInfoReply>(ProtocolOpcodes.ContainerCreate,
            new ContainerCreateRequest(uuid, pool.PoolHandle, kept, [new ContainerProperty(ContainerPropertyId.Label, 0, "kept")]));
        await pool.ServiceAsync<ContainerOpenRequest, ContainerInfoReply>(ProtocolOpcodes.ContainerOpen,
            new ContainerOpenRequest(uuid, pool.PoolHandle, "kept", keptHandle, HandleAccess.ReadWrite));
        for (uint target = 0; target < 2; target++)
        {
            await pool.TargetAsync<ObjectUpdateRequest, EpochReply>(mapRankOfDown, target, ProtocolOpcodes.ObjectUpdate, new ObjectUpdateRequest(
                pool.Address(Oid(1)), Epoch.Zero, UpdateCondition.None, Bytes("d"), [new IodUpdate(Bytes("a"), IodKind.Single, 0, 0, Bytes("gone"))]));
            await pool.TargetAsync<ObjectUpdateRequest, EpochReply>(mapRankOfDown, target, ProtocolOpcodes.ObjectUpdate, new ObjectUpdateRequest(
                new ObjectAddress(uuid, kept, keptHandle, pool.MapVersion, Oid(1)), Epoch.Zero, UpdateCondition.None, Bytes("d"),
                [new IodUpdate(Bytes("a"), IodKind.Single, 0, 0, Bytes("stays"))]));
        }

        Assert.All(await cluster.Engine(down).HeldContainersAsync(uuid), held => Assert.Equal(new[] { kept, pool.Container }.Order(), held.Order()));

        await cluster.StopEngineAsync(down, kill: true);
        await pool.ServiceAsync<ContainerDestroyRequest, EmptyMessage>(ProtocolOpcodes.ContainerDestroy,
            new ContainerDestroyRequest(uuid, pool.PoolHandle, "cont1", Force: true, new OperationKey(Guid.NewGuid(), 1)));
        await cluster.StartEngineAsync(down);

        await WaitForAsync(() => cluster.Engine(down).HeldContainersAsync(uuid).Result.All(held => held.SequenceEqual([kept])),
            () => $"rank {down} still holds " + string.Join(" | ", cluster.Engine(down).HeldContainersAsync(uuid).Result.Select(h => string.Join(",", h))));

        // The kept container's data is intact there; the destroyed one's is gone from its files too (after a restart).
        await cluster.StopEngineAsync(down, kill: true);
        await cluster.StartEngineAsync(down);
        Assert.All(await cluster.Engine(down).HeldContainersAsync(uuid), held => Assert.Equal([kept], held));
        ObjectFetchReply stays = await pool.TargetAsync<ObjectFetchRequest, ObjectFetchReply>(mapRankOfDown, 1, ProtocolOpcodes.ObjectFetch, new ObjectFetchRequest(
            new ObjectAddress(uuid, kept, keptHandle, pool.MapVersion, Oid(1)), Epoch.Max, Bytes("d"), [new IodFetch(Bytes("a"), IodKind.Single, 0, 0, 0)]));
        Assert.Equal("stays", System.Text.Encoding.UTF8.GetString(stays.Results[0].Data.Span));
    }

    /// <summary>
    /// The race with a create: the rank lists its VOS containers at start, then waits for the pool service (down
    /// here); meanwhile the service comes back and a container is created and written on the rank. Whether the
    /// rejoin's list request is answered before or after that create, the new container is never deleted.
    /// </summary>
    [Fact]
    public async Task A_container_created_and_written_while_a_rank_rejoins_keeps_its_data()
    {
        await using EngineCluster cluster = await StartAsync();
        cluster.CallTimeout = TimeSpan.FromSeconds(5);
        PoolFixture pool = await CreateAsync(cluster, serviceReplicas: 1);
        Guid uuid = pool.Location.Uuid;
        int service = pool.Location.ServiceRanks[0];
        int down = pool.Location.Ranks.First(r => r != 0 && r != service);
        int mapRankOfDown = Array.IndexOf(pool.Ranks, down);

        await cluster.StopEngineAsync(down, kill: true);
        await cluster.StopEngineAsync(service, kill: true);
        await cluster.StartEngineAsync(down); // lists its containers, then finds no service leader
        await cluster.StartEngineAsync(service);

        Guid created = Guid.NewGuid();
        Guid handle = Guid.NewGuid();
        await pool.ServiceAsync<ContainerCreateRequest, ContainerInfoReply>(ProtocolOpcodes.ContainerCreate,
            new ContainerCreateRequest(uuid, pool.PoolHandle, created, [new ContainerProperty(ContainerPropertyId.Label, 0, "new")]));
        await pool.ServiceAsync<ContainerOpenRequest, ContainerInfoReply>(ProtocolOpcodes.ContainerOpen,
            new ContainerOpenRequest(uuid, pool.PoolHandle, "new", handle, HandleAccess.ReadWrite));
        var address = new ObjectAddress(uuid, created, handle, pool.MapVersion, Oid(9));
        for (uint target = 0; target < 2; target++)
        {
            await pool.TargetAsync<ObjectUpdateRequest, EpochReply>(mapRankOfDown, target, ProtocolOpcodes.ObjectUpdate, new ObjectUpdateRequest(
                address, Epoch.Zero, UpdateCondition.None, Bytes("d"), [new IodUpdate(Bytes("a"), IodKind.Single, 0, 0, Bytes("new data"))]));
        }

        await cluster.Engine(down).WaitForRejoinAsync().WaitAsync(SettleTimeout);
        Assert.All(await cluster.Engine(down).HeldContainersAsync(uuid), held => Assert.Contains(created, held));
        for (uint target = 0; target < 2; target++)
        {
            ObjectFetchReply fetched = await pool.TargetAsync<ObjectFetchRequest, ObjectFetchReply>(mapRankOfDown, target, ProtocolOpcodes.ObjectFetch,
                new ObjectFetchRequest(address, Epoch.Max, Bytes("d"), [new IodFetch(Bytes("a"), IodKind.Single, 0, 0, 0)]));
            Assert.Equal("new data", System.Text.Encoding.UTF8.GetString(fetched.Results[0].Data.Span));
        }
    }

    /// <summary>
    /// The dangerous interleaving, forced step by step on a running rank: its containers are listed, the service
    /// answers, and only then is a container created and written here. Reconciling with the list taken first keeps
    /// it; a list taken after the answer (the wrong order) would delete the new container's data.
    /// </summary>
    [Fact]
    public async Task Reconciling_deletes_only_containers_listed_before_the_service_was_asked()
    {
        await using EngineCluster cluster = await StartAsync();
        PoolFixture pool = await CreateAsync(cluster, serviceReplicas: 1);
        Guid uuid = pool.Location.Uuid;
        int rank = pool.Location.Ranks.First(r => r != 0 && !pool.Location.ServiceRanks.Contains(r));
        int mapRank = Array.IndexOf(pool.Ranks, rank);
        DaosEngine engine = cluster.Engine(rank);
        Pools.LocalPool local = engine.PoolOf(uuid)!;

        Guid[][] before = await DaosEngine.ListHeldAsync(local, CancellationToken.None);
        PoolRejoinReply reply = (await engine.AskServiceAsync(local, CancellationToken.None))!;
        Guid created = Guid.NewGuid();
        Guid handle = Guid.NewGuid();
        await pool.ServiceAsync<ContainerCreateRequest, ContainerInfoReply>(ProtocolOpcodes.ContainerCreate,
            new ContainerCreateRequest(uuid, pool.PoolHandle, created, [new ContainerProperty(ContainerPropertyId.Label, 0, "late")]));
        await pool.ServiceAsync<ContainerOpenRequest, ContainerInfoReply>(ProtocolOpcodes.ContainerOpen,
            new ContainerOpenRequest(uuid, pool.PoolHandle, "late", handle, HandleAccess.ReadWrite));
        await pool.TargetAsync<ObjectUpdateRequest, EpochReply>(mapRank, 0, ProtocolOpcodes.ObjectUpdate, new ObjectUpdateRequest(
            new ObjectAddress(uuid, created, handle, pool.MapVersion, Oid(5)), Epoch.Zero, UpdateCondition.None, Bytes("d"),
            [new IodUpdate(Bytes("a"), IodKind.Single, 0, 0, Bytes("late data"))]));
        Assert.DoesNotContain(created, reply.Containers);

        await engine.ReconcileAsync(local, before, reply, CancellationToken.None);
        Assert.Contains(created, (await engine.HeldContainersAsync(uuid))[0]);

        // The wrong order: a list taken after the answer names the new container, which the answer does not list.
        await engine.ReconcileAsync(local, await DaosEngine.ListHeldAsync(local, CancellationToken.None), reply, CancellationToken.None);
        Assert.DoesNotContain(created, (await engine.HeldContainersAsync(uuid))[0]);
    }

    private static async Task WaitForAsync(Func<bool> condition, Func<string> describe)
    {
        long deadline = Environment.TickCount64 + (long)SettleTimeout.TotalMilliseconds;
        while (!condition())
        {
            Assert.True(Environment.TickCount64 < deadline, describe());
            await Task.Delay(50);
        }
    }
}
