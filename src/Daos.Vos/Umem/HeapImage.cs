using System.Runtime.InteropServices;

namespace Daos.Vos.Umem;

/// <summary>
/// The working copy of the heap: page-aligned native memory the size of the image, plus one dirty bit per 4 KiB
/// page. Only the heap's owner thread touches it. Native memory so that offsets are 64-bit and the image can
/// exceed 2 GiB.
/// </summary>
internal sealed unsafe class HeapImage : IDisposable
{
    private byte* _base;
    private readonly ulong[] _dirty;

    public HeapImage(long sizeBytes)
    {
        SizeBytes = sizeBytes;
        _base = (byte*)NativeMemory.AlignedAlloc((nuint)sizeBytes, HeapFormat.PageBytes);
        NativeMemory.Clear(_base, (nuint)sizeBytes);
        PageCount = sizeBytes / HeapFormat.PageBytes;
        _dirty = new ulong[(PageCount + 63) / 64];
    }

    public long SizeBytes { get; }

    public long PageCount { get; }

    public Span<byte> Span(long offset, int length)
    {
        ObjectDisposedException.ThrowIf(_base is null, this);
        return new Span<byte>(_base + offset, length);
    }

    public void MarkDirty(long offset, long length)
    {
        if (length <= 0)
        {
            return;
        }

        long first = offset / HeapFormat.PageBytes;
        long last = (offset + length - 1) / HeapFormat.PageBytes;
        for (long p = first; p <= last; p++)
        {
            _dirty[p >> 6] |= 1UL << (int)(p & 63);
        }
    }

    public bool IsDirty(long page) => (_dirty[page >> 6] & (1UL << (int)(page & 63))) != 0;

    public void ClearDirty(long page) => _dirty[page >> 6] &= ~(1UL << (int)(page & 63));

    public long DirtyPageCount()
    {
        long n = 0;
        foreach (ulong w in _dirty)
        {
            n += (long)ulong.PopCount(w);
        }

        return n;
    }

    public void Dispose()
    {
        if (_base is not null)
        {
            NativeMemory.AlignedFree(_base);
            _base = null;
        }
    }
}
