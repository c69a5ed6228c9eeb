using Daos.Placement;
using Daos.Protocol;
using Daos.Protocol.Containers;
using Daos.Protocol.Management;
using Daos.Protocol.Objects;
using Daos.Protocol.Pools;
using static Daos.Engine.Tests.Cluster.PoolFixture;

namespace Daos.Engine.Tests.Cluster;

/// <summary>The engine's handlers end to end: three engines with two targets each on an in-process network.</summary>
public sealed class EngineEndToEndTests
{
    private static Task<EngineCluster> StartAsync(int engines = 3, int targets = 2) =>
        EngineCluster.StartAsync(engines, targets, rank => new SimulatedEngineStorage($"rank{rank}"));

    [Fact]
    public async Task System_query_lists_every_joined_rank_with_its_address()
    {
        await using EngineCluster cluster = await StartAsync();
        SystemQueryReply system = await cluster.CallServiceAsync<EmptyMessage, SystemQueryReply>([0], ProtocolOpcodes.SystemQuery, EmptyMessage.Instance);
        Assert.Equal([0, 1, 2], system.Members.Select(m => m.Rank).Order());
        Assert.All(system.Members, m => Assert.Equal(RankState.Joined, m.State));
        Assert.Equal(EngineCluster.AddressOf(1).ToString(), system.Members.Single(m => m.Rank == 1).Address);
    }

    [Fact]
    public async Task Pool_create_makes_a_three_replica_service_and_reports_space_from_every_target()
    {
        await using EngineCluster cluster = await StartAsync();
        PoolInfoReply created = await cluster.CallServiceAsync<PoolCreateRequest, PoolInfoReply>([0], ProtocolOpcodes.PoolCreate,
            new PoolCreateRequest("tank", 1 << 20, 4 << 20, [], 0));
        Assert.Equal(3, created.ServiceRanks.Count);
        Assert.Equal(6, created.TargetsTotal);
        Assert.Equal(0, created.TargetsDisabled);
        Assert.Equal(6, created.Space.Targets);
        Assert.Equal(6L * (4 << 20), created.Space.NvmeTotalBytes);

        PoolListReply list = await cluster.CallServiceAsync<EmptyMessage, PoolListReply>([0], ProtocolOpcodes.PoolList, EmptyMessage.Instance);
        Assert.Equal("tank", Assert.Single(list.Pools).Label);
        DaosException duplicate = await Assert.ThrowsAsync<DaosException>(() => cluster.CallServiceAsync<PoolCreateRequest, PoolInfoReply>([0],
            ProtocolOpcodes.PoolCreate, new PoolCreateRequest("tank", 0, 0, [], 0)));
        Assert.Equal(DaosError.Exists, duplicate.Error);
        DaosException unknown = await Assert.ThrowsAsync<DaosException>(() => cluster.CallServiceAsync<PoolLookupRequest, PoolLocation>([0],
            ProtocolOpcodes.PoolLookup, new PoolLookupRequest("nope")));
        Assert.Equal(DaosError.NonExistent, unknown.Error);
        DaosException badLabel = await Assert.ThrowsAsync<DaosException>(() => cluster.CallServiceAsync<PoolCreateRequest, PoolInfoReply>([0],
            ProtocolOpcodes.PoolCreate, new PoolCreateRequest("bad label!", 0, 0, [], 0)));
        Assert.Equal(DaosError.InvalidArgument, badLabel.Error);
        DaosException tooSmall = await Assert.ThrowsAsync<DaosException>(() => cluster.CallServiceAsync<PoolCreateRequest, PoolInfoReply>([0],
            ProtocolOpcodes.PoolCreate, new PoolCreateRequest("tiny", 4096, 0, [], 0)));
        Assert.Equal(DaosError.InvalidArgument, tooSmall.Error);
        DaosException unknownRank = await Assert.ThrowsAsync<DaosException>(() => cluster.CallServiceAsync<PoolCreateRequest, PoolInfoReply>([0],
            ProtocolOpcodes.PoolCreate, new PoolCreateRequest("far", 0, 0, [7], 0)));
        Assert.Equal(DaosError.NonExistent, unknownRank.Error);
    }

