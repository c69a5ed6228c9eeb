using Daos.Harness;
using static Daos.Client.Tests.EndToEnd.ClusterFixture;

namespace Daos.Client.Tests.EndToEnd;

[Collection(SharedCluster.Name)]
public sealed class PoolTests(ClusterFixture fixture)
{
    [Fact]
    public async Task The_system_reports_every_rank_joined_with_its_targets()
    {
        SystemInfo system = await fixture.Client.Admin.QuerySystemAsync();

        Assert.Equal("daos_server", system.SystemName);
        Assert.Equal(fixture.Cluster.Ranks, system.Ranks.Select(r => r.Rank));
        Assert.All(system.Ranks, r => Assert.Equal((RankState.Joined, fixture.Cluster.Options.TargetsPerEngine), (r.State, r.Targets)));
    }

    [Fact]
    public async Task A_pool_is_listed_connected_by_label_and_uuid_and_queried()
    {
        PoolInfo listed = Assert.Single(await ToListAsync(fixture.Client.Admin.ListPoolsAsync()), p => p.Label == PoolLabel);
        await using DaosPool byUuid = await fixture.Client.ConnectPoolAsync(listed.Uuid.ToString(), PoolAccess.ReadOnly);

        PoolInfo info = await byUuid.QueryAsync();

        Assert.Equal((listed.Uuid, PoolLabel), (byUuid.Uuid, byUuid.Label));
        Assert.Equal((6, 0), (info.TargetsTotal, info.TargetsDisabled));
        Assert.Equal(fixture.Cluster.Ranks, info.Ranks);
        Assert.NotEmpty(info.ServiceReplicas);
        Assert.True(info.MapVersion >= 1);
        Assert.True(info.Nvme.TotalBytes >= 6 * (64L << 20), $"data tier {info.Nvme.TotalBytes}");
        Assert.InRange(info.Nvme.FreeBytes, 1, info.Nvme.TotalBytes);
        Assert.True(info.Scm.TotalBytes > 0);
    }

    [Fact]
    public async Task Containers_are_created_opened_listed_and_destroyed()
    {
        await using (DaosContainer created = await fixture.Pool.CreateContainerAsync("pool-test-c", new ContainerProperties { Type = ContainerType.Posix }))
        {
            Assert.Equal("pool-test-c", created.Label);
            await using DaosContainer byUuid = await fixture.Pool.OpenContainerAsync(created.Uuid.ToString(), ContainerAccess.ReadOnly);
            Assert.Equal(created.Uuid, byUuid.Uuid);
            ContainerInfo info = Assert.Single(await ToListAsync(fixture.Pool.ListContainersAsync()), c => c.Label == "pool-test-c");
            Assert.Equal(created.Uuid, info.Uuid);
            Assert.Equal(DaosError.Exists, await ErrorOf(() => fixture.Pool.CreateContainerAsync("pool-test-c").AsTask()));
        }

        await fixture.Pool.DestroyContainerAsync("pool-test-c");

        Assert.DoesNotContain(await ToListAsync(fixture.Pool.ListContainersAsync()), c => c.Label == "pool-test-c");
        Assert.Equal(DaosError.NonExistent, await ErrorOf(() => fixture.Pool.OpenContainerAsync("pool-test-c").AsTask()));
        Assert.Equal(DaosError.NonExistent, await ErrorOf(() => fixture.Pool.DestroyContainerAsync("pool-test-c").AsTask()));
    }

    [Fact]
    public async Task Unknown_labels_are_NonExistent()
    {
        Assert.Equal(DaosError.NonExistent, await ErrorOf(() => fixture.Client.ConnectPoolAsync("no-such-pool").AsTask()));
        Assert.Equal(DaosError.NonExistent, await ErrorOf(() => fixture.Client.ConnectPoolAsync(Guid.NewGuid().ToString()).AsTask()));
        Assert.Equal(DaosError.NonExistent, await ErrorOf(() => fixture.Pool.OpenContainerAsync("no-such-container").AsTask()));
        Assert.Equal(DaosError.NonExistent, await ErrorOf(() => fixture.Client.Admin.DestroyPoolAsync("no-such-pool").AsTask()));
    }

    [Fact]
    public async Task A_disconnected_pool_handle_refuses_every_call_and_its_containers_stop_too()
    {
        DaosPool pool = await fixture.Client.ConnectPoolAsync(PoolLabel);
        DaosContainer container = await pool.CreateContainerAsync("disconnect-test");
        DaosKeyValue kv = container.OpenKeyValue(await container.AllocateObjectIdAsync(ObjectType.KeyValue));
        await kv.PutAsync("k", Bytes("v"));

        await pool.DisposeAsync();

        Assert.Equal(DaosError.NoHandle, await ErrorOf(() => pool.QueryAsync().AsTask()));
        Assert.Equal(DaosError.NoHandle, await ErrorOf(() => pool.OpenContainerAsync("disconnect-test").AsTask()));
        Assert.Equal(DaosError.NoHandle, await ErrorOf(() => kv.GetAsync("k").AsTask()));
        Assert.Equal(DaosError.NoHandle, await ErrorOf(() => container.CreateSnapshotAsync().AsTask()));
        await container.DisposeAsync();
    }

