namespace Daos.Protocol.Pools;

/// <summary>A request naming a pool and a connected pool handle: disconnect, query, container list.</summary>
/// <param name="Pool">The pool uuid.</param>
/// <param name="Handle">The pool handle.</param>
public sealed record PoolHandleRequest(Guid Pool, Guid Handle) : IProtocolMessage<PoolHandleRequest>
{
    /// <inheritdoc/>
    public void Write(ref ProtocolWriter writer)
    {
        writer.WriteGuid(Pool);
        writer.WriteGuid(Handle);
    }

    /// <inheritdoc/>
    public static PoolHandleRequest Read(ref ProtocolReader reader) => new(reader.ReadGuid(), reader.ReadGuid());
}
