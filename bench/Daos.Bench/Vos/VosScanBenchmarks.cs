using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Daos.Vos;

namespace Daos.Bench.Vos;

/// <summary>
/// Enumeration and aggregation on real files. Enumeration: listing 10,000 dkeys of one object at an epoch.
/// Aggregation: 5,000 single-value versions (100 dkeys x 50 epochs, 64-byte values) merged down to the newest
/// 100, measured per version removed, with the pool rebuilt before each run. Baseline: a plain in-memory sort of the
/// same number of 16-byte keys, to put the per-key cost beside a known quantity.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 3)]
public class VosScanBenchmarks
{
    private const int Dkeys = 10_000;
    private const int AggregateKeys = 100, AggregateEpochs = 50;
    private static readonly ObjectId Oid = ObjectId.Create(ObjectType.MultiHashed, ObjectClass.S1, 1);
    private string _directory = "";
    private VosPool? _listPool;
    private VosContainer? _listContainer;
    private VosPool? _aggregatePool;
    private VosContainer? _aggregateContainer;
    private byte[][] _keys = [];
    private int _round;

    [GlobalSetup]
    public void Setup()
    {
        _directory = BenchDirectory.Create("vos-scan");
        (_listPool, _listContainer) = NewPool("list");
        _keys = new byte[Dkeys][];
        byte[] value = new byte[64];
        for (int i = 0; i < Dkeys; i++)
        {
            _keys[i] = new byte[16];
            BitConverter.TryWriteBytes(_keys[i], (ulong)i * 0x9E3779B97F4A7C15);
            _listContainer.UpdateAsync(Oid, new Epoch(1), _keys[i], "a"u8.ToArray(), value).AsTask().GetAwaiter().GetResult();
        }
    }

    private (VosPool, VosContainer) NewPool(string name)
    {
        VosPool pool = VosPool.CreateAsync(Path.Combine(_directory, name), new VosPoolOptions
        {
            HeapSizeBytes = 128L << 20,
            WalSizeBytes = 64L << 20,
            BlobSizeBytes = 1L << 20,
        }).AsTask().GetAwaiter().GetResult();
        return (pool, pool.CreateContainerAsync(Guid.Parse("00000000-0000-4000-8000-0000000000ca")).AsTask().GetAwaiter().GetResult());
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _listPool?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _aggregatePool?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Directory.Delete(_directory, recursive: true);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Dkeys)]
    public int SortKeysInMemory()
    {
        byte[][] copy = (byte[][])_keys.Clone();
        Array.Sort(copy, (x, y) => x.AsSpan().SequenceCompareTo(y));
        return copy.Length;
    }

    [Benchmark(OperationsPerInvoke = Dkeys)]
    public int ListDkeys()
    {
        int n = 0;
        IAsyncEnumerator<byte[]> e = _listContainer!.ListDkeysAsync(Oid, new Epoch(1)).GetAsyncEnumerator();
        while (e.MoveNextAsync().AsTask().GetAwaiter().GetResult())
        {
            n++;
        }

        return n == Dkeys ? n : throw new InvalidOperationException($"listed {n}");
    }

    [IterationSetup(Target = nameof(AggregateVersions))]
    public void FillVersions()
    {
        _aggregatePool?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        (_aggregatePool, _aggregateContainer) = NewPool("aggregate-" + _round++);
        byte[] value = new byte[64];
        for (ulong e = 1; e <= AggregateEpochs; e++)
        {
            for (int k = 0; k < AggregateKeys; k++)
            {
                _aggregateContainer.UpdateAsync(Oid, new Epoch(e), _keys[k], "a"u8.ToArray(), value).AsTask().GetAwaiter().GetResult();
            }
        }
    }

    [Benchmark(OperationsPerInvoke = AggregateKeys * (AggregateEpochs - 1))]
    public void AggregateVersions() => _aggregateContainer!.AggregateAsync(new Epoch(AggregateEpochs)).AsTask().GetAwaiter().GetResult();
}
