namespace Daos.Vos.Btree;

/// <summary>
/// Byte layouts of the persistent B+tree (docs/formats/vos.md, "B+tree"): the root a caller embeds in its own
/// record, nodes, and the key blocks of variable-size keys. All integers little-endian.
/// </summary>
internal static class BtreeFormat
{
    /// <summary>Root magic "BTRT".</summary>
    public const uint RootMagic = 0x54525442;

    /// <summary>Node magic "BTND".</summary>
    public const uint NodeMagic = 0x444E5442;

    /// <summary>Layout version kept in every root.</summary>
    public const byte Version = 1;

    public const int OrderMin = 3;
    public const int OrderMax = 128;
    public const int OrderDefault = 30;
    public const int ValueBytesMax = 64;
    public const int KeyBytesMax = 4096;

    /// <summary>No legal tree gets this deep (each internal node has at least two children); deeper is corruption.</summary>
    public const int DepthMax = 48;

    // Root: magic u32, key class u8, features u8, state u8, depth u8, order u16, value bytes u16, version u8,
    // 3 zero bytes, CRC32C u32 (over the root with this field zero), root node i64, embedded key slot (24), embedded value.
    public const int RootKeyClassAt = 4;
    public const int RootFeaturesAt = 5;
    public const int RootStateAt = 6;
    public const int RootDepthAt = 7;
    public const int RootOrderAt = 8;
    public const int RootValueBytesAt = 10;
    public const int RootVersionAt = 12;
    public const int RootCrcAt = 16;
    public const int RootNodeAt = 24;
    public const int RootSlotAt = 32;
    public const int RootValueAt = 56;

    public const byte StateEmpty = 0;
    public const byte StateEmbedded = 1;
    public const byte StateNodes = 2;

    // Node header: magic u32, key class u8, level u8 (0 = leaf), count u16, order u16, value bytes u16, CRC32C u32
    // over the header (this field zero) and the `count` entries in use.
    public const int NodeHeaderBytes = 16;
    public const int NodeKeyClassAt = 4;
    public const int NodeLevelAt = 5;
    public const int NodeCountAt = 6;
    public const int NodeOrderAt = 8;
    public const int NodeValueBytesAt = 10;
    public const int NodeCrcAt = 12;

    // Key block: length u16, zero u16, CRC32C u32 of the key bytes seeded with the length, then the bytes.
    public const int KeyBlockHeaderBytes = 8;

    /// <summary>Bytes a caller reserves for the root of a tree with <paramref name="valueBytes"/>-byte values.</summary>
    public static int RootBytes(int valueBytes) => RootValueAt + valueBytes;

    /// <summary>Bytes of the key slot of <paramref name="keyClass"/>.</summary>
    public static int SlotBytes(BtreeKeyClass keyClass) => keyClass switch
    {
        BtreeKeyClass.UInt64 => 8,
        BtreeKeyClass.Triple64 => 24,
        _ => 16,
    };

    /// <summary>Key length a fixed-size class requires, or 0 for variable-size classes.</summary>
    public static int FixedKeyBytes(BtreeKeyClass keyClass) => keyClass switch
    {
        BtreeKeyClass.UInt64 => 8,
        BtreeKeyClass.Pair64 => 16,
        BtreeKeyClass.Triple64 => 24,
        _ => 0,
    };

    public static bool IsVariable(BtreeKeyClass keyClass) => keyClass is BtreeKeyClass.Hashed or BtreeKeyClass.Lexical;

    public static bool IsKnown(BtreeKeyClass keyClass) => keyClass is >= BtreeKeyClass.Hashed and <= BtreeKeyClass.Triple64;
}
