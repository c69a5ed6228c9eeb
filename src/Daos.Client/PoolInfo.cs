namespace Daos.Client;

/// <summary>What <see cref="DaosPool.QueryAsync"/> and <see cref="DaosAdmin.ListPoolsAsync"/> report about a pool.</summary>
public sealed record PoolInfo
{
    /// <summary>The pool's UUID.</summary>
    public required Guid Uuid { get; init; }

    /// <summary>The pool's label.</summary>
    public required string Label { get; init; }

    /// <summary>The version of the pool map the service holds.</summary>
    public int MapVersion { get; init; }

    /// <summary>Ranks the pool's targets live on.</summary>
    public IReadOnlyList<int> Ranks { get; init; } = [];

    /// <summary>Ranks that hold a replica of the pool service.</summary>
    public IReadOnlyList<int> ServiceReplicas { get; init; } = [];

    /// <summary>Targets in the pool map.</summary>
    public int TargetsTotal { get; init; }

    /// <summary>Targets that are down or excluded.</summary>
    public int TargetsDisabled { get; init; }

    /// <summary>Metadata (SCM) tier space summed over the targets.</summary>
    public TierSpace Scm { get; init; }

    /// <summary>Data (NVMe) tier space summed over the targets.</summary>
    public TierSpace Nvme { get; init; }

    /// <summary>Every target of the pool map at <see cref="MapVersion"/> with its state (empty from a pool list).</summary>
    public IReadOnlyList<PoolTargetInfo> Targets { get; init; } = [];

    /// <summary>Rebuild state; "idle" while no rebuild runs (rebuild is not implemented yet, so always idle).</summary>
    public string RebuildState { get; init; } = "idle";
}
