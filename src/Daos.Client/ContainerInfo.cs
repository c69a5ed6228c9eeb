namespace Daos.Client;

/// <summary>What <see cref="DaosPool.ListContainersAsync"/> reports about a container.</summary>
public sealed record ContainerInfo
{
    /// <summary>The container's UUID.</summary>
    public required Guid Uuid { get; init; }

    /// <summary>The container's label.</summary>
    public required string Label { get; init; }

    /// <summary>Snapshots taken and not destroyed.</summary>
    public int SnapshotCount { get; init; }

    /// <summary>Open handles.</summary>
    public int OpenHandles { get; init; }
}
