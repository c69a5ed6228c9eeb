namespace Daos.Protocol.Containers;

/// <summary>A request naming an open container handle: close, query, handle check.</summary>
/// <param name="Pool">The pool uuid.</param>
/// <param name="Handle">The container handle.</param>
/// <param name="Key">The operation key of a close (version 4), the same on every retry; none for query and handle check.</param>
public sealed record ContainerHandleRequest(Guid Pool, Guid Handle, OperationKey Key = default) : IProtocolMessage<ContainerHandleRequest>
{
    /// <inheritdoc/>
    public void Write(ref ProtocolWriter writer)
    {
        writer.WriteGuid(Pool);
        writer.WriteGuid(Handle);
        Key.Write(ref writer);
    }

    /// <inheritdoc/>
    public static ContainerHandleRequest Read(ref ProtocolReader reader) => new(reader.ReadGuid(), reader.ReadGuid(), OperationKey.ReadSince(ref reader, 4));
}
