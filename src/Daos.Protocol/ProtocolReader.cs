using System.Buffers.Binary;
using System.Text;

namespace Daos.Protocol;

/// <summary>
/// Reads a message body from untrusted bytes. Every read is bounds-checked and every length is checked against a
/// limit before anything is allocated; any violation throws <see cref="DaosException"/> with
/// <see cref="DaosError.Protocol"/>. Byte fields are returned as slices of the input (no copy): they are valid
/// as long as the input is.
/// </summary>
public ref struct ProtocolReader
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private readonly ReadOnlyMemory<byte> _source;

    /// <summary>Starts reading at the beginning of <paramref name="source"/>.</summary>
    public ProtocolReader(ReadOnlyMemory<byte> source) => _source = source;

    /// <summary>
    /// The message format version the body was written in (<see cref="ProtocolCodec.Decode{T}"/> sets it from the
    /// version byte): a message whose layout grew in a later version reads its newer fields only from bodies that
    /// carry them. Zero, as for a reader not made by the codec, means the current version.
    /// </summary>
    public int MessageVersion { readonly get => _messageVersion == 0 ? ProtocolCodec.Version : _messageVersion; set => _messageVersion = value; }

    private int _messageVersion;

    /// <summary>Bytes consumed so far.</summary>
    public int Position { get; private set; }

    /// <summary>Bytes not read yet.</summary>
    public readonly int RemainingBytes => _source.Length - Position;

    /// <summary>Reads one byte.</summary>
    public byte ReadUInt8() => Take(1).Span[0];

    /// <summary>Reads a boolean written as 0 or 1; any other byte is malformed.</summary>
    public bool ReadBoolean()
    {
        byte value = ReadUInt8();
        if (value > 1)
        {
            Fail("boolean field holds a value other than 0 or 1");
        }

        return value == 1;
    }

    /// <summary>Reads a little-endian ushort.</summary>
    public ushort ReadUInt16() => BinaryPrimitives.ReadUInt16LittleEndian(Take(2).Span);

    /// <summary>Reads a little-endian int.</summary>
    public int ReadInt32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4).Span);

    /// <summary>Reads a little-endian uint.</summary>
    public uint ReadUInt32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(4).Span);

    /// <summary>Reads a little-endian long.</summary>
    public long ReadInt64() => BinaryPrimitives.ReadInt64LittleEndian(Take(8).Span);

    /// <summary>Reads a little-endian ulong.</summary>
    public ulong ReadUInt64() => BinaryPrimitives.ReadUInt64LittleEndian(Take(8).Span);

    /// <summary>Reads a UUID written by <see cref="ProtocolWriter.WriteGuid"/>.</summary>
    public Guid ReadGuid() => new(Take(16).Span, bigEndian: true);

    /// <summary>Reads an object id.</summary>
    public ObjectId ReadObjectId()
    {
        ulong hi = ReadUInt64();
        ulong lo = ReadUInt64();
        return new ObjectId(hi, lo);
    }

    /// <summary>Reads an extent; a negative index or count is malformed.</summary>
    public Extent ReadExtent()
    {
        long index = ReadInt64();
        long count = ReadInt64();
        if (index < 0 || count < 0 || index > long.MaxValue - count)
        {
            Fail("extent with a negative or overflowing index or count");
        }

        return new Extent(index, count);
    }

    /// <summary>Reads a byte field of at most <paramref name="lengthMaxBytes"/> bytes, as a slice of the input.</summary>
    public ReadOnlyMemory<byte> ReadBytes(int lengthMaxBytes)
    {
        uint length = ReadUInt32();
        if (length > (uint)lengthMaxBytes)
        {
            Fail($"byte field of {length} bytes is over its limit of {lengthMaxBytes}");
        }

        return Take((int)length);
    }

    /// <summary>Reads a string of at most <paramref name="lengthMaxBytes"/> UTF-8 bytes; malformed UTF-8 is refused.</summary>
    public string ReadString(int lengthMaxBytes)
    {
        int length = ReadUInt16();
        if (length > lengthMaxBytes)
        {
            Fail($"string of {length} bytes is over its limit of {lengthMaxBytes}");
        }

        ReadOnlySpan<byte> bytes = Take(length).Span;
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw new DaosException(DaosError.Protocol, "string is not valid UTF-8");
        }
    }

    /// <summary>
    /// Reads a list count, refusing more than <paramref name="countMax"/> elements or more than the remaining bytes
    /// could hold at <paramref name="elementSizeMinBytes"/> each (so a forged count allocates nothing).
    /// </summary>
    public int ReadCount(int countMax, int elementSizeMinBytes)
    {
        uint count = ReadUInt32();
        if (count > (uint)countMax)
        {
            Fail($"list of {count} elements is over its limit of {countMax}");
        }

        if (elementSizeMinBytes > 0 && (long)count * elementSizeMinBytes > RemainingBytes)
        {
            Fail($"list of {count} elements cannot fit in the {RemainingBytes} bytes left");
        }

        return (int)count;
    }

    /// <summary>Reads an enumeration byte and checks it is one of <paramref name="valueMax"/>+1 values from 0 (or from <paramref name="valueMin"/>).</summary>
    public byte ReadEnum(byte valueMax, byte valueMin = 0)
    {
        byte value = ReadUInt8();
        if (value < valueMin || value > valueMax)
        {
            Fail($"enumeration value {value} is outside {valueMin}..{valueMax}");
        }

        return value;
    }

    /// <summary>Throws unless every byte has been consumed.</summary>
    public readonly void EnsureEnd()
    {
        if (Position != _source.Length)
        {
            Fail($"{_source.Length - Position} trailing bytes after the message");
        }
    }

    private ReadOnlyMemory<byte> Take(int count)
    {
        if (_source.Length - Position < count)
        {
            Fail("message truncated");
        }

        ReadOnlyMemory<byte> slice = _source.Slice(Position, count);
        Position += count;
        return slice;
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private static void Fail(string reason) => throw new DaosException(DaosError.Protocol, reason);
}
