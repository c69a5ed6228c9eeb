namespace Daos.Placement.Tests;

/// <summary>
/// A pool map, one object and its layout, driven the way DAOS's jump_map_place_obj.c test context drives them:
/// change a target's state, then recompute the layout and scan for rebuild and reintegration work.
/// </summary>
internal sealed class PlacementScenario
{
    public PlacementScenario(int domains, int ranksPerDomain, int targetsPerRank, ObjectClass objectClass, ulong lo = 1, uint hiUser = 0)
    {
        Map = PoolMap.Create(domains, ranksPerDomain, targetsPerRank);
        Oid = ObjectId.Create(ObjectType.MultiHashed, objectClass, lo, hiUser);
        ScanAndLayout();
    }

    public PoolMap Map { get; private set; }

    public ObjectId Oid { get; }

    public ObjectLayout Layout { get; private set; } = null!;

    public IReadOnlyList<ShardMove> Rebuild { get; private set; } = [];

    public IReadOnlyList<ShardMove> Reintegrate { get; private set; } = [];

    public int ShardTarget(int shard) => Layout.TargetOf(shard);

    public void Down(int target) => Map = Map.Exclude(target);

    public void DownOut() => Map = Map.CompleteRebuild();

    public void Up(int target) => Map = Map.Reintegrate(target);

    public void Drain(int target) => Map = Map.Drain(target);

    public void Extend(int nodes, int ranksPerNode, int targetsPerRank) => Map = Map.Extend(nodes, ranksPerNode, targetsPerRank);

    public void ScanAndLayout()
    {
        Layout = JumpMap.Place(Map, Oid);
        Rebuild = JumpMap.FindRebuild(Map, Oid, Map.Version);
        Reintegrate = JumpMap.FindReintegrate(Map, Oid);
        AssertLayoutSane();
    }

    /// <summary>Slots holding no shard (DAOS: po_target == -1), outside the spare slots of an extended layout.</summary>
    public int BadCount()
    {
        int bad = 0;
        for (int shard = 0; shard < Layout.GroupCount * Layout.BaseGroupSize; shard++)
        {
            bad += Layout.TargetOf(shard) < 0 ? 1 : 0;
        }

        return bad;
    }

    public int RebuildingCount() => Layout.Shards.Count(s => s.IsAssigned && s.Rebuilding);

    public int AssignedCount() => Layout.Shards.Count(s => s.IsAssigned);

    public bool HasShardOn(int shard, int target, bool rebuilding) =>
        Layout.Shards.Any(s => s.Shard == shard && s.Target == target && s.Rebuilding == rebuilding);

    public bool HasShardWithRebuilding(int shard, bool rebuilding) =>
        Layout.Shards.Any(s => s.Shard == shard && s.IsAssigned && s.Rebuilding == rebuilding);

    public void AssertCounts(int layoutRebuilding, int rebuild, int reintegrate)
    {
        Assert.True(layoutRebuilding == RebuildingCount(), $"rebuilding shards in layout: expected {layoutRebuilding}, got {RebuildingCount()}");
        Assert.True(rebuild == Rebuild.Count, $"rebuild scan: expected {rebuild}, got {Rebuild.Count}");
        Assert.True(reintegrate == Reintegrate.Count, $"reintegration scan: expected {reintegrate}, got {Reintegrate.Count}");
    }

    private void AssertLayoutSane()
    {
        foreach (ShardPlacement s in Layout.Shards)
        {
            if (s.IsAssigned)
            {
                Assert.InRange(s.Target, 0, Map.Targets.Count - 1);
                Assert.Equal(Map.Targets[s.Target].Rank, s.Rank);
            }
        }
    }
}
