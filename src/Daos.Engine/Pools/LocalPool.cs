using Daos.Engine.Targets;
using Daos.Placement;
using Daos.Protocol.Management;

namespace Daos.Engine.Pools;

/// <summary>A pool as one engine holds it: its record, its current map, one shard per target, and the service replica if this rank runs one.</summary>
internal sealed class LocalPool
{
    private State _state;

    public LocalPool(int rank, PoolShardCreateRequest record, PoolMap map, TargetShard[] shards)
    {
        Rank = rank;
        Shards = shards;
        _state = new State(record, map, record.PoolMap, ExcludedOn(rank, record, map, shards.Length));
    }

    /// <summary>The engine's rank.</summary>
    public int Rank { get; }

    public Guid Uuid => Record.Uuid;

    /// <summary>What the engine remembers of the pool: as created, then with each published map and rank table.</summary>
    public PoolShardCreateRequest Record => Volatile.Read(ref _state).Record;

    /// <summary>The newest pool map this engine knows.</summary>
    public PoolMap Map => Volatile.Read(ref _state).Map;

    /// <summary>The serialized <see cref="Map"/>, sent with Stale answers.</summary>
    public ReadOnlyMemory<byte> MapBytes => Volatile.Read(ref _state).MapBytes;

    public TargetShard[] Shards { get; }

    public PoolService? Service { get; set; }

    /// <summary>Whether target <paramref name="index"/> of this engine is Down or DownOut in <see cref="Map"/>.</summary>
    public bool IsExcluded(int index)
    {
        bool[] excluded = Volatile.Read(ref _state).Excluded;
        return (uint)index < (uint)excluded.Length && excluded[index];
    }

    /// <summary>Adopts a published record (its map and rank table) as one unit.</summary>
    public void Adopt(PoolShardCreateRequest record, PoolMap map) =>
        Volatile.Write(ref _state, new State(record, map, record.PoolMap, ExcludedOn(Rank, record, map, Shards.Length)));

    /// <summary>Which of this engine's targets the map excludes (pool-map rank i is system rank <c>record.Ranks[i]</c>).</summary>
    private static bool[] ExcludedOn(int rank, PoolShardCreateRequest record, PoolMap map, int targets)
    {
        bool[] excluded = new bool[targets];
        int mapRank = -1;
        for (int i = 0; i < record.Ranks.Count; i++)
        {
            if (record.Ranks[i].Rank == rank)
            {
                mapRank = i;
            }
        }

        foreach (PoolTarget target in map.Targets)
        {
            if (target.Rank == mapRank && (uint)target.Index < (uint)targets)
            {
                excluded[target.Index] = target.Status is TargetStatus.Down or TargetStatus.DownOut;
            }
        }

        return excluded;
    }

    private sealed record State(PoolShardCreateRequest Record, PoolMap Map, ReadOnlyMemory<byte> MapBytes, bool[] Excluded);
}
