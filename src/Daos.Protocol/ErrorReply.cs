namespace Daos.Protocol;

/// <summary>
/// The body of every failed protocol reply (the frame header carries the <see cref="DaosError"/>): the reason,
/// and for <see cref="DaosError.NotLeader"/> the rank the replier believes leads, for <see cref="DaosError.Stale"/>
/// the newer pool map.
/// </summary>
/// <param name="Message">Why it failed.</param>
/// <param name="LeaderRank">The leader's rank, or -1 when unknown (meaningful with NotLeader).</param>
/// <param name="PoolMap">A serialized pool map newer than the requester's (with Stale), else empty.</param>
public sealed record ErrorReply(string Message, int LeaderRank, ReadOnlyMemory<byte> PoolMap) : IProtocolMessage<ErrorReply>
{
    /// <inheritdoc/>
    public void Write(ref ProtocolWriter writer)
    {
        string text = Message.Length * 3 > ProtocolLimits.TextBytesMax ? Message[..(ProtocolLimits.TextBytesMax / 3 - 1)] : Message;
        writer.WriteString(text);
        writer.WriteInt32(LeaderRank);
        writer.WriteBytes(PoolMap.Span);
    }

    /// <inheritdoc/>
    public static ErrorReply Read(ref ProtocolReader reader)
    {
        string message = reader.ReadString(ProtocolLimits.TextBytesMax);
        int leader = reader.ReadInt32();
        if (leader < -1)
        {
            throw new DaosException(DaosError.Protocol, $"leader rank {leader} is invalid");
        }

        ReadOnlyMemory<byte> map = reader.ReadBytes(ProtocolLimits.PoolMapBytesMax);
        return new ErrorReply(message, leader, map.ToArray());
    }
}
