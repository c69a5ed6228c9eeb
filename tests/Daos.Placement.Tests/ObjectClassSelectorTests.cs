namespace Daos.Placement.Tests;

public sealed class ObjectClassSelectorTests
{
    public static TheoryData<int, ObjectType, int, string> Table => new()
    {
        // RF, type, node count -> class (REFERENCE.md 1.6, DAOS's dc_set_oclass)
        { 0, ObjectType.MultiHashed, 4, "S1" },
        { 0, ObjectType.KeyValue, 4, "S" },
        { 1, ObjectType.MultiHashed, 4, "RP_2G1" },
        { 1, ObjectType.Array, 20, "EC_16P1" },
        { 1, ObjectType.Array, 12, "EC_8P1" },
        { 1, ObjectType.Array, 6, "EC_4P1" },
        { 1, ObjectType.Array, 3, "EC_2P1" },
        { 1, ObjectType.Array, 2, "RP_2" },
        { 2, ObjectType.ByteArray, 20, "EC_16P2" },
        { 2, ObjectType.ByteArray, 12, "EC_8P2" },
        { 2, ObjectType.ByteArray, 8, "EC_4P2" },
        { 2, ObjectType.ByteArray, 4, "EC_2P2" },
        { 2, ObjectType.MultiHashed, 4, "RP_3G1" },
        { 3, ObjectType.Array, 22, "EC_16P3" },
        { 3, ObjectType.Array, 14, "EC_8P3" },
        { 3, ObjectType.Array, 10, "EC_4P3" },
        { 3, ObjectType.Array, 9, "RP_4" },
        { 4, ObjectType.MultiHashed, 6, "RP_5G1" },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void Redundancy_factor_selects_the_daos_class(int rf, ObjectType type, int nodes, string expected)
    {
        PoolMap map = PoolMap.Create(nodes, 1, 4);
        ObjectClass c = ObjectClassSelector.Select(map, type, rf);
        Assert.StartsWith(expected, c.Name, StringComparison.Ordinal);
        bool maxGroups = type is ObjectType.Array or ObjectType.ByteArray or ObjectType.KeyValue;
        Assert.Equal(maxGroups, c.GroupCount > 1 || map.Targets.Count / c.GroupSize == 1);
        Assert.False(c.IsMaxGroups); // resolved against the map
        Assert.NotNull(JumpMap.Place(map, ObjectId.Create(type, c, 1)));
    }

    [Fact]
    public void Too_few_domains_for_the_redundancy_factor_is_invalid()
    {
        var e = Assert.Throws<DaosException>(() => ObjectClassSelector.Select(PoolMap.Create(4, 1, 4), ObjectType.MultiHashed, 4));
        Assert.Equal(DaosError.InvalidArgument, e.Error);
        Assert.Equal(DaosError.InvalidArgument,
            Assert.Throws<DaosException>(() => ObjectClassSelector.Select(PoolMap.Create(4, 1, 4), ObjectType.MultiHashed, 5)).Error);
    }

    [Fact]
    public void X_resolves_with_the_rebuild_reserve()
    {
        PoolMap map = PoolMap.Create(8, 1, 8); // 64 targets in 8 domains
        Assert.Equal(21, ObjectClassSelector.Resolve(map, ObjectClass.RP_3GX, 0).GroupCount);
        // RF 2 below 16 domains reserves 2 domains' worth of targets: 16 targets = 6 groups of 3.
        Assert.Equal(21 - 6, ObjectClassSelector.Resolve(map, ObjectClass.RP_3GX, 2).GroupCount);
        Assert.Equal(ObjectClass.RP_3G1, ObjectClassSelector.Resolve(map, ObjectClass.RP_3G1, 2));
        Assert.Equal(DaosError.InvalidArgument,
            Assert.Throws<DaosException>(() => ObjectClassSelector.Validate(map, ObjectClass.EC_16P2G1)).Error);
    }
}
