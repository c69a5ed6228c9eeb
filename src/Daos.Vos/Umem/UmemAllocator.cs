using System.Buffers.Binary;
using System.Numerics;

namespace Daos.Vos.Umem;

/// <summary>
/// The persistent allocator. The chunk area is cut into chunks of ChunkSizeBytes; a 4-byte chunk-table entry says
/// what each chunk is: free, a slab of one size class (16 B .. 2 KiB blocks, a bitmap at the chunk start), the
/// head of an extent of N whole chunks, or the body of one. All of it lives in the heap and changes only through
/// the caller's transaction, so an allocation survives only if its transaction commits. Frees are recorded and
/// applied when the transaction commits, so a freed block cannot be reused by the transaction that freed it.
/// The volatile side (candidate slabs per class, the used-byte count) is derived from the image and follows
/// commit and abort.
/// </summary>
internal sealed class UmemAllocator : ITransactionParticipant
{
    /// <summary>"UMEMALOC" read as a little-endian 64-bit integer.</summary>
    public const ulong Magic = 0x434F4C414D454D55;
    public const int ClassCount = 8;
    public const int BlockBytesMin = 16;
    public const int SlabBlockBytesMax = BlockBytesMin << (ClassCount - 1);

    private const uint KindMask = 0xF000_0000, SlabKind = 0x1000_0000, ExtentKind = 0x2000_0000, ExtentBody = 0xFFFF_FFFF;
    private const long TableOffset = HeapFormat.PageBytes;

    private readonly UmemHeap _heap;
    private readonly List<int>[] _candidates = new List<int>[ClassCount];
    private bool[] _isCandidate = [];
    private readonly List<long> _pendingFrees = [];
    private readonly List<int> _touched = [];
    private int _chunkSize;
    private int _chunkCount;
    private long _chunksOffset;
    private int _cursor;
    private long _committedUsed;
    private long _txDelta;

    public UmemAllocator(UmemHeap heap)
    {
        _heap = heap;
        for (int c = 0; c < ClassCount; c++)
        {
            _candidates[c] = [];
        }
    }

    public HeapSpace Space => new((long)_chunkCount * _chunkSize, _committedUsed + _txDelta);

    public int ChunkSizeBytes => _chunkSize;

    /// <summary>Lays out an empty allocator in a fresh image.</summary>
    public static void Format(HeapImage image, int chunkSize)
    {
        long available = image.SizeBytes - TableOffset;
        long count = available / (chunkSize + 4);
        while (count > 0 && TableOffset + RoundUp(4 * count) + count * chunkSize > image.SizeBytes)
        {
            count--;
        }

        if (count == 0)
        {
            throw new DaosException(DaosError.InvalidArgument, $"a heap of {image.SizeBytes} bytes has no room for one {chunkSize}-byte chunk");
        }

        Span<byte> header = image.Span(UmemHeap.AllocatorHeaderOffset, 32);
        BinaryPrimitives.WriteUInt64LittleEndian(header, Magic);
        BinaryPrimitives.WriteInt32LittleEndian(header[8..], chunkSize);
        BinaryPrimitives.WriteInt32LittleEndian(header[12..], (int)count);
        BinaryPrimitives.WriteInt64LittleEndian(header[16..], TableOffset);
        BinaryPrimitives.WriteInt64LittleEndian(header[24..], TableOffset + RoundUp(4 * count));
        image.MarkDirty(0, TableOffset + RoundUp(4 * count));
    }

