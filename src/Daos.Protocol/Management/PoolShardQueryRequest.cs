namespace Daos.Protocol.Management;

/// <summary>Pool service to engine: the space of this rank's shards of the pool (<see cref="PoolSpace"/>).</summary>
/// <param name="Uuid">The pool uuid.</param>
public sealed record PoolShardQueryRequest(Guid Uuid) : IProtocolMessage<PoolShardQueryRequest>
{
    /// <inheritdoc/>
    public void Write(ref ProtocolWriter writer) => writer.WriteGuid(Uuid);

    /// <inheritdoc/>
    public static PoolShardQueryRequest Read(ref ProtocolReader reader) => new(reader.ReadGuid());
}
