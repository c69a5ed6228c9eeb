namespace Daos.Placement.Tests;

/// <summary>Random pool maps and object ids drawn from one seed, so that a failing property names its seed.</summary>
internal static class RandomPools
{
    private static readonly ObjectClass[] Classes =
    [
        ObjectClass.S1, ObjectClass.S2, ObjectClass.S4, ObjectClass.SX, ObjectClass.RP_2G1, ObjectClass.RP_2G2,
        ObjectClass.RP_3G1, ObjectClass.RP_3G2, ObjectClass.RP_2GX, ObjectClass.EC_2P1G1, ObjectClass.EC_4P2G1,
        ObjectClass.EC_2P2G1, ObjectClass.RP_4G1,
    ];

    public static PoolMap Map(DeterministicRandom rng) =>
        PoolMap.Create(rng.Next(1, 12), rng.Next(1, 4), rng.Next(1, 6));

    /// <summary>A class that fits <paramref name="map"/> at <paramref name="level"/>, resolved against it when X.</summary>
    public static ObjectClass FittingClass(DeterministicRandom rng, PoolMap map, FaultDomainLevel level)
    {
        int domains = map.DomainCount(level);
        for (int attempt = 0; attempt < 50; attempt++)
        {
            ObjectClass c = Classes[rng.Next(Classes.Length)];
            if (c.GroupSize > domains)
            {
                continue;
            }

            if (c.IsMaxGroups)
            {
                c = c.WithGroupCount(Math.Max(1, map.Targets.Count / c.GroupSize));
            }

            if (c.GroupCount * c.GroupSize <= map.Targets.Count)
            {
                return c;
            }
        }

        return ObjectClass.S1;
    }

    public static ObjectId Oid(DeterministicRandom rng, ObjectClass c) =>
        ObjectId.Create(ObjectType.MultiHashed, c, rng.NextUInt64(), (uint)rng.NextUInt64());
}
