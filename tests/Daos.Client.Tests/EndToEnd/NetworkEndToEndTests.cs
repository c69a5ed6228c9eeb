using Daos.Harness;
using static Daos.Client.Tests.EndToEnd.ClusterFixture;

namespace Daos.Client.Tests.EndToEnd;

/// <summary>
/// A representative slice of the end-to-end tests, each run on in-process pipes and on loopback TCP: the system and
/// pool surface, container metadata (properties, attributes, snapshots), key-value and object I/O, large array I/O
/// split over many requests, and the stream adapter.
/// </summary>
public sealed class NetworkEndToEndTests(NetworkClusters clusters) : IClassFixture<NetworkClusters>
{
    public static TheoryData<TestClusterNetwork> Networks => [TestClusterNetwork.InProcess, TestClusterNetwork.Tcp];

    [Theory]
    [MemberData(nameof(Networks))]
    public async Task The_system_and_the_pool_are_queried_listed_and_connected(TestClusterNetwork network)
    {
        NetworkClusters.Side side = clusters[network];
        SystemInfo system = await side.Client.Admin.QuerySystemAsync();
        Assert.Equal([0, 1, 2], system.Ranks.Select(r => r.Rank).Order());
        Assert.All(system.Ranks, r => Assert.Equal(RankState.Joined, r.State));
        if (network == TestClusterNetwork.Tcp)
        {
            Assert.All(side.Cluster.ManagementEndpoints, e => Assert.StartsWith("tcp://127.0.0.1:", e, StringComparison.Ordinal));
        }

        PoolInfo listed = Assert.Single(await ToListAsync(side.Client.Admin.ListPoolsAsync()), p => p.Label == "net");
        PoolInfo queried = await side.Pool.QueryAsync();
        Assert.Equal(listed.Uuid, queried.Uuid);
        Assert.Equal(6, queried.TargetsTotal);
        await using DaosPool byUuid = await side.Client.ConnectPoolAsync(listed.Uuid.ToString());
        Assert.Equal("net", byUuid.Label);
        Assert.Equal(DaosError.NonExistent, await ErrorOf(() => side.Client.ConnectPoolAsync("no-such-pool").AsTask()));
    }

    [Theory]
    [MemberData(nameof(Networks))]
    public async Task Container_attributes_properties_and_snapshots_work(TestClusterNetwork network)
    {
        await using DaosContainer container = await clusters.NewContainerAsync(network);
        await container.SetAttributeAsync("owner", Bytes("ada"));
        await container.SetAttributeAsync("purpose", Bytes("tests"));
        await container.DeleteAttributeAsync("purpose");
        Assert.Equal("ada", Text(await container.GetAttributeAsync("owner")));
        Assert.Null(await container.GetAttributeAsync("purpose"));
        Assert.Equal(["owner"], await ToListAsync(container.ListAttributesAsync()));

        ContainerProperties properties = await container.GetPropertiesAsync();
        Assert.Equal(container.Label, properties.Label);

        DaosKeyValue kv = container.OpenKeyValue(await container.AllocateObjectIdAsync(ObjectType.KeyValue));
        await kv.PutAsync("k", Bytes("one"));
        Epoch snapshot = await container.CreateSnapshotAsync("s");
        await kv.PutAsync("k", Bytes("two"));
        Assert.Equal([new SnapshotInfo(snapshot, "s")], await ToListAsync(container.ListSnapshotsAsync()));
        Assert.Equal("one", Text(await kv.GetAsync("k", new ReadOptions { Snapshot = snapshot })));
        Assert.Equal("two", Text(await kv.GetAsync("k")));
        await container.DestroySnapshotAsync(snapshot);
        Assert.Empty(await ToListAsync(container.ListSnapshotsAsync()));
    }

    [Theory]
    [MemberData(nameof(Networks))]
    public async Task Keys_are_put_got_listed_and_removed(TestClusterNetwork network)
    {
        await using DaosContainer container = await clusters.NewContainerAsync(network);
        DaosKeyValue kv = container.OpenKeyValue(await container.AllocateObjectIdAsync(ObjectType.KeyValue));
        for (int i = 0; i < 40; i++)
        {
            await kv.PutAsync($"key{i}", Bytes($"value{i}"));
        }

        await kv.RemoveAsync("key8");
        Assert.Equal("value3", Text(await kv.GetAsync("key3")));
        Assert.Null(await kv.GetAsync("key8"));
        Assert.Equal(Enumerable.Range(0, 40).Where(i => i != 8).Select(i => $"key{i}").Order(), (await ToListAsync(kv.ListKeysAsync())).Select(Text).Order());
    }

    [Theory]
    [MemberData(nameof(Networks))]
    public async Task Object_values_and_large_array_io_split_over_many_requests_read_back(TestClusterNetwork network)
    {
        await using DaosContainer container = await clusters.NewContainerAsync(network);
        DaosObject obj = container.OpenObject(await container.AllocateObjectIdAsync(ObjectType.MultiHashed));
        await obj.PutAsync("d", "a", Bytes("single"));
        Assert.Equal("single", Text(await obj.GetAsync("d", "a")));
        Assert.Null(await obj.GetAsync("d", "missing"));

        DaosArray array = await container.CreateArrayAsync(await container.AllocateObjectIdAsync(ObjectType.ByteArray), 1, 256 * 1024);
        byte[] payload = new byte[3 * 1024 * 1024 + 4321];
        new Random(5).NextBytes(payload);
        await array.WriteAsync(1000, payload);
        byte[] back = new byte[payload.Length];
        await array.ReadAsync(1000, back);
        Assert.True(back.AsSpan().SequenceEqual(payload), $"array read back differs on {network}");
        Assert.Equal(1000 + payload.Length, await array.GetSizeAsync());
    }

    [Theory]
    [MemberData(nameof(Networks))]
    public async Task Many_operations_in_flight_all_complete(TestClusterNetwork network)
    {
        await using DaosContainer container = await clusters.NewContainerAsync(network);
        DaosKeyValue kv = container.OpenKeyValue(await container.AllocateObjectIdAsync(ObjectType.KeyValue));
        await Task.WhenAll(Enumerable.Range(0, 300).Select(i => kv.PutAsync($"k{i}", Bytes($"v{i}")).AsTask()));
        string?[] values = await Task.WhenAll(Enumerable.Range(0, 300).Select(async i => (string?)Text(await kv.GetAsync($"k{i}"))));
        Assert.Equal(Enumerable.Range(0, 300).Select(i => $"v{i}"), values);
    }
}
