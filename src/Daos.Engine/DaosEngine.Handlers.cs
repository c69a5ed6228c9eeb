using Daos.Engine.Engine;
using Daos.Engine.Management;
using Daos.Engine.Objects;
using Daos.Engine.Pools;
using Daos.Engine.Targets;
using Daos.Placement;
using Daos.Protocol;
using Daos.Protocol.Containers;
using Daos.Protocol.Management;
using Daos.Protocol.Pools;
using Daos.Vos;

namespace Daos.Engine;

/// <summary>The engine's protocol handlers: which service answers each opcode.</summary>
public sealed partial class DaosEngine
{
    private void RegisterHandlers()
    {
        new ObjectService(_pools, _handles, _context.Clock).Register(_rpc);

        // Management: only the management ranks serve it; others point at the first of them.
        ProtocolHandlers.Register<SystemJoinRequest, EmptyMessage>(_rpc, ProtocolOpcodes.SystemJoin, (r, _, ct) => new(Management.JoinAsync(r, ct)));
        ProtocolHandlers.Register<EmptyMessage, SystemQueryReply>(_rpc, ProtocolOpcodes.SystemQuery, (_, _, _) => new(Management.QueryAsync()));
        ProtocolHandlers.Register<PoolCreateRequest, PoolInfoReply>(_rpc, ProtocolOpcodes.PoolCreate, (r, _, ct) => new(Management.CreatePoolAsync(r, ct)));
        ProtocolHandlers.Register<PoolDestroyRequest, EmptyMessage>(_rpc, ProtocolOpcodes.PoolDestroy, (r, _, ct) => new(Management.DestroyPoolAsync(r, ct)));
        ProtocolHandlers.Register<EmptyMessage, PoolListReply>(_rpc, ProtocolOpcodes.PoolList, (_, _, _) => new(Management.ListAsync()));
        ProtocolHandlers.Register<PoolLookupRequest, PoolLocation>(_rpc, ProtocolOpcodes.PoolLookup, (r, _, _) => new(Management.LookupAsync(r.LabelOrUuid)));
        ProtocolHandlers.Register<PoolMapChangeRequest, PoolInfoReply>(_rpc, ProtocolOpcodes.PoolMapChange, (r, _, ct) => new(Management.ChangePoolMapAsync(r, ct)));

        // Engine control: every engine.
        ProtocolHandlers.Register<PoolShardCreateRequest, EmptyMessage>(_rpc, ProtocolOpcodes.PoolShardCreate, (r, _, _) => new(CreateShardsAsync(r)));
        ProtocolHandlers.Register<PoolShardDestroyRequest, EmptyMessage>(_rpc, ProtocolOpcodes.PoolShardDestroy, (r, _, _) => new(DestroyShardsAsync(r.Uuid, r.FencingToken)));
        ProtocolHandlers.Register<PoolShardCreateRequest, EmptyMessage>(_rpc, ProtocolOpcodes.PoolMapPublish, (r, _, _) => new(AdoptMapAsync(r)));
        ProtocolHandlers.Register<PoolShardQueryRequest, PoolSpace>(_rpc, ProtocolOpcodes.PoolShardQuery, (r, _, ct) => new(QueryShardsAsync(r.Uuid, ct)));
        ProtocolHandlers.Register<ContainerShardEventRequest, EmptyMessage>(_rpc, ProtocolOpcodes.ContainerShardEvent, (r, _, _) => new(OnShardEventAsync(r)));

        // Pool and container services: the pool's service replicas.
        ProtocolHandlers.Register<PoolConnectRequest, PoolConnectReply>(_rpc, ProtocolOpcodes.PoolConnect, (r, _, ct) => new(ServiceOf(r.Pool).ConnectAsync(r, ct)));
        ProtocolHandlers.Register<PoolHandleRequest, EmptyMessage>(_rpc, ProtocolOpcodes.PoolDisconnect, (r, _, ct) => new(ServiceOf(r.Pool).DisconnectAsync(r, ct)));
        ProtocolHandlers.Register<PoolHandleRequest, PoolInfoReply>(_rpc, ProtocolOpcodes.PoolQuery, (r, _, ct) => new(ServiceOf(r.Pool).QueryAsync(r, ct)));
        ProtocolHandlers.Register<PoolServiceMapChangeRequest, PoolInfoReply>(_rpc, ProtocolOpcodes.PoolServiceMapChange, (r, _, ct) => new(ServiceOf(r.Pool).ChangeMapAsync(r, ct)));
        ProtocolHandlers.Register<PoolRejoinRequest, PoolRejoinReply>(_rpc, ProtocolOpcodes.PoolRejoin, (r, _, _) => new(ServiceOf(r.Pool).RejoinAsync(r)));
        ProtocolHandlers.Register<ContainerCreateRequest, ContainerInfoReply>(_rpc, ProtocolOpcodes.ContainerCreate, (r, _, ct) => new(ServiceOf(r.Pool).CreateContainerAsync(r, ct)));
        ProtocolHandlers.Register<ContainerOpenRequest, ContainerInfoReply>(_rpc, ProtocolOpcodes.ContainerOpen, (r, _, ct) => new(ServiceOf(r.Pool).OpenContainerAsync(r, ct)));
        ProtocolHandlers.Register<ContainerHandleRequest, EmptyMessage>(_rpc, ProtocolOpcodes.ContainerClose, (r, _, ct) => new(ServiceOf(r.Pool).CloseContainerAsync(r, ct)));
        ProtocolHandlers.Register<ContainerDestroyRequest, EmptyMessage>(_rpc, ProtocolOpcodes.ContainerDestroy, (r, _, ct) => new(ServiceOf(r.Pool).DestroyContainerAsync(r, ct)));
        ProtocolHandlers.Register<PoolHandleRequest, ContainerListReply>(_rpc, ProtocolOpcodes.ContainerList, (r, _, _) => new(ServiceOf(r.Pool).ListContainersAsync(r)));
        ProtocolHandlers.Register<ContainerHandleRequest, ContainerInfoReply>(_rpc, ProtocolOpcodes.ContainerQuery, (r, _, _) => new(ServiceOf(r.Pool).QueryContainerAsync(r)));
        ProtocolHandlers.Register<ContainerSetPropertiesRequest, ContainerInfoReply>(_rpc, ProtocolOpcodes.ContainerSetProperties, (r, _, ct) => new(ServiceOf(r.Pool).SetPropertiesAsync(r, ct)));
        ProtocolHandlers.Register<ContainerAttributeRequest, ContainerAttributeReply>(_rpc, ProtocolOpcodes.ContainerAttribute, (r, _, ct) => new(ServiceOf(r.Pool).AttributeAsync(r, ct)));
        ProtocolHandlers.Register<ContainerSnapshotRequest, ContainerSnapshotReply>(_rpc, ProtocolOpcodes.ContainerSnapshot, (r, _, ct) => new(ServiceOf(r.Pool).SnapshotAsync(r, ct)));
        ProtocolHandlers.Register<ContainerAllocateOidsRequest, ContainerAllocateOidsReply>(_rpc, ProtocolOpcodes.ContainerAllocateOids, (r, _, ct) => new(ServiceOf(r.Pool).AllocateOidsAsync(r, ct)));
        ProtocolHandlers.Register<ContainerHandleRequest, ContainerHandleCheckReply>(_rpc, ProtocolOpcodes.ContainerHandleCheck, (r, _, _) => new(ServiceOf(r.Pool).CheckHandleAsync(r)));
    }

