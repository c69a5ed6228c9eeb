using Daos.Protocol.Management;

namespace Daos.Protocol.Pools;

/// <summary>What a pool query (and a pool create) answers: identity, map version, targets, space, service.</summary>
/// <param name="Uuid">The pool uuid.</param>
/// <param name="Label">The pool label.</param>
/// <param name="MapVersion">The current pool map version.</param>
/// <param name="TargetsTotal">Targets in the pool map.</param>
/// <param name="TargetsDisabled">Targets down or excluded.</param>
/// <param name="Space">Space per tier summed over the targets that answered.</param>
/// <param name="ServiceRanks">The ranks of the service replicas.</param>
/// <param name="ServiceLeader">The rank leading the service, or -1.</param>
/// <param name="Handles">Connected pool handles.</param>
/// <param name="PoolMap">The serialized pool map at <paramref name="MapVersion"/> (message version 2; empty in older bodies).</param>
/// <param name="Ranks">The system rank of each pool-map rank, in pool-map order (message version 2; empty in older bodies).</param>
public sealed record PoolInfoReply(Guid Uuid, string Label, int MapVersion, int TargetsTotal, int TargetsDisabled, PoolSpace Space,
    IReadOnlyList<int> ServiceRanks, int ServiceLeader, int Handles, ReadOnlyMemory<byte> PoolMap = default, IReadOnlyList<int>? Ranks = null)
    : IProtocolMessage<PoolInfoReply>
{
    /// <inheritdoc/>
    public void Write(ref ProtocolWriter writer)
    {
        writer.WriteGuid(Uuid);
        writer.WriteString(Label);
        writer.WriteInt32(MapVersion);
        writer.WriteInt32(TargetsTotal);
        writer.WriteInt32(TargetsDisabled);
        Space.Write(ref writer);
        Fields.WriteRanks(ref writer, ServiceRanks);
        writer.WriteInt32(ServiceLeader);
        writer.WriteInt32(Handles);
        writer.WriteBytes(PoolMap.Span);
        Fields.WriteRanks(ref writer, Ranks ?? []);
    }

    /// <inheritdoc/>
    public static PoolInfoReply Read(ref ProtocolReader reader)
    {
        Guid uuid = reader.ReadGuid();
        string label = Fields.ReadLabel(ref reader);
        int version = reader.ReadInt32();
        int total = reader.ReadInt32();
        int disabled = reader.ReadInt32();
        PoolSpace space = PoolSpace.Read(ref reader);
        int[] service = Fields.ReadRanks(ref reader);
        int leader = reader.ReadInt32();
        int handles = reader.ReadInt32();
        ReadOnlyMemory<byte> map = ReadOnlyMemory<byte>.Empty;
        int[] ranks = [];
        if (reader.MessageVersion >= 2)
        {
            map = reader.ReadBytes(ProtocolLimits.PoolMapBytesMax);
            ranks = Fields.ReadRanks(ref reader);
        }

        if (version < 0 || total < 0 || disabled < 0 || disabled > total || leader < -1 || handles < 0)
        {
            throw new DaosException(DaosError.Protocol, "pool info with a negative or inconsistent count");
        }

        return new PoolInfoReply(uuid, label, version, total, disabled, space, service, leader, handles, map.ToArray(), ranks);
    }
}
