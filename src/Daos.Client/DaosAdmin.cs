using System.Runtime.CompilerServices;
using Daos.Client.Wire;
using Daos.Protocol;
using Daos.Protocol.Management;
using Daos.Protocol.Pools;

namespace Daos.Client;

/// <summary>
/// Pool and system administration through the management service, as <c>dmg pool</c> and <c>dmg system</c>:
/// pool create and destroy, listing, membership changes of pools (exclude, drain, reintegrate, extend), system query.
/// </summary>
/// <remarks>Thread-safe.</remarks>
public sealed class DaosAdmin
{
    private readonly ClientRuntime _runtime;

    internal DaosAdmin(ClientRuntime runtime) => _runtime = runtime;

    /// <summary>
    /// Creates a pool: VOS shards on every target of the chosen ranks and the pool service on its replicas. A failure
    /// leaves nothing behind. The client picks the pool's uuid and sends it with the create, so the create is retried
    /// (with the same uuid) when the management service's leader changes or the answer is lost: the retry answers
    /// the pool the first attempt made, and a pool is created exactly once.
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
            new PoolCreateRequest(label, scm, nvme, options.Ranks ?? [], options.ServiceReplicas ?? 0, _runtime.NewUuid()), ct, idempotentCreate: true);
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
        await _runtime.ManagementCallAsync<PoolDestroyRequest, EmptyMessage>(ProtocolOpcodes.PoolDestroy, new PoolDestroyRequest(labelOrUuid, force, _runtime.NextOperationKey()), ct,
            idempotentCreate: true);
    }

    /// <summary>
    /// Excludes targets of <paramref name="rank"/> from a pool (one target index, or all of them when
    /// <paramref name="target"/> is null): they become Down and the map version moves on; clients holding the older map
    /// are answered Stale and move on too. Data of S-class objects on those targets is unavailable until they are
    /// reintegrated (rebuild, which would copy it elsewhere, is not implemented yet).
    /// </summary>
    /// <exception cref="DaosException"><see cref="DaosError.NonExistent"/> for an unknown pool, a rank outside the pool or
    /// a target index the rank does not have; <see cref="DaosError.InvalidArgument"/> when the targets are already excluded.</exception>
    public ValueTask ExcludeAsync(string pool, int rank, int? target = null, CancellationToken ct = default) =>
        ChangeMapAsync(pool, PoolMapChangeKind.Exclude, rank, target, ct);

    /// <summary>Starts draining targets of <paramref name="rank"/> (one, or all when <paramref name="target"/> is null): UpIn becomes Drain.</summary>
    /// <exception cref="DaosException">As <see cref="ExcludeAsync"/>; <see cref="DaosError.InvalidArgument"/> unless the targets are UpIn.</exception>
    public ValueTask DrainAsync(string pool, int rank, int? target = null, CancellationToken ct = default) =>
        ChangeMapAsync(pool, PoolMapChangeKind.Drain, rank, target, ct);

    /// <summary>Reintegrates excluded targets of <paramref name="rank"/> (one, or all when <paramref name="target"/> is null): Down or DownOut becomes Up.</summary>
    /// <exception cref="DaosException">As <see cref="ExcludeAsync"/>; <see cref="DaosError.InvalidArgument"/> unless the targets are Down or DownOut.</exception>
    public ValueTask ReintegrateAsync(string pool, int rank, int? target = null, CancellationToken ct = default) =>
        ChangeMapAsync(pool, PoolMapChangeKind.Reintegrate, rank, target, ct);

    /// <summary>
    /// Adds <paramref name="ranks"/> to a pool: shards are created on each of their targets and the targets join the map
    /// as Up (DAOS's extend: they take data once the rebuild that moves it marks them UpIn; rebuild is not implemented yet).
    /// </summary>
    /// <exception cref="DaosException"><see cref="DaosError.NonExistent"/> for an unknown pool or a rank that is not a joined
    /// member; <see cref="DaosError.Exists"/> for a rank already in the pool; <see cref="DaosError.InvalidArgument"/> for no
    /// ranks or a rank with a different number of targets.</exception>
    public async ValueTask ExtendAsync(string pool, IReadOnlyList<int> ranks, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(pool);
        ArgumentNullException.ThrowIfNull(ranks);
        if (ranks.Count == 0 || ranks.Any(r => r < 0))
        {
            ThrowHelper.InvalidArgument("extend needs at least one rank, and ranks are not negative");
        }

        await _runtime.ManagementCallAsync<PoolMapChangeRequest, PoolInfoReply>(ProtocolOpcodes.PoolMapChange,
            new PoolMapChangeRequest(pool, PoolMapChangeKind.Extend, -1, -1, [.. ranks.Distinct()], _runtime.NextOperationKey()), ct, idempotentCreate: true);
    }

    private async ValueTask ChangeMapAsync(string pool, PoolMapChangeKind kind, int rank, int? target, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(pool);
        if (rank < 0 || target is < 0)
        {
            ThrowHelper.InvalidArgument($"rank {rank} and target {target} must not be negative");
        }

        await _runtime.ManagementCallAsync<PoolMapChangeRequest, PoolInfoReply>(ProtocolOpcodes.PoolMapChange,
            new PoolMapChangeRequest(pool, kind, rank, target ?? -1, [], _runtime.NextOperationKey()), ct, idempotentCreate: true);
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
        Targets = TargetsOf(reply),
        Uuid = reply.Uuid,
        Label = reply.Label,
        MapVersion = reply.MapVersion,
        ServiceReplicas = reply.ServiceRanks,
        TargetsTotal = reply.TargetsTotal,
        TargetsDisabled = reply.TargetsDisabled,
        Scm = new TierSpace(reply.Space.ScmTotalBytes, reply.Space.ScmFreeBytes),
        Nvme = new TierSpace(reply.Space.NvmeTotalBytes, reply.Space.NvmeFreeBytes),
    };

    /// <summary>The targets of the map a reply carries, with pool-map ranks turned into system ranks; empty when it carries none.</summary>
    internal static PoolTargetInfo[] TargetsOf(PoolInfoReply reply)
    {
        if (reply.PoolMap.IsEmpty)
        {
            return [];
        }

        var map = Daos.Placement.PoolMap.Deserialize(reply.PoolMap.Span);
        IReadOnlyList<int> ranks = reply.Ranks ?? [];
        var targets = new PoolTargetInfo[map.Targets.Count];
        for (int i = 0; i < targets.Length; i++)
        {
            Daos.Placement.PoolTarget t = map.Targets[i];
            if ((uint)t.Rank >= (uint)ranks.Count)
            {
                ThrowHelper.Throw(DaosError.Protocol, $"pool map target {t.Id} names pool-map rank {t.Rank} but the rank table holds {ranks.Count}");
            }

            targets[i] = new PoolTargetInfo(t.Id, ranks[t.Rank], t.Index, t.Status);
        }

        return targets;
    }

    private static PoolInfo ToInfo(PoolLocation location) => new()
    {
        Uuid = location.Uuid,
        Label = location.Label,
        Ranks = location.Ranks,
        ServiceReplicas = location.ServiceRanks,
    };
}
