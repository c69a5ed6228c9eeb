using System.Globalization;
using Daos.Client;
using Daos.Harness;

namespace Daos.Bench.Cluster;

/// <summary>A <see cref="TestCluster"/> on the in-process network with its engines' files under a directory.</summary>
internal sealed class InProcessClusterHost : IClusterHost
{
    private readonly TestCluster _cluster;

    private InProcessClusterHost(TestCluster cluster, string description)
    {
        _cluster = cluster;
        Description = description;
    }

    public string Name => "in-process";

    public string Description { get; }

    public static async ValueTask<InProcessClusterHost> StartAsync(int engines, int targets, string directory, CancellationToken ct)
    {
        TestCluster cluster = await TestCluster.StartAsync(new TestClusterOptions
        {
            Engines = engines,
            TargetsPerEngine = targets,
            Storage = TestClusterStorage.Files(directory),
        }, ct);
        return new InProcessClusterHost(cluster, string.Create(CultureInfo.InvariantCulture,
            $"TestCluster, {engines} engines x {targets} targets, in-process network, files in {directory}"));
    }

    public ValueTask<DaosClient> ConnectClientAsync(CancellationToken ct) => _cluster.ConnectClientAsync(ct: ct);

    public ValueTask DisposeAsync() => _cluster.DisposeAsync();
}
