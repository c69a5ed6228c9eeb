namespace Daos.Protocol.Containers;

/// <summary>What a <see cref="ContainerSnapshotRequest"/> does.</summary>
public enum SnapshotOperation : byte
{
    /// <summary>Record a snapshot at the service's hybrid logical clock.</summary>
    Create = 1,

    /// <summary>List snapshots.</summary>
    List = 2,

    /// <summary>Destroy the snapshot at an epoch.</summary>
    Destroy = 3,
}
