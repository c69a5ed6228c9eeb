namespace Daos.Protocol.Containers;

/// <summary>A request naming an open container handle: close, query, handle check.</summary>
/// <param name="Pool">The pool uuid.</param>
/// <param name="Handle">The container handle.</param>
public sealed record ContainerHandleRequest(Guid Pool, Guid Handle) : IProtocolMessage<ContainerHandleRequest>
{
    /// <inheritdoc/>
    public void Write(ref ProtocolWriter writer)
    {
        writer.WriteGuid(Pool);
        writer.WriteGuid(Handle);
    }

    /// <inheritdoc/>
    public static ContainerHandleRequest Read(ref ProtocolReader reader) => new(reader.ReadGuid(), reader.ReadGuid());
}
