namespace Daos.Protocol.Containers;

/// <summary>One snapshot: its epoch and optional name.</summary>
/// <param name="Epoch">The epoch the snapshot reads at.</param>
/// <param name="Name">Its name, or empty.</param>
public readonly record struct SnapshotEntry(Epoch Epoch, string Name);
