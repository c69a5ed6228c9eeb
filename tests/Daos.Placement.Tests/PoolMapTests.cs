using System.Buffers.Binary;

namespace Daos.Placement.Tests;

public sealed class PoolMapTests
{
    [Fact]
    public void Create_builds_a_breadth_first_tree_with_targets_in_rank_order()
    {
        PoolMap map = PoolMap.Create(nodes: 3, ranksPerNode: 2, targetsPerRank: 4);
        Assert.Equal(1, map.Version);
        Assert.Equal(3, map.DomainCount(FaultDomainLevel.Node));
        Assert.Equal(6, map.DomainCount(FaultDomainLevel.Rank));
        Assert.Equal(24, map.Targets.Count);
        for (int i = 0; i < 24; i++)
        {
            Assert.Equal(new PoolTarget(i, i / 4, i % 4, TargetStatus.UpIn), map.Targets[i]);
            Assert.Equal(i / 8, map.FaultDomainOf(i, FaultDomainLevel.Node));
            Assert.Equal(i / 4, map.FaultDomainOf(i, FaultDomainLevel.Rank));
        }
    }

    [Theory]
    [InlineData(0, 1, 1)]
    [InlineData(1, 0, 1)]
    [InlineData(1, 1, 0)]
    [InlineData(-1, 1, 1)]
    [InlineData(1 << 12, 1 << 5, 1 << 4)]
    public void Create_refuses_empty_or_oversized_maps(int nodes, int ranks, int targets)
    {
        var e = Assert.Throws<DaosException>(() => PoolMap.Create(nodes, ranks, targets));
        Assert.Equal(DaosError.InvalidArgument, e.Error);
    }

    [Fact]
    public void Every_transition_bumps_the_version_and_follows_daos_states()
    {
        PoolMap v1 = PoolMap.Create(4, 1, 2);
        PoolMap v2 = v1.Exclude(3);
        Assert.Equal(2, v2.Version);
        Assert.Equal(TargetStatus.Down, v2.Targets[3].Status);
        Assert.Equal(TargetStatus.UpIn, v1.Targets[3].Status); // the old map is untouched
        PoolMap v3 = v2.Drain(5);
        Assert.Equal(TargetStatus.Drain, v3.Targets[5].Status);
        PoolMap v4 = v3.CompleteRebuild();
        Assert.Equal(4, v4.Version);
        Assert.Equal(TargetStatus.DownOut, v4.Targets[3].Status);
        Assert.Equal(TargetStatus.DownOut, v4.Targets[5].Status);
        PoolMap v5 = v4.Reintegrate(3);
        Assert.Equal(TargetStatus.Up, v5.Targets[3].Status);
        PoolMap v6 = v5.CompleteRebuild();
        Assert.Equal(TargetStatus.UpIn, v6.Targets[3].Status);
        PoolMap settled = v6.Reintegrate(5).CompleteRebuild();
        Assert.Equal(8, settled.Version);
        Assert.All(settled.Targets, t => Assert.Equal(TargetStatus.UpIn, t.Status));
    }

    [Fact]
    public void Rank_operations_change_every_eligible_target_in_one_version()
    {
        PoolMap map = PoolMap.Create(2, 2, 3).Exclude(4);
        Assert.Equal(4, map.TargetIdOf(1, 1));
        PoolMap excluded = map.ExcludeRank(1);
        Assert.Equal(map.Version + 1, excluded.Version);
        Assert.All(new[] { 3, 4, 5 }, t => Assert.Equal(TargetStatus.Down, excluded.Targets[t].Status));
        Assert.Equal(TargetStatus.UpIn, excluded.Targets[2].Status);
        PoolMap back = excluded.CompleteRebuild().ReintegrateRank(1);
        Assert.All(new[] { 3, 4, 5 }, t => Assert.Equal(TargetStatus.Up, back.Targets[t].Status));
        PoolMap drained = map.DrainRank(0);
        Assert.All(new[] { 0, 1, 2 }, t => Assert.Equal(TargetStatus.Drain, drained.Targets[t].Status));

        Assert.Equal(DaosError.NonExistent, Assert.Throws<DaosException>(() => map.ExcludeRank(9)).Error);
        Assert.Equal(DaosError.NonExistent, Assert.Throws<DaosException>(() => map.TargetIdOf(1, 3)).Error);
        Assert.Equal(DaosError.InvalidArgument, Assert.Throws<DaosException>(() => map.ReintegrateRank(0)).Error);
        Assert.Equal(DaosError.InvalidArgument, Assert.Throws<DaosException>(() => excluded.ExcludeRank(1)).Error);
    }

