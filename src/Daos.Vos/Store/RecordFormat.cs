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
    /// VOS layout version. 2: each container indexes its objects in a B+tree and each object keeps its own record
    /// list; version 1 kept every record of a container in one list and is refused.
    /// </summary>
    public const uint Version = 2;
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

    public const uint ObjectNodeMagic = 0x4A424F56; // "VOBJ"
    public const int ObjectNodeBytes = 32;
    public const int ObjectNodeOidHiAt = 8, ObjectNodeOidLoAt = 16, ObjectNodeRecordsAt = 24;

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
