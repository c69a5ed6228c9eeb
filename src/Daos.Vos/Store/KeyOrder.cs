using System.Buffers.Binary;

namespace Daos.Vos.Store;

/// <summary>
/// The order of dkeys or akeys in an object, chosen by its <see cref="ObjectType"/>: by 64-bit hash (then bytes)
/// for hashed types, bytewise for lexical types, as little-endian unsigned 64-bit integers for uint64 types.
/// </summary>
internal static class KeyOrder
{
    public static readonly IComparer<byte[]> Hashed = Comparer<byte[]>.Create(static (x, y) =>
    {
        int c = XxHash64.Hash(x).CompareTo(XxHash64.Hash(y));
        return c != 0 ? c : x.AsSpan().SequenceCompareTo(y);
    });

    public static readonly IComparer<byte[]> Lexical = Comparer<byte[]>.Create(static (x, y) => x.AsSpan().SequenceCompareTo(y));

    public static readonly IComparer<byte[]> UInt64 = Comparer<byte[]>.Create(static (x, y) =>
        BinaryPrimitives.ReadUInt64LittleEndian(x).CompareTo(BinaryPrimitives.ReadUInt64LittleEndian(y)));

    public static IComparer<byte[]> ForDkeys(ObjectType type) =>
        type.HasUInt64Dkeys() ? UInt64 : type.HasLexicalDkeys() ? Lexical : Hashed;

    public static IComparer<byte[]> ForAkeys(ObjectType type) =>
        type.HasUInt64Akeys() ? UInt64 : type.HasLexicalAkeys() ? Lexical : Hashed;

    /// <summary>Throws <see cref="DaosError.InvalidArgument"/> unless <paramref name="key"/> suits the order.</summary>
    public static void Validate(ReadOnlySpan<byte> key, bool uint64, string what)
    {
        if (key.IsEmpty)
        {
            throw new DaosException(DaosError.InvalidArgument, $"{what} is empty");
        }

        if (key.Length > RecordFormat.KeySizeBytesMax)
        {
            throw new DaosException(DaosError.KeyTooBig, $"{what} of {key.Length} bytes exceeds {RecordFormat.KeySizeBytesMax}");
        }

        if (uint64 && key.Length != 8)
        {
            throw new DaosException(DaosError.InvalidArgument, $"{what} of a uint64-keyed object must be 8 bytes, not {key.Length}");
        }
    }
}
