using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Daos.Storage;

namespace Daos.Vos.Umem;

/// <summary>
/// A persistent heap on one target: an image of <see cref="SizeBytes"/> addressed by 64-bit offsets, kept in
/// memory and persisted by a redo WAL plus checkpoints (DAOS's "MD on SSD" umem). See src/Daos.Vos/README.md.
/// </summary>
/// <remarks>
/// Files on the medium: <c>{name}.heap</c> (two superblock slots and the image as of the last checkpoint) and
/// <c>{name}.wal</c>. Owner thread only: every method must be called from the target's executor.
/// </remarks>
internal sealed partial class UmemHeap : IDisposable
{
    /// <summary>Image offset of the allocator header.</summary>
    public const long AllocatorHeaderOffset = 0;

    /// <summary>Image offset of 64 bytes reserved for the blob store's extent index root.</summary>
    public const long BioRootOffset = 64;

    /// <summary>Image offset of the root area clients (VOS) own; zero at creation.</summary>
    public const long RootOffset = 256;

    /// <summary>Size of the root area.</summary>
    public const int RootSizeBytes = HeapFormat.PageBytes - (int)RootOffset;

    private readonly IStorageMedium _medium;
    private readonly UmemOptions _options;
    private readonly TimeProvider _time;
    private readonly IMediumFile _heapFile;
    private readonly HeapImage _image;
    private readonly WriteAheadLog _wal;
    private readonly List<ITransactionParticipant> _participants = [];
    private readonly byte[] _slotBuffer = new byte[HeapFormat.SlotBytes];
    private Superblock _superblock;
    private long _lastCheckpointTimestamp;
    private Exception? _failure;
    private bool _disposed;
    private bool _flushScheduled;
    private BlobReplayLog? _replayedBlobWrites;

    private UmemHeap(IStorageMedium medium, string name, UmemOptions options, IMediumFile heapFile, HeapImage image,
        WriteAheadLog wal, in Superblock superblock, ulong lastTxId)
    {
        _medium = medium;
        Name = name;
        _options = options;
        _time = options.TimeProvider;
        _heapFile = heapFile;
        _image = image;
        _wal = wal;
        _superblock = superblock;
        _lastTxId = lastTxId;
        _lastCheckpointTimestamp = _time.GetTimestamp();
        Allocator = new UmemAllocator(this);
        _participants.Add(Allocator);
        if (options.FlushScheduler is not null)
        {
            // The timer only hands the check to the owner's scheduler; the checkpoint itself runs on the owner.
            _checkpointTimer = _time.CreateTimer(s_checkpointTimer, this, options.CheckpointInterval, options.CheckpointInterval);
        }
    }

    private readonly ITimer? _checkpointTimer;

    public string Name { get; }

    public ulong HeapId => _superblock.HeapId;

    public long SizeBytes => _image.SizeBytes;

    public UmemAllocator Allocator { get; }

    public HeapSpace Space => Allocator.Space;

    /// <summary>What the open that produced this heap replayed (empty for a new heap).</summary>
    public RecoveryReport Recovery { get; private set; }

    public long CheckpointCount { get; private set; }

    /// <summary>Durability barriers issued on the WAL (one per group commit).</summary>
    public long WalBarrierCount => _wal.BarrierCount;

    /// <summary>The WAL sequence of the last record appended (commits made so far end at or before it).</summary>
    public ulong LastCommitSequence => _wal.LastSequence;

    /// <summary>The WAL sequence up to which every record is durable.</summary>
    public ulong DurableSequence => _wal.DurableSequence;

    /// <summary>
    /// With a <see cref="UmemOptions.FlushScheduler"/>: when true, a commit returns as soon as its record is appended
    /// and its barrier scheduled, instead of waiting for the barrier; the owner learns durability through
    /// <see cref="WaitDurableAsync"/> or makes it so with <see cref="FlushAsync"/>. The owner must not let anyone
    /// read what such a commit wrote, as if it were durable, before then. Without a scheduler commits are durable
    /// on return either way.
    /// </summary>
    public bool DeferDurability { get; set; }

    public long WalUsedBytes => _wal.UsedBytes;

    public long WalCapacityBytes => _wal.CapacityBytes;

    /// <summary>The id of the open transaction, 0 when none.</summary>
    public ulong OpenTransactionId => _txId;

    internal HeapImage Image => _image;

    public static string HeapFileName(string name) => name + ".heap";

    public static string WalFileName(string name) => name + ".wal";

