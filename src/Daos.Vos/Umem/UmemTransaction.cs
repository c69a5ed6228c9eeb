using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Daos.Vos.Umem;

/// <summary>
/// A handle on the heap's open transaction. Every change to heap bytes goes through one: the change is applied to
/// the working image at once (so reads see it), its old bytes are kept for <see cref="Abort"/>, and its new bytes
/// become a physical redo entry of the commit record. A handle is a value: copying it is free, and a handle whose
/// transaction has ended throws on use.
/// </summary>
/// <remarks>Owner thread only; one transaction per heap at a time; never await inside one.</remarks>
internal readonly struct UmemTransaction : IDisposable
{
    private readonly UmemHeap _heap;

    internal UmemTransaction(UmemHeap heap, ulong id)
    {
        _heap = heap;
        Id = id;
    }

    public ulong Id { get; }

    public UmemHeap Heap => _heap;

    /// <summary>True while this transaction is the heap's open one.</summary>
    public bool IsOpen => _heap is not null && _heap.OpenTransactionId == Id;

    /// <summary>Copies <paramref name="source"/> to the heap at <paramref name="offset"/>.</summary>
    public void Write(long offset, ReadOnlySpan<byte> source) => _heap.TxWrite(Id, offset, source);

    /// <summary>Writes an unmanaged value at <paramref name="offset"/> (little-endian host layout).</summary>
    public void Write<T>(long offset, T value) where T : unmanaged =>
        _heap.TxWrite(Id, offset, MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in value)));

    /// <summary>Fills <paramref name="length"/> bytes with <paramref name="value"/> (a compact memset entry).</summary>
    public void Set(long offset, byte value, int length) => _heap.TxSet(Id, offset, value, length);

    /// <summary>Copies <paramref name="length"/> heap bytes from <paramref name="source"/> to <paramref name="destination"/> (ranges may overlap; logged by value).</summary>
    public void Move(long destination, long source, int length) => _heap.TxMove(Id, destination, source, length);

    /// <summary>
    /// Snapshots a range and returns it writable in place; its final content is logged at commit. The span is
    /// valid until the next call on this transaction.
    /// </summary>
    public Span<byte> AddRange(long offset, int length) => _heap.TxAddRange(Id, offset, length);

    /// <summary>Allocates at least <paramref name="sizeBytes"/>; false (and no change) when the heap is full.</summary>
    public bool TryAllocate(int sizeBytes, out long offset) => _heap.Allocator.TryAllocate(this, sizeBytes, out offset);

    /// <summary>Allocates at least <paramref name="sizeBytes"/> or throws NoSpace (changing nothing).</summary>
    public long Allocate(int sizeBytes)
    {
        if (!TryAllocate(sizeBytes, out long offset))
        {
            ThrowNoSpace(sizeBytes);
        }

        return offset;
    }

    /// <summary>Allocates and zeroes (one memset entry).</summary>
    public long AllocateZeroed(int sizeBytes)
    {
        long offset = Allocate(sizeBytes);
        Set(offset, 0, sizeBytes);
        return offset;
    }

    /// <summary>Frees a block; it stays readable and unreusable until this transaction commits.</summary>
    public void Free(long offset) => _heap.Allocator.Free(this, offset);

    /// <summary>Ends the transaction; the task completes when its record is durable.</summary>
    /// <summary>
    /// Logs <paramref name="data"/> as written to blob data block <paramref name="firstBlock"/> onwards, so that the
    /// transaction's record carries it and replay can write it again; false (nothing logged) when it would take the
    /// record past its share of the WAL.
    /// </summary>
    public bool TryLogBlobWrite(long firstBlock, ReadOnlySpan<byte> data) => _heap.TxLogBlobWrite(Id, firstBlock, data);

    /// <summary>Logs that blob blocks are freed, so replay never writes older logged data over a later reuse.</summary>
    public void LogBlobFree(long firstBlock, long blockCount) => _heap.TxLogBlobFree(Id, firstBlock, blockCount);

    public ValueTask CommitAsync() => _heap.TxCommit(Id);

    /// <summary>Ends the transaction, restoring every byte it changed.</summary>
    public void Abort() => _heap.TxAbort(Id);

    /// <summary>Aborts when still open (so <c>using</c> without a commit undoes everything).</summary>
    public void Dispose()
    {
        if (IsOpen)
        {
            Abort();
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowNoSpace(int sizeBytes) =>
        throw new DaosException(DaosError.NoSpace,
            $"heap '{_heap.Name}' has no room for {sizeBytes} bytes ({_heap.Space.UsedBytes} of {_heap.Space.CapacityBytes} in use)");
}

/// <summary>Something with volatile state that must follow a transaction's outcome (the allocator, a blob store).</summary>
internal interface ITransactionParticipant
{
    /// <summary>Called inside the transaction just before its record is sealed: last chance to add changes.</summary>
    void OnCommitting(UmemTransaction tx);

    /// <summary>The transaction committed (its record is appended, maybe not yet durable).</summary>
    void OnCommitted();

    /// <summary>The transaction aborted; the image is already restored.</summary>
    void OnAborted();

    /// <summary>
    /// A checkpoint is about to retire the WAL records written so far: anything those records describe outside the
    /// heap (blob data logged in them) must be made durable now.
    /// </summary>
    void OnCheckpointing();
}

/// <summary>Heap space: what the allocator can hand out and what is in live blocks.</summary>
/// <param name="CapacityBytes">Bytes of the chunk area.</param>
/// <param name="UsedBytes">Sum of the usable sizes of live blocks (committed and in the open transaction).</param>
internal readonly record struct HeapSpace(long CapacityBytes, long UsedBytes)
{
    public long FreeBytes => CapacityBytes - UsedBytes;
}
