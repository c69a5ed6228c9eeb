using Daos.Engine.Targets;
using Daos.Placement;
using Daos.Protocol.Management;

namespace Daos.Engine.Pools;

/// <summary>A pool as one engine holds it: what it was created with, its current map, one shard per target, and the service replica if this rank runs one.</summary>
internal sealed class LocalPool(PoolShardCreateRequest record, PoolMap map, TargetShard[] shards)
{
    public Guid Uuid => Record.Uuid;

    public PoolShardCreateRequest Record { get; } = record;

    /// <summary>The newest pool map this engine knows.</summary>
    public PoolMap Map { get; set; } = map;

    /// <summary>The serialized <see cref="Map"/>, sent with Stale answers.</summary>
    public ReadOnlyMemory<byte> MapBytes { get; set; } = map.Serialize();

    public TargetShard[] Shards { get; } = shards;

    public PoolService? Service { get; set; }
}
