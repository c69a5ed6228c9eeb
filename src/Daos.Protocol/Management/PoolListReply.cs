namespace Daos.Protocol.Management;

/// <summary>Every pool of the system.</summary>
/// <param name="Pools">The pools, by label.</param>
public sealed record PoolListReply(IReadOnlyList<PoolLocation> Pools) : IProtocolMessage<PoolListReply>
{
    /// <inheritdoc/>
    public void Write(ref ProtocolWriter writer)
    {
        writer.WriteCount(Pools.Count);
        foreach (PoolLocation pool in Pools)
        {
            pool.Write(ref writer);
        }
    }

    /// <inheritdoc/>
    public static PoolListReply Read(ref ProtocolReader reader)
    {
        int count = reader.ReadCount(ProtocolLimits.ListEntriesMax, 16 + 2 + 4 + 4);
        var pools = new PoolLocation[count];
        for (int i = 0; i < count; i++)
        {
            pools[i] = PoolLocation.Read(ref reader);
        }

        return new PoolListReply(pools);
    }
}
