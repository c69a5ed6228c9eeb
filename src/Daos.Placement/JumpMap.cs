using Daos.Placement.Hashing;
using Daos.Placement.Layout;

namespace Daos.Placement;

/// <summary>
/// Jump-map placement (DAOS layout version 2): computes where every shard of an object lives from the pool map
/// and the object id alone, what must move when the map changes, which group a distribution key belongs to and
/// which shard leads it. See the library README for the algorithm.
/// </summary>
/// <remarks>Pure and thread-safe: each call works on its own (cached per thread) scratch state.</remarks>
public static class JumpMap
{
    /// <summary>The layout version implemented (DAOS's <c>DAOS_POOL_OBJ_VERSION</c>).</summary>
    public const int LayoutVersion = 2;

    /// <summary>Computes the layout of <paramref name="oid"/> under <paramref name="map"/> at its own version.</summary>
    /// <exception cref="DaosException"><see cref="DaosError.InvalidArgument"/> when the object's class cannot fit the map
    /// (a group larger than the fault domains, or more groups than targets allow) or the id carries no valid class.</exception>
    public static ObjectLayout Place(PoolMap map, ObjectId oid, LayoutMode mode = LayoutMode.Current,
        FaultDomainLevel level = FaultDomainLevel.Node) => Place(map, oid, mode, level, map?.Version ?? 0);

    /// <summary>
    /// Computes the layout as of <paramref name="allowVersion"/>: failures, drains and reintegrations recorded after
    /// that version are treated as not having happened yet.
    /// </summary>
    public static ObjectLayout Place(PoolMap map, ObjectId oid, LayoutMode mode, FaultDomainLevel level, int allowVersion)
    {
        ArgumentNullException.ThrowIfNull(map);
        return Place(map, oid, mode, level, allowVersion, LayoutVersion);
    }

    /// <summary>
    /// Computes the layout with an explicit layout algorithm version: 2 (current) or 1, DAOS's earlier key
    /// derivation (one 32-bit-seeded CRC per step instead of the three-word CRC), kept for comparison with layouts
    /// of pools created before layout version 2.
    /// </summary>
    /// <exception cref="DaosException"><see cref="DaosError.InvalidArgument"/> for a layout version other than 1 or 2.</exception>
    public static ObjectLayout Place(PoolMap map, ObjectId oid, LayoutMode mode, FaultDomainLevel level, int allowVersion, int layoutVersion)
    {
        if (layoutVersion is not (1 or 2))
        {
            ThrowHelper.InvalidArgument($"layout version {layoutVersion} is not supported (1 or 2)");
        }

        ArgumentNullException.ThrowIfNull(map);
        (int groupSize, int groupCount) = Shape(map, oid, level);
        ShardPlacement[] shards = Compute(map, oid, mode, level, allowVersion, groupSize, groupCount, out _, layoutVersion);
        int slots = groupSize;
        if (mode == LayoutMode.Current && map.HasMigration)
        {
            ShardPlacement[] post = Compute(map, oid, LayoutMode.PostRebuild, level, allowVersion, groupSize, groupCount, out _, layoutVersion);
            shards = Extend(map, shards, post, groupSize, groupCount, out slots);
        }

        return new ObjectLayout(oid, map.Version, mode, groupCount, slots, groupSize, shards);
    }

    /// <summary>
    /// The shards a rebuild at <paramref name="rebuildVersion"/> must reconstruct: for every shard whose target
    /// failed (Down) or is draining at or before that version, where it was and where it goes. The difference
    /// between the PreRebuild and PostRebuild layouts, as DAOS's <c>pl_obj_find_rebuild</c>.
    /// </summary>
    public static IReadOnlyList<ShardMove> FindRebuild(PoolMap map, ObjectId oid, int rebuildVersion,
        FaultDomainLevel level = FaultDomainLevel.Node)
    {
        ArgumentNullException.ThrowIfNull(map);
        (int groupSize, int groupCount) = Shape(map, oid, level);
        ShardPlacement[] before = Compute(map, oid, LayoutMode.PreRebuild, level, rebuildVersion, groupSize, groupCount, out _);
        ShardPlacement[] after = Compute(map, oid, LayoutMode.PostRebuild, level, rebuildVersion, groupSize, groupCount, out _);
        var moves = new List<ShardMove>();
        for (int i = 0; i < before.Length; i++)
        {
            ShardPlacement to = after[i];
            if (to.Target != before[i].Target && to.IsAssigned && IsAvailable(map, to.Target)
                && IsRebuildSource(map, before[i].Target, rebuildVersion))
            {
                moves.Add(new ShardMove(i, before[i].Target, to.Target));
            }
        }

        return moves;
    }

