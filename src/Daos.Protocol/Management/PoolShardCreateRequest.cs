namespace Daos.Protocol.Management;

/// <summary>
/// Management to engine: create a VOS shard of the pool on every target of this rank, and, if this rank is one of
/// <see cref="ServiceRanks"/>, start its pool service replica (Raft group <see cref="ServiceGroupId"/> on opcode
/// <see cref="RaftOpcode"/>). It carries everything the engine must remember about the pool (the engine keeps it
/// in its local pool registry to reopen the pool after a restart) and what the service's first leader records.
/// </summary>
/// <param name="Uuid">The pool uuid.</param>
/// <param name="Label">The pool label.</param>
/// <param name="ScmBytesPerTarget">Heap bytes per target.</param>
/// <param name="NvmeBytesPerTarget">Blob bytes per target.</param>
/// <param name="PoolMap">The serialized initial pool map.</param>
/// <param name="Ranks">The pool's ranks in pool-map rank order (pool-map rank i is system rank Ranks[i].Rank) with their addresses.</param>
/// <param name="ServiceRanks">The system ranks of the service replicas.</param>
/// <param name="ServiceGroupId">The pool service's Raft group id.</param>
/// <param name="RaftOpcode">The pool service's Raft opcode.</param>
/// <param name="FencingToken">Sent as <see cref="ProtocolOpcodes.PoolShardCreate"/> (version 4): the management service's
/// Raft term when its leader began the operation. An engine refuses a create or destroy whose token is below the
/// highest it has seen for the pool, so a deposed leader cannot recreate shards its successor rolled back. 0 in the
/// records kept elsewhere (management and pool service RDB, the engine's registry, map publishes).</param>
public sealed record PoolShardCreateRequest(Guid Uuid, string Label, long ScmBytesPerTarget, long NvmeBytesPerTarget, ReadOnlyMemory<byte> PoolMap,
    IReadOnlyList<RankAddress> Ranks, IReadOnlyList<int> ServiceRanks, ulong ServiceGroupId, ushort RaftOpcode, ulong FencingToken = 0)
    : IProtocolMessage<PoolShardCreateRequest>
{
    /// <inheritdoc/>
    public void Write(ref ProtocolWriter writer)
    {
        writer.WriteGuid(Uuid);
        writer.WriteString(Label);
        writer.WriteInt64(ScmBytesPerTarget);
        writer.WriteInt64(NvmeBytesPerTarget);
        writer.WriteBytes(PoolMap.Span);
        RankAddress.WriteList(ref writer, Ranks);
        Fields.WriteRanks(ref writer, ServiceRanks);
        writer.WriteUInt64(ServiceGroupId);
        writer.WriteUInt16(RaftOpcode);
        writer.WriteUInt64(FencingToken);
    }

    /// <inheritdoc/>
    public static PoolShardCreateRequest Read(ref ProtocolReader reader)
    {
        Guid uuid = reader.ReadGuid();
        string label = Fields.ReadLabel(ref reader);
        long scm = Fields.ReadSize(ref reader);
        long nvme = Fields.ReadSize(ref reader);
        ReadOnlyMemory<byte> map = reader.ReadBytes(ProtocolLimits.PoolMapBytesMax);
        RankAddress[] ranks = RankAddress.ReadList(ref reader);
        int[] service = Fields.ReadRanks(ref reader);
        ulong group = reader.ReadUInt64();
        ushort opcode = reader.ReadUInt16();
        ulong token = reader.MessageVersion >= 4 ? reader.ReadUInt64() : 0;
        if (opcode is < ProtocolOpcodes.PoolServiceRaftFirst or > ProtocolOpcodes.PoolServiceRaftLast)
        {
            throw new DaosException(DaosError.Protocol, $"raft opcode 0x{opcode:x} is outside the pool service range");
        }

        if (ranks.Length == 0 || service.Length == 0 || service.Length > 15)
        {
            throw new DaosException(DaosError.Protocol, "a pool needs ranks and 1..15 service replicas");
        }

        foreach (int rank in service)
        {
            if (Array.FindIndex(ranks, r => r.Rank == rank) < 0)
            {
                throw new DaosException(DaosError.Protocol, $"service rank {rank} is not one of the pool's ranks");
            }
        }

        return new PoolShardCreateRequest(uuid, label, scm, nvme, map.ToArray(), ranks, service, group, opcode, token);
    }
}
