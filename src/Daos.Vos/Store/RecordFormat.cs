using System.Buffers.Binary;

namespace Daos.Vos.Store;

/// <summary>What a persistent VOS record is.</summary>
internal enum RecordKind : byte
{
    /// <summary>A punch of a whole object.</summary>
    ObjectPunch = 1,
    /// <summary>A punch of one dkey.</summary>
    DkeyPunch = 2,
    /// <summary>A punch of one akey.</summary>
    AkeyPunch = 3,
    /// <summary>One version of a single value.</summary>
    SingleValue = 4,
    /// <summary>One array write (or, with <see cref="RecordFormat.FlagHole"/>, a punch of records).</summary>
    ArrayExtent = 5,
}

/// <summary>
/// Byte layouts of the VOS area of the heap (docs/formats/vos.md): the root, container records and VOS records.
/// Every field is little-endian.
/// </summary>
internal static class RecordFormat
{
    public const ulong RootMagic = 0x31544F4F52534F56; // "VOSROOT1"
    /// <summary>
    /// VOS layout version. 3: under the container's object index, each object node heads a dkey tree, each dkey node
    /// an akey tree, each akey node a single-value tree or an extent tree, and each node an incarnation log tree.
    /// Version 2 kept one record list per object and version 1 one list per container; both are refused.
    /// </summary>
    public const uint Version = 3;
    public const long RootMagicAt = Umem.UmemHeap.RootOffset;
    public const long RootVersionAt = RootMagicAt + 8;
    public const long RootInlineThresholdAt = RootMagicAt + 12;
    public const long RootContainersAt = RootMagicAt + 16;
    public const long RootGarbageAt = RootMagicAt + 24;

    public const uint ContainerMagic = 0x4E4F4356; // "VCON"
    public const int ContainerIdAt = 8, ContainerPreparedAt = 24, ContainerNextAt = 32, ContainerPrevAt = 40,
        ContainerRecordCountAt = 48, ContainerObjectIndexAt = 56;
    public const int ContainerObjectIndexValueBytes = 8;
    public const int ContainerBytes = ContainerObjectIndexAt + 64; // the object index root: Btree.BtreeFormat.RootBytes(8)

    /// <summary>Bytes of the root of a tree whose values are one heap offset (8 bytes).</summary>
    public const int OffsetTreeRootBytes = 64; // Btree.BtreeFormat.RootBytes(8)

    /// <summary>Bytes of an extent tree's root (24-byte values).</summary>
    public const int ExtentTreeRootBytes = 80; // Btree.BtreeFormat.RootBytes(24)

    public const uint ObjectNodeMagic = 0x4A424F56; // "VOBJ"
    public const int ObjectNodeOidHiAt = 8, ObjectNodeOidLoAt = 16, ObjectNodeIlogAt = 24, ObjectNodeDkeysAt = 88;
    public const int ObjectNodeBytes = ObjectNodeDkeysAt + OffsetTreeRootBytes;

    public const uint DkeyNodeMagic = 0x594B4456; // "VDKY"
    public const int DkeyNodeIlogAt = 8, DkeyNodeAkeysAt = 72;
    public const int DkeyNodeBytes = DkeyNodeAkeysAt + OffsetTreeRootBytes;

    public const uint AkeyNodeMagic = 0x594B4156; // "VAKY"
    public const int AkeyNodeKindAt = 4, AkeyNodeIlogAt = 8, AkeyNodeValuesAt = 72;
    public const int AkeyNodeBytes = AkeyNodeValuesAt + ExtentTreeRootBytes;

    /// <summary>Akey node value kinds: no value tree yet, a single-value tree, an extent tree.</summary>
    public const byte AkeyValuesNone = 0, AkeyValuesSingle = 1, AkeyValuesArray = 2;

    /// <summary>Orders of the trees below the object index (small trees keep their first record in the root).</summary>
    public const int DkeyTreeOrder = 16, AkeyTreeOrder = 8, SingleTreeOrder = 8, IlogTreeOrder = 4, ExtentTreeOrder = 8;

    public const uint RecordMagic = 0x43455256; // "VREC"
    public const int HeaderBytes = 96;
    public const byte FlagInBlob = 1, FlagHole = 2, FlagPrepared = 4;
    public const int KindAt = 4, FlagsAt = 5, MinorAt = 6, EpochAt = 8, PrevAt = 16, NextAt = 24, OidHiAt = 32,
        OidLoAt = 40, DkeyLengthAt = 48, AkeyLengthAt = 50, ValueLengthAt = 52, IndexAt = 56, CountAt = 64,
        RecordSizeAt = 72, CrcAt = 76, BlobBlockAt = 80, TransactionAt = 88;

    /// <summary>Largest dkey or akey, in bytes.</summary>
    public const int KeySizeBytesMax = 4096;

    /// <summary>The bytes a record with these keys and inline value needs.</summary>
    public static int RecordBytes(int dkeyLength, int akeyLength, int inlineValueLength) =>
        HeaderBytes + dkeyLength + akeyLength + inlineValueLength;

    /// <summary>CRC32C of a record with its link fields and CRC field excluded (links change as neighbours go).</summary>
    public static uint Checksum(ReadOnlySpan<byte> record)
    {
        uint crc = Crc32C.Update(~0u, record[..PrevAt]);
        crc = Crc32C.Update(crc, record[OidHiAt..CrcAt]);
        crc = Crc32C.Update(crc, record[BlobBlockAt..]);
        return ~crc;
    }

    /// <summary>The total length of the record whose header starts <paramref name="header"/>.</summary>
    public static int LengthOf(ReadOnlySpan<byte> header)
    {
        int dkey = BinaryPrimitives.ReadUInt16LittleEndian(header[DkeyLengthAt..]);
        int akey = BinaryPrimitives.ReadUInt16LittleEndian(header[AkeyLengthAt..]);
        bool inBlob = (header[FlagsAt] & FlagInBlob) != 0;
        int value = inBlob ? 0 : BinaryPrimitives.ReadInt32LittleEndian(header[ValueLengthAt..]);
        return HeaderBytes + dkey + akey + value;
    }
}
