namespace Daos.Client;

/// <summary>Space of one storage tier summed over a pool's targets.</summary>
/// <param name="TotalBytes">Capacity.</param>
/// <param name="FreeBytes">Capacity not in use.</param>
public readonly record struct TierSpace(long TotalBytes, long FreeBytes)
{
    /// <summary>Capacity in use.</summary>
    public long UsedBytes => TotalBytes - FreeBytes;
}