    /// <summary>Checks the allocator header of a loaded image.</summary>
    public static void ValidateFormat(HeapImage image, string heapName)
    {
        ReadOnlySpan<byte> header = image.Span(UmemHeap.AllocatorHeaderOffset, 32);
        int chunkSize = BinaryPrimitives.ReadInt32LittleEndian(header[8..]);
        long count = BinaryPrimitives.ReadInt32LittleEndian(header[12..]);
        bool ok = BinaryPrimitives.ReadUInt64LittleEndian(header) == Magic
            && chunkSize >= 4096 && chunkSize <= (1 << 20) && BitOperations.IsPow2(chunkSize) && count > 0
            && BinaryPrimitives.ReadInt64LittleEndian(header[16..]) == TableOffset
            && BinaryPrimitives.ReadInt64LittleEndian(header[24..]) == TableOffset + RoundUp(4 * count)
            && TableOffset + RoundUp(4 * count) + count * chunkSize <= image.SizeBytes;
        if (!ok)
        {
            throw new DaosException(DaosError.Corrupted, $"the allocator header of heap '{heapName}' is damaged");
        }
    }

    /// <summary>Derives the volatile state from the image (after create or recovery).</summary>
    public void Rebuild()
    {
        ReadOnlySpan<byte> header = _heap.Read(UmemHeap.AllocatorHeaderOffset, 32);
        _chunkSize = BinaryPrimitives.ReadInt32LittleEndian(header[8..]);
        _chunkCount = BinaryPrimitives.ReadInt32LittleEndian(header[12..]);
        _chunksOffset = BinaryPrimitives.ReadInt64LittleEndian(header[24..]);
        _isCandidate = new bool[_chunkCount];
        foreach (List<int> list in _candidates)
        {
            list.Clear();
        }

        _committedUsed = 0;
        _txDelta = 0;
        for (int i = 0; i < _chunkCount; i++)
        {
            uint entry = Entry(i);
            if ((entry & KindMask) == SlabKind)
            {
                int c = (int)(entry & 0xFF);
                int blockSize = BlockBytesMin << c;
                int used = SlabUsedBlocks(i, c);
                _committedUsed += (long)used * blockSize;
                if (used < SlabBlocks(c) - SlabReserved(c))
                {
                    AddCandidate(i, c);
                }
            }
            else if (entry != ExtentBody && (entry & KindMask) == ExtentKind)
            {
                _committedUsed += (long)(entry & 0x0FFF_FFFF) * _chunkSize;
            }
        }
    }

    /// <summary>The usable size of the live block at <paramref name="offset"/>.</summary>
    public int UsableSize(long offset)
    {
        if (!TryLocate(offset, out int chunk, out uint entry))
        {
            throw NotABlock(offset);
        }

        return (entry & KindMask) == SlabKind ? BlockBytesMin << (int)(entry & 0xFF) : (int)Math.Min(int.MaxValue, (long)(entry & 0x0FFF_FFFF) * _chunkSize);
    }

    public bool TryAllocate(UmemTransaction tx, int sizeBytes, out long offset)
    {
        if (sizeBytes <= 0)
        {
            throw new DaosException(DaosError.InvalidArgument, $"cannot allocate {sizeBytes} bytes");
        }

        if (!tx.IsOpen)
        {
            throw new InvalidOperationException($"transaction {tx.Id} is not open");
        }

        return sizeBytes <= SlabBlockBytesMax ? TryAllocateSmall(tx, sizeBytes, out offset) : TryAllocateLarge(tx, sizeBytes, out offset);
    }

    private bool TryAllocateSmall(UmemTransaction tx, int sizeBytes, out long offset)
    {
        int c = Math.Max(0, BitOperations.Log2((uint)sizeBytes - 1) + 1 - 4);
        int blockSize = BlockBytesMin << c;
        List<int> candidates = _candidates[c];
        while (candidates.Count > 0)
        {
            int chunk = candidates[^1];
            if (Entry(chunk) == (SlabKind | (uint)c) && TryTakeBit(tx, chunk, c, out offset))
            {
                _txDelta += blockSize;
                _touched.Add(chunk);
                return true;
            }

            candidates.RemoveAt(candidates.Count - 1);
            _isCandidate[chunk] = false;
        }

        int free = FindFreeRun(1);
        if (free < 0)
        {
            offset = 0;
            return false;
        }

        long start = ChunkStart(free);
        int reserved = SlabReserved(c);
        tx.Write(TableOffset + 4L * free, SlabKind | (uint)c);
        tx.Set(start, 0, SlabBitmapBytes(c));
        // Reserved blocks (the bitmap's own) plus the block handed out now.
        for (int bit = 0; bit <= reserved; bit += 64)
        {
            int n = Math.Min(64, reserved + 1 - bit);
            tx.Write(start + bit / 8, n == 64 ? ulong.MaxValue : (1UL << n) - 1);
        }

        offset = start + (long)reserved * blockSize;
        _txDelta += blockSize;
        _touched.Add(free);
        AddCandidate(free, c);
        return true;
    }

