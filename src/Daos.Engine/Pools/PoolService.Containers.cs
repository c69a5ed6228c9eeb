using System.Buffers.Binary;
using System.Text;
using Daos.Engine.Engine;
using Daos.Engine.Rdb;
using Daos.Protocol;
using Daos.Protocol.Containers;
using Daos.Protocol.Pools;

namespace Daos.Engine.Pools;

/// <summary>The container service: containers, their handles, properties, attributes, snapshots and object id ranges.</summary>
internal sealed partial class PoolService
{
    private static readonly RdbPath Containers = RdbPath.Root.Append("containers");
    private static readonly RdbPath ContainerLabels = RdbPath.Root.Append("container-labels");
    private static readonly RdbPath ContainerHandles = RdbPath.Root.Append("container-handles");
    private static readonly RdbPath Attributes = RdbPath.Root.Append("attributes");
    private static readonly RdbPath Snapshots = RdbPath.Root.Append("snapshots");

    /// <summary>The first object id number handed out (lower ones are reserved, as DAOS reserves some for itself).</summary>
    public const ulong FirstObjectNumber = 1;

    /// <summary>The default checksum chunk size (DAOS's 32 KiB).</summary>
    public const ulong ChunkSizeDefault = 32 * 1024;

    public Task<ContainerInfoReply> CreateContainerAsync(ContainerCreateRequest create, CancellationToken cancellationToken) => SerializeAsync(async () =>
    {
        await EnsureInitializedAsync();
        await RequirePoolHandleAsync(create.PoolHandle, write: true);
        if (create.Uuid == Guid.Empty)
        {
            throw new DaosException(DaosError.InvalidArgument, "a container needs a uuid");
        }

        ContainerProperty[] properties = MergeProperties(Defaults(), create.Properties);
        string label = TextOf(properties, ContainerPropertyId.Label);
        Labels.Validate(label, "container");
        byte[] uuidKey = Key(create.Uuid);
        byte[] labelKey = Encoding.UTF8.GetBytes(label);
        (byte[]? recorded, byte[]? labelOwner) = await ReadAsync(store => (
            store.Lookup(Containers, uuidKey, out ReadOnlyMemory<byte> r) == DaosError.None ? r.ToArray() : null,
            store.Lookup(ContainerLabels, labelKey, out ReadOnlyMemory<byte> l) == DaosError.None ? l.ToArray() : null));
        if (recorded is not null)
        {
            // The client chose the uuid: a create retried after an uncertain outcome answers the container it made.
            ContainerInfoReply existing = ProtocolCodec.Decode<ContainerInfoReply>(recorded);
            if (existing.Label != label || !SameProperties(existing.Properties, properties))
            {
                throw new DaosException(DaosError.Exists, $"container {create.Uuid} exists with another label or other properties");
            }

            return await DescribeAsync(existing);
        }

        if (labelOwner is not null)
        {
            throw new DaosException(DaosError.Exists, $"a container labelled '{label}' exists");
        }

        await _context.StepReachedAsync(ServiceStep.ContainerCreateChecked, create.Uuid);
        var record = new ContainerInfoReply(create.Uuid, label, properties, 0, 0, FirstObjectNumber);
        await WriteAsync(new RdbTransaction()
            .Update(Containers, uuidKey, ProtocolCodec.EncodeToArray(record))
            .Update(ContainerLabels, labelKey, uuidKey)
            .CreateKvs(Attributes, uuidKey, RdbKvsClass.Lexical)
            .CreateKvs(Snapshots, uuidKey, RdbKvsClass.Integer));
        await _context.StepReachedAsync(ServiceStep.ContainerCreateRecordWritten, create.Uuid);
        return record;
    }, cancellationToken);

    private static bool SameProperties(IReadOnlyList<ContainerProperty> a, ContainerProperty[] b) =>
        a.Count == b.Length && a.OrderBy(p => p.Id).SequenceEqual(b.OrderBy(p => p.Id));

