using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Daos.Vos.Umem;

internal sealed partial class UmemHeap
{
    private static readonly Action<object?> s_scheduledFlush = state => ((UmemHeap)state!).RunScheduledFlush();
    private static readonly Action<object?> s_scheduledCheckpoint = state => ((UmemHeap)state!).RunScheduledCheckpoint();
    private static readonly TimerCallback s_checkpointTimer = state =>
    {
        var heap = (UmemHeap)state!;
        heap._options.FlushScheduler!(s_scheduledCheckpoint, heap);
    };

    private ulong _txId;
    private ulong _lastTxId;

    // Redo entries of the open transaction, encoded exactly as they go into the WAL record.
    private byte[] _redo = new byte[16 * 1024];
    private int _redoLength;
    private int _redoCount;

    // Undo images: [offset u64][length u32][pad u32][old bytes, 8-aligned]; _undoStarts indexes them for reverse walks.
    private byte[] _undo = new byte[16 * 1024];
    private int _undoLength;
    private int[] _undoStarts = new int[256];
    private int _undoCount;

    // Ranges handed out by AddRange whose final content is logged when the next operation or the commit comes.
    private long[] _ranges = new long[32];
    private int _rangeCount;

    /// <summary>Begins the heap's transaction.</summary>
    /// <exception cref="InvalidOperationException">A transaction is already open (they do not nest).</exception>
    public UmemTransaction Begin()
    {
        ThrowIfUnusable();
        if (_txId != 0)
        {
            throw new InvalidOperationException($"heap '{Name}' already has transaction {_txId} open");
        }

        _txId = ++_lastTxId;
        _redoLength = _redoCount = _undoLength = _undoCount = _rangeCount = 0;
        return new UmemTransaction(this, _txId);
    }

    internal void TxWrite(ulong id, long offset, ReadOnlySpan<byte> source)
    {
        CheckTx(id);
        CheckRange(offset, source.Length);
        CloseRanges();
        Span<byte> redo = ReserveRedo(WalFormat.OpCopy, 0, source.Length, offset);
        SaveUndo(offset, source.Length);
        Span<byte> target = _image.Span(offset, source.Length);
        source.CopyTo(target);
        target.CopyTo(redo);
        _image.MarkDirty(offset, source.Length);
    }

    internal void TxSet(ulong id, long offset, byte value, int length)
    {
        CheckTx(id);
        CheckRange(offset, length);
        CloseRanges();
        _ = ReserveRedo(WalFormat.OpSet, value, length, offset);
        SaveUndo(offset, length);
        _image.Span(offset, length).Fill(value);
        _image.MarkDirty(offset, length);
    }

    internal void TxMove(ulong id, long destination, long source, int length)
    {
        CheckTx(id);
        CheckRange(destination, length);
        CheckRange(source, length);
        CloseRanges();
        // Logged by value: a relative "copy from source" entry would not be idempotent when replayed over pages a
        // crashed checkpoint already wrote with later contents of the source (found by crash enumeration).
        Span<byte> redo = ReserveRedo(WalFormat.OpCopy, 0, length, destination);
        SaveUndo(destination, length);
        Span<byte> target = _image.Span(destination, length);
        _image.Span(source, length).CopyTo(target);
        target.CopyTo(redo);
        _image.MarkDirty(destination, length);
    }

    internal Span<byte> TxAddRange(ulong id, long offset, int length)
    {
        CheckTx(id);
        CheckRange(offset, length);
        CloseRanges();
        EnsureRedoRoom(WalFormat.EntryBytes(WalFormat.OpCopy, length));
        SaveUndo(offset, length);
        if (_rangeCount + 2 > _ranges.Length)
        {
            Array.Resize(ref _ranges, _ranges.Length * 2);
        }

        _ranges[_rangeCount++] = offset;
        _ranges[_rangeCount++] = length;
        return _image.Span(offset, length);
    }

    internal bool TxLogBlobWrite(ulong id, long firstBlock, ReadOnlySpan<byte> data)
    {
        CheckTx(id);
        if (firstBlock < 0 || (ulong)firstBlock >= WalFormat.BlobBlockLimit || data.IsEmpty)
        {
            throw new DaosException(DaosError.InvalidArgument, $"cannot log {data.Length} blob bytes at block {firstBlock}");
        }

        CloseRanges();
        if (_redoLength + (long)WalFormat.EntryBytes(WalFormat.OpBlobWrite, data.Length) > RedoLimit())
        {
            return false;
        }

        data.CopyTo(ReserveRedo(WalFormat.OpBlobWrite, 0, data.Length, firstBlock));
        return true;
    }

