namespace Daos.Protocol.Management;

/// <summary>A rank and the transport address of its engine.</summary>
/// <param name="Rank">The rank.</param>
/// <param name="Address">The engine's transport address (a URI such as <c>inproc://engine-1</c>).</param>
public readonly record struct RankAddress(int Rank, string Address)
{
    internal const int SizeBytesMin = 4 + 2;

    internal static void WriteList(ref ProtocolWriter writer, IReadOnlyList<RankAddress> ranks)
    {
        writer.WriteCount(ranks.Count);
        foreach (RankAddress rank in ranks)
        {
            writer.WriteInt32(rank.Rank);
            writer.WriteString(rank.Address);
        }
    }

    internal static RankAddress[] ReadList(ref ProtocolReader reader)
    {
        int count = reader.ReadCount(ProtocolLimits.RanksMax, SizeBytesMin);
        var ranks = new RankAddress[count];
        for (int i = 0; i < count; i++)
        {
            ranks[i] = new RankAddress(Fields.ReadRank(ref reader), Fields.ReadName(ref reader));
        }

        return ranks;
    }
}
