using System.Buffers.Binary;
using System.Text;

namespace Daos.Transport;

/// <summary>
/// Writes message bodies into a span, little-endian, without allocating. Callers size the span with the
/// message's <see cref="IWireMessage{T}.EncodedSizeBytes"/>; writing past the end is a caller bug and throws.
/// </summary>
public ref struct WireWriter
{
    private readonly Span<byte> _destination;

    /// <summary>Starts writing at the beginning of <paramref name="destination"/>.</summary>
    public WireWriter(Span<byte> destination) => _destination = destination;

    /// <summary>Bytes written so far.</summary>
    public int Position { get; private set; }

    /// <summary>Writes one byte.</summary>
    public void WriteUInt8(byte value) => Take(1)[0] = value;

    /// <summary>Writes a little-endian ushort.</summary>
    public void WriteUInt16(ushort value) => BinaryPrimitives.WriteUInt16LittleEndian(Take(2), value);

    /// <summary>Writes a little-endian uint.</summary>
    public void WriteUInt32(uint value) => BinaryPrimitives.WriteUInt32LittleEndian(Take(4), value);

    /// <summary>Writes a little-endian int.</summary>
    public void WriteInt32(int value) => BinaryPrimitives.WriteInt32LittleEndian(Take(4), value);

    /// <summary>Writes a little-endian ulong.</summary>
    public void WriteUInt64(ulong value) => BinaryPrimitives.WriteUInt64LittleEndian(Take(8), value);

    /// <summary>Writes a little-endian long.</summary>
    public void WriteInt64(long value) => BinaryPrimitives.WriteInt64LittleEndian(Take(8), value);

    /// <summary>Writes a uint length and then the bytes.</summary>
    public void WriteBytes(ReadOnlySpan<byte> value)
    {
        WriteUInt32((uint)value.Length);
        value.CopyTo(Take(value.Length));
    }

    /// <summary>Writes a ushort byte count and then the UTF-8 bytes of <paramref name="value"/>.</summary>
    public void WriteString(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        int count = Encoding.UTF8.GetByteCount(value);
        if (count > ushort.MaxValue)
        {
            ThrowHelper.InvalidArgument("string longer than 65535 UTF-8 bytes");
        }

        WriteUInt16((ushort)count);
        Encoding.UTF8.GetBytes(value, Take(count));
    }

    /// <summary>The encoded size of <paramref name="value"/> as written by <see cref="WriteString"/>.</summary>
    public static int SizeOfString(string value) => 2 + Encoding.UTF8.GetByteCount(value);

    private Span<byte> Take(int count)
    {
        if (_destination.Length - Position < count)
        {
            ThrowHelper.Throw(DaosError.Overflow, "message larger than its buffer");
        }

        Span<byte> span = _destination.Slice(Position, count);
        Position += count;
        return span;
    }
}
