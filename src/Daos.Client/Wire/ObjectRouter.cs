using System.Collections.Concurrent;
using Daos.Placement;

namespace Daos.Client.Wire;

/// <summary>
/// The client's copy of a pool map, its rank table (pool-map rank i is system rank <c>Ranks[i]</c>) and the object
/// layouts computed from them. Layouts are cached per object and thrown away when a newer map arrives (with a Stale
/// answer or a pool query); the map only moves forward. A map that names more ranks than the table (the pool was
/// extended) is adopted only together with the longer table, which the pool service gives (<see cref="Refresh"/>).
/// </summary>
/// <remarks>Thread-safe: map and table are swapped together atomically; a layout computed from an older map is never returned.</remarks>
internal sealed class ObjectRouter
{
    private readonly ConcurrentDictionary<ObjectId, ObjectLayout> _layouts = new();
    private View _view;

    public ObjectRouter(PoolMap map, IReadOnlyList<int> ranks)
    {
        CheckTable(map, ranks);
        _view = new View(map, [.. ranks]);
    }

    public PoolMap Map => Volatile.Read(ref _view).Map;

    public int MapVersion => Map.Version;

    /// <summary>The system rank of each pool-map rank.</summary>
    public IReadOnlyList<int> Ranks => Volatile.Read(ref _view).Ranks;

    /// <summary>Asks the pool service for its current map and rank table (set by the pool handle); null: no refresh possible.</summary>
    public Func<CancellationToken, ValueTask>? Refresh { get; set; }

    /// <summary>
    /// Adopts <paramref name="newer"/> (with <paramref name="ranks"/>, or the table held when null) if it is newer than
    /// the map held; returns whether it was adopted. A map naming ranks the table does not know is not adopted.
    /// </summary>
    public bool Update(PoolMap newer, IReadOnlyList<int>? ranks = null)
    {
        while (true)
        {
            View current = Volatile.Read(ref _view);
            if (newer.Version <= current.Map.Version)
            {
                return false;
            }

            int[] table = ranks is null ? current.Ranks : [.. ranks];
            if (table.Length < newer.RankCount)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _view, new View(newer, table), current) == current)
            {
                _layouts.Clear();
                return true;
            }
        }
    }

    /// <summary>Adopts the map of a Stale answer; when it names ranks this table lacks, asks the pool service for both.</summary>
    public async ValueTask AdoptStaleAsync(PoolMap newer, CancellationToken ct)
    {
        if (!Update(newer) && newer.Version > MapVersion && Refresh is { } refresh)
        {
            await refresh(ct);
        }
    }

    private static void CheckTable(PoolMap map, IReadOnlyList<int> ranks)
    {
        if (ranks.Count < map.RankCount)
        {
            ThrowHelper.Throw(DaosError.Protocol, $"the pool map names {map.RankCount} ranks but the rank table holds {ranks.Count}");
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
        View view = Volatile.Read(ref _view);
        PoolMap map = view.Map;
        ObjectLayout layout = LayoutOf(map, oid);
        int group = JumpMap.GroupOf(layout, dkey);
        int shard = JumpMap.LeaderOf(layout, group, dkey);
        if (shard < 0)
        {
            ThrowHelper.Throw(DaosError.Excluded,
                $"no readable shard of group {group} of object {oid} under pool map version {map.Version}: its target is excluded and class {oid.Class.Name} keeps no other copy (reintegrate the target to serve it)");
        }

        return AddressOf(view, layout, shard);
    }

    /// <summary>Every shard of <paramref name="oid"/> (object punch and enumeration visit them all).</summary>
    /// <exception cref="DaosException"><see cref="DaosError.Excluded"/> when a shard's target is excluded (S classes keep no other copy).</exception>
    public List<ShardAddress> AllShards(ObjectId oid)
    {
        View view = Volatile.Read(ref _view);
        ObjectLayout layout = LayoutOf(view.Map, oid);
        var shards = new List<ShardAddress>(layout.GroupCount * layout.BaseGroupSize);
        for (int shard = 0; shard < layout.GroupCount * layout.BaseGroupSize; shard++)
        {
            if (layout.TargetOf(shard) >= 0)
            {
                if (layout.Shards[(shard / layout.BaseGroupSize * layout.GroupSize) + (shard % layout.BaseGroupSize)].Rebuilding)
                {
                    ThrowHelper.Throw(DaosError.Excluded,
                        $"shard {shard} of object {oid} under pool map version {view.Map.Version} lives on an excluded target and class {oid.Class.Name} keeps no other copy");
                }

                shards.Add(AddressOf(view, layout, shard));
            }
        }

        return shards;
    }

    private static ShardAddress AddressOf(View view, ObjectLayout layout, int shard)
    {
        PoolMap map = view.Map;
        int targetId = layout.TargetOf(shard);
        if (targetId < 0)
        {
            ThrowHelper.Throw(DaosError.Unreachable, $"shard {shard} of object {layout.ObjectId} has no target");
        }

        PoolTarget target = map.Targets[targetId];
        return new ShardAddress(shard, view.Ranks[target.Rank], target.Index, targetId, map.Version);
    }

    private sealed record View(PoolMap Map, int[] Ranks);
}
