namespace Daos.Client;

/// <summary>A container snapshot: the epoch it pins, and the name it was given.</summary>
/// <param name="Epoch">The snapshot's epoch; read at it with <see cref="ReadOptions.Snapshot"/>.</param>
/// <param name="Name">The name given at creation, or null.</param>
public readonly record struct SnapshotInfo(Epoch Epoch, string? Name);
