using System.Buffers.Binary;
using System.Text;

namespace Daos.Transport;

/// <summary>
/// Reads message bodies from untrusted bytes, little-endian. Every read checks what remains and every
/// variable-length field has a caller-given maximum; a violation throws <see cref="DaosException"/> with
/// <see cref="DaosError.Protocol"/>.
/// </summary>
public ref struct WireReader
{
    private readonly ReadOnlySpan<byte> _source;

    /// <summary>Starts reading at the beginning of <paramref name="source"/>.</summary>
    public WireReader(ReadOnlySpan<byte> source) => _source = source;

    /// <summary>Bytes consumed so far.</summary>
    public int Position { get; private set; }

    /// <summary>Bytes not yet consumed.</summary>
    public readonly int RemainingBytes => _source.Length - Position;

    /// <summary>Reads one byte.</summary>
    public byte ReadUInt8() => Take(1)[0];

    /// <summary>Reads a little-endian ushort.</summary>
    public ushort ReadUInt16() => BinaryPrimitives.ReadUInt16LittleEndian(Take(2));

    /// <summary>Reads a little-endian uint.</summary>
    public uint ReadUInt32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(4));

    /// <summary>Reads a little-endian int.</summary>
    public int ReadInt32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));

    /// <summary>Reads a little-endian ulong.</summary>
    public ulong ReadUInt64() => BinaryPrimitives.ReadUInt64LittleEndian(Take(8));

    /// <summary>Reads a little-endian long.</summary>
    public long ReadInt64() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));

    /// <summary>Reads bytes written by <see cref="WireWriter.WriteBytes"/>, as a slice of the input.</summary>
    public ReadOnlySpan<byte> ReadBytes(int lengthMaxBytes)
    {
        uint length = ReadUInt32();
        if (length > (uint)lengthMaxBytes)
        {
            ThrowHelper.Throw(DaosError.Protocol, "byte field longer than its limit");
        }

        return Take((int)length);
    }

    /// <summary>Reads a string written by <see cref="WireWriter.WriteString"/>; malformed UTF-8 is rejected.</summary>
    public string ReadString(int lengthMaxBytes)
    {
        int length = ReadUInt16();
        if (length > lengthMaxBytes)
        {
            ThrowHelper.Throw(DaosError.Protocol, "string longer than its limit");
        }

        ReadOnlySpan<byte> bytes = Take(length);
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw new DaosException(DaosError.Protocol, "string is not valid UTF-8");
        }
    }

    /// <summary>Throws unless every byte has been consumed: trailing bytes mean a malformed message.</summary>
    public readonly void EnsureEnd()
    {
        if (Position != _source.Length)
        {
            ThrowHelper.Throw(DaosError.Protocol, "trailing bytes after message");
        }
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private ReadOnlySpan<byte> Take(int count)
    {
        if (_source.Length - Position < count)
        {
            ThrowHelper.Throw(DaosError.Protocol, "message truncated");
        }

        ReadOnlySpan<byte> span = _source.Slice(Position, count);
        Position += count;
        return span;
    }
}
