using System.Collections.Concurrent;
using Daos.Placement;

namespace Daos.Client.Wire;

/// <summary>
/// The client's copy of a pool map and the object layouts computed from it. Layouts are cached per object and thrown
/// away when a newer map arrives (with a Stale answer or a pool query); the map only moves forward.
/// </summary>
/// <remarks>Thread-safe: the map is swapped atomically; a layout computed from an older map is never returned.</remarks>
internal sealed class ObjectRouter
{
    private readonly ConcurrentDictionary<ObjectId, ObjectLayout> _layouts = new();
    private PoolMap _map;

    public ObjectRouter(PoolMap map) => _map = map;

    public PoolMap Map => Volatile.Read(ref _map);

    public int MapVersion => Map.Version;

    /// <summary>Adopts <paramref name="newer"/> if it is newer than the map held; returns whether it was adopted.</summary>
    public bool Update(PoolMap newer)
    {
        while (true)
        {
            PoolMap current = Map;
            if (newer.Version <= current.Version)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _map, newer, current) == current)
            {
                _layouts.Clear();
                return true;
            }
        }
    }

    /// <summary>The layout of <paramref name="oid"/> under the current map.</summary>
    /// <exception cref="DaosException"><see cref="DaosError.InvalidArgument"/> when the class does not fit the pool.</exception>
    public ObjectLayout LayoutOf(ObjectId oid) => LayoutOf(Map, oid);

    private ObjectLayout LayoutOf(PoolMap map, ObjectId oid)
    {
        if (_layouts.TryGetValue(oid, out ObjectLayout? cached) && cached.MapVersion == map.Version)
        {
            return cached;
        }

        if (oid.Class.Redundancy != RedundancyKind.None)
        {
            ThrowHelper.Throw(DaosError.Unsupported, $"object {oid} is of class {oid.Class.Name}; only the S classes (no redundancy) are served yet");
        }

        ObjectLayout layout = JumpMap.Place(map, oid);
        _layouts[oid] = layout;
        return layout;
    }

    /// <summary>The shard, rank and target index that serve <paramref name="dkey"/> of <paramref name="oid"/>.</summary>
    public ShardAddress Route(ObjectId oid, ReadOnlySpan<byte> dkey)
    {
        PoolMap map = Map;
        ObjectLayout layout = LayoutOf(map, oid);
        int group = JumpMap.GroupOf(layout, dkey);
        int shard = JumpMap.LeaderOf(layout, group, dkey);
        if (shard < 0)
        {
            ThrowHelper.Throw(DaosError.Unreachable, $"no shard of group {group} of object {oid} is available");
        }

        return AddressOf(map, layout, shard);
    }

    /// <summary>Every shard of <paramref name="oid"/> (object punch and enumeration visit them all).</summary>
    public List<ShardAddress> AllShards(ObjectId oid)
    {
        PoolMap map = Map;
        ObjectLayout layout = LayoutOf(map, oid);
        var shards = new List<ShardAddress>(layout.GroupCount * layout.BaseGroupSize);
        for (int shard = 0; shard < layout.GroupCount * layout.BaseGroupSize; shard++)
        {
            if (layout.TargetOf(shard) >= 0)
            {
                shards.Add(AddressOf(map, layout, shard));
            }
        }

        return shards;
    }

    private static ShardAddress AddressOf(PoolMap map, ObjectLayout layout, int shard)
    {
        int targetId = layout.TargetOf(shard);
        if (targetId < 0)
        {
            ThrowHelper.Throw(DaosError.Unreachable, $"shard {shard} of object {layout.ObjectId} has no target");
        }

        PoolTarget target = map.Targets[targetId];
        return new ShardAddress(shard, target.Rank, target.Index, targetId, map.Version);
    }
}
