namespace Daos.Client;

/// <summary>Options of <see cref="DaosAdmin.CreatePoolAsync"/>, as <c>dmg pool create</c>'s flags.</summary>
public sealed record PoolCreateOptions
{
    /// <summary>Bytes per target for both tiers; used when <see cref="ScmSizeBytes"/> and <see cref="NvmeSizeBytes"/> are unset.</summary>
    public long? SizePerTargetBytes { get; init; }

    /// <summary>Metadata-tier bytes per target.</summary>
    public long? ScmSizeBytes { get; init; }

    /// <summary>Data-tier bytes per target.</summary>
    public long? NvmeSizeBytes { get; init; }

    /// <summary>Ranks to place the pool on; every joined rank when null.</summary>
    public IReadOnlyList<int>? Ranks { get; init; }

    /// <summary>Number of pool-service replicas (2·svc_rf+1), clamped to the ranks available; DAOS's default when null.</summary>
    public int? ServiceReplicas { get; init; }

    /// <summary>Access control entries, DAOS form <c>A::user@:rw</c>; owner full access when empty.</summary>
    public IReadOnlyList<string> Acl { get; init; } = [];
}
