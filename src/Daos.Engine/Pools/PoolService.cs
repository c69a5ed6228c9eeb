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
/// RDB layout: <c>/pool</c> (<c>label</c>, <c>map</c>; <c>record</c>: the pool's <see cref="PoolShardCreateRequest"/> with
/// the current map and rank table, written with every map change), <c>/handles</c> (pool handle → access byte + user),
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
    private static readonly byte[] RecordKey = "record"u8.ToArray();
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

    /// <summary>
    /// Connect: records the client-chosen handle. With an operation key, a connect delivered again after its
    /// call returned (even after a disconnect) answers the recorded reply and connects nothing.
    /// </summary>
    public Task<PoolConnectReply> ConnectAsync(PoolConnectRequest connect, CancellationToken cancellationToken) => SerializeAsync(async () =>
    {
        await EnsureInitializedAsync();
        return await OnceAsync(connect.Key, async () =>
        {
            byte[] value = new byte[1 + System.Text.Encoding.UTF8.GetByteCount(connect.User)];
            value[0] = (byte)connect.Access;
            System.Text.Encoding.UTF8.GetBytes(connect.User, value.AsSpan(1));
            bool connected = await ReadAsync(store => store.Lookup(Handles, Key(connect.Handle), out _) == DaosError.None);
            PoolInfoReply info = await BuildInfoAsync(withSpace: false, cancellationToken);
            info = info with { Handles = info.Handles + (connected ? 0 : 1) }; // as it is once this handle is recorded
            return ((RdbTransaction?)new RdbTransaction().Update(Handles, Key(connect.Handle), value), new PoolConnectReply(info, info.PoolMap, info.Ranks ?? []));
        });
    }, cancellationToken);

    /// <summary>Disconnect: forgets the handle and evicts the container handles opened under it; keyed as connect is.</summary>
    public Task<EmptyMessage> DisconnectAsync(PoolHandleRequest disconnect, CancellationToken cancellationToken) => SerializeAsync(async () =>
    {
        await EnsureInitializedAsync();
        List<(Guid Handle, Guid Container)> evicted = [];
        EmptyMessage reply = await OnceAsync(disconnect.Key, async () =>
        {
            await RequirePoolHandleAsync(disconnect.Handle, write: false);
            evicted = await ReadAsync(store => ContainerHandlesOf(store, poolHandle: disconnect.Handle));
            var transaction = new RdbTransaction().Delete(Handles, Key(disconnect.Handle));
            foreach ((Guid handle, _) in evicted)
            {
                transaction.Delete(ContainerHandles, Key(handle));
            }

            return ((RdbTransaction?)transaction, EmptyMessage.Instance);
        });

        // A replayed disconnect announced its evictions when it first ran (evicted stays empty).
        foreach ((Guid handle, Guid container) in evicted)
        {
            await BroadcastAsync(container, handle, Protocol.Containers.ShardEventKind.HandleClosed);
        }

        return reply;
    }, cancellationToken);

    /// <summary>An engine catching up after a restart: the pool's current record and every container uuid, read linearizably.</summary>
    public async Task<PoolRejoinReply> RejoinAsync(PoolRejoinRequest rejoin)
    {
        EnsureLeader();
        await EnsureInitializedAsync();
        (PoolShardCreateRequest state, Guid[] containers) = await ReadAsync(store => (StateOf(store),
            store.Iterate(Containers).Select(e => new Guid(e.Key.Span, bigEndian: true)).ToArray()));
        if (!state.Ranks.Any(r => r.Rank == rejoin.Rank))
        {
            throw new DaosException(DaosError.NonExistent, $"rank {rejoin.Rank} holds no targets of pool '{state.Label}'");
        }

        return new PoolRejoinReply(state, containers);
    }

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
        (int handles, PoolShardCreateRequest state) = await ReadAsync(store => (store.Iterate(Handles).Count, StateOf(store)));
        return await InfoOfAsync(state, handles, withSpace, cancellationToken);
    }

    /// <summary>The pool's info at <paramref name="state"/> with <paramref name="handles"/> connected (and, with <paramref name="withSpace"/>, each rank's space).</summary>
    private async Task<PoolInfoReply> InfoOfAsync(PoolShardCreateRequest state, int handles, bool withSpace, CancellationToken cancellationToken)
    {
        PoolSpace space = PoolSpace.Zero;
        if (withSpace)
        {
            Task<PoolSpace>[] queries = state.Ranks
                .Select(r => _context.Calls.CallIdempotentAsync<PoolShardQueryRequest, PoolSpace>(TransportAddress.Parse(r.Address),
                    ProtocolOpcodes.PoolShardQuery, ProtocolTargets.System, new PoolShardQueryRequest(Pool.Uuid), _context.Options.ServiceCallAttemptTimeout,
                    cancellationToken))
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

        PoolMap map = PoolMap.Deserialize(state.PoolMap.Span);
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
            disabled = Math.Clamp(Math.Max(disabled, map.Targets.Count - space.Targets), 0, map.Targets.Count);
        }

        return new PoolInfoReply(Pool.Uuid, state.Label, map.Version, map.Targets.Count, disabled, space,
            state.ServiceRanks, IsLeader ? RankOf(Replica.Id) : LeaderRank, handles, state.PoolMap, state.Ranks.Select(r => r.Rank).ToArray());
    }

    /// <summary>
    /// The pool as the service knows it now: the record with the current map and rank table (pool-map rank i is
    /// system rank <c>Ranks[i]</c>). A service written before map changes existed has only the map; the ranks are then
    /// those the pool was created with.
    /// </summary>
    private PoolShardCreateRequest StateOf(RdbStore store)
    {
        if (store.Lookup(PoolKvs, RecordKey, out ReadOnlyMemory<byte> record) == DaosError.None)
        {
            return ProtocolCodec.Decode<PoolShardCreateRequest>(record.ToArray());
        }

        return store.Lookup(PoolKvs, MapKey, out ReadOnlyMemory<byte> map) == DaosError.None
            ? Pool.Record with { PoolMap = map.ToArray() }
            : Pool.Record;
    }

    /// <summary>
    /// Applies a map change in one RDB transaction (the map and the rank table move together), then publishes the
    /// new map to every engine of the pool; engines answer clients holding an older map Stale with this one.
    /// Extending by ranks already in the map (a retried extend) answers the pool as it is. With an operation key the
    /// change is applied once: a retry (through this management leader or a later one) answers the recorded outcome,
    /// so an exclude retried after a reintegrate does not exclude again.
    /// </summary>
    public Task<PoolInfoReply> ChangeMapAsync(PoolServiceMapChangeRequest change, CancellationToken cancellationToken) => SerializeAsync(async () =>
    {
        await EnsureInitializedAsync();
        PoolShardCreateRequest? applied = null;
        PoolInfoReply reply = await OnceAsync(change.Key, async () =>
        {
            (RdbTransaction? transaction, PoolShardCreateRequest? next, PoolInfoReply info) = await PlanMapChangeAsync(change, cancellationToken);
            applied = next;
            return (transaction, info);
        });

        // A replayed change was published when it first ran, or, if its leader fell before that, by the step-up of the
        // leader replaying it; engines that missed both catch up when they rejoin.
        if (applied is not null)
        {
            await PublishAsync(applied);
        }

        return reply;
    }, cancellationToken);

    /// <summary>Plans a map change: the transaction writing the new map and record (null when nothing changes), the new record, and the reply.</summary>
    private async Task<(RdbTransaction? Transaction, PoolShardCreateRequest? Next, PoolInfoReply Reply)> PlanMapChangeAsync(
        PoolServiceMapChangeRequest change, CancellationToken cancellationToken)
    {
        (PoolShardCreateRequest state, int handles) = await ReadAsync(store => (StateOf(store), store.Iterate(Handles).Count));
        PoolMap map = PoolMap.Deserialize(state.PoolMap.Span);
        PoolMap changed;
        IReadOnlyList<RankAddress> ranks = state.Ranks;
        if (change.Kind == PoolMapChangeKind.Extend)
        {
            List<RankAddress> added = [.. change.NewRanks.Where(n => !state.Ranks.Any(r => r.Rank == n.Rank))];
            if (added.Count == 0)
            {
                return (null, null, await InfoOfAsync(state, handles, withSpace: false, cancellationToken));
            }

            if (added.Count != change.NewRanks.Count)
            {
                throw new DaosException(DaosError.InvalidArgument, "some of the ranks to add are already in the pool and some are not");
            }

            changed = map.Extend(added.Count, 1, map.Targets.Count / map.RankCount);
            ranks = [.. state.Ranks, .. added];
        }
        else
        {
            int mapRank = -1;
            for (int i = 0; i < state.Ranks.Count; i++)
            {
                if (state.Ranks[i].Rank == change.Rank)
                {
                    mapRank = i;
                }
            }

            if (mapRank < 0)
            {
                throw new DaosException(DaosError.NonExistent, $"rank {change.Rank} holds no targets of pool '{state.Label}'");
            }

            changed = (change.Kind, change.Target) switch
            {
                (PoolMapChangeKind.Exclude, -1) => map.ExcludeRank(mapRank),
                (PoolMapChangeKind.Exclude, _) => map.Exclude(map.TargetIdOf(mapRank, change.Target)),
                (PoolMapChangeKind.Drain, -1) => map.DrainRank(mapRank),
                (PoolMapChangeKind.Drain, _) => map.Drain(map.TargetIdOf(mapRank, change.Target)),
                (PoolMapChangeKind.Reintegrate, -1) => map.ReintegrateRank(mapRank),
                (PoolMapChangeKind.Reintegrate, _) => map.Reintegrate(map.TargetIdOf(mapRank, change.Target)),
                _ => throw new DaosException(DaosError.InvalidArgument, $"unknown pool map change {change.Kind}"),
            };
        }

        PoolShardCreateRequest next = state with { PoolMap = changed.Serialize().ToArray(), Ranks = ranks };
        RdbTransaction write = new RdbTransaction()
            .Update(PoolKvs, MapKey, next.PoolMap.Span)
            .Update(PoolKvs, RecordKey, ProtocolCodec.EncodeToArray(next));
        return (write, next, await InfoOfAsync(next, handles, withSpace: false, cancellationToken));
    }

    /// <summary>Sends the pool's current map and rank table to every engine of the pool (a rank that is down catches up at the next step-up).</summary>
    private async Task PublishAsync(PoolShardCreateRequest state)
    {
        Task<EmptyMessage>[] sends = state.Ranks
            .Select(r => _context.Calls.CallAsync<PoolShardCreateRequest, EmptyMessage>(TransportAddress.Parse(r.Address),
                ProtocolOpcodes.PoolMapPublish, ProtocolTargets.System, state))
            .ToArray();
        try
        {
            await Task.WhenAll(sends);
        }
        catch (DaosException)
        {
            // Engines that missed it answer with the older map until the next publish; clients holding the newer
            // map are accepted by them as is.
        }
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
            .Update(PoolKvs, RecordKey, ProtocolCodec.EncodeToArray(Pool.Record))
            .CreateKvs(RdbPath.Root, "handles"u8, RdbKvsClass.Lexical)
            .CreateKvs(RdbPath.Root, "containers"u8, RdbKvsClass.Lexical)
            .CreateKvs(RdbPath.Root, "container-labels"u8, RdbKvsClass.Lexical)
            .CreateKvs(RdbPath.Root, "container-handles"u8, RdbKvsClass.Lexical)
            .CreateKvs(RdbPath.Root, "attributes"u8, RdbKvsClass.Lexical)
            .CreateKvs(RdbPath.Root, "snapshots"u8, RdbKvsClass.Lexical);
        await WriteLayoutAsync(layout, _context.Time, _context.Options.RaftTickInterval);

        // A new leader republishes the map, for engines that were down when it last changed.
        try
        {
            if (IsLeader && await ReadAsync(store => store.KvsExists(PoolKvs, out _)))
            {
                await PublishAsync(await ReadAsync(StateOf));
            }
        }
        catch (DaosException)
        {
            // Deposed meanwhile: the next leader publishes.
        }
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
