using System.Runtime.CompilerServices;
using Daos.Storage;
using Daos.Vos.Umem;

namespace Daos.Vos.Bio;

/// <summary>
/// Bulk data of one target: a blob file of 4 KiB blocks and a VEA-like extent allocator. The free extents are
/// recorded, sorted by offset, in an array in the heap (changed only inside heap transactions); in memory the
/// same extents are indexed by offset and by size, minus the blocks that reservations hold.
/// Write path ("delayed atomicity"): <see cref="TryReserve"/> in memory, <see cref="StageAsync"/> the data, then
/// <see cref="Publish"/> the reservation in the same heap transaction that writes the metadata pointing at it;
/// <see cref="Cancel"/> when anything fails before. Data up to <see cref="LoggedWriteBytesMax"/> is also copied into
/// that transaction's WAL record, so the record's one barrier makes it durable (replay writes it back; a checkpoint
/// makes the blob file durable before it retires the record). Larger data is made durable in the blob file before
/// the record is written (a second barrier, but no second copy of the bytes).
/// </summary>
/// <remarks>Owner thread only. Files: <c>{name}.blob</c>.</remarks>
internal sealed class BlobStore : ITransactionParticipant, IDisposable
{
    private readonly UmemHeap _heap;
    private readonly IMediumFile _file;
    private readonly string _fileName;
    private readonly AlignedBufferPool _buffers = new();
    private readonly SortedSet<(long Start, long Count)> _byOffset = [];
    private readonly SortedSet<(long Count, long Start)> _bySize = [];
    private readonly List<BlobReservation> _publishing = [];
    private readonly List<(long Start, long Count)> _freeing = [];

    // Blocks freed by committed transactions whose WAL record may not be durable yet (group commit): reusing them
    // before it is would let new data overwrite a value that a crash brings back. Reservable once durable.
    private readonly Queue<(ulong Sequence, long Start, long Count)> _freedNotDurable = new();
    private long _reservedBlocks;

    // The blob file has writes not yet made durable: logged ones (a checkpoint must sync them before it retires
    // their records) and unlogged ones (a publish must sync them before its record is written).
    private bool _loggedNotDurable;
    private bool _writtenNotDurable;

    /// <summary>Staged data up to this size is logged in the WAL record instead of made durable in the blob file first.</summary>
    public const int LoggedWriteBytesMax = 64 * 1024;

    /// <summary>Barriers issued on the blob file (for tests and benchmarks).</summary>
    public long BarrierCount { get; private set; }

    private BlobStore(UmemHeap heap, IMediumFile file, string fileName, long blockCount)
    {
        _heap = heap;
        _file = file;
        _fileName = fileName;
        BlockCount = blockCount;
        heap.AddParticipant(this);
    }

    public long BlockCount { get; }

    public BlobSpace Space => new(BlockCount, _heap.Read<long>(BlobFormat.RootFreeBlocksAt), _reservedBlocks);

    public static string BlobFileName(string name) => name + ".blob";