    [Fact]
    public async Task Update_fetch_list_punch_and_query_max_round_trip_through_a_target()
    {
        await using EngineCluster cluster = await StartAsync();
        PoolFixture pool = await CreateAsync(cluster);
        ObjectId oid = Oid(7);
        byte[] records = Enumerable.Range(0, 64).Select(i => (byte)i).ToArray();
        EpochReply written = await pool.TargetAsync<ObjectUpdateRequest, EpochReply>(1, 1, ProtocolOpcodes.ObjectUpdate, new ObjectUpdateRequest(
            pool.Address(oid), Epoch.Zero, UpdateCondition.None, Bytes("d1"),
            [new IodUpdate(Bytes("name"), IodKind.Single, 0, 0, Bytes("alice")), new IodUpdate(Bytes("data"), IodKind.Array, 4, 2, records)]));
        Assert.True(written.Epoch.IsValidForUpdate);

        ObjectFetchReply fetched = await pool.TargetAsync<ObjectFetchRequest, ObjectFetchReply>(1, 1, ProtocolOpcodes.ObjectFetch, new ObjectFetchRequest(
            pool.Address(oid), Epoch.Max, Bytes("d1"),
            [new IodFetch(Bytes("name"), IodKind.Single, 0, 0, 0), new IodFetch(Bytes("data"), IodKind.Array, 4, 0, 20), new IodFetch(Bytes("none"), IodKind.Single, 0, 0, 0)]));
        Assert.Equal("alice", System.Text.Encoding.UTF8.GetString(fetched.Results[0].Data.Span));
        Assert.Equal(records, fetched.Results[1].Data.Span[8..].ToArray());
        Assert.Equal(new Extent(0, 2), Assert.Single(fetched.Results[1].Holes));
        Assert.False(fetched.Results[2].Exists);

        for (int i = 0; i < 5; i++)
        {
            await pool.TargetAsync<ObjectUpdateRequest, EpochReply>(1, 1, ProtocolOpcodes.ObjectUpdate, new ObjectUpdateRequest(
                pool.Address(oid), Epoch.Zero, UpdateCondition.None, Bytes($"k{i}"), [new IodUpdate(Bytes("a"), IodKind.Single, 0, 0, Bytes("v"))]));
        }

        var listed = new List<string>();
        ReadOnlyMemory<byte> after = ReadOnlyMemory<byte>.Empty;
        bool complete = false;
        while (!complete)
        {
            ObjectListReply page = await pool.TargetAsync<ObjectListRequest, ObjectListReply>(1, 1, ProtocolOpcodes.ObjectList, new ObjectListRequest(
                pool.Address(oid), Epoch.Max, ListKind.Dkeys, default, default, after, 0, 2));
            Assert.True(page.Keys.Count <= 2);
            listed.AddRange(page.Keys.Select(k => System.Text.Encoding.UTF8.GetString(k.Span)));
            after = page.Keys.Count > 0 ? page.Keys[^1] : after;
            complete = page.Complete;
        }

        Assert.Equal(["d1", "k0", "k1", "k2", "k3", "k4"], listed);
        ObjectQueryMaxReply max = await pool.TargetAsync<ObjectQueryMaxRequest, ObjectQueryMaxReply>(1, 1, ProtocolOpcodes.ObjectQueryMax,
            new ObjectQueryMaxRequest(pool.Address(oid), Epoch.Max, Bytes("d1"), Bytes("data")));
        Assert.Equal((true, 17L), (max.HasRecords, max.MaxIndex));

        await pool.TargetAsync<ObjectPunchRequest, EpochReply>(1, 1, ProtocolOpcodes.ObjectPunch, new ObjectPunchRequest(
            pool.Address(oid), Epoch.Zero, PunchKind.Akey, Bytes("d1"), Bytes("name"), default));
        ObjectFetchReply afterPunch = await pool.TargetAsync<ObjectFetchRequest, ObjectFetchReply>(1, 1, ProtocolOpcodes.ObjectFetch, new ObjectFetchRequest(
            pool.Address(oid), Epoch.Max, Bytes("d1"), [new IodFetch(Bytes("name"), IodKind.Single, 0, 0, 0)]));
        Assert.False(afterPunch.Results[0].Exists);
        ObjectFetchReply beforePunch = await pool.TargetAsync<ObjectFetchRequest, ObjectFetchReply>(1, 1, ProtocolOpcodes.ObjectFetch, new ObjectFetchRequest(
            pool.Address(oid), written.Epoch, Bytes("d1"), [new IodFetch(Bytes("name"), IodKind.Single, 0, 0, 0)]));
        Assert.True(beforePunch.Results[0].Exists);
    }

