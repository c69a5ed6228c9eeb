namespace Daos.Protocol.Objects;

/// <summary>The reply to <see cref="ObjectQueryMaxRequest"/>.</summary>
/// <param name="HasRecords">False when the akey holds no visible record.</param>
/// <param name="MaxIndex">The highest visible record index (0 when there is none).</param>
public sealed record ObjectQueryMaxReply(bool HasRecords, long MaxIndex) : IProtocolMessage<ObjectQueryMaxReply>
{
    /// <inheritdoc/>
    public void Write(ref ProtocolWriter writer)
    {
        writer.WriteBoolean(HasRecords);
        writer.WriteInt64(MaxIndex);
    }

    /// <inheritdoc/>
    public static ObjectQueryMaxReply Read(ref ProtocolReader reader)
    {
        bool has = reader.ReadBoolean();
        long max = reader.ReadInt64();
        if (max < 0 || (!has && max != 0))
        {
            throw new DaosException(DaosError.Protocol, $"max index {max} is invalid");
        }

        return new ObjectQueryMaxReply(has, max);
    }
}
