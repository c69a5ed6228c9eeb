namespace Daos.Placement;

/// <summary>
/// One shard that rebuild, drain, reintegration or extension must copy: from where it was to where it goes.
/// <see cref="FromTarget"/> equals <see cref="ToTarget"/> when a reintegrated target must be refilled in place.
/// </summary>
/// <param name="Shard">The shard index within the object.</param>
/// <param name="FromTarget">The target that held it before (possibly failed).</param>
/// <param name="ToTarget">The target that holds it after.</param>
public readonly record struct ShardMove(int Shard, int FromTarget, int ToTarget);
