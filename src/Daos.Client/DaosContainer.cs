using System.Runtime.CompilerServices;
using Daos.Client.Wire;
using Daos.Placement;
using Daos.Protocol;
using Daos.Protocol.Containers;

namespace Daos.Client;

/// <summary>
/// An open container handle: object ids are allocated here, objects opened here (locally, no request), and the
/// container's snapshots, properties and attributes managed here through the pool service.
/// </summary>
/// <remarks>
/// Thread-safe. Disposing closes the handle in the pool service; objects opened through it then fail with
/// <see cref="DaosError.NoHandle"/>, on the client at once and on the targets (which check the handle on every I/O).
/// </remarks>
public sealed class DaosContainer : IAsyncDisposable
{
    /// <summary>Object ids fetched from the container service per request: DAOS allocates ids in ranges too.</summary>
    private const int OidRangeSize = 256;

    private readonly DaosPool _pool;
    private readonly WireObjectDataPath _path;
    private readonly SemaphoreSlim _oidLock = new(1, 1);
    private readonly ContainerProperties _openedProperties;
    private ulong _nextOid;
    private ulong _oidRangeEnd;
    private int _closed;

    internal DaosContainer(DaosPool pool, Guid uuid, string label, Guid handle, ContainerAccess access, ContainerProperties properties)
    {
        _pool = pool;
        Uuid = uuid;
        Label = label;
        Handle = handle;
        Access = access;
        _openedProperties = properties;
        _path = new WireObjectDataPath(pool.Runtime, pool.Router, pool.Uuid, uuid, handle, () => IsOpen);
    }

    /// <summary>The container's UUID.</summary>
    public Guid Uuid { get; }

    /// <summary>The container's label.</summary>
    public string Label { get; }

    /// <summary>The access this handle was opened with.</summary>
    public ContainerAccess Access { get; }

    /// <summary>The pool this container belongs to.</summary>
    public DaosPool Pool => _pool;

    internal Guid Handle { get; }

    private bool IsOpen => Volatile.Read(ref _closed) == 0 && _pool.IsOpen;

    /// <summary>
    /// Allocates a new object id of <paramref name="type"/> and <paramref name="objectClass"/> (default: the container's
    /// class property, else DAOS's choice for its redundancy factor). X classes are resolved against the pool map now,
    /// so the object keeps its width when the pool grows.
    /// </summary>
    /// <exception cref="DaosException"><see cref="DaosError.InvalidArgument"/> when the class does not fit the pool;
    /// <see cref="DaosError.Unsupported"/> for classes with redundancy (not served yet).</exception>
    public async ValueTask<ObjectId> AllocateObjectIdAsync(ObjectType type, ObjectClass? objectClass = null, CancellationToken ct = default)
    {
        CheckOpen();
        if (!type.IsDefined())
        {
            ThrowHelper.InvalidArgument($"object type {(int)type} is not defined");
        }

        PoolMap map = _pool.Router.Map;
        int rf = _openedProperties.RedundancyFactor ?? 0;
        ObjectClass chosen = objectClass ?? _openedProperties.ObjectClass ?? ObjectClassSelector.Select(map, type, rf);
        if (chosen.IsUnknown)
        {
            ThrowHelper.InvalidArgument("the object class must be a concrete class");
        }

        if (chosen.Redundancy != RedundancyKind.None)
        {
            ThrowHelper.Throw(DaosError.Unsupported, $"object class {chosen.Name} has redundancy; only the S classes are served yet");
        }

        ObjectClass resolved = ObjectClassSelector.Resolve(map, chosen, rf);
        ulong lo = await NextOidAsync(ct);
        return ObjectId.Create(type, resolved, lo);
    }

    /// <summary>Opens an object: computes nothing remote, sends nothing.</summary>
    public DaosObject OpenObject(ObjectId oid)
    {
        CheckOpen();
        return new DaosObject(_path, oid);
    }

    /// <summary>Opens a key-value object (<c>daos_kv</c>).</summary>
    public DaosKeyValue OpenKeyValue(ObjectId oid)
    {
        CheckOpen();
        return new DaosKeyValue(_path, oid);
    }

    /// <summary>Creates an array: writes its cell and chunk sizes under dkey 0 (refused if already there).</summary>
    /// <exception cref="DaosException"><see cref="DaosError.Exists"/> when the array exists.</exception>
    public ValueTask<DaosArray> CreateArrayAsync(ObjectId oid, int cellSize, long chunkSize, CancellationToken ct = default)
    {
        CheckOpen();
        return DaosArray.CreateAsync(_path, oid, cellSize, chunkSize, ct);
    }

