namespace Daos.Protocol;

/// <summary>An I/O request carried an older pool map version than the target's; <see cref="PoolMap"/> is the newer map.</summary>
public sealed class StaleMapException : DaosException
{
    /// <summary>Creates the exception.</summary>
    public StaleMapException(string message, ReadOnlyMemory<byte> poolMap)
        : base(DaosError.Stale, message)
    {
        PoolMap = poolMap;
    }

    /// <summary>The serialized newer pool map (<see cref="Daos.Placement.PoolMap.Deserialize"/>); empty if none came.</summary>
    public ReadOnlyMemory<byte> PoolMap { get; }
}
