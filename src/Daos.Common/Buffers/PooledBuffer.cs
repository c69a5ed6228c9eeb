using System.Buffers;

namespace Daos.Buffers;

/// <summary>
/// A byte buffer of exactly <see cref="Length"/> bytes rented from <see cref="ArrayPool{T}.Shared"/> and returned
/// on <see cref="Dispose"/>. A value type so that renting costs no allocation; copy it only to hand ownership on.
/// </summary>
public struct PooledBuffer : IDisposable
{
    private byte[]? _array;

    /// <summary>Rents at least <paramref name="length"/> bytes and exposes exactly that many.</summary>
    public PooledBuffer(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        _array = length == 0 ? [] : ArrayPool<byte>.Shared.Rent(length);
        Length = length;
    }

    /// <summary>The usable length.</summary>
    public int Length { get; private set; }

    /// <summary>The usable bytes.</summary>
    public readonly Span<byte> Span => Array.AsSpan(0, Length);

    /// <summary>The usable bytes as memory (valid until <see cref="Dispose"/>).</summary>
    public readonly Memory<byte> Memory => Array.AsMemory(0, Length);

    /// <summary>The rented array (may be longer than <see cref="Length"/>).</summary>
    public readonly byte[] Array => _array ?? throw new ObjectDisposedException(nameof(PooledBuffer));

    /// <summary>Shrinks the usable length (never grows it).</summary>
    public void Truncate(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, Length);
        Length = length;
    }

    /// <summary>Returns the array to the pool. Safe to call twice.</summary>
    public void Dispose()
    {
        byte[]? array = _array;
        _array = null;
        Length = 0;
        if (array is { Length: > 0 })
        {
            ArrayPool<byte>.Shared.Return(array);
        }
    }
}
