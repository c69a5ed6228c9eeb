using Daos.Vos.Umem;

namespace Daos.Vos.Bio;

/// <summary>
/// The persistent free-extent index of a blob store: a sorted array of (start, count) in a heap block, adjacent
/// extents always merged. Insertions and removals shift the tail with one compact move entry, so a change costs
/// a few dozen bytes of redo whatever the array's size. It grows by reallocation inside the same transaction.
/// </summary>
internal readonly struct FreeExtentIndex(UmemHeap heap, long offset)
{
    public int Count => heap.Read<int>(offset);

    private int Capacity => heap.Read<int>(offset + 4);

    private long EntryAt(int i) => offset + BlobFormat.IndexHeaderBytes + (long)i * BlobFormat.IndexEntryBytes;

    public (long Start, long Count) Get(int i) => (heap.Read<long>(EntryAt(i)), heap.Read<long>(EntryAt(i) + 8));

    /// <summary>The last entry whose start is at or before <paramref name="block"/>, or -1.</summary>
    private int Floor(long block)
    {
        int lo = 0, hi = Count - 1, found = -1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            if (heap.Read<long>(EntryAt(mid)) <= block)
            {
                found = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return found;
    }

    /// <summary>Takes [start, start+count) out of a free extent that contains it.</summary>
    public void Remove(UmemTransaction tx, long start, long count, string blobName)
    {
        int i = Floor(start);
        (long s, long c) = i >= 0 ? Get(i) : (0, 0);
        if (i < 0 || start + count > s + c)
        {
            throw new DaosException(DaosError.Corrupted,
                $"blocks [{start}, {start + count}) of blob '{blobName}' are not free in the heap's index");
        }

        long headCount = start - s;
        long tailCount = s + c - (start + count);
        if (headCount == 0 && tailCount == 0)
        {
            int n = Count;
            if (i < n - 1)
            {
                tx.Move(EntryAt(i), EntryAt(i + 1), (n - 1 - i) * BlobFormat.IndexEntryBytes);
            }

            tx.Write(offset, n - 1);
        }
        else if (headCount == 0)
        {
            tx.Write(EntryAt(i), start + count);
            tx.Write(EntryAt(i) + 8, tailCount);
        }
        else if (tailCount == 0)
        {
            tx.Write(EntryAt(i) + 8, headCount);
        }
        else
        {
            tx.Write(EntryAt(i) + 8, headCount);
            long moved = InsertAt(tx, i + 1, start + count, tailCount);
            if (moved != 0)
            {
                tx.Write(BlobFormat.RootIndexAt, moved);
            }
        }
    }

    /// <summary>Adds [start, start+count) as free, merging neighbours; returns the array's new offset when it moved, else 0.</summary>
    public long Insert(UmemTransaction tx, long start, long count, string blobName)
    {
        int i = Floor(start);
        int n = Count;
        bool mergePrevious = false, mergeNext = false;
        if (i >= 0)
        {
            (long s, long c) = Get(i);
            if (s + c > start)
            {
                throw Overlap(start, count, blobName);
            }

            mergePrevious = s + c == start;
        }

        if (i + 1 < n)
        {
            (long s, _) = Get(i + 1);
            if (start + count > s)
            {
                throw Overlap(start, count, blobName);
            }

            mergeNext = start + count == s;
        }

        if (mergePrevious && mergeNext)
        {
            long total = Get(i).Count + count + Get(i + 1).Count;
            tx.Write(EntryAt(i) + 8, total);
            if (i + 2 < n)
            {
                tx.Move(EntryAt(i + 1), EntryAt(i + 2), (n - 2 - i) * BlobFormat.IndexEntryBytes);
            }

            tx.Write(offset, n - 1);
            return 0;
        }

        if (mergePrevious)
        {
            tx.Write(EntryAt(i) + 8, Get(i).Count + count);
            return 0;
        }

        if (mergeNext)
        {
            long nextCount = Get(i + 1).Count;
            tx.Write(EntryAt(i + 1), start);
            tx.Write(EntryAt(i + 1) + 8, nextCount + count);
            return 0;
        }

        return InsertAt(tx, i + 1, start, count);
    }

    private long InsertAt(UmemTransaction tx, int at, long start, long count)
    {
        int n = Count;
        if (n < Capacity)
        {
            if (at < n)
            {
                tx.Move(EntryAt(at + 1), EntryAt(at), (n - at) * BlobFormat.IndexEntryBytes);
            }

            tx.Write(EntryAt(at), start);
            tx.Write(EntryAt(at) + 8, count);
            tx.Write(offset, n + 1);
            return 0;
        }

        // Full: move to an array twice the size in the same transaction, leaving a gap at the insertion point.
        int capacity = Capacity * 2;
        long grown = tx.Allocate(BlobFormat.IndexHeaderBytes + capacity * BlobFormat.IndexEntryBytes);
        var next = new FreeExtentIndex(heap, grown);
        if (at > 0)
        {
            tx.Move(next.EntryAt(0), EntryAt(0), at * BlobFormat.IndexEntryBytes);
        }

        if (at < n)
        {
            tx.Move(next.EntryAt(at + 1), EntryAt(at), (n - at) * BlobFormat.IndexEntryBytes);
        }

        tx.Write(next.EntryAt(at), start);
        tx.Write(next.EntryAt(at) + 8, count);
        tx.Write(grown, n + 1);
        tx.Write(grown + 4, capacity);
        tx.Write(grown + 8, 0L);
        tx.Free(offset);
        return grown;
    }

    private static DaosException Overlap(long start, long count, string blobName) =>
        new(DaosError.InvalidArgument, $"blocks [{start}, {start + count}) of blob '{blobName}' are already free");
}
