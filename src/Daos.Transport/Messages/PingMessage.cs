namespace Daos.Transport.Messages;

/// <summary>A heartbeat: sent one-way on a connection that has been quiet for a heartbeat interval.</summary>
/// <param name="Sequence">Counts the heartbeats the sender has sent on this connection.</param>
/// <param name="SentTimestamp">The sender's <see cref="TimeProvider.GetTimestamp"/> when sent (diagnostic only).</param>
public readonly record struct PingMessage(ulong Sequence, long SentTimestamp) : IWireMessage<PingMessage>
{
    /// <inheritdoc/>
    public int EncodedSizeBytes => 16;

    /// <inheritdoc/>
    public void Encode(ref WireWriter writer)
    {
        writer.WriteUInt64(Sequence);
        writer.WriteInt64(SentTimestamp);
    }

    /// <inheritdoc/>
    public static PingMessage Decode(ref WireReader reader) => new(reader.ReadUInt64(), reader.ReadInt64());
}