    /// <summary>
    /// The shards that reintegration or extension must copy to the targets coming in (state Up): from their
    /// fallback home to the returning or new target, or, for a target reintegrated straight from Down, refilled in
    /// place (<see cref="ShardMove.FromTarget"/> equals <see cref="ShardMove.ToTarget"/>). Collision probing can
    /// add a move between two healthy targets (DAOS documents the same). Empty when no target is Up.
    /// </summary>
    public static IReadOnlyList<ShardMove> FindReintegrate(PoolMap map, ObjectId oid, FaultDomainLevel level = FaultDomainLevel.Node)
    {
        ArgumentNullException.ThrowIfNull(map);
        (int groupSize, int groupCount) = Shape(map, oid, level);
        if (!map.HasIncoming)
        {
            return [];
        }

        ShardPlacement[] before = Compute(map, oid, LayoutMode.PreRebuild, level, map.Version, groupSize, groupCount, out _);
        ShardPlacement[] after = Compute(map, oid, LayoutMode.PostRebuild, level, map.Version, groupSize, groupCount, out _);
        var moves = new List<ShardMove>();
        for (int i = 0; i < before.Length; i++)
        {
            ShardPlacement to = after[i];
            bool refill = before[i].Rebuilding && before[i].Reintegrating;
            if ((to.Target != before[i].Target || refill) && to.IsAssigned && IsAvailable(map, to.Target))
            {
                moves.Add(new ShardMove(i, before[i].Target, to.Target));
            }
        }

        return moves;
    }