    internal void TxLogBlobFree(ulong id, long firstBlock, long blockCount)
    {
        CheckTx(id);
        if (firstBlock < 0 || blockCount <= 0 || (ulong)firstBlock >= WalFormat.BlobBlockLimit
            || (ulong)blockCount > WalFormat.BlobBlockLimit - (ulong)firstBlock)
        {
            throw new DaosException(DaosError.InvalidArgument, $"cannot log a free of {blockCount} blob blocks at {firstBlock}");
        }

        CloseRanges();
        BinaryPrimitives.WriteInt64LittleEndian(
            ReserveRedo(WalFormat.OpBlobFree, 0, WalFormat.BlobFreePayloadBytes, firstBlock), blockCount);
    }

    internal ValueTask TxCommit(ulong id)
    {
        CheckTx(id);
        CloseRanges();
        var tx = new UmemTransaction(this, id);
        foreach (ITransactionParticipant participant in _participants)
        {
            participant.OnCommitting(tx);
        }

        CloseRanges();
        if (_redoCount == 0)
        {
            EndTransaction(committed: true);
            return ValueTask.CompletedTask;
        }

        int recordBytes = WalFormat.RecordHeaderBytes + _redoLength;
        if (!_wal.Fits(recordBytes))
        {
            // Make room: the image holds this transaction's changes, which must not reach the heap file before its
            // record is durable. Take them out, checkpoint everything committed before, and put them back.
            UndoImage();
            try
            {
                // Two checkpoints at most: the first frees what the older superblock slot needed, the second the rest.
                Checkpoint(forCommit: true);
                if (!_wal.Fits(recordBytes))
                {
                    Checkpoint(forCommit: true);
                }
            }
            finally
            {
                WalReplay.Apply(_redo.AsSpan(0, _redoLength), _image);
            }
        }

        ulong sequence = _wal.Append(id, _redoCount, _redo.AsSpan(0, _redoLength));
        EndTransaction(committed: true);
        return Durable(sequence);
    }

    private ValueTask Durable(ulong sequence)
    {
        Action<Action<object?>, object?>? scheduler = _options.FlushScheduler;
        if (scheduler is null)
        {
            try
            {
                _wal.FlushBatch();
                CheckpointIfDue();
                return ValueTask.CompletedTask;
            }
            catch (Exception e)
            {
                _failure ??= e;
                return ValueTask.FromException(e);
            }
        }

        if (DeferDurability)
        {
            ScheduleFlush(scheduler);
            return ValueTask.CompletedTask;
        }

        CommitWaiter waiter = _wal.Wait(sequence);
        ScheduleFlush(scheduler);
        return new ValueTask(waiter, waiter.Version);
    }

    /// <summary>
    /// Completes once the WAL record of <paramref name="sequence"/> (and so every commit before it) is durable: at
    /// once when it already is, otherwise with the next barrier (scheduled if none is; inline without a scheduler).
    /// Call on the owner, like every heap operation.
    /// </summary>
    internal ValueTask WaitDurableAsync(ulong sequence)
    {
        if (_failure is not null)
        {
            return ValueTask.FromException(new DaosException(DaosError.IO, $"heap '{Name}' failed before the commit was durable", _failure));
        }

        if (sequence <= _wal.DurableSequence)
        {
            return ValueTask.CompletedTask;
        }

        ObjectDisposedException.ThrowIf(_disposed, this);
        Action<Action<object?>, object?>? scheduler = _options.FlushScheduler;
        if (scheduler is null)
        {
            return FlushAsync();
        }

        CommitWaiter waiter = _wal.Wait(sequence);
        ScheduleFlush(scheduler);
        return new ValueTask(waiter, waiter.Version);
    }

    private void ScheduleFlush(Action<Action<object?>, object?> scheduler)
    {
        if (!_flushScheduled)
        {
            _flushScheduled = true;
            scheduler(s_scheduledFlush, this);
        }
    }

    private void RunScheduledFlush()
    {
        _flushScheduled = false;
        if (_disposed || _failure is not null)
        {
            return;
        }

        try
        {
            _wal.FlushBatch();
            CheckpointIfDue();
        }
        catch (Exception e)
        {
            // The waiters already carry the failure; the heap refuses further work.
            _failure ??= e;
        }
    }

