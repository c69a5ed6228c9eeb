using Daos.Engine.Rdb;
using Daos.Engine.Rdb.Raft;
using Daos.Storage;
using Daos.Transport;

namespace Daos.Engine.Tests.Rdb.Loopback;

/// <summary>
/// Three <see cref="RdbReplica"/>s with real clocks, real threads and <see cref="FileMedium"/> logs in a temporary
/// directory, over TCP on 127.0.0.1 (ports chosen by the kernel) or over the in-process network.
/// </summary>
internal sealed class LoopbackRdbCluster : IAsyncDisposable
{
    private const ulong GroupId = 0x5244425F4C4F4F50;
    private readonly Dictionary<ulong, TransportAddress> _addresses = [];
    private readonly Dictionary<ulong, RpcNode> _nodes = [];
    private readonly Dictionary<ulong, DedicatedThreadExecutor> _executors = [];
    private readonly Dictionary<ulong, RdbReplica> _replicas = [];
    private readonly string _directory;

    private LoopbackRdbCluster(string directory) => _directory = directory;

    public IReadOnlyDictionary<ulong, RdbReplica> Replicas => _replicas;

    public static async Task<LoopbackRdbCluster> StartAsync(bool tcp, int replicaCount = 3)
    {
        string directory = Path.Combine(Path.GetTempPath(), $"daos-rdb-loopback-{Environment.ProcessId}-{Environment.CurrentManagedThreadId}-{Environment.TickCount64}");
        var cluster = new LoopbackRdbCluster(directory);
        var options = new TransportOptions();
        ITransportNetwork network = tcp ? new TcpNetwork(options) : new InProcessNetwork(options);
        for (ulong id = 1; id <= (ulong)replicaCount; id++)
        {
            var executor = new DedicatedThreadExecutor($"rdb-{id}");
            cluster._executors[id] = executor;
            var rpc = new RpcNode(network, options, RpcExecutors.Everywhere(executor));
            cluster._nodes[id] = rpc;
            cluster._addresses[id] = await rpc.ListenAsync(tcp
                ? TransportAddress.Tcp("127.0.0.1", 0)
                : TransportAddress.InProcess($"{Path.GetFileName(directory)}-r{id}"));
        }

        var voters = new RaftConfiguration(cluster._addresses.Keys);
        foreach (ulong id in cluster._addresses.Keys)
        {
            string replicaDirectory = Path.Combine(directory, $"r{id}");
            Directory.CreateDirectory(replicaDirectory);
            var replica = new RdbReplica(new RdbReplicaOptions
            {
                GroupId = GroupId,
                Raft = new RaftOptions { ReplicaId = id, ElectionTicks = 30, HeartbeatTicks = 3 },
                Addresses = cluster._addresses,
                InitialConfiguration = voters,
                TickInterval = TimeSpan.FromMilliseconds(10),
                RequestTimeoutTicks = 500,
            }, FileMedium.Open(replicaDirectory), cluster._nodes[id], cluster._executors[id], new DeterministicRandom(id * 7919));
            cluster._replicas[id] = replica;
        }

        foreach (RdbReplica replica in cluster._replicas.Values)
        {
            await replica.StartAsync();
        }

        return cluster;
    }

    /// <summary>Waits until exactly one live replica leads and every live replica knows it; returns it.</summary>
    public async Task<RdbReplica> WaitForLeaderAsync(TimeSpan timeout, ulong excluded = 0)
    {
        DateTime deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            RdbReplica[] live = [.. _replicas.Values.Where(r => r.Id != excluded)];
            RdbReplica[] leaders = [.. live.Where(r => r.Role == RaftRole.Leader)];
            if (leaders.Length == 1 && live.All(r => r.LeaderId == leaders[0].Id))
            {
                return leaders[0];
            }

            await Task.Delay(20);
        }

        string states = string.Join(", ", _replicas.Values.Select(r => $"{r.Id}:{r.Role}/t{r.Term}/leader {r.LeaderId}"));
        throw new TimeoutException($"no single leader within {timeout}: {states}");
    }

    /// <summary>Stops a replica abruptly: no further ticks or messages, its connections dropped, nothing flushed.</summary>
    public async Task KillAsync(ulong id)
    {
        await _replicas[id].DisposeAsync();
        await _nodes[id].DisposeAsync();
        _executors[id].Dispose();
        _executors.Remove(id);
        _nodes.Remove(id);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (ulong id in _nodes.Keys.ToArray())
        {
            await KillAsync(id);
        }

        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temporary folder.
        }
    }
}
