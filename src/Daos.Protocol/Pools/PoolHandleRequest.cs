namespace Daos.Protocol.Pools;

/// <summary>A request naming a pool and a connected pool handle: disconnect, query, container list.</summary>
/// <param name="Pool">The pool uuid.</param>
/// <param name="Handle">The pool handle.</param>
/// <param name="Key">The operation key of a disconnect (version 4), the same on every retry; none for query and list.</param>
public sealed record PoolHandleRequest(Guid Pool, Guid Handle, OperationKey Key = default) : IProtocolMessage<PoolHandleRequest>
{
    /// <inheritdoc/>
    public void Write(ref ProtocolWriter writer)
    {
        writer.WriteGuid(Pool);
        writer.WriteGuid(Handle);
        Key.Write(ref writer);
    }

    /// <inheritdoc/>
    public static PoolHandleRequest Read(ref ProtocolReader reader) => new(reader.ReadGuid(), reader.ReadGuid(), OperationKey.ReadSince(ref reader, 4));
}
