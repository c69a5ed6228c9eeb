namespace Daos.Protocol.Containers;

/// <summary>The reply to an attribute request: a value (Get) or names (List).</summary>
/// <param name="Found">Get: whether the attribute exists.</param>
/// <param name="Value">Get: its value.</param>
/// <param name="Names">List: every attribute name, in ordinal order.</param>
public sealed record ContainerAttributeReply(bool Found, ReadOnlyMemory<byte> Value, IReadOnlyList<string> Names)
    : IProtocolMessage<ContainerAttributeReply>
{
    /// <inheritdoc/>
    public void Write(ref ProtocolWriter writer)
    {
        writer.WriteBoolean(Found);
        writer.WriteBytes(Value.Span);
        writer.WriteCount(Names.Count);
        foreach (string name in Names)
        {
            writer.WriteString(name);
        }
    }

    /// <inheritdoc/>
    public static ContainerAttributeReply Read(ref ProtocolReader reader)
    {
        bool found = reader.ReadBoolean();
        ReadOnlyMemory<byte> value = reader.ReadBytes(ProtocolLimits.AttributeValueBytesMax);
        int count = reader.ReadCount(ProtocolLimits.ListEntriesMax, 2);
        var names = new string[count];
        for (int i = 0; i < count; i++)
        {
            names[i] = reader.ReadString(ProtocolLimits.AttributeNameBytesMax);
        }

        return new ContainerAttributeReply(found, value.ToArray(), names);
    }
}