    /// <summary>Creates the blob file and, in one heap transaction, its empty free-extent index.</summary>
    public static async ValueTask<BlobStore> CreateAsync(IStorageMedium medium, string name, UmemHeap heap, long blockCount)
    {
        if (blockCount <= 0 || blockCount > (1L << 40))
        {
            throw new DaosException(DaosError.InvalidArgument, $"a blob file needs 1..2^40 blocks, not {blockCount}");
        }

        if (heap.Read<ulong>(BlobFormat.RootMagicAt) != 0)
        {
            throw new DaosException(DaosError.Exists, $"heap '{heap.Name}' already has a blob store");
        }

        string fileName = BlobFileName(name);
        IMediumFile file = medium.OpenFile(fileName, MediumOpenMode.CreateNew);
        try
        {
            byte[] header = new byte[BlobFormat.BlockBytes];
            BlobFormat.WriteHeader(header, heap.HeapId, blockCount);
            file.SetLength((1 + blockCount) * BlobFormat.BlockBytes);
            file.Write(0, header);
            file.Flush();
            medium.SyncDirectory();
            var store = new BlobStore(heap, file, fileName, blockCount);
            using (UmemTransaction tx = heap.Begin())
            {
                const int capacity = 64;
                long index = tx.Allocate(BlobFormat.IndexHeaderBytes + capacity * BlobFormat.IndexEntryBytes);
                tx.Write(index, 1);
                tx.Write(index + 4, capacity);
                tx.Write(index + 8, 0L);
                tx.Write(index + BlobFormat.IndexHeaderBytes, 0L);
                tx.Write(index + BlobFormat.IndexHeaderBytes + 8, blockCount);
                tx.Write(BlobFormat.RootMagicAt, BlobFormat.RootMagic);
                tx.Write(BlobFormat.RootIndexAt, index);
                tx.Write(BlobFormat.RootBlocksAt, blockCount);
                tx.Write(BlobFormat.RootFreeBlocksAt, blockCount);
                await tx.CommitAsync().ConfigureAwait(false);
            }

            store.Rebuild();
            return store;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Opens the blob file of a recovered heap and rebuilds the in-memory indexes from the heap.</summary>
    public static BlobStore Open(IStorageMedium medium, string name, UmemHeap heap)
    {
        string fileName = BlobFileName(name);
        if (heap.Read<ulong>(BlobFormat.RootMagicAt) != BlobFormat.RootMagic)
        {
            throw new DaosException(DaosError.NonExistent, $"heap '{heap.Name}' has no blob store");
        }

        if (!medium.FileExists(fileName))
        {
            throw new DaosException(DaosError.NonExistent, $"blob file '{fileName}' is missing");
        }

        IMediumFile file = medium.OpenFile(fileName, MediumOpenMode.OpenExisting);
        try
        {
            byte[] header = new byte[BlobFormat.HeaderBytes];
            file.Read(0, header);
            long blocks = BlobFormat.ValidateHeader(header, heap.HeapId, fileName);
            if (blocks != heap.Read<long>(BlobFormat.RootBlocksAt))
            {
                throw new DaosException(DaosError.Corrupted,
                    $"blob file '{fileName}' has {blocks} blocks but the heap's index describes {heap.Read<long>(BlobFormat.RootBlocksAt)}");
            }

            if (file.Length < (1 + blocks) * BlobFormat.BlockBytes)
            {
                throw new DaosException(DaosError.DurableFormatInvalid,
                    $"blob file '{fileName}' is truncated: {file.Length} bytes of {(1 + blocks) * BlobFormat.BlockBytes}");
            }

            var store = new BlobStore(heap, file, fileName, blocks);
            store.Rebuild();
            store.WriteBackReplayed(heap.TakeReplayedBlobWrites());
            return store;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Holds <paramref name="blockCount"/> contiguous blocks in memory (best fit); false when none are free.</summary>
    public bool TryReserve(long blockCount, out BlobReservation? reservation)
    {
        if (blockCount <= 0)
        {
            throw new DaosException(DaosError.InvalidArgument, $"cannot reserve {blockCount} blocks");
        }

        reservation = null;
        ReleaseDurableFrees();
        if ((_bySize.Count == 0 || _bySize.Max.Count < blockCount) && _freedNotDurable.Count > 0)
        {
            // Space waits on frees that are not durable yet: make them so now rather than fail.
            _heap.Flush();
            ReleaseDurableFrees();
        }

        if (_bySize.Count == 0 || _bySize.Max.Count < blockCount)
        {
            return false;
        }

        // Best fit: the smallest free extent that is large enough (the view costs an allocation, so try the minimum first).
        (long count, long start) = _bySize.Min.Count >= blockCount
            ? _bySize.Min
            : _bySize.GetViewBetween((blockCount, 0), (long.MaxValue, long.MaxValue)).Min;
        RemoveVolatile(start, count);
        if (count > blockCount)
        {
            AddVolatile(start + blockCount, count - blockCount);
        }

        _reservedBlocks += blockCount;
        reservation = new BlobReservation(start, blockCount);
        return true;
    }

    /// <summary>
    /// Writes <paramref name="data"/> at the start of a reservation, ready for <see cref="Publish"/>, with one
    /// synchronous write on the owner thread (the barrier that follows is synchronous too, so handing the copy to
    /// another thread would only add two thread switches): straight from the caller's memory when the length is a
    /// multiple of 4 KiB, otherwise through an aligned pooled buffer padded with zeros. Up to
    /// <see cref="LoggedWriteBytesMax"/> bytes are logged in the publishing record; more are made durable in the blob
    /// file at publish. The caller's memory must stay unchanged until the reservation is published or canceled.
    /// </summary>
    public ValueTask StageAsync(BlobReservation reservation, ReadOnlyMemory<byte> data, CancellationToken ct = default)
    {
        try
        {
            Stage(reservation, data, ct);
            return ValueTask.CompletedTask;
        }
        catch (Exception e)
        {
            return ValueTask.FromException(e);
        }
    }

    private void Stage(BlobReservation reservation, ReadOnlyMemory<byte> data, CancellationToken ct)
    {
        CheckWrite(reservation, 0, data.Length);
        ct.ThrowIfCancellationRequested();
        int padded = (data.Length + BlobFormat.BlockBytes - 1) / BlobFormat.BlockBytes * BlobFormat.BlockBytes;
        if (padded == data.Length)
        {
            _file.Write(FileOffset(reservation.StartBlock), data.Span);
        }
        else
        {
            AlignedBuffer buffer = _buffers.Rent(padded);
            try
            {
                Span<byte> block = buffer.Memory.Span[..padded];
                data.Span.CopyTo(block);
                block[data.Length..].Clear();
                _file.Write(FileOffset(reservation.StartBlock), block);
            }
            finally
            {
                _buffers.Return(buffer);
            }
        }

        reservation.NeedsDurableData = true;
        if (data.Length <= LoggedWriteBytesMax)
        {
            reservation.LoggedData = data;
            _loggedNotDurable = true;
        }
        else
        {
            _writtenNotDurable = true;
        }
    }

    /// <summary>Gives a reservation's blocks back (after a failed write, or instead of publishing).</summary>
    public void Cancel(BlobReservation reservation)
    {
        if (reservation.State != BlobReservationState.Reserved)
        {
            throw new InvalidOperationException($"reservation at block {reservation.StartBlock} is {reservation.State}, not reserved");
        }

        reservation.State = BlobReservationState.Canceled;
        reservation.LoggedData = default;
        _reservedBlocks -= reservation.BlockCount;
        InsertVolatile(reservation.StartBlock, reservation.BlockCount);
    }

    /// <summary>
    /// Writes <paramref name="data"/> into a reservation at block <paramref name="blockInReservation"/>. A length that
    /// is a multiple of 4 KiB goes to the file straight from the caller's memory; otherwise it is copied once into
    /// an aligned pooled buffer padded with zeros.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask WriteAsync(BlobReservation reservation, long blockInReservation, ReadOnlyMemory<byte> data,
        CancellationToken ct = default)
    {
        long blocks = CheckWrite(reservation, blockInReservation, data.Length);
        long offset = FileOffset(reservation.StartBlock + blockInReservation);
        reservation.NeedsDurableData = true;
        _writtenNotDurable = true;
        if (data.Length % BlobFormat.BlockBytes == 0)
        {
            await _file.WriteAsync(offset, data, ct).ConfigureAwait(false);
            return;
        }

        AlignedBuffer buffer = _buffers.Rent((int)(blocks * BlobFormat.BlockBytes));
        try
        {
            Memory<byte> padded = buffer.Memory[..(int)(blocks * BlobFormat.BlockBytes)];
            data.Span.CopyTo(padded.Span);
            padded.Span[data.Length..].Clear();
            await _file.WriteAsync(offset, padded, ct).ConfigureAwait(false);
        }
        finally
        {
            _buffers.Return(buffer);
        }
    }

    private static long CheckWrite(BlobReservation reservation, long blockInReservation, int length)
    {
        if (reservation.State is not (BlobReservationState.Reserved or BlobReservationState.PublishPending))
        {
            throw new InvalidOperationException($"reservation at block {reservation.StartBlock} is {reservation.State}");
        }

        long blocks = (length + BlobFormat.BlockBytes - 1) / BlobFormat.BlockBytes;
        if (blockInReservation < 0 || blockInReservation + blocks > reservation.BlockCount)
        {
            throw new DaosException(DaosError.InvalidArgument,
                $"{length} bytes at block {blockInReservation} do not fit a reservation of {reservation.BlockCount} blocks");
        }

        return blocks;
    }

    /// <summary>Makes every blob write so far durable.</summary>
    public ValueTask FlushAsync(CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        Flush();
        return ValueTask.CompletedTask;
    }

    private void Flush()
    {
        _file.Flush();
        BarrierCount++;
        _loggedNotDurable = _writtenNotDurable = false;
    }

    /// <summary>Reads <paramref name="destination"/>.Length bytes starting at data block <paramref name="block"/>, straight into it.</summary>
    public ValueTask ReadAsync(long block, Memory<byte> destination, CancellationToken ct = default)
    {
        try
        {
            Read(block, destination.Span, ct);
            return ValueTask.CompletedTask;
        }
        catch (Exception e)
        {
            return ValueTask.FromException(e);
        }
    }

    private void Read(long block, Span<byte> destination, CancellationToken ct)
    {
        long blocks = (destination.Length + BlobFormat.BlockBytes - 1) / BlobFormat.BlockBytes;
        if (block < 0 || block + blocks > BlockCount)
        {
            throw new DaosException(DaosError.InvalidArgument,
                $"{destination.Length} bytes at block {block} are outside blob '{_fileName}' of {BlockCount} blocks");
        }

        // Read here: the caller waits for the bytes at once, so another thread would only add two switches.
        ct.ThrowIfCancellationRequested();
        int read = _file.Read(FileOffset(block), destination);
        if (read < destination.Length)
        {
            throw new DaosException(DaosError.IO, $"blob '{_fileName}' is shorter than expected at block {block}");
        }
    }

    /// <summary>
    /// Records the reservation as allocated in <paramref name="tx"/> (with the metadata that points at it). Its data
    /// is durable before the transaction's record can be: logged in the record when staged for logging and the
    /// record has room, otherwise made durable in the blob file now.
    /// </summary>
    public void Publish(UmemTransaction tx, BlobReservation reservation)
    {
        if (reservation.State != BlobReservationState.Reserved)
        {
            throw new InvalidOperationException($"reservation at block {reservation.StartBlock} is {reservation.State}, not reserved");
        }

        if (reservation.NeedsDurableData)
        {
            if (!reservation.LoggedData.IsEmpty && tx.TryLogBlobWrite(reservation.StartBlock, reservation.LoggedData.Span))
            {
                _loggedNotDurable = true;
            }
            else if (_loggedNotDurable || _writtenNotDurable)
            {
                Flush();
            }
        }

        var index = new FreeExtentIndex(_heap, _heap.Read<long>(BlobFormat.RootIndexAt));
        index.Remove(tx, reservation.StartBlock, reservation.BlockCount, _fileName);
        tx.Write(BlobFormat.RootFreeBlocksAt, _heap.Read<long>(BlobFormat.RootFreeBlocksAt) - reservation.BlockCount);
        reservation.State = BlobReservationState.PublishPending;
        _publishing.Add(reservation);
    }

    /// <summary>Frees published blocks in <paramref name="tx"/>; they become reservable when it commits.</summary>
    public void Free(UmemTransaction tx, long startBlock, long blockCount)
    {
        if (startBlock < 0 || blockCount <= 0 || startBlock > BlockCount - blockCount)
        {
            throw new DaosException(DaosError.InvalidArgument,
                $"blocks [{startBlock}, {startBlock + blockCount}) are outside blob '{_fileName}' of {BlockCount} blocks");
        }

        var index = new FreeExtentIndex(_heap, _heap.Read<long>(BlobFormat.RootIndexAt));
        tx.LogBlobFree(startBlock, blockCount);
        long moved = index.Insert(tx, startBlock, blockCount, _fileName);
        if (moved != 0)
        {
            tx.Write(BlobFormat.RootIndexAt, moved);
        }

        tx.Write(BlobFormat.RootFreeBlocksAt, _heap.Read<long>(BlobFormat.RootFreeBlocksAt) + blockCount);
        _freeing.Add((startBlock, blockCount));
    }

    void ITransactionParticipant.OnCommitting(UmemTransaction tx)
    {
    }

    void ITransactionParticipant.OnCheckpointing()
    {
        if (_loggedNotDurable || _writtenNotDurable)
        {
            Flush();
        }
    }

    void ITransactionParticipant.OnCommitted()
    {
        foreach (BlobReservation reservation in _publishing)
        {
            reservation.State = BlobReservationState.Published;
            reservation.LoggedData = default;
            _reservedBlocks -= reservation.BlockCount;
        }

        ulong sequence = _heap.LastCommitSequence;
        foreach ((long start, long count) in _freeing)
        {
            _freedNotDurable.Enqueue((sequence, start, count));
        }

        _publishing.Clear();
        _freeing.Clear();
    }

    void ITransactionParticipant.OnAborted()
    {
        foreach (BlobReservation reservation in _publishing)
        {
            reservation.State = BlobReservationState.Reserved;
        }

        _publishing.Clear();
        _freeing.Clear();
    }

    private void Rebuild()
    {
        _byOffset.Clear();
        _bySize.Clear();
        var index = new FreeExtentIndex(_heap, _heap.Read<long>(BlobFormat.RootIndexAt));
        long free = 0, previousEnd = -1;
        for (int i = 0; i < index.Count; i++)
        {
            (long start, long count) = index.Get(i);
            if (start <= previousEnd || count <= 0 || start > BlockCount - count)
            {
                throw new DaosException(DaosError.Corrupted,
                    $"the free-extent index of blob '{_fileName}' is damaged at entry {i} ([{start}, +{count}))");
            }

            AddVolatile(start, count);
            free += count;
            previousEnd = start + count;
        }

        if (free != _heap.Read<long>(BlobFormat.RootFreeBlocksAt))
        {
            throw new DaosException(DaosError.Corrupted,
                $"the free-extent index of blob '{_fileName}' counts {free} free blocks, its root says {_heap.Read<long>(BlobFormat.RootFreeBlocksAt)}");
        }
    }

    /// <summary>
    /// Writes the blob data the heap's WAL replay found back into the blob file and makes it durable, before anything
    /// else can write or checkpoint. A crash part way leaves the records in the WAL: the next open writes them again.
    /// </summary>
    private void WriteBackReplayed(BlobReplayLog? log)
    {
        if (log is null)
        {
            return;
        }

        foreach (BlobReplayWrite w in log.Writes)
        {
            if (w.FirstBlock < 0 || w.EndBlock > BlockCount)
            {
                throw new DaosException(DaosError.Corrupted,
                    $"the WAL logs {w.LengthBytes} bytes for blocks [{w.FirstBlock}, {w.EndBlock}) outside blob '{_fileName}' of {BlockCount} blocks");
            }

            int padded = (int)((w.EndBlock - w.FirstBlock) * BlobFormat.BlockBytes);
            AlignedBuffer buffer = _buffers.Rent(padded);
            try
            {
                Span<byte> data = buffer.Memory.Span[..padded];
                _heap.ReadWal(w.WalOffset, data[..w.LengthBytes]);
                data[w.LengthBytes..].Clear();
                _file.Write(FileOffset(w.FirstBlock), data);
            }
            finally
            {
                _buffers.Return(buffer);
            }
        }

        Flush();
    }

    private void ReleaseDurableFrees()
    {
        ulong durable = _heap.DurableSequence;
        while (_freedNotDurable.TryPeek(out (ulong Sequence, long Start, long Count) freed) && freed.Sequence <= durable)
        {
            _freedNotDurable.Dequeue();
            InsertVolatile(freed.Start, freed.Count);
        }
    }

    private void InsertVolatile(long start, long count)
    {
        // Merge with the neighbours in the in-memory index (reserved blocks are absent from it, so they never merge).
        // A view's Count walks the whole view; its Min and Max are logarithmic, and an empty view yields (0, 0),
        // which no extent equals (counts are positive).
        if (start > 0)
        {
            (long s, long c) = _byOffset.GetViewBetween((0, 0), (start - 1, long.MaxValue)).Max;
            if (c > 0 && s + c == start)
            {
                RemoveVolatile(s, c);
                start = s;
                count += c;
            }
        }

        (long nextStart, long nextCount) = _byOffset.GetViewBetween((start + count, 0), (start + count, long.MaxValue)).Min;
        if (nextCount > 0)
        {
            RemoveVolatile(nextStart, nextCount);
            count += nextCount;
        }

        AddVolatile(start, count);
    }

    private void AddVolatile(long start, long count)
    {
        _byOffset.Add((start, count));
        _bySize.Add((count, start));
    }

    private void RemoveVolatile(long start, long count)
    {
        _byOffset.Remove((start, count));
        _bySize.Remove((count, start));
    }

    private static long FileOffset(long block) => (1 + block) * BlobFormat.BlockBytes;

    public void Dispose()
    {
        _file.Dispose();
        _buffers.Dispose();
    }
}
