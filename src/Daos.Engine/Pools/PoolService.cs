using Daos.Engine.Engine;
using Daos.Engine.Rdb;
using Daos.Placement;
using Daos.Protocol;
using Daos.Protocol.Management;
using Daos.Protocol.Pools;
using Daos.Transport;

namespace Daos.Engine.Pools;

/// <summary>
/// One replica of a pool's service: the pool service (connect, disconnect, query, handles) and the container
/// service (in <c>PoolService.Containers.cs</c>), both in the pool's RDB group, as in DAOS where ds_pool and ds_cont
/// share one RDB. Runs on the engine's system executor; serves only while its replica leads.
/// </summary>
/// <remarks>
/// RDB layout: <c>/pool</c> (<c>label</c>, <c>map</c>), <c>/handles</c> (pool handle → access byte + user),
/// <c>/containers</c> (container uuid → its record), <c>/container-labels</c> (label → uuid),
/// <c>/container-handles</c> (handle → container uuid, access, pool handle), <c>/attributes/&lt;uuid&gt;</c> (name → value),
/// <c>/snapshots/&lt;uuid&gt;</c> (integer epoch → name).
/// </remarks>
internal sealed partial class PoolService : ReplicatedService
{
    private static readonly RdbPath PoolKvs = RdbPath.Root.Append("pool");
    private static readonly RdbPath Handles = RdbPath.Root.Append("handles");
    private static readonly byte[] MapKey = "map"u8.ToArray();
    private static readonly byte[] LabelKey = "label"u8.ToArray();
    private readonly EngineContext _context;

    public PoolService(RdbReplica replica, LocalPool pool, EngineContext context)
        : base(replica)
    {
        Pool = pool;
        _context = context;
        replica.SteppedUp = term => _ = InitializeAsync();
    }

    public LocalPool Pool { get; }

    public static RdbReplicaOptions ReplicaOptions(PoolShardCreateRequest record, DaosEngineOptions options)
    {
        var addresses = new Dictionary<ulong, TransportAddress>();
        foreach (int rank in record.ServiceRanks)
        {
            foreach (RankAddress member in record.Ranks)
            {
                if (member.Rank == rank)
                {
                    addresses[ReplicaIdOf(rank)] = TransportAddress.Parse(member.Address);
                }
            }
        }

        return new RdbReplicaOptions
        {
            GroupId = record.ServiceGroupId,
            Raft = new Rdb.Raft.RaftOptions { ReplicaId = ReplicaIdOf(options.Rank), ElectionTicks = options.RaftElectionTicks, HeartbeatTicks = Math.Max(1, options.RaftElectionTicks / 10) },
            Addresses = addresses,
            InitialConfiguration = new Rdb.Raft.RaftConfiguration(addresses.Keys),
            TickInterval = options.RaftTickInterval,
            RaftOpcode = record.RaftOpcode,
            Target = ProtocolTargets.System,
        };
    }

    public Task<PoolConnectReply> ConnectAsync(PoolConnectRequest connect, CancellationToken cancellationToken) => SerializeAsync(async () =>
    {
        await EnsureInitializedAsync();
        byte[] value = new byte[1 + System.Text.Encoding.UTF8.GetByteCount(connect.User)];
        value[0] = (byte)connect.Access;
        System.Text.Encoding.UTF8.GetBytes(connect.User, value.AsSpan(1));
        await WriteAsync(new RdbTransaction().Update(Handles, Key(connect.Handle), value));
        PoolInfoReply info = await BuildInfoAsync(withSpace: false, cancellationToken);
        return new PoolConnectReply(info, Pool.MapBytes, Pool.Record.Ranks.Select(r => r.Rank).ToArray());
    }, cancellationToken);

    public Task<EmptyMessage> DisconnectAsync(PoolHandleRequest disconnect, CancellationToken cancellationToken) => SerializeAsync(async () =>
    {
        await EnsureInitializedAsync();
        await RequirePoolHandleAsync(disconnect.Handle, write: false);
        List<(Guid Handle, Guid Container)> evicted = await ReadAsync(store => ContainerHandlesOf(store, poolHandle: disconnect.Handle));
        var transaction = new RdbTransaction().Delete(Handles, Key(disconnect.Handle));
        foreach ((Guid handle, _) in evicted)
        {
            transaction.Delete(ContainerHandles, Key(handle));
        }

        await WriteAsync(transaction);
        foreach ((Guid handle, Guid container) in evicted)
        {
            await BroadcastAsync(container, handle, Protocol.Containers.ShardEventKind.HandleClosed);
        }

        return EmptyMessage.Instance;
    }, cancellationToken);

    /// <summary>Pool query; an empty handle is the management service asking (pool create and destroy).</summary>
    public async Task<PoolInfoReply> QueryAsync(PoolHandleRequest query, CancellationToken cancellationToken)
    {
        EnsureLeader();
        await EnsureInitializedAsync();
        if (query.Handle != Guid.Empty)
        {
            await RequirePoolHandleAsync(query.Handle, write: false);
        }

        return await BuildInfoAsync(withSpace: true, cancellationToken);
    }

