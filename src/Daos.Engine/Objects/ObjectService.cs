using System.Collections.Concurrent;
using Daos.Engine.Containers;
using Daos.Engine.Engine;
using Daos.Engine.Pools;
using Daos.Engine.Targets;
using Daos.Protocol;
using Daos.Protocol.Containers;
using Daos.Protocol.Objects;
using Daos.Protocol.Pools;
using Daos.Transport;
using Daos.Vos;
using Daos.Vos.Store;

namespace Daos.Engine.Objects;

/// <summary>
/// The object I/O handlers of one engine. Each request names its target in the frame header and runs on that
/// target's executor; before touching VOS it passes four checks, in DAOS's order: the pool is on this engine, the
/// requester's pool map is not older than ours (else Stale with our map), the container handle is open on that
/// container (else NoHandle; writes need a read-write handle), and the object class is one this engine serves (the
/// S classes). Updates and punches without an epoch are stamped with the engine's hybrid logical clock.
/// </summary>
internal sealed class ObjectService(ConcurrentDictionary<Guid, LocalPool> pools, ContainerHandleCache handles, HybridLogicalClock clock)
{
    public void Register(RpcNode node)
    {
        ProtocolHandlers.Register<ObjectUpdateRequest, EpochReply>(node, ProtocolOpcodes.ObjectUpdate, UpdateAsync);
        ProtocolHandlers.Register<ObjectFetchRequest, ObjectFetchReply>(node, ProtocolOpcodes.ObjectFetch, FetchAsync);
        ProtocolHandlers.Register<ObjectPunchRequest, EpochReply>(node, ProtocolOpcodes.ObjectPunch, PunchAsync);
        ProtocolHandlers.Register<ObjectListRequest, ObjectListReply>(node, ProtocolOpcodes.ObjectList, ListAsync);
        ProtocolHandlers.Register<ObjectQueryMaxRequest, ObjectQueryMaxReply>(node, ProtocolOpcodes.ObjectQueryMax, QueryMaxAsync);
    }

    private async ValueTask<EpochReply> UpdateAsync(ObjectUpdateRequest update, RpcRequest request, CancellationToken cancellationToken)
    {
        TargetShard shard = await AdmitAsync(update.Address, request.Target, write: true, cancellationToken);
        Epoch epoch = update.Epoch.Value == 0 ? clock.Now() : clock.Update(update.Epoch);
        ObjectId oid = update.Address.Oid;
        Guid containerId = update.Address.Container;
        DaosException? refused = null;
        ValueTask durable;
        await shard.Gate.WaitAsync(cancellationToken);
        try
        {
            VosContainer container = await shard.GetContainerAsync(containerId);
            if (update.Condition != UpdateCondition.None)
            {
                // Checked for every akey before anything is written, under the shard's gate: all or nothing.
                refused = await CheckConditionAsync(container, oid, update);
            }

            if (refused is not null)
            {
                // The refusal is a read: it must not reply from a change a crash could still take back.
                durable = shard.ReadFence(containerId, oid);
            }
            else
            {
                ulong sequence = 0;
                foreach (IodUpdate iod in update.Iods)
                {
                    sequence = iod.Kind == IodKind.Single
                        ? await container.ApplyUpdateAsync(oid, epoch, update.Dkey, iod.Akey, iod.Data)
                        : await container.ApplyWriteAsync(oid, epoch, update.Dkey, iod.Akey, iod.Index, iod.RecordSize, iod.Data);
                    shard.NoteApplied(containerId, oid, sequence);
                }

                durable = shard.Pool.WaitDurableAsync(sequence);
            }
        }
        finally
        {
            shard.Gate.Release();
        }

        // Group commit: the next updates apply while this one waits for the barrier that covers them all.
        await durable;
        if (refused is not null)
        {
            throw refused;
        }

        return new EpochReply(epoch);
    }

    private static async ValueTask<DaosException?> CheckConditionAsync(VosContainer container, ObjectId oid, ObjectUpdateRequest update)
    {
        foreach (IodUpdate iod in update.Iods)
        {
            bool exists = await ExistsAsync(container, oid, update.Dkey, iod);
            if (update.Condition == UpdateCondition.InsertOnly && exists)
            {
                return new DaosException(DaosError.Exists, "the akey already holds a value (insert-only update)");
            }

            if (update.Condition == UpdateCondition.UpdateOnly && !exists)
            {
                return new DaosException(DaosError.NonExistent, "the akey holds no value (update-only update)");
            }
        }

        return null;
    }

