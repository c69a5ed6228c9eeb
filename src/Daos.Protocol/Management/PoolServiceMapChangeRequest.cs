namespace Daos.Protocol.Management;

/// <summary>
/// Management service to pool service: apply a map change in one RDB transaction and publish the new map to every
/// engine of the pool. For extend, <see cref="NewRanks"/> are the ranks (with addresses) whose shards the management
/// service has created; they become pool-map ranks after the existing ones. Answered by <see cref="Pools.PoolInfoReply"/>.
/// </summary>
/// <param name="Pool">The pool uuid.</param>
/// <param name="Kind">The change.</param>
/// <param name="Rank">The system rank whose targets change; -1 for extend.</param>
/// <param name="Target">The target index on that rank; -1 for every target (and for extend).</param>
/// <param name="NewRanks">The ranks to add (extend only; empty otherwise).</param>
/// <param name="Key">The administrator's operation key (version 4), passed on by the management service: the pool
/// service records the change's outcome under it, so a retry through a later management leader applies nothing twice.</param>
public sealed record PoolServiceMapChangeRequest(Guid Pool, PoolMapChangeKind Kind, int Rank, int Target, IReadOnlyList<RankAddress> NewRanks, OperationKey Key = default)
    : IProtocolMessage<PoolServiceMapChangeRequest>
{
    /// <inheritdoc/>
    public void Write(ref ProtocolWriter writer)
    {
        writer.WriteGuid(Pool);
        writer.WriteUInt8((byte)Kind);
        writer.WriteInt32(Rank);
        writer.WriteInt32(Target);
        RankAddress.WriteList(ref writer, NewRanks);
        Key.Write(ref writer);
    }

    /// <inheritdoc/>
    public static PoolServiceMapChangeRequest Read(ref ProtocolReader reader)
    {
        Guid pool = reader.ReadGuid();
        var kind = (PoolMapChangeKind)reader.ReadEnum((byte)PoolMapChangeKind.Extend, (byte)PoolMapChangeKind.Exclude);
        int rank = reader.ReadInt32();
        int target = reader.ReadInt32();
        RankAddress[] ranks = RankAddress.ReadList(ref reader);
        OperationKey key = OperationKey.ReadSince(ref reader, 4);
        Fields.CheckMapChange(kind, rank, target, ranks.Length);
        return new PoolServiceMapChangeRequest(pool, kind, rank, target, ranks, key);
    }
}
