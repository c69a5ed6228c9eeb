using BenchmarkDotNet.Attributes;
using Daos.Storage;
using Daos.Vos.Btree;
using Daos.Vos.Umem;

namespace Daos.Bench.Vos;

/// <summary>
/// The persistent B+tree (16-byte hashed keys, 8-byte values, order 30) beside the structure the VOS index is
/// rebuilt into in memory today (a SortedDictionary of byte[] keys ordered by XXH64, then bytes), at 10,000 and
/// 1,000,000 records in a 256 MiB heap on the disk. <c>Lookup*</c>: 1,024 random hits per call.
/// <c>InsertDeleteAbort*</c>: 256 new keys inserted then deleted in one heap transaction that is then aborted (the
/// tree's node edits, redo and undo logging, no commit). <c>OpenAndLookup</c>: open the heap from its files (checkpointed:
/// nothing to replay), open the tree, one lookup, close; <c>RebuildIndex</c> is its baseline: what an open that
/// rebuilds the index must at least do, inserting every key into the in-memory SortedDictionary.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 7)]
public class BtreeBenchmarks
{
    private const int Lookups = 1024;
    private const int Changes = 256;
    private const string HeapName = "btree";

    private string _directory = "";
    private FileMedium? _medium;
    private UmemOptions? _options;
    private UmemHeap? _heap;
    private BplusTree? _tree;
    private byte[][] _keys = [];
    private byte[][] _newKeys = [];
    private SortedDictionary<byte[], long>? _index;

    [Params(10_000, 1_000_000)]
    public int Records { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _directory = BenchDirectory.Create("btree");
        _medium = FileMedium.Open(_directory);
        _options = new UmemOptions
        {
            HeapSizeBytes = 256L << 20,
            WalSizeBytes = 64L << 20,
            TimeProvider = TimeProvider.System,
            CheckpointInterval = TimeSpan.FromDays(1),
        };
        var random = new DeterministicRandom(11);
        _keys = new byte[Records][];
        for (int i = 0; i < Records; i++)
        {
            _keys[i] = new byte[16];
            random.NextBytes(_keys[i]);
        }

        _newKeys = new byte[Changes][];
        for (int i = 0; i < Changes; i++)
        {
            _newKeys[i] = new byte[16];
            random.NextBytes(_newKeys[i]);
        }

        _heap = UmemHeap.Create(_medium, HeapName, _options);
        UmemTransaction tx = _heap.Begin();
        _tree = BplusTree.Create(tx, UmemHeap.RootOffset, BtreeKeyClass.Hashed, BtreeFormat.OrderDefault, 8);
        for (int i = 0; i < Records; i++)
        {
            _tree.Insert(tx, _keys[i], BitConverter.GetBytes((long)i));
            if (i % 1000 == 999)
            {
                tx.CommitAsync().AsTask().GetAwaiter().GetResult();
                tx = _heap.Begin();
            }
        }

        tx.CommitAsync().AsTask().GetAwaiter().GetResult();
        _heap.CheckpointAsync().AsTask().GetAwaiter().GetResult();
        _index = new SortedDictionary<byte[], long>(s_hashedOrder);
        for (int i = 0; i < Records; i++)
        {
            _index.Add(_keys[i], i);
        }

        Console.WriteLine($"// {Records} records, tree verified: {_tree.Verify()}, heap used {_heap.Space.UsedBytes} bytes");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _heap?.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private static readonly IComparer<byte[]> s_hashedOrder = Comparer<byte[]>.Create(static (x, y) =>
    {
        int c = XxHash64.Hash(x).CompareTo(XxHash64.Hash(y));
        return c != 0 ? c : x.AsSpan().SequenceCompareTo(y);
    });

    [Benchmark(OperationsPerInvoke = Lookups)]
    public long LookupTree()
    {
        Span<byte> value = stackalloc byte[8];
        long sum = 0;
        int step = _keys.Length / Lookups + 1;
        for (int i = 0, k = 0; i < Lookups; i++, k = (k + step) % _keys.Length)
        {
            _tree!.TryGet(_keys[k], value);
            sum += BitConverter.ToInt64(value);
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = Lookups, Baseline = true)]
    public long LookupSortedDictionary()
    {
        long sum = 0;
        int step = _keys.Length / Lookups + 1;
        for (int i = 0, k = 0; i < Lookups; i++, k = (k + step) % _keys.Length)
        {
            _index!.TryGetValue(_keys[k], out long v);
            sum += v;
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = Changes)]
    public void InsertDeleteAbortTree()
    {
        UmemTransaction tx = _heap!.Begin();
        ReadOnlySpan<byte> value = BitConverter.GetBytes(1L);
        for (int i = 0; i < Changes; i++)
        {
            _tree!.Insert(tx, _newKeys[i], value);
        }

        for (int i = 0; i < Changes; i++)
        {
            _tree!.Delete(tx, _newKeys[i]);
        }

        tx.Abort();
    }

    [Benchmark(OperationsPerInvoke = Changes)]
    public void InsertDeleteSortedDictionary()
    {
        for (int i = 0; i < Changes; i++)
        {
            _index!.Add(_newKeys[i], 1);
        }

        for (int i = 0; i < Changes; i++)
        {
            _index!.Remove(_newKeys[i]);
        }
    }

    [Benchmark]
    public bool OpenAndLookup()
    {
        _heap!.Dispose();
        _heap = UmemHeap.Open(_medium!, HeapName, _options!);
        _tree = BplusTree.Open(_heap, UmemHeap.RootOffset);
        return _tree.Contains(_keys[_keys.Length / 2]);
    }

    [Benchmark]
    public int RebuildIndex()
    {
        var index = new SortedDictionary<byte[], long>(s_hashedOrder);
        for (int i = 0; i < _keys.Length; i++)
        {
            index.Add(_keys[i], i);
        }

        return index.Count;
    }
}