    [Fact]
    public async Task Conditional_updates_are_all_or_nothing_across_akeys()
    {
        await using EngineCluster cluster = await StartAsync(engines: 1);
        PoolFixture pool = await CreateAsync(cluster);
        ObjectId oid = Oid(9);
        await pool.TargetAsync<ObjectUpdateRequest, EpochReply>(0, 0, ProtocolOpcodes.ObjectUpdate, new ObjectUpdateRequest(
            pool.Address(oid), Epoch.Zero, UpdateCondition.InsertOnly, Bytes("d"), [new IodUpdate(Bytes("a"), IodKind.Single, 0, 0, Bytes("1"))]));
        DaosException exists = await Assert.ThrowsAsync<DaosException>(() => pool.TargetAsync<ObjectUpdateRequest, EpochReply>(0, 0, ProtocolOpcodes.ObjectUpdate,
            new ObjectUpdateRequest(pool.Address(oid), Epoch.Zero, UpdateCondition.InsertOnly, Bytes("d"),
                [new IodUpdate(Bytes("b"), IodKind.Single, 0, 0, Bytes("2")), new IodUpdate(Bytes("a"), IodKind.Single, 0, 0, Bytes("3"))])));
        Assert.Equal(DaosError.Exists, exists.Error);
        ObjectFetchReply fetched = await pool.TargetAsync<ObjectFetchRequest, ObjectFetchReply>(0, 0, ProtocolOpcodes.ObjectFetch, new ObjectFetchRequest(
            pool.Address(oid), Epoch.Max, Bytes("d"), [new IodFetch(Bytes("b"), IodKind.Single, 0, 0, 0)]));
        Assert.False(fetched.Results[0].Exists);
        DaosException missing = await Assert.ThrowsAsync<DaosException>(() => pool.TargetAsync<ObjectUpdateRequest, EpochReply>(0, 0, ProtocolOpcodes.ObjectUpdate,
            new ObjectUpdateRequest(pool.Address(oid), Epoch.Zero, UpdateCondition.UpdateOnly, Bytes("d"), [new IodUpdate(Bytes("c"), IodKind.Single, 0, 0, Bytes("4"))])));
        Assert.Equal(DaosError.NonExistent, missing.Error);
    }

    [Fact]
    public async Task An_older_pool_map_is_answered_stale_with_the_newer_map()
    {
        await using EngineCluster cluster = await StartAsync(engines: 1);
        PoolFixture pool = await CreateAsync(cluster);
        StaleMapException stale = await Assert.ThrowsAsync<StaleMapException>(() => pool.TargetAsync<ObjectFetchRequest, ObjectFetchReply>(0, 0,
            ProtocolOpcodes.ObjectFetch, new ObjectFetchRequest(pool.Address(Oid(1), mapVersion: pool.MapVersion - 1), Epoch.Max, Bytes("d"),
                [new IodFetch(Bytes("a"), IodKind.Single, 0, 0, 0)])));
        Assert.Equal(DaosError.Stale, stale.Error);
        Assert.Equal(pool.MapVersion, PoolMap.Deserialize(stale.PoolMap.Span).Version);
    }

