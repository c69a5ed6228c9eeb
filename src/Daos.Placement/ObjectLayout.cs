namespace Daos.Placement;

/// <summary>
/// Where every shard of one object lives under one pool map version: <see cref="GroupCount"/> redundancy groups
/// of <see cref="GroupSize"/> slots each, group-major. Shard k of a plain layout belongs to group
/// k / <see cref="BaseGroupSize"/>. During a migration the Current layout is extended: each group gains slots for
/// the new homes of shards being moved, so writes reach both the old and the new home.
/// </summary>
/// <remarks>Immutable; safe to share.</remarks>
public sealed class ObjectLayout
{
    private readonly ShardPlacement[] _shards;

    internal ObjectLayout(ObjectId oid, int mapVersion, LayoutMode mode, int groupCount, int groupSize, int baseGroupSize,
        ShardPlacement[] shards)
    {
        ObjectId = oid;
        MapVersion = mapVersion;
        Mode = mode;
        GroupCount = groupCount;
        GroupSize = groupSize;
        BaseGroupSize = baseGroupSize;
        _shards = shards;
    }

    /// <summary>The object this layout places.</summary>
    public ObjectId ObjectId { get; }

    /// <summary>The pool map version the layout was computed for.</summary>
    public int MapVersion { get; }

    /// <summary>The mode it was computed in.</summary>
    public LayoutMode Mode { get; }

    /// <summary>Redundancy groups; distribution keys are hashed to one of them.</summary>
    public int GroupCount { get; }

    /// <summary>Slots per group: <see cref="BaseGroupSize"/> plus any extension slots.</summary>
    public int GroupSize { get; }

    /// <summary>Shards per group of the object class (replicas, or k+p cells).</summary>
    public int BaseGroupSize { get; }

    /// <summary>True when groups carry extension slots for a migration in progress.</summary>
    public bool IsExtended => GroupSize != BaseGroupSize;

    /// <summary>Every slot, group-major: <see cref="GroupCount"/> x <see cref="GroupSize"/> entries.</summary>
    public IReadOnlyList<ShardPlacement> Shards => _shards;

    /// <summary>The slots of group <paramref name="group"/>.</summary>
    public ReadOnlySpan<ShardPlacement> Group(int group)
    {
        if ((uint)group >= (uint)GroupCount)
        {
            ThrowHelper.InvalidArgument($"group {group} is outside 0..{GroupCount - 1}");
        }

        return _shards.AsSpan(group * GroupSize, GroupSize);
    }

    /// <summary>The target of shard <paramref name="shard"/> (an index of the plain layout); -1 when it has none.</summary>
    public int TargetOf(int shard)
    {
        if ((uint)shard >= (uint)(GroupCount * BaseGroupSize))
        {
            ThrowHelper.InvalidArgument($"shard {shard} is outside 0..{GroupCount * BaseGroupSize - 1}");
        }

        int group = shard / BaseGroupSize;
        return _shards[group * GroupSize + shard % BaseGroupSize].Target;
    }

    internal ShardPlacement[] RawShards => _shards;
}
