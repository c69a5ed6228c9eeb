namespace Daos.Protocol.Management;

/// <summary>
/// Administrator to management service: change a pool's map. Exclude, drain and reintegrate name one rank and
/// either one of its targets or all of them; extend names the ranks to add. Answered by the pool's
/// <see cref="Pools.PoolInfoReply"/> at the new map version.
/// </summary>
/// <param name="LabelOrUuid">The pool's label or uuid.</param>
/// <param name="Kind">The change.</param>
/// <param name="Rank">The system rank whose targets change (exclude, drain, reintegrate); -1 for extend.</param>
/// <param name="Target">The target index on that rank; -1 for every target of the rank (and for extend).</param>
/// <param name="Ranks">The system ranks to add (extend only; empty otherwise).</param>
/// <param name="Key">The call's operation key (version 4), the same on every retry: a retry of an applied change
/// answers its recorded outcome (a drain retried after a reintegrate does not drain again).</param>
public sealed record PoolMapChangeRequest(string LabelOrUuid, PoolMapChangeKind Kind, int Rank, int Target, IReadOnlyList<int> Ranks, OperationKey Key = default)
    : IProtocolMessage<PoolMapChangeRequest>
{
    /// <inheritdoc/>
    public void Write(ref ProtocolWriter writer)
    {
        writer.WriteString(LabelOrUuid);
        writer.WriteUInt8((byte)Kind);
        writer.WriteInt32(Rank);
        writer.WriteInt32(Target);
        Fields.WriteRanks(ref writer, Ranks);
        Key.Write(ref writer);
    }

    /// <inheritdoc/>
    public static PoolMapChangeRequest Read(ref ProtocolReader reader)
    {
        string pool = Fields.ReadName(ref reader);
        var kind = (PoolMapChangeKind)reader.ReadEnum((byte)PoolMapChangeKind.Extend, (byte)PoolMapChangeKind.Exclude);
        int rank = reader.ReadInt32();
        int target = reader.ReadInt32();
        int[] ranks = Fields.ReadRanks(ref reader);
        OperationKey key = OperationKey.ReadSince(ref reader, 4);
        Fields.CheckMapChange(kind, rank, target, ranks.Length);
        return new PoolMapChangeRequest(pool, kind, rank, target, ranks, key);
    }
}