    [Fact]
    public async Task Object_io_checks_the_container_handle_access_and_object_class()
    {
        await using EngineCluster cluster = await StartAsync(engines: 2);
        PoolFixture pool = await CreateAsync(cluster);
        var update = (Guid handle, ObjectId oid) => pool.TargetAsync<ObjectUpdateRequest, EpochReply>(0, 0, ProtocolOpcodes.ObjectUpdate,
            new ObjectUpdateRequest(pool.Address(oid, handle), Epoch.Zero, UpdateCondition.None, Bytes("d"), [new IodUpdate(Bytes("a"), IodKind.Single, 0, 0, Bytes("x"))]));

        Assert.Equal(DaosError.NoHandle, (await Assert.ThrowsAsync<DaosException>(() => update(Guid.NewGuid(), Oid(1)))).Error);
        Assert.Equal(DaosError.Unsupported, (await Assert.ThrowsAsync<DaosException>(() =>
            update(pool.ContainerHandle, ObjectId.Create(ObjectType.MultiLexical, ObjectClass.Parse("RP_2G1"), 1)))).Error);

        Guid readOnly = Guid.NewGuid();
        await pool.ServiceAsync<ContainerOpenRequest, ContainerInfoReply>(ProtocolOpcodes.ContainerOpen,
            new ContainerOpenRequest(pool.Location.Uuid, pool.PoolHandle, "cont1", readOnly, HandleAccess.ReadOnly));
        Assert.Equal(DaosError.NoPermission, (await Assert.ThrowsAsync<DaosException>(() => update(readOnly, Oid(1)))).Error);

        await update(pool.ContainerHandle, Oid(1));
        await pool.ServiceAsync<ContainerHandleRequest, EmptyMessage>(ProtocolOpcodes.ContainerClose, new ContainerHandleRequest(pool.Location.Uuid, pool.ContainerHandle));
        Assert.Equal(DaosError.NoHandle, (await Assert.ThrowsAsync<DaosException>(() => update(pool.ContainerHandle, Oid(1)))).Error);
    }

    [Fact]
    public async Task A_follower_of_the_pool_service_answers_not_leader_with_the_leader_rank()
    {
        await using EngineCluster cluster = await StartAsync();
        PoolFixture pool = await CreateAsync(cluster);
        PoolInfoReply info = await pool.ServiceAsync<PoolHandleRequest, PoolInfoReply>(ProtocolOpcodes.PoolQuery, new PoolHandleRequest(pool.Location.Uuid, pool.PoolHandle));
        Assert.Contains(info.ServiceLeader, pool.Location.ServiceRanks);
        int follower = pool.Location.ServiceRanks.First(r => r != info.ServiceLeader);
        NotLeaderException notLeader = await Assert.ThrowsAsync<NotLeaderException>(() => cluster.CallAsync<PoolHandleRequest, PoolInfoReply>(
            follower, ProtocolOpcodes.PoolQuery, ProtocolTargets.System, new PoolHandleRequest(pool.Location.Uuid, pool.PoolHandle)));
        Assert.Equal(info.ServiceLeader, notLeader.LeaderRank);
    }