    private static byte[] Key(Guid uuid) => uuid.ToByteArray(bigEndian: true);

    private async Task<PoolInfoReply> BuildInfoAsync(bool withSpace, CancellationToken cancellationToken)
    {
        int handles = await ReadAsync(store => store.Iterate(Handles).Count);
        PoolSpace space = PoolSpace.Zero;
        if (withSpace)
        {
            Task<PoolSpace>[] queries = Pool.Record.Ranks
                .Select(r => _context.Calls.CallAsync<PoolShardQueryRequest, PoolSpace>(TransportAddress.Parse(r.Address),
                    ProtocolOpcodes.PoolShardQuery, ProtocolTargets.System, new PoolShardQueryRequest(Pool.Uuid), cancellationToken))
                .ToArray();
            try
            {
                await Task.WhenAll(queries);
            }
            catch (DaosException)
            {
                // Ranks that did not answer contribute nothing; their targets count as disabled below.
            }

            foreach (Task<PoolSpace> query in queries)
            {
                if (query.IsCompletedSuccessfully)
                {
                    space = space.Add(query.Result);
                }
            }
        }

        PoolMap map = Pool.Map;
        int disabled = 0;
        foreach (PoolTarget target in map.Targets)
        {
            if (target.Status is TargetStatus.Down or TargetStatus.DownOut)
            {
                disabled++;
            }
        }

        if (withSpace)
        {
            disabled = Math.Max(disabled, map.Targets.Count - space.Targets);
        }

        return new PoolInfoReply(Pool.Uuid, Pool.Record.Label, map.Version, map.Targets.Count, disabled, space,
            Pool.Record.ServiceRanks, IsLeader ? RankOf(Replica.Id) : LeaderRank, handles);
    }

    private async Task<Pools.HandleAccessRecord> RequirePoolHandleAsync(Guid handle, bool write)
    {
        byte[]? value = await ReadAsync(store => store.Lookup(Handles, Key(handle), out ReadOnlyMemory<byte> found) == DaosError.None ? found.ToArray() : null)
            ;
        if (value is null)
        {
            throw new DaosException(DaosError.NoHandle, $"pool handle {handle} is not connected to pool '{Pool.Record.Label}'");
        }

        var access = (HandleAccess)value[0];
        if (write && access != HandleAccess.ReadWrite)
        {
            throw new DaosException(DaosError.NoPermission, "the pool handle is read-only");
        }

        return new Pools.HandleAccessRecord(access);
    }

    private async Task EnsureInitializedAsync()
    {
        if (!await ReadAsync(store => store.KvsExists(PoolKvs, out _)))
        {
            throw new NotLeaderException($"pool '{Pool.Record.Label}' service is starting", RankOf(Replica.Id));
        }
    }

    private async Task InitializeAsync()
    {
        RdbTransaction layout = new RdbTransaction()
            .CreateKvs(RdbPath.Root, "pool"u8, RdbKvsClass.Generic)
            .Update(PoolKvs, LabelKey, System.Text.Encoding.UTF8.GetBytes(Pool.Record.Label))
            .Update(PoolKvs, MapKey, Pool.Record.PoolMap.Span)
            .CreateKvs(RdbPath.Root, "handles"u8, RdbKvsClass.Lexical)
            .CreateKvs(RdbPath.Root, "containers"u8, RdbKvsClass.Lexical)
            .CreateKvs(RdbPath.Root, "container-labels"u8, RdbKvsClass.Lexical)
            .CreateKvs(RdbPath.Root, "container-handles"u8, RdbKvsClass.Lexical)
            .CreateKvs(RdbPath.Root, "attributes"u8, RdbKvsClass.Lexical)
            .CreateKvs(RdbPath.Root, "snapshots"u8, RdbKvsClass.Lexical);
        await WriteLayoutAsync(layout, _context.Time, _context.Options.RaftTickInterval);
    }

    private async Task BroadcastAsync(Guid container, Guid handle, Protocol.Containers.ShardEventKind kind)
    {
        var request = new Protocol.Containers.ContainerShardEventRequest(Pool.Uuid, container, handle, kind);
        Task<EmptyMessage>[] sends = Pool.Record.Ranks
            .Select(r => _context.Calls.CallAsync<Protocol.Containers.ContainerShardEventRequest, EmptyMessage>(TransportAddress.Parse(r.Address),
                ProtocolOpcodes.ContainerShardEvent, ProtocolTargets.System, request))
            .ToArray();
        try
        {
            await Task.WhenAll(sends);
        }
        catch (DaosException)
        {
            // A rank that is down starts with an empty handle cache; it re-checks every handle after its restart.
        }
    }
}
