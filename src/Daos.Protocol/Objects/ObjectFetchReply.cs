namespace Daos.Protocol.Objects;

/// <summary>The reply to a fetch: one result per requested akey, in request order.</summary>
/// <param name="Results">The results.</param>
public sealed record ObjectFetchReply(IReadOnlyList<IodResult> Results) : IProtocolMessage<ObjectFetchReply>
{
    /// <inheritdoc/>
    public void Write(ref ProtocolWriter writer)
    {
        writer.WriteCount(Results.Count);
        for (int i = 0; i < Results.Count; i++)
        {
            Results[i].Write(ref writer);
        }
    }

    /// <inheritdoc/>
    public static ObjectFetchReply Read(ref ProtocolReader reader)
    {
        int count = reader.ReadCount(ProtocolLimits.IodsMax, IodResult.SizeBytesMin);
        var results = new IodResult[count];
        for (int i = 0; i < count; i++)
        {
            results[i] = IodResult.Read(ref reader);
        }

        return new ObjectFetchReply(results);
    }
}