    /// <summary>
    /// Open: records the client-chosen handle. With an operation key, an open delivered again after its call returned
    /// (even after the handle was closed) answers the recorded reply and opens nothing.
    /// </summary>
    public Task<ContainerInfoReply> OpenContainerAsync(ContainerOpenRequest open, CancellationToken cancellationToken) => SerializeAsync(async () =>
    {
        await EnsureInitializedAsync();
        return await OnceAsync(open.Key, async () =>
        {
            await RequirePoolHandleAsync(open.PoolHandle, write: open.Access == HandleAccess.ReadWrite);
            ContainerInfoReply record = await FindContainerAsync(open.LabelOrUuid);
            byte[] value = new byte[16 + 1 + 16];
            Key(record.Uuid).CopyTo(value, 0);
            value[16] = (byte)open.Access;
            Key(open.PoolHandle).CopyTo(value, 17);
            bool opened = await ReadAsync(store => store.Lookup(ContainerHandles, Key(open.Handle), out _) == DaosError.None);
            ContainerInfoReply described = await DescribeAsync(record);
            described = described with { Handles = described.Handles + (opened ? 0 : 1) }; // as it is once this handle is recorded
            return ((RdbTransaction?)new RdbTransaction().Update(ContainerHandles, Key(open.Handle), value), described);
        });
    }, cancellationToken);

    /// <summary>Close: forgets the handle and tells every engine; keyed as open is (a retried close answers success once more).</summary>
    public Task<EmptyMessage> CloseContainerAsync(ContainerHandleRequest close, CancellationToken cancellationToken) => SerializeAsync(async () =>
    {
        await EnsureInitializedAsync();
        Guid closed = Guid.Empty;
        EmptyMessage reply = await OnceAsync(close.Key, async () =>
        {
            ContainerHandleCheckReply handle = await RequireContainerHandleAsync(close.Handle, write: false);
            closed = handle.Container;
            return ((RdbTransaction?)new RdbTransaction().Delete(ContainerHandles, Key(close.Handle)), EmptyMessage.Instance);
        });

        // A replayed close announced itself when it first ran.
        if (closed != Guid.Empty)
        {
            await BroadcastAsync(closed, close.Handle, ShardEventKind.HandleClosed);
        }

        return reply;
    }, cancellationToken);

    public Task<EmptyMessage> DestroyContainerAsync(ContainerDestroyRequest destroy, CancellationToken cancellationToken) => SerializeAsync(async () =>
    {
        await EnsureInitializedAsync();
        await RequirePoolHandleAsync(destroy.PoolHandle, write: true);
        Guid destroyed = Guid.Empty;
        EmptyMessage reply = await OnceAsync(destroy.Key, async () =>
        {
            ContainerInfoReply record = await FindContainerAsync(destroy.LabelOrUuid);
            List<(Guid Handle, Guid Container)> open = await ReadAsync(store => ContainerHandlesOf(store, container: record.Uuid));
            if (open.Count > 0 && !destroy.Force)
            {
                throw new DaosException(DaosError.Busy, $"container '{record.Label}' has {open.Count} open handles (destroy with force to evict them)");
            }

            byte[] uuidKey = Key(record.Uuid);
            var transaction = new RdbTransaction()
                .Delete(Containers, uuidKey)
                .Delete(ContainerLabels, Encoding.UTF8.GetBytes(record.Label))
                .DestroyKvs(Attributes, uuidKey)
                .DestroyKvs(Snapshots, uuidKey);
            foreach ((Guid handle, _) in open)
            {
                transaction.Delete(ContainerHandles, Key(handle));
            }

            destroyed = record.Uuid;
            return ((RdbTransaction?)transaction, EmptyMessage.Instance);
        });

        // A replayed destroy announced its container when it first ran.
        if (destroyed != Guid.Empty)
        {
            await BroadcastAsync(destroyed, Guid.Empty, ShardEventKind.ContainerDestroyed);
        }

        return reply;
    }, cancellationToken);

    public async Task<ContainerListReply> ListContainersAsync(PoolHandleRequest list)
    {
        EnsureLeader();
        await EnsureInitializedAsync();
        await RequirePoolHandleAsync(list.Handle, write: false);
        ContainerInfoReply[] records = await ReadAsync(store =>
        {
            IReadOnlyList<RdbEntry> entries = store.Iterate(Containers);
            var result = new ContainerInfoReply[entries.Count];
            for (int i = 0; i < result.Length; i++)
            {
                result[i] = ProtocolCodec.Decode<ContainerInfoReply>(entries[i].Value.ToArray());
            }

            return result;
        });
        Array.Sort(records, static (a, b) => string.CompareOrdinal(a.Label, b.Label));
        return new ContainerListReply(records);
    }