    /// <summary>Opens an existing array, reading its cell and chunk sizes.</summary>
    /// <exception cref="DaosException"><see cref="DaosError.NonExistent"/> when there is no array.</exception>
    public ValueTask<DaosArray> OpenArrayAsync(ObjectId oid, CancellationToken ct = default)
    {
        CheckOpen();
        return DaosArray.OpenAsync(_path, oid, ct);
    }

    /// <summary>Takes a snapshot: the service records an epoch; reads with <see cref="ReadOptions.Snapshot"/> see the state then.</summary>
    public async ValueTask<Epoch> CreateSnapshotAsync(string? name = null, CancellationToken ct = default)
    {
        CheckOpen();
        // The service's clock moves past every epoch this handle saw acknowledged, so the snapshot holds all its writes.
        ContainerSnapshotReply reply = await SnapshotCallAsync(SnapshotOperation.Create, name ?? "", _path.HighestAcknowledgedEpoch, ct);
        if (reply.Snapshots.Count == 0)
        {
            ThrowHelper.Throw(DaosError.Protocol, "snapshot creation answered without an epoch");
        }

        return reply.Snapshots[^1].Epoch;
    }

    /// <summary>The snapshots of the container, oldest first.</summary>
    public async IAsyncEnumerable<SnapshotInfo> ListSnapshotsAsync([EnumeratorCancellation] CancellationToken ct = default)
    {
        CheckOpen();
        ContainerSnapshotReply reply = await SnapshotCallAsync(SnapshotOperation.List, "", Epoch.Zero, ct);
        foreach (SnapshotEntry entry in reply.Snapshots)
        {
            yield return new SnapshotInfo(entry.Epoch, entry.Name.Length == 0 ? null : entry.Name);
        }
    }

    /// <summary>Destroys the snapshot at <paramref name="epoch"/>.</summary>
    /// <exception cref="DaosException"><see cref="DaosError.NonExistent"/> when there is none.</exception>
    public async ValueTask DestroySnapshotAsync(Epoch epoch, CancellationToken ct = default)
    {
        CheckOpen();
        await SnapshotCallAsync(SnapshotOperation.Destroy, "", epoch, ct);
    }

    /// <summary>Every property of the container.</summary>
    public async ValueTask<ContainerProperties> GetPropertiesAsync(CancellationToken ct = default)
    {
        CheckOpen();
        ContainerInfoReply info = await _pool.Service.CallAsync<ContainerHandleRequest, ContainerInfoReply>(ProtocolOpcodes.ContainerQuery,
            new ContainerHandleRequest(_pool.Uuid, Handle), ct);
        return PropertyMapping.FromWire(info.Properties);
    }

    /// <summary>Changes the properties set in <paramref name="changes"/>; the others keep their values.</summary>
    public async ValueTask SetPropertiesAsync(ContainerProperties changes, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(changes);
        CheckOpen();
        changes.Validate();
        CheckWritable();
        await _pool.Service.CallAsync<ContainerSetPropertiesRequest, ContainerInfoReply>(ProtocolOpcodes.ContainerSetProperties,
            new ContainerSetPropertiesRequest(_pool.Uuid, Handle, PropertyMapping.ToWire(changes), _pool.Runtime.NextOperationKey()), ct, idempotentCreate: true);
    }

    /// <summary>Sets a user attribute.</summary>
    public async ValueTask SetAttributeAsync(string name, ReadOnlyMemory<byte> value, CancellationToken ct = default)
    {
        CheckAttributeName(name);
        CheckOpen();
        CheckWritable();
        await AttributeCallAsync(AttributeOperation.Set, name, value, ct);
    }

    /// <summary>A user attribute's value, or null when it is not set.</summary>
    public async ValueTask<byte[]?> GetAttributeAsync(string name, CancellationToken ct = default)
    {
        CheckAttributeName(name);
        CheckOpen();
        ContainerAttributeReply reply = await AttributeCallAsync(AttributeOperation.Get, name, ReadOnlyMemory<byte>.Empty, ct);
        return reply.Found ? reply.Value.ToArray() : null;
    }

