using Daos.Client.Wire;
using Daos.Protocol;
using Daos.Protocol.Management;
using Daos.Protocol.Pools;
using Daos.Transport;

namespace Daos.Client;

/// <summary>
/// The entry point: a connection to one DAOS system through its management service. Pools are connected from here;
/// administrators reach <see cref="Admin"/>.
/// </summary>
/// <remarks>
/// Thread-safe. Owns the RPC node every handle of this client shares; disposing closes it (handles not disposed
/// first are simply abandoned, as when a DAOS client process exits).
/// </remarks>
public sealed class DaosClient : IAsyncDisposable
{
    private readonly ClientRuntime _runtime;
    private int _disposed;

    private DaosClient(ClientRuntime runtime, string systemName)
    {
        _runtime = runtime;
        SystemName = systemName;
    }

    /// <summary>The system this client is connected to.</summary>
    public string SystemName { get; }

    /// <summary>Who this client acts as.</summary>
    public Credentials Credentials => _runtime.Options.Credentials;

    /// <summary>Pool and system administration.</summary>
    /// <exception cref="DaosException"><see cref="DaosError.NoPermission"/> unless the credentials name the administrator group.</exception>
    public DaosAdmin Admin
    {
        get
        {
            if (!Credentials.IsAdministrator)
            {
                ThrowHelper.Throw(DaosError.NoPermission, $"user '{Credentials.User}' is not in the {Credentials.AdministratorGroup} group");
            }

            return new DaosAdmin(_runtime);
        }
    }

    internal ClientRuntime Runtime => _runtime;

    /// <summary>
    /// Connects to the system named in <paramref name="options"/>: asks the management service for the membership and
    /// checks the system name.
    /// </summary>
    /// <exception cref="DaosException"><see cref="DaosError.InvalidArgument"/> for bad options or another system's
    /// name; <see cref="DaosError.Unreachable"/> when no management endpoint answers.</exception>
    public static async ValueTask<DaosClient> ConnectAsync(DaosClientOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        ITransportNetwork network = options.Network ?? new TcpNetwork(options.Transport);
        var node = new RpcNode(network, options.Transport);
        var runtime = new ClientRuntime(options, node);
        try
        {
            SystemQueryReply system = await runtime.RefreshMembershipAsync(ct);
            if (system.SystemName != options.SystemName)
            {
                ThrowHelper.InvalidArgument($"the management service serves system '{system.SystemName}', not '{options.SystemName}'");
            }

            return new DaosClient(runtime, system.SystemName);
        }
        catch
        {
            await runtime.DisposeAsync();
            throw;
        }
    }

    /// <summary>Connects to a pool by label or UUID and fetches its map.</summary>
    /// <exception cref="DaosException"><see cref="DaosError.NonExistent"/> for an unknown pool.</exception>
    public async ValueTask<DaosPool> ConnectPoolAsync(string labelOrUuid, PoolAccess access = PoolAccess.ReadWrite, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(labelOrUuid);
        CheckNotDisposed();
        if (!Enum.IsDefined(access))
        {
            ThrowHelper.InvalidArgument($"pool access {(int)access} is not defined");
        }

        PoolLocation location = await _runtime.ManagementCallAsync<PoolLookupRequest, PoolLocation>(ProtocolOpcodes.PoolLookup, new PoolLookupRequest(labelOrUuid), ct);
        var service = new ServiceGroup(_runtime, location.ServiceRanks);
        Guid handle = _runtime.NewUuid();
        HandleAccess wireAccess = access == PoolAccess.ReadOnly ? HandleAccess.ReadOnly : HandleAccess.ReadWrite;
        PoolConnectReply reply = await service.CallAsync<PoolConnectRequest, PoolConnectReply>(ProtocolOpcodes.PoolConnect,
            new PoolConnectRequest(location.Uuid, handle, wireAccess, Credentials.User, _runtime.NextOperationKey()), ct, idempotentCreate: true);
        service.UpdateReplicas(reply.Info.ServiceRanks, reply.Info.ServiceLeader);
        var map = Daos.Placement.PoolMap.Deserialize(reply.PoolMap.Span);
        IReadOnlyList<int> ranks = reply.Ranks.Count > 0 ? reply.Ranks : reply.Info.Ranks ?? [];
        return new DaosPool(_runtime, service, location.Uuid, location.Label, handle, access, new ObjectRouter(map, ranks));
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            await _runtime.DisposeAsync();
        }
    }

    private void CheckNotDisposed()
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            ThrowHelper.Throw(DaosError.NoHandle, "the client is disposed");
        }
    }
}