    private void RunScheduledCheckpoint()
    {
        if (_disposed || _failure is not null || _txId != 0)
        {
            return;
        }

        try
        {
            CheckpointIfDue();
        }
        catch (Exception e)
        {
            _failure ??= e;
        }
    }

    internal void TxAbort(ulong id)
    {
        CheckTx(id);
        UndoImage();
        EndTransaction(committed: false);
    }

    private void EndTransaction(bool committed)
    {
        _txId = 0;
        _rangeCount = 0;
        foreach (ITransactionParticipant participant in _participants)
        {
            if (committed)
            {
                participant.OnCommitted();
            }
            else
            {
                participant.OnAborted();
            }
        }
    }

    private void UndoImage()
    {
        for (int i = _undoCount - 1; i >= 0; i--)
        {
            int at = _undoStarts[i];
            long offset = BinaryPrimitives.ReadInt64LittleEndian(_undo.AsSpan(at));
            int length = BinaryPrimitives.ReadInt32LittleEndian(_undo.AsSpan(at + 8));
            _undo.AsSpan(at + 16, length).CopyTo(_image.Span(offset, length));
        }
    }

    private void CheckTx(ulong id)
    {
        if (id == 0 || id != _txId)
        {
            ThrowNotOpen(id);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowNotOpen(ulong id)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        throw new InvalidOperationException($"transaction {id} of heap '{Name}' is not open");
    }

    private void CloseRanges()
    {
        for (int i = 0; i < _rangeCount; i += 2)
        {
            long offset = _ranges[i];
            int length = (int)_ranges[i + 1];
            Span<byte> redo = ReserveRedo(WalFormat.OpCopy, 0, length, offset);
            _image.Span(offset, length).CopyTo(redo);
            _image.MarkDirty(offset, length);
        }

        _rangeCount = 0;
    }

    private long RedoLimit() =>
        Math.Min((long)(_options.TransactionWalShareMax * _wal.CapacityBytes), WalFormat.RecordBytesMax) - WalFormat.RecordHeaderBytes;

    private void EnsureRedoRoom(int bytes)
    {
        long limit = RedoLimit();
        long pending = 0;
        for (int i = 0; i < _rangeCount; i += 2)
        {
            pending += WalFormat.EntryBytes(WalFormat.OpCopy, (int)_ranges[i + 1]);
        }

        if (_redoLength + pending + bytes > limit)
        {
            throw new DaosException(DaosError.NoSpace,
                $"transaction {_txId} of heap '{Name}' would exceed {limit} bytes of redo (its share of the WAL); split it or abort it");
        }
    }

    /// <summary>Appends an entry header and returns the space for its payload.</summary>
    private Span<byte> ReserveRedo(byte op, byte value, int length, long offset)
    {
        int bytes = WalFormat.EntryBytes(op, length);
        EnsureRedoRoom(bytes);
        if (_redoLength + bytes > _redo.Length)
        {
            Array.Resize(ref _redo, Math.Max(_redo.Length * 2, _redoLength + bytes));
        }

        Span<byte> entry = _redo.AsSpan(_redoLength, bytes);
        entry[0] = op;
        entry[1] = value;
        entry[2] = 0;
        entry[3] = 0;
        BinaryPrimitives.WriteInt32LittleEndian(entry[4..], length);
        BinaryPrimitives.WriteInt64LittleEndian(entry[8..], offset);
        _redoLength += bytes;
        _redoCount++;
        Span<byte> payload = entry[WalFormat.EntryHeaderBytes..];
        payload.Clear();
        return payload;
    }

    private void SaveUndo(long offset, int length)
    {
        int bytes = 16 + WalFormat.Align(length);
        if (_undoLength + bytes > _undo.Length)
        {
            Array.Resize(ref _undo, Math.Max(_undo.Length * 2, _undoLength + bytes));
        }

        if (_undoCount == _undoStarts.Length)
        {
            Array.Resize(ref _undoStarts, _undoStarts.Length * 2);
        }

        _undoStarts[_undoCount++] = _undoLength;
        Span<byte> entry = _undo.AsSpan(_undoLength, bytes);
        BinaryPrimitives.WriteInt64LittleEndian(entry, offset);
        BinaryPrimitives.WriteInt32LittleEndian(entry[8..], length);
        _image.Span(offset, length).CopyTo(entry[16..]);
        _undoLength += bytes;
    }
}
