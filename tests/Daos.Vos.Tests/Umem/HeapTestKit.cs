using Daos.Harness.Storage;
using Daos.Harness.Time;
using Daos.Storage;
using Daos.Vos.Umem;

namespace Daos.Vos.Tests.Umem;

/// <summary>Small heaps on a simulated medium, and helpers shared by the heap tests.</summary>
internal static class HeapTestKit
{
    public const string Name = "t0";

    public static UmemOptions Options(long heapBytes = 256 * 1024, long walBytes = 64 * 1024, TimeProvider? time = null,
        Action<Action<object?>, object?>? scheduler = null, double fillRatio = 0.5) => new()
        {
            HeapSizeBytes = heapBytes,
            WalSizeBytes = walBytes,
            HeapId = 0xC0FFEE0000000001,
            TimeProvider = time ?? new ManualTimeProvider(),
            FlushScheduler = scheduler,
            ChunkSizeBytes = 4096,
            CheckpointWalFillRatio = fillRatio,
        };

    public static UmemHeap Create(IStorageMedium medium, UmemOptions? options = null) =>
        UmemHeap.Create(medium, Name, options ?? Options());

    public static UmemHeap Open(IStorageMedium medium, UmemOptions? options = null) =>
        UmemHeap.Open(medium, Name, options ?? Options());

    /// <summary>A hash of the whole image: two heaps with the same committed history hash the same.</summary>
    public static ulong ImageHash(UmemHeap heap)
    {
        ulong hash = 0;
        const int step = 64 * 1024;
        for (long at = 0; at < heap.SizeBytes; at += step)
        {
            hash = XxHash64.Hash(heap.Read(at, (int)Math.Min(step, heap.SizeBytes - at)), hash);
        }

        return hash;
    }

    public static void Commit(UmemTransaction tx)
    {
        Task commit = tx.CommitAsync().AsTask();
        if (commit.IsFaulted)
        {
            throw commit.Exception!.InnerException!;
        }

        Assert.True(commit.IsCompletedSuccessfully, "an inline commit completes before it returns");
    }

    /// <summary>Checkpoints a heap whose medium completes synchronously.</summary>
    public static void Checkpoint(UmemHeap heap)
    {
        Task checkpoint = heap.CheckpointAsync().AsTask();
        if (checkpoint.IsFaulted)
        {
            throw checkpoint.Exception!.InnerException!;
        }

        Assert.True(checkpoint.IsCompletedSuccessfully);
    }

    public static byte[] Bytes(int length, int seed)
    {
        byte[] data = new byte[length];
        new DeterministicRandom((ulong)seed).NextBytes(data);
        return data;
    }

    public static SimulatedMedium NewMedium() => new("umem");
}