    [Fact]
    public async Task Containers_have_properties_attributes_snapshots_and_object_id_ranges()
    {
        await using EngineCluster cluster = await StartAsync(engines: 1);
        PoolFixture pool = await CreateAsync(cluster);
        Guid p = pool.Location.Uuid;
        ContainerInfoReply info = await pool.ServiceAsync<ContainerSetPropertiesRequest, ContainerInfoReply>(ProtocolOpcodes.ContainerSetProperties,
            new ContainerSetPropertiesRequest(p, pool.ContainerHandle, [new ContainerProperty(ContainerPropertyId.RedundancyFactor, 2, ""), new ContainerProperty(ContainerPropertyId.Label, 0, "renamed")]));
        Assert.Equal("renamed", info.Label);
        Assert.Equal(2UL, info.Properties.Single(x => x.Id == ContainerPropertyId.RedundancyFactor).Number);
        Assert.Equal(DaosError.InvalidArgument, (await Assert.ThrowsAsync<DaosException>(() => pool.ServiceAsync<ContainerSetPropertiesRequest, ContainerInfoReply>(
            ProtocolOpcodes.ContainerSetProperties, new ContainerSetPropertiesRequest(p, pool.ContainerHandle, [new ContainerProperty(ContainerPropertyId.RedundancyFactor, 9, "")])))).Error);

        await pool.ServiceAsync<ContainerAttributeRequest, ContainerAttributeReply>(ProtocolOpcodes.ContainerAttribute,
            new ContainerAttributeRequest(p, pool.ContainerHandle, AttributeOperation.Set, "owner", Bytes("bob")));
        ContainerAttributeReply got = await pool.ServiceAsync<ContainerAttributeRequest, ContainerAttributeReply>(ProtocolOpcodes.ContainerAttribute,
            new ContainerAttributeRequest(p, pool.ContainerHandle, AttributeOperation.Get, "owner", default));
        Assert.Equal("bob", System.Text.Encoding.UTF8.GetString(got.Value.Span));
        ContainerAttributeReply names = await pool.ServiceAsync<ContainerAttributeRequest, ContainerAttributeReply>(ProtocolOpcodes.ContainerAttribute,
            new ContainerAttributeRequest(p, pool.ContainerHandle, AttributeOperation.List, "", default));
        Assert.Equal(["owner"], names.Names);

        ContainerAllocateOidsReply first = await pool.ServiceAsync<ContainerAllocateOidsRequest, ContainerAllocateOidsReply>(ProtocolOpcodes.ContainerAllocateOids,
            new ContainerAllocateOidsRequest(p, pool.ContainerHandle, 100));
        ContainerAllocateOidsReply second = await pool.ServiceAsync<ContainerAllocateOidsRequest, ContainerAllocateOidsReply>(ProtocolOpcodes.ContainerAllocateOids,
            new ContainerAllocateOidsRequest(p, pool.ContainerHandle, 1));
        Assert.Equal(first.First + 100, second.First);

        // A snapshot reads what was written before it, not after.
        ObjectId oid = Oid(5);
        EpochReply before = await pool.TargetAsync<ObjectUpdateRequest, EpochReply>(0, 0, ProtocolOpcodes.ObjectUpdate, new ObjectUpdateRequest(
            pool.Address(oid), Epoch.Zero, UpdateCondition.None, Bytes("d"), [new IodUpdate(Bytes("a"), IodKind.Single, 0, 0, Bytes("old"))]));
        ContainerSnapshotReply snapshot = await pool.ServiceAsync<ContainerSnapshotRequest, ContainerSnapshotReply>(ProtocolOpcodes.ContainerSnapshot,
            new ContainerSnapshotRequest(p, pool.ContainerHandle, SnapshotOperation.Create, "s1", before.Epoch));
        Epoch snap = Assert.Single(snapshot.Snapshots).Epoch;
        Assert.True(snap > before.Epoch);
        await pool.TargetAsync<ObjectUpdateRequest, EpochReply>(0, 0, ProtocolOpcodes.ObjectUpdate, new ObjectUpdateRequest(
            pool.Address(oid), Epoch.Zero, UpdateCondition.None, Bytes("d"), [new IodUpdate(Bytes("a"), IodKind.Single, 0, 0, Bytes("new"))]));
        ObjectFetchReply atSnapshot = await pool.TargetAsync<ObjectFetchRequest, ObjectFetchReply>(0, 0, ProtocolOpcodes.ObjectFetch, new ObjectFetchRequest(
            pool.Address(oid), snap, Bytes("d"), [new IodFetch(Bytes("a"), IodKind.Single, 0, 0, 0)]));
        Assert.Equal("old", System.Text.Encoding.UTF8.GetString(atSnapshot.Results[0].Data.Span));
        ContainerSnapshotReply listed = await pool.ServiceAsync<ContainerSnapshotRequest, ContainerSnapshotReply>(ProtocolOpcodes.ContainerSnapshot,
            new ContainerSnapshotRequest(p, pool.ContainerHandle, SnapshotOperation.List, "", Epoch.Zero));
        Assert.Equal(("s1", snap), (Assert.Single(listed.Snapshots).Name, listed.Snapshots[0].Epoch));
        await pool.ServiceAsync<ContainerSnapshotRequest, ContainerSnapshotReply>(ProtocolOpcodes.ContainerSnapshot,
            new ContainerSnapshotRequest(p, pool.ContainerHandle, SnapshotOperation.Destroy, "", snap));

        // Destroy refuses while a handle is open, unless forced; the label is free again afterwards.
        Assert.Equal(DaosError.Busy, (await Assert.ThrowsAsync<DaosException>(() => pool.ServiceAsync<ContainerDestroyRequest, EmptyMessage>(
            ProtocolOpcodes.ContainerDestroy, new ContainerDestroyRequest(p, pool.PoolHandle, "renamed", false)))).Error);
        await pool.ServiceAsync<ContainerDestroyRequest, EmptyMessage>(ProtocolOpcodes.ContainerDestroy, new ContainerDestroyRequest(p, pool.PoolHandle, "renamed", true));
        ContainerListReply none = await pool.ServiceAsync<PoolHandleRequest, ContainerListReply>(ProtocolOpcodes.ContainerList, new PoolHandleRequest(p, pool.PoolHandle));
        Assert.Empty(none.Containers);
        Assert.Equal(DaosError.NoHandle, (await Assert.ThrowsAsync<DaosException>(() => pool.TargetAsync<ObjectFetchRequest, ObjectFetchReply>(0, 0,
            ProtocolOpcodes.ObjectFetch, new ObjectFetchRequest(pool.Address(oid), Epoch.Max, Bytes("d"), [new IodFetch(Bytes("a"), IodKind.Single, 0, 0, 0)])))).Error);
    }

