using System.Runtime.CompilerServices;
using Daos.Client.Wire;
using Daos.Protocol;
using Daos.Protocol.Management;
using Daos.Protocol.Pools;

namespace Daos.Client;

/// <summary>
/// Pool and system administration through the management service, as <c>dmg pool</c> and <c>dmg system</c>.
/// Membership changes of pools (exclude, drain, reintegrate, extend) are not served yet.
/// </summary>
/// <remarks>Thread-safe.</remarks>
public sealed class DaosAdmin
{
    private readonly ClientRuntime _runtime;

    internal DaosAdmin(ClientRuntime runtime) => _runtime = runtime;

    /// <summary>
    /// Creates a pool: VOS shards on every target of the chosen ranks and the pool service on its replicas. A failure
    /// leaves nothing behind.
    /// </summary>
    /// <exception cref="DaosException"><see cref="DaosError.Exists"/> for a label in use; <see cref="DaosError.InvalidArgument"/>
    /// for sizes or ranks the system cannot honour.</exception>
    public async ValueTask<PoolInfo> CreatePoolAsync(string label, PoolCreateOptions? options = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(label);
        if (label.Length == 0 || label.Length > 127 || Guid.TryParse(label, out _))
        {
            ThrowHelper.InvalidArgument($"pool label '{label}' must be 1..127 characters and not a UUID");
        }

        options ??= new PoolCreateOptions();
        long scm = options.ScmSizeBytes ?? options.SizePerTargetBytes ?? 0;
        long nvme = options.NvmeSizeBytes ?? options.SizePerTargetBytes ?? 0;
        if (scm < 0 || nvme < 0 || options.ServiceReplicas is < 1)
        {
            ThrowHelper.InvalidArgument("pool sizes must not be negative and the service needs at least one replica");
        }

        PoolInfoReply reply = await _runtime.ManagementCallAsync<PoolCreateRequest, PoolInfoReply>(ProtocolOpcodes.PoolCreate,
            new PoolCreateRequest(label, scm, nvme, options.Ranks ?? [], options.ServiceReplicas ?? 0), ct);
        PoolInfo info = PoolInfoOf(reply);
        if (options.Ranks is { Count: > 0 } ranks)
        {
            info = info with { Ranks = [.. ranks.Order()] };
        }
        else
        {
            SystemInfo system = await QuerySystemAsync(ct);
            info = info with { Ranks = [.. system.Ranks.Select(r => r.Rank)] };
        }

        return info;
    }

    /// <summary>Destroys a pool and every shard of it; <paramref name="force"/> also when handles are open.</summary>
    /// <exception cref="DaosException"><see cref="DaosError.NonExistent"/> for an unknown pool; <see cref="DaosError.Busy"/>
    /// when handles are open and <paramref name="force"/> is false.</exception>
    public async ValueTask DestroyPoolAsync(string labelOrUuid, bool force = false, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(labelOrUuid);
        await _runtime.ManagementCallAsync<PoolDestroyRequest, EmptyMessage>(ProtocolOpcodes.PoolDestroy, new PoolDestroyRequest(labelOrUuid, force), ct);
    }

    /// <summary>Every pool of the system.</summary>
    public async IAsyncEnumerable<PoolInfo> ListPoolsAsync([EnumeratorCancellation] CancellationToken ct = default)
    {
        PoolListReply reply = await _runtime.ManagementCallAsync<EmptyMessage, PoolListReply>(ProtocolOpcodes.PoolList, EmptyMessage.Instance, ct);
        foreach (PoolLocation pool in reply.Pools)
        {
            yield return ToInfo(pool);
        }
    }

    /// <summary>The ranks of the system, their addresses and states.</summary>
    public async ValueTask<SystemInfo> QuerySystemAsync(CancellationToken ct = default)
    {
        SystemQueryReply reply = await _runtime.RefreshMembershipAsync(ct);
        var ranks = new RankInfo[reply.Members.Count];
        for (int i = 0; i < ranks.Length; i++)
        {
            SystemMember m = reply.Members[i];
            ranks[i] = new RankInfo(m.Rank, m.Address, (RankState)(int)m.State, m.Targets);
        }

        Array.Sort(ranks, static (a, b) => a.Rank.CompareTo(b.Rank));
        return new SystemInfo(reply.SystemName, ranks);
    }

    internal static PoolInfo PoolInfoOf(PoolInfoReply reply) => new()
    {
        Uuid = reply.Uuid,
        Label = reply.Label,
        MapVersion = reply.MapVersion,
        ServiceReplicas = reply.ServiceRanks,
        TargetsTotal = reply.TargetsTotal,
        TargetsDisabled = reply.TargetsDisabled,
        Scm = new TierSpace(reply.Space.ScmTotalBytes, reply.Space.ScmFreeBytes),
        Nvme = new TierSpace(reply.Space.NvmeTotalBytes, reply.Space.NvmeFreeBytes),
    };

    private static PoolInfo ToInfo(PoolLocation location) => new()
    {
        Uuid = location.Uuid,
        Label = location.Label,
        Ranks = location.Ranks,
        ServiceReplicas = location.ServiceRanks,
    };
}
