using System.Buffers.Binary;
using Daos.Storage;

namespace Daos.Vos.Umem;

/// <summary>
/// The writing side of the redo WAL: appends records to an in-memory batch and makes a whole batch durable with
/// one write and one barrier (group commit). The region after the 4 KiB header is circular: the live records run
/// from the checkpoint offset (tail) to the head; a record never straddles the end (a wrap marker, or too little
/// room for a header, sends the next record to the start of the region).
/// </summary>
/// <remarks>Owned by one <see cref="UmemHeap"/> and its thread.</remarks>
internal sealed class WriteAheadLog : IDisposable
{
    private readonly IMediumFile _file;
    private readonly long _sizeBytes;
    private readonly uint _crcSeed;
    private readonly uint _incarnation;
    private byte[] _batch = new byte[64 * 1024];
    private int _batchLength;
    private long _batchFileOffset;
    private bool _writtenNotFlushed;
    private readonly Queue<CommitWaiter> _waiters = new();
    private readonly Queue<CommitWaiter> _completed = new();
    private const int CompletedWaitersMax = 4096;

    public WriteAheadLog(IMediumFile file, long sizeBytes, ulong heapId, ulong incarnation, ulong lastSequence, long head,
        long usedBytes)
    {
        _file = file;
        _sizeBytes = sizeBytes;
        _crcSeed = WalFormat.CrcSeed(heapId);
        _incarnation = (uint)incarnation;
        LastSequence = lastSequence;
        DurableSequence = lastSequence;
        Head = head;
        _batchFileOffset = head;
        UsedBytes = usedBytes;
        UsedSinceCheckpointBytes = usedBytes;
    }

    public long CapacityBytes => _sizeBytes - WalFormat.RecordsOffset;

    /// <summary>
    /// Bytes between the tail and the head, wrap waste included. The tail is the checkpoint before the last one:
    /// both superblock slots stay replayable, so losing the newer slot to media corruption loses nothing.
    /// </summary>
    public long UsedBytes { get; private set; }

    /// <summary>Bytes appended since the last checkpoint.</summary>
    public long UsedSinceCheckpointBytes { get; private set; }

    /// <summary>File offset where the next record goes.</summary>
    public long Head { get; private set; }

    /// <summary>The sequence of the last record appended.</summary>
    public ulong LastSequence { get; private set; }

    /// <summary>The sequence of the last record known durable.</summary>
    public ulong DurableSequence { get; private set; }

    public bool HasUndurable => LastSequence != DurableSequence || _writtenNotFlushed;

    public long BarrierCount { get; private set; }

    public Exception? Failure { get; private set; }

    /// <summary>True when a record of <paramref name="recordBytes"/> fits before the tail (wrap waste counted).</summary>
    public bool Fits(int recordBytes) => UsedBytes + NeededBytes(recordBytes) <= CapacityBytes;

    private long NeededBytes(int recordBytes)
    {
        long remaining = _sizeBytes - Head;
        return remaining >= recordBytes ? recordBytes : remaining + recordBytes;
    }

    /// <summary>Appends one transaction record (entries already encoded); returns its sequence.</summary>
    public ulong Append(ulong txId, int entryCount, ReadOnlySpan<byte> entries)
    {
        int recordBytes = WalFormat.RecordHeaderBytes + entries.Length;
        long remaining = _sizeBytes - Head;
        if (remaining < recordBytes)
        {
            if (remaining >= WalFormat.RecordHeaderBytes)
            {
                Span<byte> marker = Reserve(WalFormat.RecordHeaderBytes);
                EncodeHeader(marker, ++LastSequence, 0, 0, WalFormat.RecordHeaderBytes, WalFormat.FlagWrap, []);
            }

            WriteBatchSegment();
            UsedBytes += remaining;
            UsedSinceCheckpointBytes += remaining;
            Head = WalFormat.RecordsOffset;
            _batchFileOffset = Head;
        }

        Span<byte> record = Reserve(recordBytes);
        entries.CopyTo(record[WalFormat.RecordHeaderBytes..]);
        EncodeHeader(record, ++LastSequence, txId, entryCount, recordBytes, 0, record[WalFormat.RecordHeaderBytes..]);
        Head += recordBytes;
        UsedBytes += recordBytes;
        UsedSinceCheckpointBytes += recordBytes;
        long left = _sizeBytes - Head;
        if (left < WalFormat.RecordHeaderBytes)
        {
            // Wrap now rather than at the next append, so the head (and a checkpoint position taken from it) is
            // always a place a record can start.
            WriteBatchSegment();
            UsedBytes += left;
            UsedSinceCheckpointBytes += left;
            Head = WalFormat.RecordsOffset;
            _batchFileOffset = Head;
        }

        return LastSequence;
    }

