namespace Daos.Transport.Messages;

/// <summary>
/// Sent one-way by a node that is draining: it will answer requests it has already received (ids up to
/// <paramref name="LastRequestId"/>), refuse new ones with <paramref name="Reason"/>, then close.
/// </summary>
/// <param name="LastRequestId">The highest request id the sender received on this connection.</param>
/// <param name="Reason">Why it is going away (usually <see cref="DaosError.Canceled"/> for a shutdown).</param>
public readonly record struct GoAwayMessage(ulong LastRequestId, DaosError Reason) : IWireMessage<GoAwayMessage>
{
    /// <inheritdoc/>
    public int EncodedSizeBytes => 12;

    /// <inheritdoc/>
    public void Encode(ref WireWriter writer)
    {
        writer.WriteUInt64(LastRequestId);
        writer.WriteInt32((int)Reason);
    }

    /// <inheritdoc/>
    public static GoAwayMessage Decode(ref WireReader reader)
    {
        ulong last = reader.ReadUInt64();
        int reason = reader.ReadInt32();
        if (reason < 0 || reason > 0xFFFF)
        {
            ThrowHelper.Throw(DaosError.Protocol, "go-away reason out of range");
        }

        return new GoAwayMessage(last, (DaosError)reason);
    }
}
