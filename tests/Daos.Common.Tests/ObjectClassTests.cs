namespace Daos.Common.Tests;

public sealed class ObjectClassTests
{
    [Fact]
    public void Every_named_class_round_trips_through_its_name_and_id()
    {
        Assert.True(ObjectClass.All.Count > 100);
        foreach (ObjectClass c in ObjectClass.All)
        {
            Assert.Equal(c, ObjectClass.Parse(c.Name));
            Assert.Equal(c, ObjectClass.Parse("OC_" + c.Name.ToLowerInvariant()));
            Assert.Equal(c, ObjectClass.FromId(c.Id));
            Assert.Equal(c.Name, c.ToString());
        }
    }

    [Theory]
    [InlineData("S1", 0x01000001u, 1, 1, RedundancyKind.None)]
    [InlineData("SX", 0x0100FFFFu, 0xFFFF, 1, RedundancyKind.None)]
    [InlineData("RP_2G1", 0x08000001u, 1, 2, RedundancyKind.Replication)]
    [InlineData("RP_3GX", 0x0900FFFFu, 0xFFFF, 3, RedundancyKind.Replication)]
    [InlineData("RP_6G32", 0x0C000020u, 32, 6, RedundancyKind.Replication)]
    [InlineData("RP_128G1", 0x14000001u, 1, 128, RedundancyKind.Replication)]
    [InlineData("EC_2P1G1", 0x20000001u, 1, 3, RedundancyKind.ErasureCode)]
    [InlineData("EC_4P2G1", 0x23000001u, 1, 6, RedundancyKind.ErasureCode)]
    [InlineData("EC_8P2GX", 0x2500FFFFu, 0xFFFF, 10, RedundancyKind.ErasureCode)]
    [InlineData("EC_16P2G32", 0x27000020u, 32, 18, RedundancyKind.ErasureCode)]
    [InlineData("EC_16P3G8", 0x2A000008u, 8, 19, RedundancyKind.ErasureCode)]
    public void Ids_and_shapes_follow_DAOS_encoding(string name, uint id, int groups, int groupSize, RedundancyKind kind)
    {
        ObjectClass c = ObjectClass.Parse(name);
        Assert.Equal(id, c.Id);
        Assert.Equal(groups, c.GroupCount);
        Assert.Equal(groupSize, c.GroupSize);
        Assert.Equal(kind, c.Redundancy);
        Assert.Equal(groups == ObjectClass.MaxGroups, c.IsMaxGroups);
    }

    [Fact]
    public void Erasure_and_replica_attributes()
    {
        ObjectClass ec = ObjectClass.EC_8P2G1;
        Assert.Equal(8, ec.DataCells);
        Assert.Equal(2, ec.ParityCells);
        Assert.Equal(2, ec.FaultsTolerated);
        Assert.Equal(1, ec.Replicas);
        ObjectClass rp = ObjectClass.RP_3G1;
        Assert.Equal(3, rp.Replicas);
        Assert.Equal(2, rp.FaultsTolerated);
        Assert.Equal(0, rp.DataCells);
        Assert.Equal(0, ObjectClass.S1.FaultsTolerated);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("S3")]
    [InlineData("S64")]
    [InlineData("RP_7G1")]
    [InlineData("RP_8G2")]
    [InlineData("EC_3P1G1")]
    [InlineData("EC_4P2G6")]
    [InlineData("EC_4P2G0")]
    [InlineData("RP_2G")]
    [InlineData("banana")]
    public void Unknown_names_are_rejected_with_InvalidArgument_naming_the_value(string name)
    {
        var e = Assert.Throws<DaosException>(() => ObjectClass.Parse(name));
        Assert.Equal(DaosError.InvalidArgument, e.Error);
        Assert.Contains($"'{name}'", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(0x02000001u)]
    [InlineData(0x01000000u)]
    [InlineData(0xFF000001u)]
    [InlineData(0x01010001u)]
    public void Invalid_ids_are_rejected(uint id)
    {
        Assert.Equal(DaosError.InvalidArgument, Assert.Throws<DaosException>(() => ObjectClass.FromId(id)).Error);
    }

    [Fact]
    public void X_resolution_reserves_groups_for_rebuild()
    {
        // 8 targets in 4 domains, RF 0: nothing reserved, 8 single-shard groups.
        Assert.Equal(8, ObjectClass.SX.ResolveMaxGroups(8, 4, 0).GroupCount);
        // RF 1 reserves one domain's worth of targets (2 targets -> 1 group of 2 replicas).
        Assert.Equal(3, ObjectClass.RP_2GX.ResolveMaxGroups(8, 4, 1).GroupCount);
        // Never below one group.
        Assert.Equal(1, ObjectClass.RP_3GX.ResolveMaxGroups(3, 3, 2).GroupCount);
        // A concrete class is returned unchanged.
        Assert.Equal(ObjectClass.RP_2G2, ObjectClass.RP_2G2.ResolveMaxGroups(8, 4, 1));
        // 1024 targets in 128 domains with RF 2: max(6% of 128 = 8, 4) domains = 64 targets reserved.
        Assert.Equal(1024 - 64, ObjectClass.SX.ResolveMaxGroups(1024, 128, 2).GroupCount);
    }

    [Fact]
    public void X_resolution_rejects_groups_wider_than_the_domains()
    {
        var e = Assert.Throws<DaosException>(() => ObjectClass.EC_8P2GX.ResolveMaxGroups(16, 4, 0));
        Assert.Equal(DaosError.InvalidArgument, e.Error);
        Assert.Contains("EC_8P2GX", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WithGroupCount_validates_range()
    {
        Assert.Equal("RP_2G37", ObjectClass.RP_2GX.WithGroupCount(37).Name);
        Assert.Throws<DaosException>(() => ObjectClass.S1.WithGroupCount(0));
        Assert.Throws<DaosException>(() => ObjectClass.Unknown.WithGroupCount(1));
    }
}
