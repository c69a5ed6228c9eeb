namespace Daos.Client;

/// <summary>Options of one read.</summary>
public sealed record ReadOptions
{
    /// <summary>
    /// The epoch to read at, typically a snapshot epoch of the container; null reads the
    /// latest state (<see cref="Epoch.Max"/>).
    /// </summary>
    public Epoch? Snapshot { get; init; }

    /// <summary>Reads of the latest state: the default.</summary>
    public static ReadOptions Default { get; } = new();

    internal static Epoch EpochOf(ReadOptions? options) => options?.Snapshot ?? Epoch.Max;
}
