using System.Runtime.CompilerServices;
using Daos.Client.Wire;
using Daos.Protocol;
using Daos.Protocol.Containers;
using Daos.Protocol.Pools;

namespace Daos.Client;

/// <summary>
/// A connected pool handle: the pool's map (for computing object layouts locally) and its service (for container
/// metadata). Containers are created, opened, listed and destroyed from here.
/// </summary>
/// <remarks>
/// Thread-safe. Disposing disconnects the handle in the pool service; calls afterwards, and on containers opened
/// through it, fail with <see cref="DaosError.NoHandle"/>.
/// </remarks>
public sealed class DaosPool : IAsyncDisposable
{
    private readonly ClientRuntime _runtime;
    private readonly ServiceGroup _service;
    private int _closed;

    internal DaosPool(ClientRuntime runtime, ServiceGroup service, Guid uuid, string label, Guid handle, PoolAccess access, ObjectRouter router)
    {
        _runtime = runtime;
        _service = service;
        Uuid = uuid;
        Label = label;
        Handle = handle;
        Access = access;
        Router = router;
        router.Refresh = async token => await RefreshAsync(token);
    }

    /// <summary>The pool's UUID.</summary>
    public Guid Uuid { get; }

    /// <summary>The pool's label.</summary>
    public string Label { get; }

    /// <summary>The access this handle was connected with.</summary>
    public PoolAccess Access { get; }

    /// <summary>The version of the pool map this handle holds (it moves forward with every Stale answer).</summary>
    public int MapVersion => Router.MapVersion;

    internal Guid Handle { get; }

    internal ObjectRouter Router { get; }

    internal ServiceGroup Service => _service;

    internal ClientRuntime Runtime => _runtime;

    internal bool IsOpen => Volatile.Read(ref _closed) == 0;

    /// <summary>Space per tier, targets up and down, map version, service replicas.</summary>
    public async ValueTask<PoolInfo> QueryAsync(CancellationToken ct = default)
    {
        CheckOpen();
        PoolInfoReply reply = await RefreshAsync(ct);
        var ranks = new SortedSet<int>();
        foreach (int rank in Router.Ranks)
        {
            ranks.Add(rank);
        }

        return DaosAdmin.PoolInfoOf(reply) with { Ranks = [.. ranks] };
    }

    /// <summary>Queries the pool service and adopts the map and rank table it answers with, if newer.</summary>
    internal async ValueTask<PoolInfoReply> RefreshAsync(CancellationToken ct)
    {
        PoolInfoReply reply = await _service.CallAsync<PoolHandleRequest, PoolInfoReply>(ProtocolOpcodes.PoolQuery, new PoolHandleRequest(Uuid, Handle), ct);
        _service.UpdateReplicas(reply.ServiceRanks, reply.ServiceLeader);
        if (!reply.PoolMap.IsEmpty)
        {
            Router.Update(Daos.Placement.PoolMap.Deserialize(reply.PoolMap.Span), reply.Ranks);
        }

        return reply;
    }

    /// <summary>
    /// Creates a container labelled <paramref name="label"/> and opens it read-write. The client picks the container's
    /// uuid, so a create whose answer was lost (the service leader changed) is retried with it and made exactly once.
    /// </summary>
    /// <exception cref="DaosException"><see cref="DaosError.Exists"/> for a label in use; <see cref="DaosError.NoPermission"/>
    /// on a read-only pool handle.</exception>
    public async ValueTask<DaosContainer> CreateContainerAsync(string label, ContainerProperties? properties = null, CancellationToken ct = default)
    {
        CheckOpen();
        properties = (properties ?? new ContainerProperties()) with { Label = label };
        properties.Validate();
        if (Access == PoolAccess.ReadOnly)
        {
            ThrowHelper.Throw(DaosError.NoPermission, $"pool handle of {Label} is read-only");
        }

        await _service.CallAsync<ContainerCreateRequest, ContainerInfoReply>(ProtocolOpcodes.ContainerCreate,
            new ContainerCreateRequest(Uuid, Handle, _runtime.NewUuid(), PropertyMapping.ToWire(properties)), ct, idempotentCreate: true);
        return await OpenContainerAsync(label, ContainerAccess.ReadWrite, ct);
    }

    /// <summary>Opens a container by label or UUID.</summary>
    /// <exception cref="DaosException"><see cref="DaosError.NonExistent"/> for an unknown container.</exception>
    public async ValueTask<DaosContainer> OpenContainerAsync(string labelOrUuid, ContainerAccess access = ContainerAccess.ReadWrite, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(labelOrUuid);
        CheckOpen();
        if (!Enum.IsDefined(access))
        {
            ThrowHelper.InvalidArgument($"container access {(int)access} is not defined");
        }

        if (access != ContainerAccess.ReadOnly && Access == PoolAccess.ReadOnly)
        {
            ThrowHelper.Throw(DaosError.NoPermission, $"pool handle of {Label} is read-only; open the container read-only");
        }

        Guid handle = _runtime.NewUuid();
        HandleAccess wire = access == ContainerAccess.ReadOnly ? HandleAccess.ReadOnly : HandleAccess.ReadWrite;
        ContainerInfoReply info = await _service.CallAsync<ContainerOpenRequest, ContainerInfoReply>(ProtocolOpcodes.ContainerOpen,
            new ContainerOpenRequest(Uuid, Handle, labelOrUuid, handle, wire, _runtime.NextOperationKey()), ct, idempotentCreate: true);
        return new DaosContainer(this, info.Uuid, info.Label, handle, access, PropertyMapping.FromWire(info.Properties));
    }

    /// <summary>Destroys a container; <paramref name="force"/> also when handles are open.</summary>
    /// <exception cref="DaosException"><see cref="DaosError.NonExistent"/> for an unknown container; <see cref="DaosError.Busy"/>
    /// when it is open and <paramref name="force"/> is false.</exception>
    public async ValueTask DestroyContainerAsync(string labelOrUuid, bool force = false, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(labelOrUuid);
        CheckOpen();
        await _service.CallAsync<ContainerDestroyRequest, EmptyMessage>(ProtocolOpcodes.ContainerDestroy,
            new ContainerDestroyRequest(Uuid, Handle, labelOrUuid, force, _runtime.NextOperationKey()), ct, idempotentCreate: true);
    }

    /// <summary>Every container of the pool.</summary>
    public async IAsyncEnumerable<ContainerInfo> ListContainersAsync([EnumeratorCancellation] CancellationToken ct = default)
    {
        CheckOpen();
        ContainerListReply reply = await _service.CallAsync<PoolHandleRequest, ContainerListReply>(ProtocolOpcodes.ContainerList,
            new PoolHandleRequest(Uuid, Handle), ct);
        foreach (ContainerInfoReply c in reply.Containers)
        {
            yield return new ContainerInfo { Uuid = c.Uuid, Label = c.Label, SnapshotCount = c.Snapshots, OpenHandles = c.Handles };
        }
    }

    /// <summary>Disconnects the handle; later calls fail with <see cref="DaosError.NoHandle"/>.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _closed, 1) == 0)
        {
            try
            {
                await _service.CallAsync<PoolHandleRequest, EmptyMessage>(ProtocolOpcodes.PoolDisconnect,
                    new PoolHandleRequest(Uuid, Handle, _runtime.NextOperationKey()), default, idempotentCreate: true);
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
    public override string ToString() => $"pool {Label} ({Uuid})";

    internal void CheckOpen()
    {
        if (!IsOpen)
        {
            ThrowHelper.Throw(DaosError.NoHandle, $"pool handle of {Label} is disconnected");
        }
    }
}
