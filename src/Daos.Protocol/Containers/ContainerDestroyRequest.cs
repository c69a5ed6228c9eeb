namespace Daos.Protocol.Containers;

/// <summary>Destroy a container; without <see cref="Force"/> one with open handles is refused with Busy.</summary>
/// <param name="Pool">The pool uuid.</param>
/// <param name="PoolHandle">A connected, read-write pool handle.</param>
/// <param name="LabelOrUuid">The container's label or uuid.</param>
/// <param name="Force">Destroy even with handles open (they are evicted).</param>
/// <param name="Key">The call's operation key (version 3), the same on every retry.</param>
public sealed record ContainerDestroyRequest(Guid Pool, Guid PoolHandle, string LabelOrUuid, bool Force, OperationKey Key = default)
    : IProtocolMessage<ContainerDestroyRequest>
{
    /// <inheritdoc/>
    public void Write(ref ProtocolWriter writer)
    {
        writer.WriteGuid(Pool);
        writer.WriteGuid(PoolHandle);
        writer.WriteString(LabelOrUuid);
        writer.WriteBoolean(Force);
        Key.Write(ref writer);
    }

    /// <inheritdoc/>
    public static ContainerDestroyRequest Read(ref ProtocolReader reader) =>
        new(reader.ReadGuid(), reader.ReadGuid(), Fields.ReadName(ref reader), reader.ReadBoolean(), OperationKey.Read(ref reader));
}