    [Fact]
    public void CompleteRebuild_with_nothing_in_transition_returns_the_same_map()
    {
        PoolMap map = PoolMap.Create(2, 1, 1);
        Assert.Same(map, map.CompleteRebuild());
    }

    [Fact]
    public void Extend_appends_nodes_as_up_and_completes_to_upin()
    {
        PoolMap map = PoolMap.Create(2, 2, 2).Extend(1, 2, 2);
        Assert.Equal(2, map.Version);
        Assert.Equal(3, map.DomainCount(FaultDomainLevel.Node));
        Assert.Equal(6, map.DomainCount(FaultDomainLevel.Rank));
        Assert.Equal(12, map.Targets.Count);
        for (int i = 8; i < 12; i++)
        {
            Assert.Equal(TargetStatus.Up, map.Targets[i].Status);
            Assert.Equal(4 + (i - 8) / 2, map.Targets[i].Rank);
            Assert.Equal(2, map.FaultDomainOf(i, FaultDomainLevel.Node));
        }

        PoolMap done = map.CompleteRebuild();
        Assert.All(done.Targets, t => Assert.Equal(TargetStatus.UpIn, t.Status));
    }

    public static TheoryData<string, int> ForbiddenTransitions => new()
    {
        { "reintegrate an UpIn target", 0 },
        { "drain a Down target", 1 },
        { "exclude a Down target", 2 },
        { "exclude a DownOut target", 3 },
        { "drain a Drain target", 4 },
        { "reintegrate a Drain target", 5 },
        { "exclude an unknown target", 6 },
    };

    [Theory]
    [MemberData(nameof(ForbiddenTransitions))]
    public void Forbidden_transitions_throw_and_leave_the_map_unchanged(string what, int which)
    {
        PoolMap map = PoolMap.Create(4, 1, 2).Exclude(1).Drain(2);
        PoolMap downOut = map.CompleteRebuild();
        byte[] before = map.Serialize().ToArray();
        (PoolMap subject, Func<PoolMap, PoolMap> act, DaosError error) = which switch
        {
            0 => (map, m => m.Reintegrate(0), DaosError.InvalidArgument),
            1 => (map, m => m.Drain(1), DaosError.InvalidArgument),
            2 => (map, m => m.Exclude(1), DaosError.InvalidArgument),
            3 => (downOut, m => m.Exclude(1), DaosError.InvalidArgument),
            4 => (map, m => m.Drain(2), DaosError.InvalidArgument),
            5 => (map, m => m.Reintegrate(2), DaosError.InvalidArgument),
            _ => (map, (Func<PoolMap, PoolMap>)(m => m.Exclude(8)), DaosError.NonExistent),
        };
        var e = Assert.Throws<DaosException>(() => act(subject));
        Assert.True(error == e.Error, $"{what}: expected {error}, got {e.Error}");
        Assert.Equal(before, map.Serialize().ToArray());
    }

    [Fact]
    public void Serialization_round_trips_every_field()
    {
        PoolMap map = PoolMap.Create(3, 2, 3).Exclude(4).Drain(7).CompleteRebuild().Reintegrate(4).Exclude(9).Extend(1, 1, 2);
        PoolMap copy = PoolMap.Deserialize(map.Serialize().Span);
        Assert.Equal(map.Version, copy.Version);
        Assert.Equal(map.Targets, copy.Targets);
        Assert.Equal(map.Serialize().ToArray(), copy.Serialize().ToArray());
        ObjectId oid = ObjectId.Create(ObjectType.MultiHashed, ObjectClass.RP_3G1, 77);
        Assert.Equal(JumpMap.Place(map, oid).Shards, JumpMap.Place(copy, oid).Shards);
    }