    private async ValueTask<ObjectFetchReply> FetchAsync(ObjectFetchRequest fetch, RpcRequest request, CancellationToken cancellationToken)
    {
        TargetShard shard = await AdmitAsync(fetch.Address, request.Target, write: false, cancellationToken);
        Epoch epoch = ReadEpoch(fetch.Epoch);
        ObjectId oid = fetch.Address.Oid;
        var results = new IodResult[fetch.Iods.Count];
        ValueTask fence;
        await shard.Gate.WaitAsync(cancellationToken);
        try
        {
            VosContainer container = await shard.GetContainerAsync(fetch.Address.Container);
            for (int i = 0; i < results.Length; i++)
            {
                IodFetch iod = fetch.Iods[i];
                if (iod.Kind == IodKind.Single)
                {
                    byte[]? value = await container.FetchAsync(oid, epoch, fetch.Dkey, iod.Akey);
                    results[i] = new IodResult(value is not null, value ?? ReadOnlyMemory<byte>.Empty, []);
                }
                else
                {
                    byte[] buffer = new byte[checked((int)(iod.Count * iod.RecordSize))];
                    ArrayReadResult read = await container.ReadAsync(oid, epoch, fetch.Dkey, iod.Akey, iod.Index, iod.RecordSize, buffer);
                    results[i] = new IodResult(true, buffer.AsMemory(0, read.Length), read.Holes);
                }
            }

            fence = shard.ReadFence(fetch.Address.Container, oid);
        }
        finally
        {
            shard.Gate.Release();
        }

        await fence;
        return new ObjectFetchReply(results);
    }

    private async ValueTask<EpochReply> PunchAsync(ObjectPunchRequest punch, RpcRequest request, CancellationToken cancellationToken)
    {
        TargetShard shard = await AdmitAsync(punch.Address, request.Target, write: true, cancellationToken);
        Epoch epoch = punch.Epoch.Value == 0 ? clock.Now() : clock.Update(punch.Epoch);
        ObjectId oid = punch.Address.Oid;
        ValueTask durable;
        await shard.Gate.WaitAsync(cancellationToken);
        try
        {
            VosContainer container = await shard.GetContainerAsync(punch.Address.Container);
            ulong sequence = punch.Kind switch
            {
                PunchKind.Object => await container.ApplyPunchAsync(RecordKind.ObjectPunch, oid, epoch, default, default),
                PunchKind.Dkey => await container.ApplyPunchAsync(RecordKind.DkeyPunch, oid, epoch, punch.Dkey, default),
                PunchKind.Akey => await container.ApplyPunchAsync(RecordKind.AkeyPunch, oid, epoch, punch.Dkey, punch.Akey),
                _ => await container.ApplyPunchExtentsAsync(oid, epoch, punch.Dkey, punch.Akey, punch.Records),
            };
            shard.NoteApplied(punch.Address.Container, oid, sequence);
            durable = shard.Pool.WaitDurableAsync(sequence);
        }
        finally
        {
            shard.Gate.Release();
        }

        await durable;
        return new EpochReply(epoch);
    }

    private async ValueTask<ObjectListReply> ListAsync(ObjectListRequest list, RpcRequest request, CancellationToken cancellationToken)
    {
        TargetShard shard = await AdmitAsync(list.Address, request.Target, write: false, cancellationToken);
        Epoch epoch = ReadEpoch(list.Epoch);
        ObjectId oid = list.Address.Oid;
        ObjectListReply reply;
        ValueTask fence;
        await shard.Gate.WaitAsync(cancellationToken);
        try
        {
            VosContainer container = await shard.GetContainerAsync(list.Address.Container);
            reply = await ListUnderGateAsync(container, list, oid, epoch);
            fence = shard.ReadFence(list.Address.Container, oid);
        }
        finally
        {
            shard.Gate.Release();
        }

        await fence;
        return reply;
    }