    private ManagementService Management => _management
        ?? throw new NotLeaderException($"rank {Rank} runs no management replica", _options.ManagementReplicas.Keys.Min());

    private PoolService ServiceOf(Guid pool)
    {
        if (!_pools.TryGetValue(pool, out LocalPool? local))
        {
            throw new DaosException(DaosError.NonExistent, $"pool {pool} has no shard on rank {Rank}");
        }

        return local.Service ?? throw new NotLeaderException($"rank {Rank} runs no replica of pool {pool}'s service", local.Record.ServiceRanks[0]);
    }

    /// <summary>
    /// Creates this rank's shards of a pool, fenced: a create whose token (its management leader's term) is below the
    /// highest this engine has seen for the pool is refused NotLeader, so a deposed leader's late create cannot bring
    /// back shards its successor rolled back. The token is kept in the registry with the new pool.
    /// </summary>
    private async Task<EmptyMessage> CreateShardsAsync(PoolShardCreateRequest request)
    {
        if (PoolMapRankIndex(request) < 0)
        {
            throw new DaosException(DaosError.InvalidArgument, $"rank {Rank} is not one of pool {request.Uuid}'s ranks");
        }

        ulong token = request.FencingToken;
        PoolShardCreateRequest record = request with { FencingToken = 0 };
        await _shardGate.WaitAsync();
        try
        {
            bool raises = _registry!.Admit(record.Uuid, token);
            if (_pools.TryGetValue(record.Uuid, out LocalPool? existing))
            {
                if (SamePool(existing.Record, record))
                {
                    if (raises)
                    {
                        _registry.Add(existing.Record, token);
                    }

                    return EmptyMessage.Instance; // a retried create (or an extend retried on a rank that has its shards)
                }

                // Left by a create that never committed and was planned again (another service channel): replace it.
                _pools.TryRemove(record.Uuid, out _);
                _handles.ForgetPool(record.Uuid);
                await ClosePoolAsync(existing, checkpoint: false);
                _registry!.Remove(record.Uuid);
                _options.Storage.DeleteDirectory(record.Uuid.ToString());
            }

            LocalPool? pool = null;
            try
            {
                pool = await OpenPoolAsync(record, create: true);
                _registry.Add(record, token);
            }
            catch
            {
                if (pool is not null)
                {
                    _pools.TryRemove(record.Uuid, out _);
                    await ClosePoolAsync(pool, checkpoint: false);
                }

                _options.Storage.DeleteDirectory(record.Uuid.ToString());
                throw;
            }

            return EmptyMessage.Instance;
        }
        finally
        {
            _shardGate.Release();
        }
    }

