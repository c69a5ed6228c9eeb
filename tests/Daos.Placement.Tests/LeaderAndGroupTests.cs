using System.Text;

namespace Daos.Placement.Tests;

public sealed class LeaderAndGroupTests
{
    private static byte[] Key(int i) => Encoding.UTF8.GetBytes($"dkey-{i}");

    [Fact]
    public void Dkeys_spread_evenly_over_groups_and_always_land_in_the_same_one()
    {
        PoolMap map = PoolMap.Create(8, 1, 4);
        ObjectLayout layout = JumpMap.Place(map, ObjectId.Create(ObjectType.MultiHashed, ObjectClass.RP_2GX, 5));
        Assert.Equal(16, layout.GroupCount);
        int[] counts = new int[layout.GroupCount];
        for (int i = 0; i < 16_000; i++)
        {
            int g = JumpMap.GroupOf(layout, Key(i));
            Assert.Equal(g, JumpMap.GroupOf(layout, Key(i)));
            counts[g]++;
        }

        Assert.All(counts, c => Assert.InRange(c, 800, 1200));
    }

    [Fact]
    public void Replicated_leader_is_stable_per_dkey_and_spread_over_replicas()
    {
        PoolMap map = PoolMap.Create(6, 1, 2);
        ObjectLayout layout = JumpMap.Place(map, ObjectId.Create(ObjectType.MultiHashed, ObjectClass.RP_3G1, 9));
        var seen = new HashSet<int>();
        for (int i = 0; i < 300; i++)
        {
            int leader = JumpMap.LeaderOf(layout, 0, Key(i));
            Assert.Equal(leader, JumpMap.LeaderOf(layout, 0, Key(i)));
            Assert.InRange(leader, 0, 2);
            seen.Add(leader);
        }

        Assert.Equal(3, seen.Count); // healthy replicas share fseq 1, so the start point decides
    }

    [Fact]
    public void Replicated_leader_avoids_rebuilding_shards_and_prefers_the_lowest_failure_sequence()
    {
        PoolMap map = PoolMap.Create(6, 1, 2);
        ObjectId oid = ObjectId.Create(ObjectType.MultiHashed, ObjectClass.RP_3G1, 9);
        ObjectLayout healthy = JumpMap.Place(map, oid);
        PoolMap down = map.Exclude(healthy.TargetOf(1));
        ObjectLayout degraded = JumpMap.Place(down, oid);
        ObjectLayout rebuilt = JumpMap.Place(down.CompleteRebuild(), oid);
        for (int i = 0; i < 200; i++)
        {
            Assert.NotEqual(1, JumpMap.LeaderOf(degraded, 0, Key(i)));   // rebuilding: no reads
            Assert.NotEqual(1, JumpMap.LeaderOf(rebuilt, 0, Key(i)));    // rebuilt shard has the higher fseq
        }
    }

    [Fact]
    public void Ec_leader_is_the_last_healthy_parity_shard()
    {
        PoolMap map = PoolMap.Create(8, 1, 2);
        ObjectId oid = ObjectId.Create(ObjectType.MultiHashed, ObjectClass.EC_4P2G1, 3);
        ObjectLayout layout = JumpMap.Place(map, oid);
        for (int i = 0; i < 100; i++)
        {
            byte[] dkey = Key(i);
            ulong hash = Hashing.PlacementHash.DkeyHash(oid.Type, dkey);
            int start = (int)(hash % 6);
            int lastParity = (start + 5) % 6, firstParity = (start + 4) % 6;
            Assert.Equal(lastParity, JumpMap.LeaderOf(layout, 0, dkey));

            ObjectLayout oneDown = JumpMap.Place(map.Exclude(layout.TargetOf(lastParity)), oid);
            Assert.Equal(firstParity, JumpMap.LeaderOf(oneDown, 0, dkey));
        }
    }

    [Fact]
    public void A_group_with_no_readable_shard_has_no_leader()
    {
        PoolMap map = PoolMap.Create(2, 1, 1);
        ObjectId oid = ObjectId.Create(ObjectType.MultiHashed, ObjectClass.S1, 3);
        ObjectLayout layout = JumpMap.Place(map.Exclude(JumpMap.Place(map, oid).TargetOf(0)), oid);
        Assert.True(layout.Shards[0].Rebuilding);
        Assert.Equal(-1, JumpMap.LeaderOf(layout, 0, Key(1)));
    }
}
