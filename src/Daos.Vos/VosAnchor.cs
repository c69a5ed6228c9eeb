using System.Buffers.Binary;
using Daos.Vos.Store;

namespace Daos.Vos;

/// <summary>
/// Where an enumeration resumes (DAOS's <c>daos_anchor_t</c>): opaque to callers, who get one with each page and
/// pass it back for the next. An anchor is key-based: it holds the last object id or key returned (or, for
/// extents, the record index to go on from), and the next page starts at the first item after it in the listing's
/// order, so it stays valid while keys are inserted or removed between pages. <see cref="ToBytes"/> and
/// <see cref="FromBytes"/> carry it over the wire (layout in docs/formats/vos.md).
/// </summary>
public sealed class VosAnchor
{
    private const ushort Magic = 0x4E41; // "AN"
    private const byte FormatVersion = 1;
    private const int HeaderBytes = 8;
    private const int CrcBytes = 4;

    private readonly byte[] _key;

    private VosAnchor(AnchorLevel level, AnchorPosition position, byte[] key)
    {
        Level = level;
        Position = position;
        _key = key;
    }

    /// <summary>The anchor before the first item of any enumeration.</summary>
    public static VosAnchor Start { get; } = new(AnchorLevel.Any, AnchorPosition.Start, []);

    /// <summary>True for <see cref="Start"/>.</summary>
    public bool IsStart => Position == AnchorPosition.Start;

    /// <summary>True when the enumeration that returned this anchor has nothing more.</summary>
    public bool IsEnd => Position == AnchorPosition.End;

    internal AnchorLevel Level { get; }

    internal AnchorPosition Position { get; }

    internal ReadOnlySpan<byte> Key => _key;

    internal static VosAnchor After(AnchorLevel level, byte[] key) => new(level, AnchorPosition.After, key);

    internal static VosAnchor End(AnchorLevel level) => new(level, AnchorPosition.End, []);

    /// <summary>The anchor's bytes, to send or store; <see cref="FromBytes"/> reads them back.</summary>
    public byte[] ToBytes()
    {
        byte[] bytes = new byte[HeaderBytes + _key.Length + CrcBytes];
        BinaryPrimitives.WriteUInt16LittleEndian(bytes, Magic);
        bytes[2] = FormatVersion;
        bytes[3] = (byte)Level;
        bytes[4] = (byte)Position;
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(6), (ushort)_key.Length);
        _key.CopyTo(bytes.AsSpan(HeaderBytes));
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(HeaderBytes + _key.Length), Crc32C.Compute(bytes.AsSpan(0, HeaderBytes + _key.Length)));
        return bytes;
    }

    /// <summary>Reads an anchor written by <see cref="ToBytes"/>, treating the bytes as hostile.</summary>
    /// <exception cref="DaosException"><see cref="DaosError.InvalidArgument"/> for anything that is not a whole, intact anchor.</exception>
    public static VosAnchor FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < HeaderBytes + CrcBytes)
        {
            throw Invalid($"{bytes.Length} bytes are too short");
        }

        if (BinaryPrimitives.ReadUInt16LittleEndian(bytes) != Magic)
        {
            throw Invalid("bad magic");
        }

        if (bytes[2] != FormatVersion)
        {
            throw Invalid($"unknown version {bytes[2]}");
        }

        int keyLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes[6..]);
        if (bytes.Length != HeaderBytes + keyLength + CrcBytes)
        {
            throw Invalid($"{bytes.Length} bytes do not hold a {keyLength}-byte key");
        }

        if (Crc32C.Compute(bytes[..(HeaderBytes + keyLength)]) != BinaryPrimitives.ReadUInt32LittleEndian(bytes[(HeaderBytes + keyLength)..]))
        {
            throw Invalid("checksum mismatch");
        }

        var level = (AnchorLevel)bytes[3];
        var position = (AnchorPosition)bytes[4];
        bool valid = bytes[5] == 0 && position switch
        {
            AnchorPosition.Start => level == AnchorLevel.Any && keyLength == 0,
            AnchorPosition.End => level is > AnchorLevel.Any and <= AnchorLevel.Extents && keyLength == 0,
            AnchorPosition.After => level switch
            {
                AnchorLevel.Objects => keyLength == 16,
                AnchorLevel.Dkeys or AnchorLevel.Akeys => keyLength is > 0 and <= RecordFormat.KeySizeBytesMax,
                AnchorLevel.Extents => keyLength == 8 && BinaryPrimitives.ReadInt64LittleEndian(bytes[HeaderBytes..]) >= 0,
                _ => false,
            },
            _ => false,
        };
        if (!valid)
        {
            throw Invalid($"level {bytes[3]}, position {bytes[4]} and a {keyLength}-byte key do not make an anchor");
        }

        return position == AnchorPosition.Start ? Start : new VosAnchor(level, position, bytes.Slice(HeaderBytes, keyLength).ToArray());
    }

    /// <summary>Checks that this anchor may resume a listing of <paramref name="level"/>.</summary>
    internal void Require(AnchorLevel level)
    {
        if (Position != AnchorPosition.Start && Level != level)
        {
            throw new DaosException(DaosError.InvalidArgument, $"an anchor of a {Level} listing cannot resume a {level} listing");
        }
    }

    /// <inheritdoc/>
    public override string ToString() => Position switch
    {
        AnchorPosition.Start => "anchor(start)",
        AnchorPosition.End => $"anchor({Level}, end)",
        _ => $"anchor({Level}, after {Convert.ToHexString(_key)})",
    };

    private static DaosException Invalid(string what) => new(DaosError.InvalidArgument, $"not a VOS anchor: {what}");
}

/// <summary>Which listing an anchor belongs to.</summary>
internal enum AnchorLevel : byte
{
    Any = 0,
    Objects = 1,
    Dkeys = 2,
    Akeys = 3,
    Extents = 4,
}

/// <summary>Where in its listing an anchor stands.</summary>
internal enum AnchorPosition : byte
{
    Start = 0,
    After = 1,
    End = 2,
}
