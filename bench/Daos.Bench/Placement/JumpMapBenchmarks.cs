using BenchmarkDotNet.Attributes;
using Daos.Placement;
using Daos.Placement.Hashing;

namespace Daos.Bench.Placement;

/// <summary>
/// Cost of one jump-map layout (JumpMap.Place, Current mode, healthy pool) for three classes on three pool sizes.
/// The baseline is the hashing floor of the same layout: one three-word CRC and one jump hash per level walked
/// (node, then target) for every shard, with no bookkeeping, measured in the same run.
/// </summary>
[MemoryDiagnoser]
public class JumpMapBenchmarks
{
    private const int OidCount = 256;
    private PoolMap _map = null!;
    private ObjectId[] _oids = [];
    private int _next;
    private int _shards;

    [Params("S1", "RP_3G1", "EC_8P2GX")]
    public string Class { get; set; } = "S1";

    [Params(16, 1024, 16384)]
    public int Targets { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        int targetsPerNode = Targets < 128 ? 1 : 8;
        _map = PoolMap.Create(Targets / targetsPerNode, 1, targetsPerNode);
        ObjectClass objectClass = ObjectClass.Parse(Class);
        var rng = new DeterministicRandom(42);
        _oids = new ObjectId[OidCount];
        for (int i = 0; i < OidCount; i++)
        {
            _oids[i] = ObjectId.Create(ObjectType.MultiHashed, objectClass, rng.NextUInt64());
        }

        _shards = JumpMap.Place(_map, _oids[0]).Shards.Count;
    }

    [Benchmark(Baseline = true)]
    public int HashFloor()
    {
        ObjectId oid = _oids[_next++ & (OidCount - 1)];
        ulong key = PlacementHash.ObjectKey(oid);
        int nodes = _map.NodeCount, perNode = Targets / nodes, sum = 0;
        for (int shard = 0; shard < _shards; shard++)
        {
            int node = PlacementHash.Jump(PlacementHash.JmCrc(key, (ulong)shard, 0), nodes);
            ulong nodeKey = PlacementHash.JmCrc(key, (ulong)node, PlacementHash.JmSeed);
            sum += PlacementHash.Jump(PlacementHash.JmCrc(nodeKey, (ulong)shard, 0), perNode);
        }

        return sum;
    }

    [Benchmark]
    public ObjectLayout Place() => JumpMap.Place(_map, _oids[_next++ & (OidCount - 1)]);
}
