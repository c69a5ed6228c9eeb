namespace Daos.Vos;

/// <summary>How a <see cref="VosPool"/> is sized and tuned. Sizes are fixed at creation; later opens read them from the files.</summary>
public sealed record VosPoolOptions
{
    /// <summary>Smallest values below this many bytes live inline in the heap; larger ones in the blob store.</summary>
    public const int InlineThresholdBytesDefault = 4096;

    /// <summary>Size of the metadata heap (creation only).</summary>
    public long HeapSizeBytes { get; init; } = 64L << 20;

    /// <summary>Size of the heap's write-ahead log (creation only).</summary>
    public long WalSizeBytes { get; init; } = 32L << 20;

    /// <summary>Size of the blob store for large values, a multiple of 4 KiB (creation only).</summary>
    public long BlobSizeBytes { get; init; } = 256L << 20;

    /// <summary>Values of at least this many bytes go to the blob store; smaller ones stay inline in the heap.</summary>
    public int InlineThresholdBytes { get; init; } = InlineThresholdBytesDefault;

    /// <summary>
    /// Most objects per container whose index (dkeys, akeys, versions, extents) is held in memory between
    /// operations; beyond it the least recently used are dropped and read again from the heap trees on next use.
    /// Not stored in the pool: each open chooses.
    /// </summary>
    public int ObjectCacheLimit { get; init; } = ObjectCacheLimitDefault;

    /// <summary>Default of <see cref="ObjectCacheLimit"/>.</summary>
    public const int ObjectCacheLimitDefault = 65536;

    /// <summary>
    /// The clock of interval checkpoints. Null: a stopped clock, so the heap checkpoints only when its WAL fills
    /// and on <see cref="VosPool.CheckpointAsync"/>.
    /// </summary>
    public TimeProvider? TimeProvider { get; init; }

    /// <summary>
    /// Group commit. Null (the default): every change is durable before its call returns, with one durability barrier
    /// (WAL write and flush) of its own. Otherwise the owner's scheduler: it is handed the barrier work, at most once
    /// per batch and possibly from a timer thread, and must only enqueue it onto the thread (or gate) that owns this
    /// pool, to run later with no other operation of the pool in progress. The public operations still return
    /// durable; the owner's internal fast path (the engine's object handlers) applies changes, lets the next ones
    /// apply, and acknowledges each after the one barrier that covers them all. Not stored in the pool.
    /// </summary>
    public Action<Action<object?>, object?>? CommitScheduler { get; init; }

    internal void Validate()
    {
        if (InlineThresholdBytes is < 1 or > 64 * 1024)
        {
            throw new DaosException(DaosError.InvalidArgument, $"inline threshold {InlineThresholdBytes} is outside 1..65536");
        }

        if (ObjectCacheLimit < 1)
        {
            throw new DaosException(DaosError.InvalidArgument, $"object cache limit {ObjectCacheLimit} must be at least 1");
        }

        if (BlobSizeBytes < 4096 || BlobSizeBytes % 4096 != 0)
        {
            throw new DaosException(DaosError.InvalidArgument, $"blob size {BlobSizeBytes} must be a positive multiple of 4096");
        }
    }
}
