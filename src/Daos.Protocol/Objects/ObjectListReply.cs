namespace Daos.Protocol.Objects;

/// <summary>One page of a listing: keys (dkeys, akeys) or extents, and whether the listing is complete.</summary>
/// <param name="Keys">The keys of this page.</param>
/// <param name="Extents">The extents of this page.</param>
/// <param name="Complete">True when nothing follows this page.</param>
public sealed record ObjectListReply(IReadOnlyList<ReadOnlyMemory<byte>> Keys, IReadOnlyList<Extent> Extents, bool Complete)
    : IProtocolMessage<ObjectListReply>
{
    /// <inheritdoc/>
    public void Write(ref ProtocolWriter writer)
    {
        writer.WriteCount(Keys.Count);
        for (int i = 0; i < Keys.Count; i++)
        {
            writer.WriteBytes(Keys[i].Span);
        }

        writer.WriteCount(Extents.Count);
        for (int i = 0; i < Extents.Count; i++)
        {
            writer.WriteExtent(Extents[i]);
        }

        writer.WriteBoolean(Complete);
    }

    /// <inheritdoc/>
    public static ObjectListReply Read(ref ProtocolReader reader)
    {
        int keyCount = reader.ReadCount(ProtocolLimits.PageSizeMax, 4);
        var keys = new ReadOnlyMemory<byte>[keyCount];
        for (int i = 0; i < keyCount; i++)
        {
            keys[i] = ObjectFields.ReadKey(ref reader, "listed key");
        }

        int extentCount = reader.ReadCount(ProtocolLimits.PageSizeMax, 16);
        var extents = new Extent[extentCount];
        for (int i = 0; i < extentCount; i++)
        {
            extents[i] = reader.ReadExtent();
        }

        return new ObjectListReply(keys, extents, reader.ReadBoolean());
    }
}