    [Fact]
    public async Task A_read_only_pool_handle_cannot_create_containers()
    {
        await using DaosPool readOnly = await fixture.Client.ConnectPoolAsync(PoolLabel, PoolAccess.ReadOnly);

        Assert.Equal(DaosError.NoPermission, await ErrorOf(() => readOnly.CreateContainerAsync("never").AsTask()));
        Assert.Equal(DaosError.NoPermission, await ErrorOf(() => readOnly.OpenContainerAsync("never", ContainerAccess.ReadWrite).AsTask()));
    }

    [Fact]
    public async Task Pools_are_created_and_destroyed_and_labels_are_unique()
    {
        int[] ranks = [.. fixture.Cluster.Ranks.Skip(1).DefaultIfEmpty(0)];
        PoolInfo created = await fixture.Client.Admin.CreatePoolAsync("short-lived", new PoolCreateOptions { ScmSizeBytes = 16L << 20, NvmeSizeBytes = 16L << 20, Ranks = ranks });
        Assert.Equal(ranks, created.Ranks.Order());
        Assert.Equal(DaosError.Exists, await ErrorOf(() => fixture.Client.Admin.CreatePoolAsync("short-lived").AsTask()));
        await using (DaosPool pool = await fixture.Client.ConnectPoolAsync("short-lived"))
        {
            Assert.Equal(ranks.Length * fixture.Cluster.Options.TargetsPerEngine, (await pool.QueryAsync()).TargetsTotal);
        }

        await fixture.Client.Admin.DestroyPoolAsync("short-lived");

        Assert.DoesNotContain(await ToListAsync(fixture.Client.Admin.ListPoolsAsync()), p => p.Label == "short-lived");
        Assert.Equal(DaosError.NonExistent, await ErrorOf(() => fixture.Client.ConnectPoolAsync("short-lived").AsTask()));
    }

    [Fact]
    public async Task Bad_pool_requests_are_refused_with_typed_errors()
    {
        DaosAdmin admin = fixture.Client.Admin;
        Assert.Equal(DaosError.InvalidArgument, await ErrorOf(() => admin.CreatePoolAsync("").AsTask()));
        Assert.Equal(DaosError.InvalidArgument, await ErrorOf(() => admin.CreatePoolAsync(Guid.NewGuid().ToString()).AsTask()));
        Assert.Equal(DaosError.NonExistent, await ErrorOf(() => admin.CreatePoolAsync("bad-ranks", new PoolCreateOptions { Ranks = [7] }).AsTask()));
        Assert.DoesNotContain(await ToListAsync(admin.ListPoolsAsync()), p => p.Label == "bad-ranks");
    }

    [Fact]
    public async Task Only_administrators_reach_the_admin_api()
    {
        await using DaosClient user = await fixture.Cluster.ConnectClientAsync(new Credentials("alice", ["users"]));

        Assert.Equal(DaosError.NoPermission, Assert.Throws<DaosException>(() => user.Admin).Error);
        await using DaosPool pool = await user.ConnectPoolAsync(PoolLabel, PoolAccess.ReadOnly);
        Assert.Equal(PoolLabel, pool.Label);
    }

    [Fact]
    public async Task A_client_naming_another_system_or_unreachable_endpoints_is_refused()
    {
        DaosClientOptions options = fixture.Cluster.CreateClientOptions();

        Assert.Equal(DaosError.InvalidArgument, await ErrorOf(() => DaosClient.ConnectAsync(options with { SystemName = "other" }).AsTask()));
        Assert.Equal(DaosError.InvalidArgument, await ErrorOf(() => DaosClient.ConnectAsync(options with { ManagementEndpoints = ["not a uri"] }).AsTask()));
        Assert.Equal(DaosError.InvalidArgument, await ErrorOf(() => DaosClient.ConnectAsync(options with { ManagementEndpoints = [] }).AsTask()));
        DaosError unreachable = await ErrorOf(() => DaosClient.ConnectAsync(options with
        {
            ManagementEndpoints = ["inproc://nobody"],
            Retry = new Daos.Client.Retries.RetryPolicy { RetriesMax = 2, BackoffInitial = TimeSpan.FromMilliseconds(1), BackoffMax = TimeSpan.FromMilliseconds(1) },
            Transport = new Daos.Transport.TransportOptions { RequestTimeout = TimeSpan.FromMilliseconds(300) },
        }).AsTask());
        Assert.Contains(unreachable, new[] { DaosError.Unreachable, DaosError.Timeout });
    }
}
