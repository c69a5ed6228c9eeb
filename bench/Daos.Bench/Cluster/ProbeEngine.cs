using System.Buffers;
using Daos.Engine;
using Daos.Protocol;
using Daos.Protocol.Containers;
using Daos.Protocol.Management;
using Daos.Protocol.Objects;
using Daos.Protocol.Pools;
using Daos.Transport;

namespace Daos.Bench.Cluster;

/// <summary>
/// One <see cref="DaosEngine"/> on the in-process network with its files in a directory, a pool and an open
/// container, driven with raw protocol messages (no client library), so a probe can change one thing on the
/// request path at a time. Each target runs on its own <see cref="DedicatedThreadExecutor"/>, as a server hosts it.
/// </summary>
internal sealed class ProbeEngine : IAsyncDisposable
{
    private readonly DaosEngine _engine;
    private readonly RpcNode _client;
    private readonly List<DedicatedThreadExecutor> _executors;
    private readonly PoolInfoReply _pool;
    private readonly Guid _container;
    private readonly Guid _handle;

    private ProbeEngine(DaosEngine engine, RpcNode client, List<DedicatedThreadExecutor> executors, PoolInfoReply pool, Guid container, Guid handle)
    {
        _engine = engine;
        _client = client;
        _executors = executors;
        _pool = pool;
        _container = container;
        _handle = handle;
        Peer = client.GetPeer(engine.Address);
    }

    public RpcPeer Peer { get; }

    public static async Task<ProbeEngine> StartAsync(string directory, int targets)
    {
        var network = new InProcessNetwork();
        var executors = new List<DedicatedThreadExecutor>();
        TransportAddress address = TransportAddress.InProcess("probe-" + Guid.NewGuid().ToString("N")[..8]);
        DaosEngine engine = await DaosEngine.StartAsync(new DaosEngineOptions
        {
            Rank = 0,
            TargetCount = targets,
            Network = network,
            ListenAddress = address,
            Storage = new FileEngineStorage(directory),
            TimeProvider = TimeProvider.System,
            ExecutorFactory = target =>
            {
                var executor = new DedicatedThreadExecutor($"probe-{target}");
                lock (executors)
                {
                    executors.Add(executor);
                }

                return executor;
            },
            ManagementReplicas = new Dictionary<int, TransportAddress> { [0] = address },
            ScmBytesPerTargetDefault = 256L << 20,
            NvmeBytesPerTargetDefault = 1L << 30,
        });
        var client = new RpcNode(network);
        RpcPeer peer = client.GetPeer(address);
        await engine.WaitForJoinAsync();
        PoolInfoReply pool = await CallAsync<PoolCreateRequest, PoolInfoReply>(peer, ProtocolOpcodes.PoolCreate, ProtocolTargets.System, new PoolCreateRequest("probe", 0, 0, [], 1));
        Guid poolHandle = Guid.NewGuid(), container = Guid.NewGuid(), handle = Guid.NewGuid();
        await CallAsync<PoolConnectRequest, PoolConnectReply>(peer, ProtocolOpcodes.PoolConnect, ProtocolTargets.System, new PoolConnectRequest(pool.Uuid, poolHandle, HandleAccess.ReadWrite, "probe"));
        await CallAsync<ContainerCreateRequest, ContainerInfoReply>(peer, ProtocolOpcodes.ContainerCreate, ProtocolTargets.System,
            new ContainerCreateRequest(pool.Uuid, poolHandle, container, [new ContainerProperty(ContainerPropertyId.Label, 0, "c")]));
        await CallAsync<ContainerOpenRequest, ContainerInfoReply>(peer, ProtocolOpcodes.ContainerOpen, ProtocolTargets.System,
            new ContainerOpenRequest(pool.Uuid, poolHandle, "c", handle, HandleAccess.ReadWrite));
        return new ProbeEngine(engine, client, executors, pool, container, handle);
    }

    public ObjectAddress Address(ObjectId oid) => new(_pool.Uuid, _container, _handle, _pool.MapVersion, oid);

    /// <summary>A single-value update of <paramref name="value"/> under <paramref name="dkey"/> on <paramref name="target"/>.</summary>
    public Task UpdateAsync(uint target, ObjectId oid, byte[] dkey, ReadOnlyMemory<byte> value) =>
        CallAsync<ObjectUpdateRequest, EpochReply>(Peer, ProtocolOpcodes.ObjectUpdate, target,
            new ObjectUpdateRequest(Address(oid), Epoch.Zero, UpdateCondition.None, dkey, [new IodUpdate("a"u8.ToArray(), IodKind.Single, 0, 0, value)]));

    /// <summary>An array extent of bytes at index 0 under <paramref name="dkey"/>.</summary>
    public Task WriteExtentAsync(uint target, ObjectId oid, byte[] dkey, ReadOnlyMemory<byte> records) =>
        CallAsync<ObjectUpdateRequest, EpochReply>(Peer, ProtocolOpcodes.ObjectUpdate, target,
            new ObjectUpdateRequest(Address(oid), Epoch.Zero, UpdateCondition.None, dkey, [new IodUpdate("0"u8.ToArray(), IodKind.Array, 1, 0, records)]));

    public static async Task<TReply> CallAsync<TRequest, TReply>(RpcPeer peer, ushort opcode, uint target, TRequest request)
        where TRequest : IProtocolMessage<TRequest>
        where TReply : IProtocolMessage<TReply>
    {
        var body = new ArrayBufferWriter<byte>();
        ProtocolCodec.Encode(request, body);
        using RpcResponse response = await peer.SendAsync(opcode, target, body.WrittenMemory, timeout: TimeSpan.FromSeconds(120));
        ProtocolErrors.ThrowIfFailed(response);
        return ProtocolCodec.Decode<TReply>(response.Body.ToArray());
    }

    public async ValueTask DisposeAsync()
    {
        await _client.DisposeAsync();
        await _engine.StopAsync();
        foreach (DedicatedThreadExecutor executor in _executors)
        {
            executor.Dispose();
        }
    }
}
