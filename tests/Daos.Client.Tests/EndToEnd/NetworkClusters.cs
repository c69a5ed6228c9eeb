using Daos.Harness;

namespace Daos.Client.Tests.EndToEnd;

/// <summary>
/// One small cluster per real network (in-process pipes and loopback TCP), each with a pool and a connected client,
/// shared by the tests of <see cref="NetworkEndToEndTests"/> so the same scenarios run over both.
/// </summary>
public sealed class NetworkClusters : IAsyncLifetime
{
    private readonly Dictionary<TestClusterNetwork, Side> _sides = [];
    private int _containers;

    public async Task InitializeAsync()
    {
        foreach (TestClusterNetwork network in new[] { TestClusterNetwork.InProcess, TestClusterNetwork.Tcp })
        {
            TestCluster cluster = await TestCluster.StartAsync(new TestClusterOptions { Engines = 3, TargetsPerEngine = 2, Seed = 21, Network = network });
            DaosClient client = await cluster.ConnectClientAsync();
            await client.Admin.CreatePoolAsync("net", new PoolCreateOptions { ScmSizeBytes = 16L << 20, NvmeSizeBytes = 32L << 20 });
            DaosPool pool = await client.ConnectPoolAsync("net");
            _sides[network] = new Side(cluster, client, pool);
        }
    }

    public async Task DisposeAsync()
    {
        foreach (Side side in _sides.Values)
        {
            await side.Pool.DisposeAsync();
            await side.Client.DisposeAsync();
            await side.Cluster.DisposeAsync();
        }
    }

    public Side this[TestClusterNetwork network] => _sides[network];

    /// <summary>A fresh container with a unique label on the cluster of <paramref name="network"/>.</summary>
    public ValueTask<DaosContainer> NewContainerAsync(TestClusterNetwork network, ContainerProperties? properties = null) =>
        _sides[network].Pool.CreateContainerAsync($"n{Interlocked.Increment(ref _containers)}", properties);

    public sealed record Side(TestCluster Cluster, DaosClient Client, DaosPool Pool);
}