    public async Task<ContainerInfoReply> QueryContainerAsync(ContainerHandleRequest query)
    {
        EnsureLeader();
        await EnsureInitializedAsync();
        ContainerHandleCheckReply handle = await RequireContainerHandleAsync(query.Handle, write: false);
        return await DescribeAsync(await FindContainerAsync(handle.Container.ToString()));
    }

    public Task<ContainerInfoReply> SetPropertiesAsync(ContainerSetPropertiesRequest set, CancellationToken cancellationToken) => SerializeAsync(async () =>
    {
        await EnsureInitializedAsync();
        ContainerHandleCheckReply handle = await RequireContainerHandleAsync(set.Handle, write: true);
        return await OnceAsync(set.Key, async () =>
        {
            ContainerInfoReply record = await FindContainerAsync(handle.Container.ToString());
            ContainerProperty[] properties = MergeProperties(record.Properties, set.Properties);
            string label = TextOf(properties, ContainerPropertyId.Label);
            var transaction = new RdbTransaction();
            if (label != record.Label)
            {
                Labels.Validate(label, "container");
                byte[] newLabel = Encoding.UTF8.GetBytes(label);
                if (await ReadAsync(store => store.Lookup(ContainerLabels, newLabel, out _) == DaosError.None))
                {
                    throw new DaosException(DaosError.Exists, $"a container labelled '{label}' exists");
                }

                transaction.Delete(ContainerLabels, Encoding.UTF8.GetBytes(record.Label)).Update(ContainerLabels, newLabel, Key(record.Uuid));
            }

            ContainerInfoReply updated = record with { Label = label, Properties = properties };
            return ((RdbTransaction?)transaction.Update(Containers, Key(record.Uuid), ProtocolCodec.EncodeToArray(updated)), await DescribeAsync(updated));
        });
    }, cancellationToken);

    public Task<ContainerAttributeReply> AttributeAsync(ContainerAttributeRequest request, CancellationToken cancellationToken) => SerializeAsync(async () =>
    {
        await EnsureInitializedAsync();
        bool write = request.Operation is AttributeOperation.Set or AttributeOperation.Delete;
        ContainerHandleCheckReply handle = await RequireContainerHandleAsync(request.Handle, write);
        RdbPath path = Attributes.Append(Key(handle.Container));
        byte[] name = Encoding.UTF8.GetBytes(request.Name);
        switch (request.Operation)
        {
            case AttributeOperation.Set:
                return await OnceAsync(request.Key, () => Task.FromResult<(RdbTransaction?, ContainerAttributeReply)>(
                    (new RdbTransaction().Update(path, name, request.Value.Span), new ContainerAttributeReply(true, ReadOnlyMemory<byte>.Empty, []))));
            case AttributeOperation.Get:
                byte[]? value = await ReadAsync(store => store.Lookup(path, name, out ReadOnlyMemory<byte> found) == DaosError.None ? found.ToArray() : null);
                return new ContainerAttributeReply(value is not null, value ?? ReadOnlyMemory<byte>.Empty, []);
            case AttributeOperation.List:
                string[] names = await ReadAsync(store => store.Iterate(path).Select(e => Encoding.UTF8.GetString(e.Key.Span)).ToArray());
                return new ContainerAttributeReply(false, ReadOnlyMemory<byte>.Empty, names);
            default:
                return await OnceAsync(request.Key, async () =>
                {
                    if (!await ReadAsync(store => store.Lookup(path, name, out _) == DaosError.None))
                    {
                        throw new DaosException(DaosError.NonExistent, $"no attribute '{request.Name}'");
                    }

                    return ((RdbTransaction?)new RdbTransaction().Delete(path, name), new ContainerAttributeReply(true, ReadOnlyMemory<byte>.Empty, []));
                });
        }
    }, cancellationToken);

