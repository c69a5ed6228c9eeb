namespace Daos.Vos.Umem;

/// <summary>Sizes and policies of a persistent heap. Every bound the heap enforces is one of these.</summary>
internal sealed record UmemOptions
{
    public const long HeapSizeBytesMin = 64 * 1024;
    public const long HeapSizeBytesMax = 1L << 40;
    public const long WalSizeBytesMin = 16 * 1024;

    /// <summary>The image size (multiple of 4 KiB). Fixed at creation.</summary>
    public long HeapSizeBytes { get; init; } = 64L << 20;

    /// <summary>The WAL file size including its 4 KiB header (multiple of 4 KiB). Fixed at creation.</summary>
    public long WalSizeBytes { get; init; } = 64L << 20;

    /// <summary>The heap id written at creation; ties the WAL (and blob files) to this heap. 0 derives one from the clock.</summary>
    public ulong HeapId { get; init; }

    /// <summary>Clock for checkpoint timing and recovery reports. Required: Daos.Vos never reads the system clock itself.</summary>
    public required TimeProvider TimeProvider { get; init; }

    /// <summary>A checkpoint starts once the WAL holds more than this fraction of its capacity.</summary>
    public double CheckpointWalFillRatio { get; init; } = 0.5;

    /// <summary>
    /// A checkpoint starts at the first transaction boundary after this long without one. With a
    /// <see cref="FlushScheduler"/>, a timer of <see cref="TimeProvider"/> also hands the check to the scheduler every
    /// interval, so an idle heap checkpoints too.
    /// </summary>
    public TimeSpan CheckpointInterval { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// How a commit's durability barrier is started. Null: inline, inside the commit (one barrier per commit).
    /// Otherwise the callback is handed the flush work once per batch and must run it later on the heap's owner
    /// thread (the target's executor queue): every commit made before it runs shares that one barrier. It is also
    /// called from the checkpoint timer, possibly on another thread: it must only enqueue.
    /// </summary>
    public Action<Action<object?>, object?>? FlushScheduler { get; init; }

    /// <summary>Size of an allocator chunk: the unit of slabs and of large extents (power of two, 4 KiB..1 MiB).</summary>
    public int ChunkSizeBytes { get; init; } = 16 * 1024;

    /// <summary>The largest transaction record, as a fraction of the WAL capacity; bigger transactions fail with NoSpace.</summary>
    public double TransactionWalShareMax { get; init; } = 0.25;

    internal void Validate()
    {
        if (HeapSizeBytes < HeapSizeBytesMin || HeapSizeBytes > HeapSizeBytesMax || HeapSizeBytes % HeapFormat.PageBytes != 0)
        {
            throw new DaosException(DaosError.InvalidArgument,
                $"heap size {HeapSizeBytes} must be a multiple of 4096 in [{HeapSizeBytesMin}, {HeapSizeBytesMax}]");
        }

        if (WalSizeBytes < WalSizeBytesMin || WalSizeBytes % HeapFormat.PageBytes != 0 || WalSizeBytes > int.MaxValue * 4L)
        {
            throw new DaosException(DaosError.InvalidArgument,
                $"WAL size {WalSizeBytes} must be a multiple of 4096 of at least {WalSizeBytesMin}");
        }

        if (ChunkSizeBytes < 4096 || ChunkSizeBytes > (1 << 20) || (ChunkSizeBytes & (ChunkSizeBytes - 1)) != 0)
        {
            throw new DaosException(DaosError.InvalidArgument, $"chunk size {ChunkSizeBytes} must be a power of two in [4096, 1 MiB]");
        }

        if (CheckpointWalFillRatio is <= 0 or > 1 || TransactionWalShareMax is <= 0 or > 0.5)
        {
            throw new DaosException(DaosError.InvalidArgument, "checkpoint fill ratio must be in (0, 1] and the transaction share in (0, 0.5]");
        }
    }
}
