namespace Daos.Protocol.Management;

/// <summary>Management to engine: stop this rank's service replica of the pool, if any, and delete its shards. Idempotent.</summary>
/// <param name="Uuid">The pool uuid.</param>
public sealed record PoolShardDestroyRequest(Guid Uuid) : IProtocolMessage<PoolShardDestroyRequest>
{
    /// <inheritdoc/>
    public void Write(ref ProtocolWriter writer) => writer.WriteGuid(Uuid);

    /// <inheritdoc/>
    public static PoolShardDestroyRequest Read(ref ProtocolReader reader) => new(reader.ReadGuid());
}