    /// <summary>The redundancy group that holds distribution key <paramref name="dkey"/> (DAOS's <c>obj_pl_grp_idx</c>).</summary>
    public static int GroupOf(ObjectLayout layout, ReadOnlySpan<byte> dkey)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ulong hash = PlacementHash.DkeyHash(layout.ObjectId.Type, dkey);
        return PlacementHash.Jump(hash, layout.GroupCount);
    }

    /// <summary>
    /// The shard (an index into the plain layout) that leads I/O for <paramref name="dkey"/> in
    /// <paramref name="group"/>, or -1 when no shard of the group can lead. Replicated groups pick the readable
    /// replica with the lowest failure sequence, scanning from (dkey hash + group) mod group size, so that one
    /// dkey always has one leader and groups spread their leaders. EC groups pick the last readable parity shard,
    /// else the first readable data shard.
    /// </summary>
    public static int LeaderOf(ObjectLayout layout, int group, ReadOnlySpan<byte> dkey)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ReadOnlySpan<ShardPlacement> slots = layout.Group(group);
        int size = layout.BaseGroupSize;
        ulong hash = PlacementHash.DkeyHash(layout.ObjectId.Type, dkey);
        ObjectClass objectClass = layout.ObjectId.Class;
        if (objectClass.Redundancy == RedundancyKind.ErasureCode)
        {
            int start = (int)(hash % (ulong)size);
            for (int cell = size - 1; cell >= objectClass.DataCells; cell--)
            {
                ShardPlacement s = slots[(start + cell) % size];
                if (s.IsAssigned && !s.Rebuilding)
                {
                    return s.Shard;
                }
            }

            for (int cell = 0; cell < objectClass.DataCells; cell++)
            {
                ShardPlacement s = slots[(start + cell) % size];
                if (s.IsAssigned && !s.Rebuilding)
                {
                    return s.Shard;
                }
            }

            return -1;
        }

        int first = (int)((hash + (ulong)group) % (ulong)size);
        int leader = -1;
        int leaderFseq = int.MaxValue;
        for (int i = 0; i < size; i++)
        {
            ShardPlacement s = slots[(first + i) % size];
            if (s.IsAssigned && !s.Rebuilding && s.FailureSequence < leaderFseq)
            {
                leader = s.Shard;
                leaderFseq = s.FailureSequence;
            }
        }

        return leader;
    }

    /// <summary>Group size and count of the object's layout on this map, validated as DAOS does.</summary>
    internal static (int GroupSize, int GroupCount) Shape(PoolMap map, ObjectId oid, FaultDomainLevel level)
    {
        ObjectClass objectClass = oid.Class;
        return ObjectClassSelector.Fit(map, objectClass, level);
    }

    /// <summary>The shard's home before the rebuild is a target that failed or began draining by that version.</summary>
    private static bool IsRebuildSource(PoolMap map, int target, int rebuildVersion) =>
        target >= 0 && map.TargetComponents[target].Status is TargetStatus.Down or TargetStatus.Drain
        && map.TargetComponents[target].Fseq <= rebuildVersion;

    private static bool IsAvailable(PoolMap map, int target) =>
        map.TargetComponents[target].Status is TargetStatus.UpIn or TargetStatus.Up or TargetStatus.Drain;

    private static ShardPlacement[] Compute(PoolMap map, ObjectId oid, LayoutMode mode, FaultDomainLevel level, int allowVersion,
        int groupSize, int groupCount, out bool hasPeer, int layoutVersion = LayoutVersion)
    {
        var shards = new ShardPlacement[groupSize * groupCount];
        LayoutBuilder builder = LayoutBuilder.Rent();
        try
        {
            hasPeer = builder.Compute(map, oid, mode, level, allowVersion, groupSize, groupCount, shards, layoutVersion);
        }
        finally
        {
            LayoutBuilder.Return(builder);
        }

        return shards;
    }

    /// <summary>
    /// Grows each group by the largest number of shards any group is moving, and puts each moving shard's new home
    /// in an extra slot of its group (DAOS's <c>pl_map_extend</c>): writes then reach both homes.
    /// </summary>
    private static ShardPlacement[] Extend(PoolMap map, ShardPlacement[] current, ShardPlacement[] post, int groupSize,
        int groupCount, out int slots)
    {
        Span<int> perGroup = groupCount <= 256 ? stackalloc int[groupCount] : new int[groupCount];
        int extraMax = 0;
        for (int i = 0; i < current.Length; i++)
        {
            if (IsExtraHome(map, current[i], post[i]))
            {
                int g = i / groupSize;
                extraMax = Math.Max(extraMax, ++perGroup[g]);
            }
        }

        slots = groupSize;
        if (extraMax == 0)
        {
            return current;
        }

        slots = groupSize + extraMax;
        var extended = new ShardPlacement[slots * groupCount];
        var empty = new ShardPlacement(-1, -1, -1, false, false);
        for (int g = 0; g < groupCount; g++)
        {
            current.AsSpan(g * groupSize, groupSize).CopyTo(extended.AsSpan(g * slots));
            extended.AsSpan(g * slots + groupSize, extraMax).Fill(empty);
        }

        for (int i = 0; i < current.Length; i++)
        {
            if (!IsExtraHome(map, current[i], post[i]))
            {
                continue;
            }

            int g = i / groupSize;
            int slot = g * slots + groupSize - 1 + perGroup[g]--;
            ShardPlacement home = post[i];
            TargetStatus status = map.TargetComponents[home.Target].Status;
            extended[slot] = new ShardPlacement(i, home.Target, home.Rank, status != TargetStatus.Drain,
                status is TargetStatus.Up or TargetStatus.New)
            {
                FailureSequence = home.FailureSequence,
            };
        }

        return extended;
    }

    private static bool IsExtraHome(PoolMap map, ShardPlacement current, ShardPlacement post) =>
        post.Target != current.Target && post.IsAssigned && IsAvailable(map, post.Target);
}