    private bool TryTakeBit(UmemTransaction tx, int chunk, int c, out long offset)
    {
        long start = ChunkStart(chunk);
        int blocks = SlabBlocks(c);
        int words = (blocks + 63) / 64;
        ReadOnlySpan<byte> bitmap = _heap.Read(start, words * 8);
        for (int w = 0; w < words; w++)
        {
            ulong word = BinaryPrimitives.ReadUInt64LittleEndian(bitmap[(w * 8)..]);
            if (word == ulong.MaxValue)
            {
                continue;
            }

            int bit = BitOperations.TrailingZeroCount(~word);
            int index = w * 64 + bit;
            if (index >= blocks)
            {
                break;
            }

            tx.Write(start + w * 8, word | (1UL << bit));
            offset = start + (long)index * (BlockBytesMin << c);
            return true;
        }

        offset = 0;
        return false;
    }

    private bool TryAllocateLarge(UmemTransaction tx, int sizeBytes, out long offset)
    {
        int n = (int)(((long)sizeBytes + _chunkSize - 1) / _chunkSize);
        int first = FindFreeRun(n);
        if (first < 0)
        {
            offset = 0;
            return false;
        }

        tx.Write(TableOffset + 4L * first, ExtentKind | (uint)n);
        if (n > 1)
        {
            tx.Set(TableOffset + 4L * (first + 1), 0xFF, 4 * (n - 1));
        }

        offset = ChunkStart(first);
        _txDelta += (long)n * _chunkSize;
        return true;
    }

    private int FindFreeRun(int n)
    {
        if (n > _chunkCount)
        {
            return -1;
        }

        for (int pass = 0; pass < 2; pass++)
        {
            int i = pass == 0 ? _cursor : 0;
            int end = pass == 0 ? _chunkCount : Math.Min(_chunkCount, _cursor + n);
            while (i + n <= end)
            {
                int run = 0;
                while (run < n && Entry(i + run) == 0)
                {
                    run++;
                }

                if (run == n)
                {
                    _cursor = i + n == _chunkCount ? 0 : i + n;
                    return i;
                }

                i += run + 1;
            }
        }

        return -1;
    }

    /// <summary>Frees a live block when the transaction commits.</summary>
    public void Free(UmemTransaction tx, long offset)
    {
        if (!tx.IsOpen)
        {
            throw new InvalidOperationException($"transaction {tx.Id} is not open");
        }

        if (!TryLocate(offset, out _, out _) || _pendingFrees.Contains(offset))
        {
            throw NotABlock(offset);
        }

        _pendingFrees.Add(offset);
    }

    private bool TryLocate(long offset, out int chunk, out uint entry)
    {
        chunk = 0;
        entry = 0;
        if (offset < _chunksOffset || offset >= _chunksOffset + (long)_chunkCount * _chunkSize)
        {
            return false;
        }

        chunk = (int)((offset - _chunksOffset) / _chunkSize);
        entry = Entry(chunk);
        long within = offset - ChunkStart(chunk);
        if ((entry & KindMask) == SlabKind && entry != ExtentBody)
        {
            int c = (int)(entry & 0xFF);
            int blockSize = BlockBytesMin << c;
            if (within % blockSize != 0)
            {
                return false;
            }

            int index = (int)(within / blockSize);
            ulong word = _heap.Read<ulong>(ChunkStart(chunk) + index / 64 * 8);
            return index >= SlabReserved(c) && (word & (1UL << (index % 64))) != 0;
        }

        return entry != ExtentBody && (entry & KindMask) == ExtentKind && within == 0;
    }

