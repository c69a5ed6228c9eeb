namespace Daos.Protocol.Management;

/// <summary>Management to engine: stop this rank's service replica of the pool, if any, and delete its shards. Idempotent.</summary>
/// <param name="Uuid">The pool uuid.</param>
/// <param name="FencingToken">The management service's Raft term when its leader began the operation (version 4; see
/// <see cref="PoolShardCreateRequest.FencingToken"/>); an engine refuses one below the highest it has seen for the pool.</param>
public sealed record PoolShardDestroyRequest(Guid Uuid, ulong FencingToken = 0) : IProtocolMessage<PoolShardDestroyRequest>
{
    /// <inheritdoc/>
    public void Write(ref ProtocolWriter writer)
    {
        writer.WriteGuid(Uuid);
        writer.WriteUInt64(FencingToken);
    }

    /// <inheritdoc/>
    public static PoolShardDestroyRequest Read(ref ProtocolReader reader) =>
        new(reader.ReadGuid(), reader.MessageVersion >= 4 ? reader.ReadUInt64() : 0);
}
