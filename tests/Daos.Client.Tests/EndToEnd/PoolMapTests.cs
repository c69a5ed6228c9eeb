using Daos.Harness;
using Daos.Placement;
using static Daos.Client.Tests.EndToEnd.ClusterFixture;

namespace Daos.Client.Tests.EndToEnd;

/// <summary>One in-memory cluster of 4 engines x 2 targets; each test makes its own pool on some of the ranks.</summary>
public sealed class MapChangeClusterFixture : IAsyncLifetime
{
    public TestCluster Cluster { get; private set; } = null!;

    public DaosClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Cluster = await TestCluster.StartAsync(new TestClusterOptions { Engines = 4, TargetsPerEngine = 2, Seed = 11 });
        Client = await Cluster.ConnectClientAsync();
    }

    public async Task DisposeAsync()
    {
        await Client.DisposeAsync();
        await Cluster.DisposeAsync();
    }
}

/// <summary>
/// Pool map changes through <see cref="DaosAdmin"/>: each bumps the map version, the pool query shows target states,
/// a client holding the older map is answered Stale and moves on, I/O to a shard on an excluded target answers
/// <see cref="DaosError.Excluded"/> at once, extend adds ranks, and bad requests get typed errors.
/// </summary>
public sealed class PoolMapTests(MapChangeClusterFixture fixture) : IClassFixture<MapChangeClusterFixture>
{
    private static readonly PoolCreateOptions Small = new() { ScmSizeBytes = 8L << 20, NvmeSizeBytes = 16L << 20, Ranks = [0, 1, 2] };

    [Fact]
    public async Task Excluding_a_target_bumps_the_version_and_a_client_with_the_old_map_recovers_except_on_that_target()
    {
        await fixture.Client.Admin.CreatePoolAsync("exclude", Small);
        await using DaosPool writer = await fixture.Client.ConnectPoolAsync("exclude");
        await using DaosContainer written = await writer.CreateContainerAsync("c");
        var oids = new List<ObjectId>();
        for (int i = 0; i < 48; i++)
        {
            ObjectId oid = await written.AllocateObjectIdAsync(ObjectType.KeyValue, ObjectClass.S1);
            await written.OpenKeyValue(oid).PutAsync("k", Bytes($"v{i}"));
            oids.Add(oid);
        }

        // A second client connected before the change holds map version 1.
        await using DaosClient other = await fixture.Cluster.ConnectClientAsync();
        await using DaosPool stale = await other.ConnectPoolAsync("exclude");
        await using DaosContainer reader = await stale.OpenContainerAsync("c");
        Assert.Equal(1, stale.MapVersion);

        await fixture.Client.Admin.ExcludeAsync("exclude", rank: 1, target: 0);

        PoolInfo info = await writer.QueryAsync();
        Assert.Equal(2, info.MapVersion);
        Assert.Equal((6, 1), (info.TargetsTotal, info.TargetsDisabled));
        Assert.Equal(TargetStatus.Down, Assert.Single(info.Targets, t => t.Rank == 1 && t.Index == 0).Status);
        Assert.All(info.Targets.Where(t => t.Rank != 1 || t.Index != 0), t => Assert.Equal(TargetStatus.UpIn, t.Status));

        // Where each object lived under version 1 (pool-map rank i is system rank i here): ranks 0, 1, 2 with 2 targets.
        PoolMap created = PoolMap.Create(3, 1, 2);
        int excludedId = created.TargetIdOf(1, 0);
        int onExcluded = 0;
        for (int i = 0; i < oids.Count; i++)
        {
            bool lost = JumpMap.Place(created, oids[i]).TargetOf(0) == excludedId;
            DaosKeyValue kv = reader.OpenKeyValue(oids[i]);
            if (lost)
            {
                onExcluded++;
                Assert.Equal(DaosError.Excluded, await ErrorOf(() => kv.GetAsync("k").AsTask()));
                Assert.Equal(DaosError.Excluded, await ErrorOf(() => kv.PutAsync("k", Bytes("new")).AsTask()));
            }
            else
            {
                Assert.Equal($"v{i}", Text(await kv.GetAsync("k")));
                await kv.PutAsync("k2", Bytes("after"));
                Assert.Equal("after", Text(await kv.GetAsync("k2")));
            }
        }

        Assert.InRange(onExcluded, 1, oids.Count - 1);
        Assert.Equal(2, stale.MapVersion);
    }