    /// <summary>Removes a user attribute; removing an absent one succeeds.</summary>
    public async ValueTask DeleteAttributeAsync(string name, CancellationToken ct = default)
    {
        CheckAttributeName(name);
        CheckOpen();
        CheckWritable();
        await AttributeCallAsync(AttributeOperation.Delete, name, ReadOnlyMemory<byte>.Empty, ct);
    }

    /// <summary>The names of the user attributes.</summary>
    public async IAsyncEnumerable<string> ListAttributesAsync([EnumeratorCancellation] CancellationToken ct = default)
    {
        CheckOpen();
        ContainerAttributeReply reply = await AttributeCallAsync(AttributeOperation.List, "", ReadOnlyMemory<byte>.Empty, ct);
        foreach (string name in reply.Names)
        {
            yield return name;
        }
    }

    /// <summary>Closes the handle; later calls fail with <see cref="DaosError.NoHandle"/>.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _closed, 1) == 0)
        {
            if (!_pool.IsOpen)
            {
                return;
            }

            try
            {
                await _pool.Service.CallAsync<ContainerHandleRequest, EmptyMessage>(ProtocolOpcodes.ContainerClose,
                    new ContainerHandleRequest(_pool.Uuid, Handle, _pool.Runtime.NextOperationKey()), default, idempotentCreate: true);
            }
            catch (DaosException e) when (e.Error is DaosError.Unreachable or DaosError.Timeout or DaosError.NoHandle or DaosError.NonExistent or DaosError.Canceled
                or DaosError.NotLeader or DaosError.Busy or DaosError.NoService or DaosError.Shutdown)
            {
                // The service is gone, forgot the handle, or could not be reached within the retries: the handle is
                // left to the service, as a crashed client's would be; nothing on this side holds anything.
            }
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"container {Label} ({Uuid}) of {_pool}";

    private static void CheckAttributeName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length == 0 || System.Text.Encoding.UTF8.GetByteCount(name) > ProtocolLimits.AttributeNameBytesMax)
        {
            ThrowHelper.InvalidArgument($"attribute name must be 1..{ProtocolLimits.AttributeNameBytesMax} bytes");
        }
    }

    private ValueTask<ContainerSnapshotReply> SnapshotCallAsync(SnapshotOperation operation, string name, Epoch epoch, CancellationToken ct) =>
        _pool.Service.CallAsync<ContainerSnapshotRequest, ContainerSnapshotReply>(ProtocolOpcodes.ContainerSnapshot,
            new ContainerSnapshotRequest(_pool.Uuid, Handle, operation, name, epoch,
                operation == SnapshotOperation.List ? OperationKey.None : _pool.Runtime.NextOperationKey()),
            ct, idempotentCreate: operation != SnapshotOperation.List);

    private ValueTask<ContainerAttributeReply> AttributeCallAsync(AttributeOperation operation, string name, ReadOnlyMemory<byte> value, CancellationToken ct) =>
        _pool.Service.CallAsync<ContainerAttributeRequest, ContainerAttributeReply>(ProtocolOpcodes.ContainerAttribute,
            new ContainerAttributeRequest(_pool.Uuid, Handle, operation, name, value,
                operation is AttributeOperation.Set or AttributeOperation.Delete ? _pool.Runtime.NextOperationKey() : OperationKey.None),
            ct, idempotentCreate: operation is AttributeOperation.Set or AttributeOperation.Delete);

    private async ValueTask<ulong> NextOidAsync(CancellationToken ct)
    {
        await _oidLock.WaitAsync(ct);
        try
        {
            if (_nextOid == _oidRangeEnd)
            {
                ContainerAllocateOidsReply range = await _pool.Service.CallAsync<ContainerAllocateOidsRequest, ContainerAllocateOidsReply>(
                    ProtocolOpcodes.ContainerAllocateOids, new ContainerAllocateOidsRequest(_pool.Uuid, Handle, OidRangeSize, _pool.Runtime.NextOperationKey()), ct,
                    idempotentCreate: true);
                _nextOid = range.First;
                _oidRangeEnd = range.First + OidRangeSize;
            }

            return _nextOid++;
        }
        finally
        {
            _oidLock.Release();
        }
    }

    private void CheckOpen()
    {
        if (!IsOpen)
        {
            ThrowHelper.Throw(DaosError.NoHandle, $"container handle of {Label} is closed");
        }
    }

    private void CheckWritable()
    {
        if (Access == ContainerAccess.ReadOnly)
        {
            ThrowHelper.Throw(DaosError.NoPermission, $"container handle of {Label} is read-only");
        }
    }
}