    void ITransactionParticipant.OnCommitting(UmemTransaction tx)
    {
        foreach (long offset in _pendingFrees)
        {
            int chunk = (int)((offset - _chunksOffset) / _chunkSize);
            uint entry = Entry(chunk);
            long start = ChunkStart(chunk);
            if ((entry & KindMask) == SlabKind)
            {
                int c = (int)(entry & 0xFF);
                int blockSize = BlockBytesMin << c;
                int index = (int)((offset - start) / blockSize);
                long wordAt = start + index / 64 * 8;
                tx.Write(wordAt, _heap.Read<ulong>(wordAt) & ~(1UL << (index % 64)));
                _txDelta -= blockSize;
                if (SlabUsedBlocks(chunk, c) == 0)
                {
                    tx.Write(TableOffset + 4L * chunk, 0u);
                }
                else
                {
                    _touched.Add(chunk);
                }
            }
            else
            {
                int n = (int)(entry & 0x0FFF_FFFF);
                tx.Set(TableOffset + 4L * chunk, 0, 4 * n);
                _txDelta -= (long)n * _chunkSize;
            }
        }
    }

    void ITransactionParticipant.OnCommitted()
    {
        _committedUsed += _txDelta;
        _txDelta = 0;
        _pendingFrees.Clear();
        RestoreCandidates();
    }

    void ITransactionParticipant.OnCheckpointing()
    {
    }

    void ITransactionParticipant.OnAborted()
    {
        _txDelta = 0;
        _pendingFrees.Clear();
        RestoreCandidates();
    }

    private void RestoreCandidates()
    {
        foreach (int chunk in _touched)
        {
            uint entry = Entry(chunk);
            if ((entry & KindMask) == SlabKind && entry != ExtentBody)
            {
                AddCandidate(chunk, (int)(entry & 0xFF));
            }
        }

        _touched.Clear();
    }

    private void AddCandidate(int chunk, int c)
    {
        if (!_isCandidate[chunk])
        {
            _isCandidate[chunk] = true;
            _candidates[c].Add(chunk);
        }
    }

    private int SlabUsedBlocks(int chunk, int c)
    {
        int blocks = SlabBlocks(c);
        ReadOnlySpan<byte> bitmap = _heap.Read(ChunkStart(chunk), (blocks + 63) / 64 * 8);
        int used = 0;
        for (int w = 0; w < bitmap.Length; w += 8)
        {
            used += BitOperations.PopCount(BinaryPrimitives.ReadUInt64LittleEndian(bitmap[w..]));
        }

        return used - SlabReserved(c);
    }

    private uint Entry(int chunk) => _heap.Read<uint>(TableOffset + 4L * chunk);

    private long ChunkStart(int chunk) => _chunksOffset + (long)chunk * _chunkSize;

    private int SlabBlocks(int c) => _chunkSize / (BlockBytesMin << c);

    private int SlabBitmapBytes(int c) => (SlabBlocks(c) + 63) / 64 * 8;

    private int SlabReserved(int c) => (SlabBitmapBytes(c) + (BlockBytesMin << c) - 1) / (BlockBytesMin << c);

    private static long RoundUp(long bytes) => (bytes + HeapFormat.PageBytes - 1) / HeapFormat.PageBytes * HeapFormat.PageBytes;

    private static DaosException NotABlock(long offset) =>
        new(DaosError.InvalidArgument, $"offset {offset} is not a live heap block (or it is already being freed)");
}
