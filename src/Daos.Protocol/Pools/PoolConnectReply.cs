namespace Daos.Protocol.Pools;

/// <summary>The reply to a connect: the pool's state, its map and the system rank of every pool-map rank.</summary>
/// <param name="Info">The pool's state.</param>
/// <param name="PoolMap">The serialized pool map.</param>
/// <param name="Ranks">Pool-map rank i lives on system rank Ranks[i].</param>
public sealed record PoolConnectReply(PoolInfoReply Info, ReadOnlyMemory<byte> PoolMap, IReadOnlyList<int> Ranks) : IProtocolMessage<PoolConnectReply>
{
    /// <inheritdoc/>
    public void Write(ref ProtocolWriter writer)
    {
        Info.Write(ref writer);
        writer.WriteBytes(PoolMap.Span);
        Fields.WriteRanks(ref writer, Ranks);
    }

    /// <inheritdoc/>
    public static PoolConnectReply Read(ref ProtocolReader reader) =>
        new(PoolInfoReply.Read(ref reader), reader.ReadBytes(ProtocolLimits.PoolMapBytesMax).ToArray(), Fields.ReadRanks(ref reader));
}