    public Task<ContainerSnapshotReply> SnapshotAsync(ContainerSnapshotRequest request, CancellationToken cancellationToken) => SerializeAsync(async () =>
    {
        await EnsureInitializedAsync();
        bool write = request.Operation != SnapshotOperation.List;
        ContainerHandleCheckReply handle = await RequireContainerHandleAsync(request.Handle, write);
        RdbPath path = Snapshots.Append(Key(handle.Container));
        byte[] key = new byte[8];
        switch (request.Operation)
        {
            case SnapshotOperation.Create:
                // Past every epoch the client saw acknowledged, so the snapshot holds all of its writes.
                if (request.Epoch.IsValidForUpdate)
                {
                    _context.Clock.Update(request.Epoch);
                }

                return await OnceAsync(request.Key, () =>
                {
                    Epoch epoch = _context.Clock.Now();
                    BinaryPrimitives.WriteUInt64LittleEndian(key, epoch.Value);
                    return Task.FromResult<(RdbTransaction?, ContainerSnapshotReply)>(
                        (new RdbTransaction().Update(path, key, Encoding.UTF8.GetBytes(request.Name)), new ContainerSnapshotReply([new SnapshotEntry(epoch, request.Name)])));
                });
            case SnapshotOperation.List:
                SnapshotEntry[] all = await ReadAsync(store => store.Iterate(path)
                    .Select(e => new SnapshotEntry(new Epoch(BinaryPrimitives.ReadUInt64LittleEndian(e.Key.Span)), Encoding.UTF8.GetString(e.Value.Span)))
                    .ToArray());
                return new ContainerSnapshotReply(all);
            default:
                BinaryPrimitives.WriteUInt64LittleEndian(key, request.Epoch.Value);
                return await OnceAsync(request.Key, async () =>
                {
                    if (!await ReadAsync(store => store.Lookup(path, key, out _) == DaosError.None))
                    {
                        throw new DaosException(DaosError.NonExistent, $"no snapshot at epoch {request.Epoch}");
                    }

                    return ((RdbTransaction?)new RdbTransaction().Delete(path, key), new ContainerSnapshotReply([]));
                });
        }
    }, cancellationToken);

    /// <summary>
    /// Reserves <c>Count</c> object id numbers by moving the container's counter. With an operation key a retry
    /// answers the range the call reserved (a lost reply costs no second range, and two callers never share one).
    /// </summary>
    public Task<ContainerAllocateOidsReply> AllocateOidsAsync(ContainerAllocateOidsRequest request, CancellationToken cancellationToken) => SerializeAsync(async () =>
    {
        await EnsureInitializedAsync();
        return await OnceAsync(request.Key, async () =>
        {
            ContainerHandleCheckReply handle = await RequireContainerHandleAsync(request.Handle, write: false);
            ContainerInfoReply record = await FindContainerAsync(handle.Container.ToString());
            ulong first = record.NextOid;
            if (first > ulong.MaxValue - (ulong)request.Count)
            {
                throw new DaosException(DaosError.NoSpace, "the container's object id space is exhausted");
            }

            return ((RdbTransaction?)new RdbTransaction().Update(Containers, Key(record.Uuid),
                ProtocolCodec.EncodeToArray(record with { NextOid = first + (ulong)request.Count })), new ContainerAllocateOidsReply(first));
        });
    }, cancellationToken);

    public async Task<ContainerHandleCheckReply> CheckHandleAsync(ContainerHandleRequest request)
    {
        EnsureLeader();
        await EnsureInitializedAsync();
        return await RequireContainerHandleAsync(request.Handle, write: false);
    }

    private static ContainerProperty[] Defaults() =>
    [
        new(ContainerPropertyId.Label, 0, ""),
        new(ContainerPropertyId.Type, 0, ""),
        new(ContainerPropertyId.RedundancyFactor, 0, ""),
        new(ContainerPropertyId.ObjectClass, 0, ""),
        new(ContainerPropertyId.Checksum, 0, ""),
        new(ContainerPropertyId.ChunkSize, ChunkSizeDefault, ""),
        new(ContainerPropertyId.ServerVerify, 0, ""),
        new(ContainerPropertyId.Acl, 0, ""),
    ];

    private static ContainerProperty[] MergeProperties(IReadOnlyList<ContainerProperty> current, IReadOnlyList<ContainerProperty> changes)
    {
        ContainerProperty[] merged = [.. current];
        foreach (ContainerProperty change in changes)
        {
            Validate(change);
            int index = Array.FindIndex(merged, p => p.Id == change.Id);
            if (index < 0)
            {
                merged = [.. merged, change];
            }
            else
            {
                merged[index] = change;
            }
        }

        return merged;
    }

