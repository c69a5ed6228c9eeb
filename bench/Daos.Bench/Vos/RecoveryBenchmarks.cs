using BenchmarkDotNet.Attributes;
using Daos.Storage;
using Daos.Vos.Umem;

namespace Daos.Bench.Vos;

/// <summary>
/// Recovery speed: opening a heap whose WAL holds ~400 MiB of committed records since the last checkpoint
/// (transactions of sixteen 1 KiB writes at random offsets of a 64 MiB heap). One operation is a whole open:
/// validate, load the image, replay every record, write the new incarnation. Seconds per GiB of WAL =
/// mean time / (WalBytesReplayed / 2^30); the setup prints the replayed byte count.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class RecoveryBenchmarks
{
    private string _directory = "";
    private FileMedium? _medium;
    private UmemOptions? _options;

    [GlobalSetup]
    public void Setup()
    {
        _directory = BenchDirectory.Create("recovery");
        _medium = FileMedium.Open(_directory);
        var scheduled = new System.Collections.Concurrent.ConcurrentQueue<(Action<object?> Work, object? State)>();
        _options = new UmemOptions
        {
            HeapSizeBytes = 64L << 20,
            WalSizeBytes = 512L << 20,
            TimeProvider = TimeProvider.System,
            CheckpointWalFillRatio = 1.0,
            CheckpointInterval = TimeSpan.FromDays(1),
            FlushScheduler = (work, state) => scheduled.Enqueue((work, state)),
        };
        var random = new DeterministicRandom(7);
        byte[] value = new byte[1024];
        using (UmemHeap heap = UmemHeap.Create(_medium, "recover", _options))
        {
            int transactions = 0;
            while (heap.WalUsedBytes < (400L << 20))
            {
                UmemTransaction tx = heap.Begin();
                for (int w = 0; w < 16; w++)
                {
                    random.NextBytes(value.AsSpan(0, 16));
                    long offset = 4096 + (long)random.Next((int)((heap.SizeBytes - 8192) / 1024)) * 1024;
                    tx.Write(offset, value);
                }

                _ = tx.CommitAsync().AsTask();
                if (++transactions % 256 == 0)
                {
                    RunScheduled(scheduled);
                }
            }

            RunScheduled(scheduled);
        }

        using UmemHeap check = UmemHeap.Open(_medium, "recover", _options with { FlushScheduler = null });
        Console.WriteLine($"// WAL bytes replayed per open: {check.Recovery.BytesReplayed} ({check.Recovery.RecordsReplayed} records)");
    }

    private static void RunScheduled(System.Collections.Concurrent.ConcurrentQueue<(Action<object?> Work, object? State)> scheduled)
    {
        while (scheduled.TryDequeue(out (Action<object?> Work, object? State) item))
        {
            item.Work(item.State);
        }
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_directory, recursive: true);

    [Benchmark]
    public long OpenAndReplay()
    {
        using UmemHeap heap = UmemHeap.Open(_medium!, "recover", _options! with { FlushScheduler = null });
        return heap.Recovery.BytesReplayed;
    }
}