    [Fact]
    public async Task Drain_and_reintegrate_move_target_states_and_bad_requests_get_typed_errors()
    {
        DaosAdmin admin = fixture.Client.Admin;
        await admin.CreatePoolAsync("states", Small);
        await using DaosPool pool = await fixture.Client.ConnectPoolAsync("states");

        await admin.ExcludeAsync("states", 2);                       // every target of rank 2
        await admin.DrainAsync("states", 0, 1);
        await admin.ReintegrateAsync("states", 2, 1);
        PoolInfo info = await pool.QueryAsync();
        Assert.Equal(4, info.MapVersion);
        Assert.Equal(TargetStatus.Down, info.Targets.Single(t => t.Rank == 2 && t.Index == 0).Status);
        Assert.Equal(TargetStatus.Up, info.Targets.Single(t => t.Rank == 2 && t.Index == 1).Status);
        Assert.Equal(TargetStatus.Drain, info.Targets.Single(t => t.Rank == 0 && t.Index == 1).Status);
        Assert.Equal(1, info.TargetsDisabled);

        Assert.Equal(DaosError.InvalidArgument, await ErrorOf(() => admin.ExcludeAsync("states", 2, 0).AsTask()));      // twice
        Assert.Equal(DaosError.InvalidArgument, await ErrorOf(() => admin.ReintegrateAsync("states", 1, 0).AsTask()));  // healthy
        Assert.Equal(DaosError.InvalidArgument, await ErrorOf(() => admin.DrainAsync("states", 2, 0).AsTask()));        // failed
        Assert.Equal(DaosError.NonExistent, await ErrorOf(() => admin.ExcludeAsync("states", 3).AsTask()));             // not in the pool
        Assert.Equal(DaosError.NonExistent, await ErrorOf(() => admin.ExcludeAsync("states", 9).AsTask()));             // not in the system
        Assert.Equal(DaosError.NonExistent, await ErrorOf(() => admin.ExcludeAsync("states", 0, 2).AsTask()));          // no such target
        Assert.Equal(DaosError.NonExistent, await ErrorOf(() => admin.ExcludeAsync("no-such-pool", 0).AsTask()));
        Assert.Equal(DaosError.InvalidArgument, await ErrorOf(() => admin.ExcludeAsync("states", -1).AsTask()));
        Assert.Equal(DaosError.Exists, await ErrorOf(() => admin.ExtendAsync("states", [1]).AsTask()));
        Assert.Equal(DaosError.NonExistent, await ErrorOf(() => admin.ExtendAsync("states", [9]).AsTask()));
        Assert.Equal(DaosError.InvalidArgument, await ErrorOf(() => admin.ExtendAsync("states", []).AsTask()));
        Assert.Equal(DaosError.NonExistent, await ErrorOf(() => admin.ExtendAsync("no-such-pool", [3]).AsTask()));

        Assert.Equal(4, (await pool.QueryAsync()).MapVersion); // refused changes moved nothing
    }

    [Fact]
    public async Task Extend_adds_a_rank_whose_targets_new_layouts_use_and_old_clients_follow()
    {
        DaosAdmin admin = fixture.Client.Admin;
        await admin.CreatePoolAsync("grow", Small);
        await using DaosPool writer = await fixture.Client.ConnectPoolAsync("grow");
        await using DaosContainer written = await writer.CreateContainerAsync("c");
        var oids = new List<ObjectId>();
        for (int i = 0; i < 24; i++)
        {
            ObjectId oid = await written.AllocateObjectIdAsync(ObjectType.KeyValue, ObjectClass.S1);
            await written.OpenKeyValue(oid).PutAsync("k", Bytes($"v{i}"));
            oids.Add(oid);
        }

        await using DaosClient other = await fixture.Cluster.ConnectClientAsync();
        await using DaosPool stale = await other.ConnectPoolAsync("grow");
        await using DaosContainer reader = await stale.OpenContainerAsync("c");

        await admin.ExtendAsync("grow", [3]);

        PoolInfo info = await writer.QueryAsync();
        Assert.Equal((2, 8), (info.MapVersion, info.TargetsTotal));
        Assert.Equal([0, 1, 2, 3], info.Ranks);
        Assert.All(info.Targets.Where(t => t.Rank == 3), t => Assert.Equal(TargetStatus.Up, t.Status));
        Assert.Equal(2, info.Targets.Count(t => t.Rank == 3));
        Assert.Contains(3, Assert.Single(await ToListAsync(admin.ListPoolsAsync()), p => p.Label == "grow").Ranks);

        // The client with version 1 is answered Stale, learns the longer rank table, and reads everything back.
        for (int i = 0; i < oids.Count; i++)
        {
            Assert.Equal($"v{i}", Text(await reader.OpenKeyValue(oids[i]).GetAsync("k")));
        }

        Assert.Equal(2, stale.MapVersion);
        Assert.Equal([0, 1, 2, 3], stale.Router.Ranks);

        // The new targets are in the layouts objects move to once rebuild completes; until then I/O keeps working.
        PoolMap map = stale.Router.Map;
        int placedOnNew = 0;
        for (int i = 0; i < 64; i++)
        {
            ObjectId oid = await written.AllocateObjectIdAsync(ObjectType.KeyValue, ObjectClass.S1);
            int target = JumpMap.Place(map, oid, LayoutMode.PostRebuild).TargetOf(0);
            placedOnNew += map.Targets[target].Rank == 3 ? 1 : 0;
            Assert.NotEqual(3, map.Targets[JumpMap.Place(map, oid).TargetOf(0)].Rank);
            await written.OpenKeyValue(oid).PutAsync("k", Bytes("new"));
            Assert.Equal("new", Text(await reader.OpenKeyValue(oid).GetAsync("k")));
        }

        Assert.InRange(placedOnNew, 1, 63);
    }

    [Fact]
    public async Task A_pool_on_ranks_that_do_not_start_at_zero_routes_by_its_rank_table()
    {
        await fixture.Client.Admin.CreatePoolAsync("subset", Small with { Ranks = [3, 1] });
        await using DaosPool pool = await fixture.Client.ConnectPoolAsync("subset");
        await using DaosContainer container = await pool.CreateContainerAsync("c");
        for (int i = 0; i < 16; i++)
        {
            ObjectId oid = await container.AllocateObjectIdAsync(ObjectType.KeyValue, ObjectClass.S1);
            await container.OpenKeyValue(oid).PutAsync("k", Bytes($"v{i}"));
            Assert.Equal($"v{i}", Text(await container.OpenKeyValue(oid).GetAsync("k")));
        }

        PoolInfo info = await pool.QueryAsync();
        Assert.Equal([1, 3], info.Ranks);
        Assert.Equal([1, 1, 3, 3], info.Targets.Select(t => t.Rank));
    }
}
