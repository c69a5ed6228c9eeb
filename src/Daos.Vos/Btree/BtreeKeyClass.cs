namespace Daos.Vos.Btree;

/// <summary>
/// How a tree orders its keys, and how a key is held in a node's key slot. Fixed-size classes keep the key itself
/// in the slot; variable-size classes keep an 8-byte ordering word and the offset of a key block that the slot owns.
/// </summary>
internal enum BtreeKeyClass : byte
{
    /// <summary>Variable keys (1..<see cref="BtreeFormat.KeyBytesMax"/> bytes) ordered by their XXH64, ties by bytes.</summary>
    Hashed = 1,

    /// <summary>Variable keys ordered bytewise (a shorter key that is a prefix of a longer one comes first).</summary>
    Lexical = 2,

    /// <summary>8-byte little-endian keys ordered as unsigned integers (DAOS's uint64 dkeys and akeys).</summary>
    UInt64 = 3,

    /// <summary>16-byte keys: two little-endian unsigned words compared first then second (object ids, (epoch, minor)).</summary>
    Pair64 = 4,

    /// <summary>24-byte keys: three little-endian unsigned words compared in order ((start index, epoch, minor)).</summary>
    Triple64 = 5,
}