    private Span<byte> Reserve(int bytes)
    {
        if (_batchLength + bytes > _batch.Length)
        {
            Array.Resize(ref _batch, Math.Max(_batch.Length * 2, _batchLength + bytes));
        }

        Span<byte> span = _batch.AsSpan(_batchLength, bytes);
        _batchLength += bytes;
        return span;
    }

    private void EncodeHeader(Span<byte> record, ulong sequence, ulong txId, int entryCount, int length, ushort flags,
        ReadOnlySpan<byte> entries)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(record[WalFormat.SequenceAt..], sequence);
        BinaryPrimitives.WriteUInt64LittleEndian(record[WalFormat.TxIdAt..], txId);
        BinaryPrimitives.WriteUInt32LittleEndian(record[WalFormat.IncarnationAt..], _incarnation);
        BinaryPrimitives.WriteInt32LittleEndian(record[WalFormat.EntryCountAt..], entryCount);
        BinaryPrimitives.WriteInt32LittleEndian(record[WalFormat.LengthAt..], length);
        BinaryPrimitives.WriteUInt16LittleEndian(record[WalFormat.FlagsAt..], flags);
        BinaryPrimitives.WriteUInt16LittleEndian(record[(WalFormat.FlagsAt + 2)..], 0);
        BinaryPrimitives.WriteUInt32LittleEndian(record[WalFormat.CrcAt..], 0);
        BinaryPrimitives.WriteUInt32LittleEndian(record[(WalFormat.CrcAt + 4)..], 0);
        uint crc = Crc32C.Compute(record[..WalFormat.RecordHeaderBytes], _crcSeed);
        crc = Crc32C.Compute(entries, crc);
        BinaryPrimitives.WriteUInt32LittleEndian(record[WalFormat.CrcAt..], crc);
    }

    private void WriteBatchSegment()
    {
        if (_batchLength == 0)
        {
            return;
        }

        _file.Write(_batchFileOffset, _batch.AsSpan(0, _batchLength));
        _batchFileOffset += _batchLength;
        _batchLength = 0;
        _writtenNotFlushed = true;
    }

    /// <summary>Reads bytes of the WAL file (records already durable: replayed blob data).</summary>
    public void Read(long offset, Span<byte> destination)
    {
        if (offset < WalFormat.RecordsOffset || offset > _sizeBytes - destination.Length || _file.Read(offset, destination) < destination.Length)
        {
            throw new DaosException(DaosError.Corrupted, $"WAL bytes [{offset}, +{destination.Length}) are outside the record region");
        }
    }

    /// <summary>A waiter completed when <paramref name="sequence"/> is durable.</summary>
    public CommitWaiter Wait(ulong sequence)
    {
        CommitWaiter waiter;
        if (_completed.TryPeek(out CommitWaiter? recycled) && recycled.Consumed)
        {
            waiter = _completed.Dequeue();
            waiter.Reset();
        }
        else
        {
            waiter = new CommitWaiter();
        }

        waiter.Sequence = sequence;
        _waiters.Enqueue(waiter);
        return waiter;
    }

    /// <summary>The durability barrier: writes the batch, makes it durable, completes the waiters it covers.</summary>
    public void FlushBatch()
    {
        if (Failure is not null)
        {
            throw new DaosException(DaosError.IO, "the WAL failed earlier; the heap must be reopened", Failure);
        }

        if (!HasUndurable)
        {
            return;
        }

        ulong covered = LastSequence;
        try
        {
            WriteBatchSegment();
            _file.Flush();
        }
        catch (Exception e)
        {
            Failure = e;
            while (_waiters.TryDequeue(out CommitWaiter? waiter))
            {
                waiter.Fail(new DaosException(DaosError.IO, "the WAL write failed; the commit's outcome is unknown", e));
            }

            throw;
        }

        _writtenNotFlushed = false;
        DurableSequence = covered;
        BarrierCount++;
        while (_waiters.TryPeek(out CommitWaiter? waiter) && waiter.Sequence <= covered)
        {
            _waiters.Dequeue();
            waiter.Complete();
            if (_completed.Count == CompletedWaitersMax)
            {
                _completed.Dequeue(); // never awaited: left to the collector
            }

            _completed.Enqueue(waiter);
        }
    }

    /// <summary>Fails every commit still waiting for a barrier (the log is being abandoned).</summary>
    public void FailWaiters(Exception cause)
    {
        while (_waiters.TryDequeue(out CommitWaiter? waiter))
        {
            waiter.Fail(new DaosException(DaosError.IO, "the WAL was closed before the commit was durable", cause));
        }
    }

    /// <summary>
    /// After a checkpoint: the records before the previous checkpoint are no longer needed by either superblock
    /// slot, so their space is free again.
    /// </summary>
    public void Trim()
    {
        UsedBytes = UsedSinceCheckpointBytes;
        UsedSinceCheckpointBytes = 0;
    }

    public void Dispose() => _file.Dispose();
}
