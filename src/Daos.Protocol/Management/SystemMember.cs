namespace Daos.Protocol.Management;

/// <summary>One rank of the system.</summary>
/// <param name="Rank">The rank.</param>
/// <param name="Address">Where its engine listens (a transport URI).</param>
/// <param name="Targets">How many targets it runs.</param>
/// <param name="State">Its state.</param>
public readonly record struct SystemMember(int Rank, string Address, int Targets, RankState State)
{
    internal void Write(ref ProtocolWriter writer)
    {
        writer.WriteInt32(Rank);
        writer.WriteString(Address);
        writer.WriteInt32(Targets);
        writer.WriteUInt8((byte)State);
    }

    internal static SystemMember Read(ref ProtocolReader reader)
    {
        int rank = Fields.ReadRank(ref reader);
        string address = Fields.ReadName(ref reader);
        int targets = reader.ReadInt32();
        if (targets is < 1 or > 1024)
        {
            throw new DaosException(DaosError.Protocol, $"target count {targets} is outside 1..1024");
        }

        return new SystemMember(rank, address, targets, (RankState)reader.ReadEnum((byte)RankState.Excluded));
    }
}
