using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Daos.Protocol;

/// <summary>
/// Writes a message body, little-endian, straight into an <see cref="IBufferWriter{T}"/> (a pooled writer on the
/// hot path), so a message needs no size computed in advance and no intermediate copy.
/// </summary>
public ref struct ProtocolWriter
{
    private readonly IBufferWriter<byte> _output;

    /// <summary>Starts writing into <paramref name="output"/>.</summary>
    public ProtocolWriter(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        _output = output;
    }

    /// <summary>Bytes written so far.</summary>
    public int Written { get; private set; }

    /// <summary>Writes one byte.</summary>
    public void WriteUInt8(byte value) => Take(1)[0] = value;

    /// <summary>Writes a boolean as one byte (0 or 1).</summary>
    public void WriteBoolean(bool value) => WriteUInt8(value ? (byte)1 : (byte)0);

    /// <summary>Writes a little-endian ushort.</summary>
    public void WriteUInt16(ushort value) => BinaryPrimitives.WriteUInt16LittleEndian(Take(2), value);

    /// <summary>Writes a little-endian int.</summary>
    public void WriteInt32(int value) => BinaryPrimitives.WriteInt32LittleEndian(Take(4), value);

    /// <summary>Writes a little-endian uint.</summary>
    public void WriteUInt32(uint value) => BinaryPrimitives.WriteUInt32LittleEndian(Take(4), value);

    /// <summary>Writes a little-endian long.</summary>
    public void WriteInt64(long value) => BinaryPrimitives.WriteInt64LittleEndian(Take(8), value);

    /// <summary>Writes a little-endian ulong.</summary>
    public void WriteUInt64(ulong value) => BinaryPrimitives.WriteUInt64LittleEndian(Take(8), value);

    /// <summary>Writes a UUID as its 16 bytes in RFC 4122 (big-endian) order, as DAOS prints and sends them.</summary>
    public void WriteGuid(Guid value)
    {
        bool written = value.TryWriteBytes(Take(16), bigEndian: true, out _);
        System.Diagnostics.Debug.Assert(written, "16 bytes always hold a Guid");
    }

    /// <summary>Writes an object id: high word, then low word.</summary>
    public void WriteObjectId(ObjectId value)
    {
        WriteUInt64(value.Hi);
        WriteUInt64(value.Lo);
    }

    /// <summary>Writes an extent: index, then count.</summary>
    public void WriteExtent(Extent value)
    {
        WriteInt64(value.Index);
        WriteInt64(value.Count);
    }

    /// <summary>Writes a uint byte count, then the bytes.</summary>
    public void WriteBytes(ReadOnlySpan<byte> value)
    {
        WriteUInt32((uint)value.Length);
        if (!value.IsEmpty)
        {
            value.CopyTo(Take(value.Length));
        }
    }

    /// <summary>Writes a ushort byte count, then the UTF-8 bytes of <paramref name="value"/>.</summary>
    /// <exception cref="DaosException"><see cref="DaosError.InvalidArgument"/> over 65535 UTF-8 bytes.</exception>
    public void WriteString(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        int count = Encoding.UTF8.GetByteCount(value);
        if (count > ushort.MaxValue)
        {
            ThrowHelper.InvalidArgument("string longer than 65535 UTF-8 bytes");
        }

        WriteUInt16((ushort)count);
        if (count > 0)
        {
            Encoding.UTF8.GetBytes(value, Take(count));
        }
    }

    /// <summary>Writes a list count (uint).</summary>
    public void WriteCount(int count) => WriteUInt32((uint)count);

    private Span<byte> Take(int count)
    {
        Span<byte> span = _output.GetSpan(count)[..count];
        _output.Advance(count);
        Written += count;
        return span;
    }
}
