using System.Text;
using Daos.Harness;

namespace Daos.Client.Tests.EndToEnd;

/// <summary>
/// One in-memory cluster (3 engines x 2 targets) and one pool shared by the end-to-end tests of a class; each test
/// makes its own container so tests do not see each other's objects.
/// </summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    public const string PoolLabel = "e2e";

    private int _containers;

    public TestCluster Cluster { get; private set; } = null!;

    public DaosClient Client { get; private set; } = null!;

    public DaosPool Pool { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Cluster = await TestCluster.StartAsync(new TestClusterOptions { Engines = 3, TargetsPerEngine = 2, Seed = 8 });
        Client = await Cluster.ConnectClientAsync();
        await Client.Admin.CreatePoolAsync(PoolLabel, new PoolCreateOptions { ScmSizeBytes = 32L << 20, NvmeSizeBytes = 64L << 20 });
        Pool = await Client.ConnectPoolAsync(PoolLabel);
    }

    public async Task DisposeAsync()
    {
        await Pool.DisposeAsync();
        await Client.DisposeAsync();
        await Cluster.DisposeAsync();
    }

    /// <summary>A fresh container with a unique label.</summary>
    public ValueTask<DaosContainer> NewContainerAsync(ContainerProperties? properties = null) =>
        Pool.CreateContainerAsync($"c{Interlocked.Increment(ref _containers)}", properties);

    public static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    public static string Text(byte[]? bytes) => bytes is null ? "<null>" : Encoding.UTF8.GetString(bytes);

    public static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> source)
    {
        var list = new List<T>();
        await foreach (T item in source)
        {
            list.Add(item);
        }

        return list;
    }

    public static async Task<DaosError> ErrorOf(Func<Task> action)
    {
        DaosException e = await Assert.ThrowsAsync<DaosException>(action);
        return e.Error;
    }
}

[CollectionDefinition(Name)]
public sealed class SharedCluster : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}