    [Fact]
    public async Task A_pool_create_that_fails_on_one_target_leaves_nothing_behind()
    {
        var storages = new Dictionary<int, SimulatedEngineStorage>();
        await using EngineCluster cluster = await EngineCluster.StartAsync(3, 2, rank => storages[rank] = new SimulatedEngineStorage($"rank{rank}"));
        storages[2].FailOpen = path => path.EndsWith("/target-1", StringComparison.Ordinal);
        DaosException failed = await Assert.ThrowsAsync<DaosException>(() => cluster.CallServiceAsync<PoolCreateRequest, PoolInfoReply>([0],
            ProtocolOpcodes.PoolCreate, new PoolCreateRequest("doomed", 0, 0, [], 0)));
        Assert.Equal(DaosError.IO, failed.Error);
        foreach ((int rank, SimulatedEngineStorage storage) in storages)
        {
            Assert.All(storage.Directories, d => Assert.True(d is "" or "mgmt", $"rank {rank} kept '{d}'"));
            Assert.Empty(cluster.Engine(rank).Pools);
        }

        PoolListReply list = await cluster.CallServiceAsync<EmptyMessage, PoolListReply>([0], ProtocolOpcodes.PoolList, EmptyMessage.Instance);
        Assert.Empty(list.Pools);
        storages[2].FailOpen = null;
        await cluster.CallServiceAsync<PoolCreateRequest, PoolInfoReply>([0], ProtocolOpcodes.PoolCreate, new PoolCreateRequest("doomed", 0, 0, [], 0));
    }

    [Fact]
    public async Task Pool_destroy_refuses_connected_handles_unless_forced_and_removes_every_shard()
    {
        var storages = new Dictionary<int, SimulatedEngineStorage>();
        await using EngineCluster cluster = await EngineCluster.StartAsync(2, 1, rank => storages[rank] = new SimulatedEngineStorage($"rank{rank}"));
        PoolFixture pool = await CreateAsync(cluster);
        Assert.Equal(DaosError.Busy, (await Assert.ThrowsAsync<DaosException>(() => cluster.CallServiceAsync<PoolDestroyRequest, EmptyMessage>([0],
            ProtocolOpcodes.PoolDestroy, new PoolDestroyRequest("pool1", false)))).Error);
        await cluster.CallServiceAsync<PoolDestroyRequest, EmptyMessage>([0], ProtocolOpcodes.PoolDestroy, new PoolDestroyRequest(pool.Location.Uuid.ToString(), true));
        Assert.All(storages.Values, s => Assert.DoesNotContain(s.Directories, d => d.StartsWith(pool.Location.Uuid.ToString(), StringComparison.Ordinal)));
        Assert.Equal(DaosError.NonExistent, (await Assert.ThrowsAsync<DaosException>(() => cluster.CallServiceAsync<PoolLookupRequest, PoolLocation>([0],
            ProtocolOpcodes.PoolLookup, new PoolLookupRequest("pool1")))).Error);
    }
}
