namespace Daos.Protocol;

/// <summary>Field rules shared by the service messages.</summary>
internal static class Fields
{
    public static void WriteRanks(ref ProtocolWriter writer, IReadOnlyList<int> ranks)
    {
        writer.WriteCount(ranks.Count);
        for (int i = 0; i < ranks.Count; i++)
        {
            writer.WriteInt32(ranks[i]);
        }
    }

    public static int[] ReadRanks(ref ProtocolReader reader)
    {
        int count = reader.ReadCount(ProtocolLimits.RanksMax, 4);
        int[] ranks = count == 0 ? [] : new int[count];
        for (int i = 0; i < count; i++)
        {
            ranks[i] = ReadRank(ref reader);
        }

        return ranks;
    }

    public static int ReadRank(ref ProtocolReader reader)
    {
        int rank = reader.ReadInt32();
        if (rank < 0)
        {
            throw new DaosException(DaosError.Protocol, $"rank {rank} is negative");
        }

        return rank;
    }

    /// <summary>Exclude, drain and reintegrate name a rank (and a target index or -1) and no new ranks; extend names only new ranks.</summary>
    public static void CheckMapChange(Management.PoolMapChangeKind kind, int rank, int target, int newRanks)
    {
        bool valid = kind == Management.PoolMapChangeKind.Extend
            ? rank == -1 && target == -1 && newRanks > 0
            : rank >= 0 && target >= -1 && newRanks == 0;
        if (!valid)
        {
            throw new DaosException(DaosError.Protocol,
                $"pool map change {kind} with rank {rank}, target {target} and {newRanks} new ranks: extend names only new ranks, the others one rank and a target index or -1");
        }
    }

    public static long ReadSize(ref ProtocolReader reader)
    {
        long size = reader.ReadInt64();
        if (size < 0)
        {
            throw new DaosException(DaosError.Protocol, $"size {size} is negative");
        }

        return size;
    }

    public static string ReadLabel(ref ProtocolReader reader) => reader.ReadString(ProtocolLimits.LabelBytesMax);

    public static string ReadName(ref ProtocolReader reader) => reader.ReadString(ProtocolLimits.NameBytesMax);
}
