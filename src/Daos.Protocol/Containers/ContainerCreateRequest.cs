namespace Daos.Protocol.Containers;

/// <summary>Create a container with the uuid the client chose (as DAOS's client does) and initial properties.</summary>
/// <param name="Pool">The pool uuid.</param>
/// <param name="PoolHandle">A connected, read-write pool handle.</param>
/// <param name="Uuid">The new container's uuid.</param>
/// <param name="Properties">Initial properties; the label is required and unique in the pool.</param>
public sealed record ContainerCreateRequest(Guid Pool, Guid PoolHandle, Guid Uuid, IReadOnlyList<ContainerProperty> Properties)
    : IProtocolMessage<ContainerCreateRequest>
{
    /// <inheritdoc/>
    public void Write(ref ProtocolWriter writer)
    {
        writer.WriteGuid(Pool);
        writer.WriteGuid(PoolHandle);
        writer.WriteGuid(Uuid);
        ContainerProperty.WriteList(ref writer, Properties);
    }

    /// <inheritdoc/>
    public static ContainerCreateRequest Read(ref ProtocolReader reader) =>
        new(reader.ReadGuid(), reader.ReadGuid(), reader.ReadGuid(), ContainerProperty.ReadList(ref reader));
}