    private static void Validate(ContainerProperty property)
    {
        switch (property.Id)
        {
            case ContainerPropertyId.RedundancyFactor when property.Number > 4:
                throw new DaosException(DaosError.InvalidArgument, $"redundancy factor {property.Number} is outside 0..4");
            case ContainerPropertyId.ObjectClass when property.Number != 0:
                if (property.Number > uint.MaxValue)
                {
                    throw new DaosException(DaosError.InvalidArgument, $"object class id {property.Number} is invalid");
                }

                _ = ObjectClass.FromId((uint)property.Number);
                break;
            case ContainerPropertyId.ChunkSize when property.Number is 0 or > (1UL << 30):
                throw new DaosException(DaosError.InvalidArgument, $"chunk size {property.Number} is outside 1..2^30");
            case ContainerPropertyId.ServerVerify when property.Number > 1:
                throw new DaosException(DaosError.InvalidArgument, "server verify is 0 or 1");
            case ContainerPropertyId.Type when property.Number > 64:
            case ContainerPropertyId.Checksum when property.Number > 64:
                throw new DaosException(DaosError.InvalidArgument, $"{property.Id} value {property.Number} is unknown");
        }
    }

    private static string TextOf(IReadOnlyList<ContainerProperty> properties, ContainerPropertyId id)
    {
        foreach (ContainerProperty property in properties)
        {
            if (property.Id == id)
            {
                return property.Text;
            }
        }

        return "";
    }

    private static List<(Guid Handle, Guid Container)> ContainerHandlesOf(RdbStore store, Guid? container = null, Guid? poolHandle = null)
    {
        var result = new List<(Guid, Guid)>();
        foreach (RdbEntry entry in store.Iterate(ContainerHandles))
        {
            ReadOnlySpan<byte> value = entry.Value.Span;
            var owner = new Guid(value[..16], bigEndian: true);
            var pool = new Guid(value.Slice(17, 16), bigEndian: true);
            if ((container is null || owner == container) && (poolHandle is null || pool == poolHandle))
            {
                result.Add((new Guid(entry.Key.Span, bigEndian: true), owner));
            }
        }

        return result;
    }

    private async Task<ContainerInfoReply> FindContainerAsync(string labelOrUuid)
    {
        byte[]? record = await ReadAsync(store =>
        {
            ReadOnlyMemory<byte> uuid;
            if (Guid.TryParse(labelOrUuid, out Guid parsed))
            {
                uuid = Key(parsed);
            }
            else if (store.Lookup(ContainerLabels, Encoding.UTF8.GetBytes(labelOrUuid), out uuid) != DaosError.None)
            {
                return null;
            }

            return store.Lookup(Containers, uuid.Span, out ReadOnlyMemory<byte> value) == DaosError.None ? value.ToArray() : null;
        });
        return record is null
            ? throw new DaosException(DaosError.NonExistent, $"no container '{labelOrUuid}' in pool '{Pool.Record.Label}'")
            : ProtocolCodec.Decode<ContainerInfoReply>(record);
    }

    private async Task<ContainerInfoReply> DescribeAsync(ContainerInfoReply record)
    {
        byte[] uuidKey = Key(record.Uuid);
        (int snapshots, int handles) = await ReadAsync(store => (
            store.KvsExists(Snapshots.Append(uuidKey), out _) ? store.Iterate(Snapshots.Append(uuidKey)).Count : 0,
            ContainerHandlesOf(store, container: record.Uuid).Count));
        return record with { Snapshots = snapshots, Handles = handles };
    }

    private async Task<ContainerHandleCheckReply> RequireContainerHandleAsync(Guid handle, bool write)
    {
        byte[]? value = await ReadAsync(store => store.Lookup(ContainerHandles, Key(handle), out ReadOnlyMemory<byte> found) == DaosError.None ? found.ToArray() : null)
            ;
        if (value is null)
        {
            throw new DaosException(DaosError.NoHandle, $"container handle {handle} is not open");
        }

        var reply = new ContainerHandleCheckReply(new Guid(value.AsSpan(0, 16), bigEndian: true), (HandleAccess)value[16]);
        if (write && reply.Access != HandleAccess.ReadWrite)
        {
            throw new DaosException(DaosError.NoPermission, "the container handle is read-only");
        }

        return reply;
    }
}