    private static async ValueTask<ObjectListReply> ListUnderGateAsync(VosContainer container, ObjectListRequest list, ObjectId oid, Epoch epoch)
    {
        if (list.Kind == ListKind.Extents)
        {
            var extents = new List<Extent>();
            bool complete = true;
            await foreach (Extent extent in container.ListExtentsAsync(oid, epoch, list.Dkey, list.Akey))
            {
                if (extent.Index < list.FromIndex)
                {
                    continue;
                }

                if (extents.Count == list.PageSize)
                {
                    complete = false;
                    break;
                }

                extents.Add(extent);
            }

            return new ObjectListReply([], extents, complete);
        }

        // Pages resume after the last key returned, in byte order, so a key punched between pages cannot lose the place.
        var keys = new List<byte[]>();
        IAsyncEnumerable<byte[]> source = list.Kind == ListKind.Dkeys
            ? container.ListDkeysAsync(oid, epoch)
            : container.ListAkeysAsync(oid, epoch, list.Dkey);
        await foreach (byte[] key in source)
        {
            if (list.AfterKey.IsEmpty || key.AsSpan().SequenceCompareTo(list.AfterKey.Span) > 0)
            {
                keys.Add(key);
            }
        }

        keys.Sort(static (a, b) => a.AsSpan().SequenceCompareTo(b));
        int count = Math.Min(keys.Count, list.PageSize);
        var page = new ReadOnlyMemory<byte>[count];
        for (int i = 0; i < count; i++)
        {
            page[i] = keys[i];
        }

        return new ObjectListReply(page, [], count == keys.Count);
    }

    private async ValueTask<ObjectQueryMaxReply> QueryMaxAsync(ObjectQueryMaxRequest query, RpcRequest request, CancellationToken cancellationToken)
    {
        TargetShard shard = await AdmitAsync(query.Address, request.Target, write: false, cancellationToken);
        long? max;
        ValueTask fence;
        await shard.Gate.WaitAsync(cancellationToken);
        try
        {
            VosContainer container = await shard.GetContainerAsync(query.Address.Container);
            max = await container.QueryMaxIndexAsync(query.Address.Oid, ReadEpoch(query.Epoch), query.Dkey, query.Akey);
            fence = shard.ReadFence(query.Address.Container, query.Address.Oid);
        }
        finally
        {
            shard.Gate.Release();
        }

        await fence;
        return new ObjectQueryMaxReply(max.HasValue, max ?? 0);
    }

    private static Epoch ReadEpoch(Epoch requested) => requested.Value == 0 ? Epoch.Max : requested;

    private static async ValueTask<bool> ExistsAsync(VosContainer container, ObjectId oid, ReadOnlyMemory<byte> dkey, IodUpdate iod)
    {
        if (iod.Kind == IodKind.Single)
        {
            return await container.FetchAsync(oid, Epoch.Max, dkey, iod.Akey) is not null;
        }

        return await container.QueryMaxIndexAsync(oid, Epoch.Max, dkey, iod.Akey) is not null;
    }

    private async ValueTask<TargetShard> AdmitAsync(ObjectAddress address, uint target, bool write, CancellationToken cancellationToken)
    {
        if (!pools.TryGetValue(address.Pool, out LocalPool? pool))
        {
            throw new DaosException(DaosError.NonExistent, $"pool {address.Pool} has no shard on this engine");
        }

        if (target >= (uint)pool.Shards.Length)
        {
            throw new DaosException(DaosError.BadTarget, $"target {target} does not exist on this engine ({pool.Shards.Length} targets)");
        }

        if (address.MapVersion < pool.Map.Version)
        {
            throw new StaleMapException($"pool map version {address.MapVersion} is older than {pool.Map.Version}", pool.MapBytes);
        }

        if (pool.IsExcluded((int)target))
        {
            throw new DaosException(DaosError.Excluded, $"target {target} of rank {pool.Rank} is excluded from pool {address.Pool} (map version {pool.Map.Version})");
        }

        ContainerHandleCheckReply handle = await handles.CheckAsync(pool, address.ContainerHandle, cancellationToken);
        if (handle.Container != address.Container)
        {
            throw new DaosException(DaosError.NoHandle, $"handle {address.ContainerHandle} was opened on another container");
        }

        if (write && handle.Access != HandleAccess.ReadWrite)
        {
            throw new DaosException(DaosError.NoPermission, "the container handle is read-only");
        }

        ObjectClass objectClass = address.Oid.Class;
        if (objectClass.IsUnknown || objectClass.Redundancy != RedundancyKind.None)
        {
            throw new DaosException(DaosError.Unsupported, $"object class {objectClass} is not served yet (S classes only)");
        }

        return pool.Shards[target];
    }
}
