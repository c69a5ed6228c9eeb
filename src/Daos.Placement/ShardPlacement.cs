namespace Daos.Placement;

/// <summary>
/// Where one shard of an object lives in a layout. In an extended layout the extra slots of a group carry the
/// index of the shard they mirror; an unused extra slot has <see cref="Shard"/>, <see cref="Target"/> and
/// <see cref="Rank"/> all -1.
/// </summary>
/// <param name="Shard">The shard index within the object, or -1 for an unused slot.</param>
/// <param name="Target">The target id, or -1 for an unused slot.</param>
/// <param name="Rank">The rank serving the target, or -1 for an unused slot.</param>
/// <param name="Rebuilding">The shard is being rebuilt here: write to it, do not read from it.</param>
/// <param name="Reintegrating">The target is being reintegrated or added.</param>
public readonly record struct ShardPlacement(int Shard, int Target, int Rank, bool Rebuilding, bool Reintegrating)
{
    /// <summary>
    /// The failure sequence of the shard (DAOS's <c>po_fseq</c>): the map version at which the target that first
    /// held it failed, 1 for a shard on its original healthy target. Leader selection prefers the lowest.
    /// </summary>
    public int FailureSequence { get; init; }

    /// <summary>True when this slot holds a shard (false for an unused slot of an extended layout).</summary>
    public bool IsAssigned => Target >= 0;
}
