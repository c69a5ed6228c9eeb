namespace Daos.Protocol.Management;

/// <summary>Where a pool lives: its identity, the ranks holding its shards and the ranks of its service replicas.</summary>
/// <param name="Uuid">The pool uuid.</param>
/// <param name="Label">The pool label.</param>
/// <param name="Ranks">The ranks holding its targets.</param>
/// <param name="ServiceRanks">The ranks running its pool service replicas.</param>
public sealed record PoolLocation(Guid Uuid, string Label, IReadOnlyList<int> Ranks, IReadOnlyList<int> ServiceRanks)
    : IProtocolMessage<PoolLocation>
{
    /// <inheritdoc/>
    public void Write(ref ProtocolWriter writer)
    {
        writer.WriteGuid(Uuid);
        writer.WriteString(Label);
        Fields.WriteRanks(ref writer, Ranks);
        Fields.WriteRanks(ref writer, ServiceRanks);
    }

    /// <inheritdoc/>
    public static PoolLocation Read(ref ProtocolReader reader) =>
        new(reader.ReadGuid(), Fields.ReadLabel(ref reader), Fields.ReadRanks(ref reader), Fields.ReadRanks(ref reader));
}