    /// <summary>Destroys this rank's shards of a pool (idempotent), fenced as <see cref="CreateShardsAsync"/> is.</summary>
    private async Task<EmptyMessage> DestroyShardsAsync(Guid uuid, ulong token)
    {
        await _shardGate.WaitAsync();
        try
        {
            _registry!.Admit(uuid, token);
            if (_pools.TryRemove(uuid, out LocalPool? pool))
            {
                await ClosePoolAsync(pool, checkpoint: false);
            }

            _handles.ForgetPool(uuid);
            _registry.Remove(uuid, token);
            _options.Storage.DeleteDirectory(uuid.ToString());
            return EmptyMessage.Instance;
        }
        finally
        {
            _shardGate.Release();
        }
    }

    /// <summary>Whether two records name the same pool incarnation (map and ranks may have moved on since).</summary>
    private static bool SamePool(PoolShardCreateRequest held, PoolShardCreateRequest asked) =>
        held.Uuid == asked.Uuid && held.Label == asked.Label && held.ServiceGroupId == asked.ServiceGroupId && held.RaftOpcode == asked.RaftOpcode
        && held.ScmBytesPerTarget == asked.ScmBytesPerTarget && held.NvmeBytesPerTarget == asked.NvmeBytesPerTarget
        && held.ServiceRanks.SequenceEqual(asked.ServiceRanks);

    /// <summary>
    /// A pool service published the pool's map: adopted (and remembered in the registry, so a restart serves it) when
    /// newer than the one held, with the rank table that came with it.
    /// </summary>
    private async Task<EmptyMessage> AdoptMapAsync(PoolShardCreateRequest published)
    {
        PoolMap map = PoolMap.Deserialize(published.PoolMap.Span);
        await _shardGate.WaitAsync();
        try
        {
            if (!_pools.TryGetValue(published.Uuid, out LocalPool? pool))
            {
                throw new DaosException(DaosError.NonExistent, $"pool {published.Uuid} has no shard on rank {Rank}");
            }

            if (!SamePool(pool.Record, published) || PoolMapRankIndex(published) < 0)
            {
                throw new DaosException(DaosError.InvalidArgument, $"the map published for pool {published.Uuid} belongs to another incarnation or omits rank {Rank}");
            }

            if (map.Version > pool.Map.Version)
            {
                _registry!.Add(published);
                pool.Adopt(published, map);
            }

            return EmptyMessage.Instance;
        }
        finally
        {
            _shardGate.Release();
        }
    }

    private async Task<PoolSpace> QueryShardsAsync(Guid uuid, CancellationToken cancellationToken)
    {
        if (!_pools.TryGetValue(uuid, out LocalPool? pool))
        {
            throw new DaosException(DaosError.NonExistent, $"pool {uuid} has no shard on rank {Rank}");
        }

        PoolSpace total = PoolSpace.Zero;
        foreach (TargetShard shard in pool.Shards)
        {
            VosSpace space = await shard.ReadPoolAsync(static vos => vos.QuerySpace(), cancellationToken);
            total = total.Add(new PoolSpace(space.HeapTotalBytes, space.HeapFreeBytes, space.BlobTotalBytes, space.BlobFreeBytes, 1));
        }

        return total;
    }

    private async Task<EmptyMessage> OnShardEventAsync(ContainerShardEventRequest shardEvent)
    {
        if (shardEvent.Kind == ShardEventKind.HandleClosed)
        {
            _handles.Forget(shardEvent.Pool, shardEvent.Handle);
            return EmptyMessage.Instance;
        }

        _handles.ForgetContainer(shardEvent.Pool, shardEvent.Container);
        if (_pools.TryGetValue(shardEvent.Pool, out LocalPool? pool))
        {
            foreach (TargetShard shard in pool.Shards)
            {
                await shard.DestroyContainerAsync(shardEvent.Container);
            }
        }

        return EmptyMessage.Instance;
    }

    private int PoolMapRankIndex(PoolShardCreateRequest record)
    {
        for (int i = 0; i < record.Ranks.Count; i++)
        {
            if (record.Ranks[i].Rank == Rank)
            {
                return i;
            }
        }

        return -1;
    }
}
