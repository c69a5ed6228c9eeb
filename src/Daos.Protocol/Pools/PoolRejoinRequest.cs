namespace Daos.Protocol.Pools;

/// <summary>
/// Engine to pool service, when the engine starts holding a shard of the pool: what changed while it was away. Answered
/// by <see cref="PoolRejoinReply"/>: the pool's current record (map and rank table) and the containers that still exist.
/// </summary>
/// <param name="Pool">The pool uuid.</param>
/// <param name="Rank">The asking engine's system rank (for the service's messages).</param>
public sealed record PoolRejoinRequest(Guid Pool, int Rank) : IProtocolMessage<PoolRejoinRequest>
{
    /// <inheritdoc/>
    public void Write(ref ProtocolWriter writer)
    {
        writer.WriteGuid(Pool);
        writer.WriteInt32(Rank);
    }

    /// <inheritdoc/>
    public static PoolRejoinRequest Read(ref ProtocolReader reader)
    {
        Guid pool = reader.ReadGuid();
        int rank = reader.ReadInt32();
        if (rank < 0)
        {
            throw new DaosException(DaosError.Protocol, $"rank {rank} is negative");
        }

        return new PoolRejoinRequest(pool, rank);
    }
}
