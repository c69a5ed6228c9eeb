namespace Daos.Protocol.Containers;

/// <summary>Change some properties through a read-write container handle.</summary>
/// <param name="Pool">The pool uuid.</param>
/// <param name="Handle">The container handle.</param>
/// <param name="Properties">The properties to change (at least one).</param>
/// <param name="Key">The call's operation key (version 3), the same on every retry.</param>
public sealed record ContainerSetPropertiesRequest(Guid Pool, Guid Handle, IReadOnlyList<ContainerProperty> Properties, OperationKey Key = default)
    : IProtocolMessage<ContainerSetPropertiesRequest>
{
    /// <inheritdoc/>
    public void Write(ref ProtocolWriter writer)
    {
        writer.WriteGuid(Pool);
        writer.WriteGuid(Handle);
        ContainerProperty.WriteList(ref writer, Properties);
        Key.Write(ref writer);
    }

    /// <inheritdoc/>
    public static ContainerSetPropertiesRequest Read(ref ProtocolReader reader) =>
        new(reader.ReadGuid(), reader.ReadGuid(), ContainerProperty.ReadList(ref reader), OperationKey.Read(ref reader));
}