    [Fact]
    public void Every_single_byte_corruption_is_detected()
    {
        byte[] good = PoolMap.Create(2, 2, 2).Exclude(1).Serialize().ToArray();
        for (int i = 0; i < good.Length; i++)
        {
            byte[] bad = (byte[])good.Clone();
            bad[i] ^= 0x5A;
            var e = Assert.Throws<DaosException>(() => PoolMap.Deserialize(bad));
            Assert.True(e.Error is DaosError.Corrupted or DaosError.Unsupported, $"byte {i}: {e.Error}");
        }
    }

    [Fact]
    public void Truncated_and_extended_buffers_are_corrupted()
    {
        byte[] good = PoolMap.Create(2, 1, 2).Serialize().ToArray();
        for (int length = 0; length < good.Length; length++)
        {
            Assert.Equal(DaosError.Corrupted, Assert.Throws<DaosException>(() => PoolMap.Deserialize(good.AsSpan(0, length))).Error);
        }

        byte[] longer = [.. good, 0];
        Assert.Equal(DaosError.Corrupted, Assert.Throws<DaosException>(() => PoolMap.Deserialize(longer)).Error);
    }

    [Fact]
    public void An_unknown_format_version_is_unsupported()
    {
        byte[] bytes = PoolMap.Create(2, 1, 1).Serialize().ToArray();
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(4), 2);
        Reseal(bytes);
        Assert.Equal(DaosError.Unsupported, Assert.Throws<DaosException>(() => PoolMap.Deserialize(bytes)).Error);
    }

    // Offsets follow docs/formats/placement.md for a 2 x 1 x 1 map: header 24 bytes, then five 28-byte domain
    // records (root, node 0, node 1, rank 0, rank 1), then two 32-byte target records from offset 164.
    public static TheoryData<string, int, int, bool> WellSealedButInvalid => new()
    {
        { "unknown target status", 164 + 1, 0x40, false },
        { "unknown domain status", 24 + 28 + 1, 0x03, false },
        { "duplicate node id", 24 + 2 * 28 + 4, 0, true },
        { "target id out of order", 164 + 32 + 4, 0, true },
        { "root not first", 24, 2, false },
        { "zero nodes under the root", 24 + 20, 0, true },
        { "rank with no targets", 24 + 3 * 28 + 20, 0, true },
        { "fseq above the map version", 164 + 16, 9, true },
        { "down-to-up flag on an UpIn target", 164 + 2, 1, false },
        { "zero map version", 8, 0, true },
        { "target under the wrong rank", 164 + 8, 1, true },
        { "counts disagree with the length", 16, 3, true },
    };

    [Theory]
    [MemberData(nameof(WellSealedButInvalid))]
    public void Well_sealed_but_impossible_maps_are_invalid(string what, int offset, int value, bool isInt)
    {
        byte[] bytes = PoolMap.Create(2, 1, 1).Serialize().ToArray();
        if (isInt)
        {
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(offset), value);
        }
        else
        {
            bytes[offset] = (byte)value;
        }

        Reseal(bytes);
        var e = Assert.Throws<DaosException>(() => PoolMap.Deserialize(bytes));
        Assert.True(e.Error == DaosError.InvalidArgument, $"{what}: {e.Error} {e.Message}");
    }

    [Fact]
    public void Random_bytes_never_escape_as_anything_but_a_daos_exception()
    {
        var rng = new DeterministicRandom(2024);
        byte[] good = PoolMap.Create(3, 1, 2).Serialize().ToArray();
        for (int i = 0; i < 2000; i++)
        {
            byte[] bytes = rng.Chance(0.5) ? new byte[rng.Next(0, 200)] : (byte[])good.Clone();
            if (bytes.Length == good.Length)
            {
                for (int k = rng.Next(1, 4); k > 0; k--)
                {
                    bytes[rng.Next(0, bytes.Length)] = (byte)rng.Next(0, 256);
                }

                if (rng.Chance(0.5))
                {
                    Reseal(bytes);
                }
            }
            else
            {
                rng.NextBytes(bytes);
            }

            try
            {
                PoolMap map = PoolMap.Deserialize(bytes);
                Assert.Equal(bytes, map.Serialize().ToArray()); // anything accepted re-encodes identically
            }
            catch (DaosException)
            {
            }
        }
    }

    internal static void Reseal(byte[] bytes)
    {
        int body = bytes.Length - 8;
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(body), Crc64.Compute(bytes.AsSpan(0, body)));
    }
}
