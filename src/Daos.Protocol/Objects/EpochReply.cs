namespace Daos.Protocol.Objects;

/// <summary>The reply to an update or punch: the epoch it was written at.</summary>
/// <param name="Epoch">The epoch the target stamped (or the one requested).</param>
public sealed record EpochReply(Epoch Epoch) : IProtocolMessage<EpochReply>
{
    /// <inheritdoc/>
    public void Write(ref ProtocolWriter writer) => writer.WriteUInt64(Epoch.Value);

    /// <inheritdoc/>
    public static EpochReply Read(ref ProtocolReader reader) => new(ObjectFields.ReadEpoch(ref reader));
}
