using BenchmarkDotNet.Attributes;
using Daos.Storage;
using Daos.Vos.Umem;

namespace Daos.Bench.Vos;

/// <summary>
/// Small-transaction commit rate on real files. Baseline: a plain loop of one 128-byte write plus fdatasync per
/// operation on the same disk. Beside it: heap commits (one 64-byte write per transaction, ~120-byte WAL record)
/// durable one by one, and with group commit, 32 committers sharing each barrier as they do on a target's
/// executor. Per-operation figures; allocations per commit should be zero.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 6)]
public class CommitBenchmarks
{
    private const int Operations = 512;
    private const int Committers = 32;
    private const long RawFileBytes = 64L << 20;
    private readonly System.Collections.Concurrent.ConcurrentQueue<(Action<object?> Work, object? State)> _scheduled = new();
    private readonly ValueTask[] _pending = new ValueTask[Committers];
    private readonly byte[] _record = new byte[128];
    private readonly byte[] _value = new byte[64];
    private string _directory = "";
    private IMediumFile? _raw;
    private long _rawOffset;
    private UmemHeap? _inline;
    private UmemHeap? _grouped;
    private long _slot;

    [GlobalSetup]
    public void Setup()
    {
        _directory = BenchDirectory.Create("commit");
        var medium = FileMedium.Open(_directory);
        _raw = medium.OpenFile("raw.log", MediumOpenMode.CreateNew);
        _raw.SetLength(RawFileBytes);
        _raw.Flush();
        _inline = UmemHeap.Create(medium, "inline", Options(null));
        _grouped = UmemHeap.Create(medium, "grouped", Options((work, state) => _scheduled.Enqueue((work, state))));
        new DeterministicRandom(1).NextBytes(_value);
    }

    private static UmemOptions Options(Action<Action<object?>, object?>? scheduler) => new()
    {
        HeapSizeBytes = 64L << 20,
        WalSizeBytes = 64L << 20,
        TimeProvider = TimeProvider.System,
        FlushScheduler = scheduler,
    };

    [GlobalCleanup]
    public void Cleanup()
    {
        _raw?.Dispose();
        _inline?.Dispose();
        _grouped?.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Operations)]
    public void WriteAndFdatasync()
    {
        for (int i = 0; i < Operations; i++)
        {
            _raw!.Write(_rawOffset, _record);
            _raw.Flush();
            _rawOffset = (_rawOffset + _record.Length) % RawFileBytes;
        }
    }

    [Benchmark(OperationsPerInvoke = Operations)]
    public void HeapCommitEach()
    {
        UmemHeap heap = _inline!;
        for (int i = 0; i < Operations; i++)
        {
            UmemTransaction tx = heap.Begin();
            tx.Write(NextSlot(), _value);
            Consume(tx.CommitAsync());
        }
    }

    [Benchmark(OperationsPerInvoke = Operations)]
    public void HeapGroupCommit32()
    {
        UmemHeap heap = _grouped!;
        for (int batch = 0; batch < Operations / Committers; batch++)
        {
            for (int c = 0; c < Committers; c++)
            {
                UmemTransaction tx = heap.Begin();
                tx.Write(NextSlot(), _value);
#pragma warning disable CA2012 // Kept to be consumed exactly once, after the barrier, as a target's executor would.
                _pending[c] = tx.CommitAsync();
#pragma warning restore CA2012
            }

            // The target's executor runs the one scheduled barrier after the committers yielded.
            while (_scheduled.TryDequeue(out (Action<object?> Work, object? State) item))
            {
                item.Work(item.State);
            }

            for (int c = 0; c < Committers; c++)
            {
                Consume(_pending[c]);
            }
        }
    }

    private static void Consume(ValueTask commit)
    {
        if (!commit.IsCompleted)
        {
            throw new InvalidOperationException("a commit is not durable after its barrier");
        }

        commit.GetAwaiter().GetResult();
    }

    private long NextSlot()
    {
        _slot = (_slot + 1) % 1000;
        return UmemHeap.RootOffset + 16 * 1024 + _slot * 64;
    }
}
