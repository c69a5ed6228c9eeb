using Daos.Client;

namespace Daos.Bench.Cluster;

/// <summary>A running system the load tools drive: an in-process <c>TestCluster</c> or engines on loopback TCP.</summary>
internal interface IClusterHost : IAsyncDisposable
{
    /// <summary>What the tables call it: <c>in-process</c>, <c>tcp</c>.</summary>
    string Name { get; }

    /// <summary>How it runs, for the run header.</summary>
    string Description { get; }

    /// <summary>A new client with its own connections (each load-tool task has its own, as IOR's processes do).</summary>
    ValueTask<DaosClient> ConnectClientAsync(CancellationToken ct);
}