    /// <summary>Read-only view of heap bytes (valid until the next change to them).</summary>
    public ReadOnlySpan<byte> Read(long offset, int length)
    {
        CheckRange(offset, length);
        return _image.Span(offset, length);
    }

    /// <summary>Reads an unmanaged value at <paramref name="offset"/>.</summary>
    public T Read<T>(long offset) where T : unmanaged
    {
        int size = Unsafe.SizeOf<T>();
        CheckRange(offset, size);
        return MemoryMarshal.Read<T>(_image.Span(offset, size));
    }

    /// <summary>
    /// Blob writes the last replay found in the WAL (logged data not known to be in the blob file), or null. The
    /// blob store takes them at open, writes them and makes them durable; no checkpoint runs before that.
    /// </summary>
    public BlobReplayLog? TakeReplayedBlobWrites()
    {
        BlobReplayLog? log = _replayedBlobWrites;
        _replayedBlobWrites = null;
        return log;
    }

    /// <summary>Reads <paramref name="destination"/>.Length bytes of the WAL file at <paramref name="offset"/> (replayed blob data).</summary>
    public void ReadWal(long offset, Span<byte> destination) => _wal.Read(offset, destination);

    /// <summary>Registers volatile state that must follow transaction outcomes.</summary>
    public void AddParticipant(ITransactionParticipant participant) => _participants.Add(participant);

    /// <summary>Makes every commit so far durable (one barrier for all of them).</summary>
    public ValueTask FlushAsync()
    {
        try
        {
            Flush();
            return ValueTask.CompletedTask;
        }
        catch (Exception e)
        {
            return ValueTask.FromException(e);
        }
    }

    /// <summary>Makes every commit so far durable now, on the calling thread (one barrier for all of them).</summary>
    public void Flush()
    {
        ThrowIfUnusable();
        try
        {
            _wal.FlushBatch();
        }
        catch (Exception e)
        {
            _failure ??= e;
            throw;
        }
    }

    /// <summary>Checkpoints now: every change committed so far reaches the heap file and the WAL is trimmed.</summary>
    public ValueTask CheckpointAsync()
    {
        try
        {
            Checkpoint();
            return ValueTask.CompletedTask;
        }
        catch (Exception e)
        {
            return ValueTask.FromException(e);
        }
    }

    /// <summary>Checkpoints when the WAL fill ratio or the checkpoint interval says so; true when it did.</summary>
    public bool CheckpointIfDue()
    {
        ThrowIfUnusable();
        if (_txId != 0)
        {
            return false;
        }

        bool full = _wal.UsedBytes > _options.CheckpointWalFillRatio * _wal.CapacityBytes;
        bool old = _wal.UsedBytes > 0 && _time.GetElapsedTime(_lastCheckpointTimestamp) >= _options.CheckpointInterval;
        if (!full && !old)
        {
            return false;
        }

        Checkpoint();
        return true;
    }

    private void CheckRange(long offset, long length)
    {
        if (offset < 0 || length < 0 || offset > _image.SizeBytes - length)
        {
            ThrowOutOfRange(offset, length);
        }
    }

    private void ThrowOutOfRange(long offset, long length) =>
        throw new DaosException(DaosError.InvalidArgument,
            $"range [{offset}, {offset + length}) is outside heap '{Name}' of {_image.SizeBytes} bytes");

    private void ThrowIfUnusable()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_failure is not null)
        {
            throw new DaosException(DaosError.IO, $"heap '{Name}' failed earlier and must be reopened", _failure);
        }
    }

    /// <summary>
    /// Releases the files and the image without writing or flushing anything, as a crash would: commits whose
    /// barrier has not run are lost (their waiters fail), and the next open recovers what was durable.
    /// </summary>
    public void Abandon()
    {
        if (_disposed)
        {
            return;
        }

        _failure ??= new DaosException(DaosError.IO, $"heap '{Name}' was abandoned before its commits were durable");
        _wal.FailWaiters(_failure);
        _disposed = true;
        _checkpointTimer?.Dispose();
        _wal.Dispose();
        _heapFile.Dispose();
        _image.Dispose();
    }

    /// <summary>Flushes what was committed and releases the files and the image. Does not checkpoint.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        if (_txId != 0)
        {
            TxAbort(_txId);
        }

        try
        {
            if (_failure is null)
            {
                _wal.FlushBatch();
            }
        }
        catch (Exception e)
        {
            // The waiting commits already carry the failure; disposing must still release the files.
            _failure = e;
        }
        finally
        {
            _disposed = true;
            _checkpointTimer?.Dispose();
            _wal.Dispose();
            _heapFile.Dispose();
            _image.Dispose();
        }
    }
}
