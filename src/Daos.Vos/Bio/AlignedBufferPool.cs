using System.Buffers;
using System.Numerics;
using System.Runtime.InteropServices;

namespace Daos.Vos.Bio;

/// <summary>
/// A bounded pool of 4 KiB-aligned native buffers in power-of-two sizes (4 KiB .. 16 MiB), ready for direct I/O.
/// Buffers larger than the biggest class are allocated and freed on the spot.
/// </summary>
/// <remarks>Owner thread only, like the blob store that holds it.</remarks>
internal sealed class AlignedBufferPool : IDisposable
{
    public const int AlignmentBytes = 4096;
    private const int ClassCount = 13; // 4 KiB << 12 = 16 MiB
    private readonly Stack<AlignedBuffer>[] _free = new Stack<AlignedBuffer>[ClassCount];
    private readonly int _perClassMax;

    public AlignedBufferPool(int perClassMax = 8)
    {
        _perClassMax = perClassMax;
        for (int i = 0; i < ClassCount; i++)
        {
            _free[i] = new Stack<AlignedBuffer>();
        }
    }

    /// <summary>A buffer of at least <paramref name="minimumBytes"/>, rounded up to a power of two.</summary>
    public AlignedBuffer Rent(int minimumBytes)
    {
        int size = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(AlignmentBytes, minimumBytes));
        int c = BitOperations.Log2((uint)size) - 12;
        if (c < ClassCount && _free[c].TryPop(out AlignedBuffer? buffer))
        {
            return buffer;
        }

        return new AlignedBuffer(size);
    }

    public void Return(AlignedBuffer buffer)
    {
        int c = BitOperations.Log2((uint)buffer.SizeBytes) - 12;
        if (c < ClassCount && _free[c].Count < _perClassMax)
        {
            _free[c].Push(buffer);
            return;
        }

        ((IDisposable)buffer).Dispose();
    }

    public void Dispose()
    {
        foreach (Stack<AlignedBuffer> stack in _free)
        {
            while (stack.TryPop(out AlignedBuffer? buffer))
            {
                ((IDisposable)buffer).Dispose();
            }
        }
    }
}

/// <summary>4 KiB-aligned native memory exposed as <see cref="Memory{T}"/>.</summary>
internal sealed unsafe class AlignedBuffer : MemoryManager<byte>
{
    private byte* _pointer;

    public AlignedBuffer(int sizeBytes)
    {
        SizeBytes = sizeBytes;
        _pointer = (byte*)NativeMemory.AlignedAlloc((nuint)sizeBytes, AlignedBufferPool.AlignmentBytes);
    }

    public int SizeBytes { get; }

    public override Span<byte> GetSpan()
    {
        ObjectDisposedException.ThrowIf(_pointer is null, this);
        return new Span<byte>(_pointer, SizeBytes);
    }

    public override MemoryHandle Pin(int elementIndex = 0) => new(_pointer + elementIndex);

    public override void Unpin()
    {
    }

    protected override void Dispose(bool disposing)
    {
        if (_pointer is not null)
        {
            NativeMemory.AlignedFree(_pointer);
            _pointer = null;
        }
    }
}
