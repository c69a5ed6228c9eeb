namespace Daos.Protocol.Containers;

/// <summary>Set, get, list or delete a user attribute of a container.</summary>
/// <param name="Pool">The pool uuid.</param>
/// <param name="Handle">The container handle (read-write for Set and Delete).</param>
/// <param name="Operation">What to do.</param>
/// <param name="Name">The attribute name (empty for List).</param>
/// <param name="Value">The value (Set only).</param>
/// <param name="Key">Set and Delete: the call's operation key (version 3), the same on every retry; none for Get and List.</param>
public sealed record ContainerAttributeRequest(Guid Pool, Guid Handle, AttributeOperation Operation, string Name, ReadOnlyMemory<byte> Value,
    OperationKey Key = default)
    : IProtocolMessage<ContainerAttributeRequest>
{
    /// <inheritdoc/>
    public void Write(ref ProtocolWriter writer)
    {
        writer.WriteGuid(Pool);
        writer.WriteGuid(Handle);
        writer.WriteUInt8((byte)Operation);
        writer.WriteString(Name);
        writer.WriteBytes(Value.Span);
        Key.Write(ref writer);
    }

    /// <inheritdoc/>
    public static ContainerAttributeRequest Read(ref ProtocolReader reader)
    {
        Guid pool = reader.ReadGuid();
        Guid handle = reader.ReadGuid();
        var operation = (AttributeOperation)reader.ReadEnum((byte)AttributeOperation.Delete, (byte)AttributeOperation.Set);
        string name = reader.ReadString(ProtocolLimits.AttributeNameBytesMax);
        ReadOnlyMemory<byte> value = reader.ReadBytes(ProtocolLimits.AttributeValueBytesMax);
        OperationKey key = OperationKey.Read(ref reader);
        bool write = operation is AttributeOperation.Set or AttributeOperation.Delete;
        if ((operation == AttributeOperation.List) != (name.Length == 0) || (operation != AttributeOperation.Set && !value.IsEmpty) || (!write && !key.IsNone))
        {
            throw new DaosException(DaosError.Protocol, $"attribute {operation} with the wrong fields");
        }

        return new ContainerAttributeRequest(pool, handle, operation, name, value.ToArray(), key);
    }
}
