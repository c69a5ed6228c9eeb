using System.Buffers.Binary;

namespace Daos.Vos.Umem;

/// <summary>
/// Byte layout of the redo WAL (docs/formats/umem.md). The file is a 4 KiB header followed by a circular region
/// of records. A record is a 40-byte header and its entries; its CRC32C covers header and entries and is seeded
/// from the heap id, so a record from another heap never validates.
/// </summary>
internal static class WalFormat
{
    /// <summary>"DAOSWAL\0" read as a little-endian 64-bit integer.</summary>
    public const ulong Magic = 0x004C4157534F4144;
    public const uint Version = 1;
    public const int HeaderBlockBytes = 4096;
    public const int HeaderBytes = 64;
    public const long RecordsOffset = HeaderBlockBytes;
    public const int RecordAlignment = 8;
    public const int RecordHeaderBytes = 40;
    public const int EntryHeaderBytes = 16;
    public const ushort FlagWrap = 1;

    /// <summary>
    /// The largest record, whatever the WAL size: replay reads a record's length before its checksum can be checked,
    /// so a damaged length must never make it buffer more than this.
    /// </summary>
    public const int RecordBytesMax = 64 << 20;

    // Record header field offsets.
    public const int SequenceAt = 0, TxIdAt = 8, IncarnationAt = 16, EntryCountAt = 20, LengthAt = 24, FlagsAt = 28,
        CrcAt = 32;

    // Entry ops: absolute values only, so replaying a record twice, or over pages that already hold later
    // contents, leaves the same bytes.
    public const byte OpCopy = 1, OpSet = 2;

    public static void WriteHeader(Span<byte> block, ulong heapId, long walSizeBytes)
    {
        block[..HeaderBytes].Clear();
        BinaryPrimitives.WriteUInt64LittleEndian(block, Magic);
        BinaryPrimitives.WriteUInt32LittleEndian(block[8..], Version);
        BinaryPrimitives.WriteUInt32LittleEndian(block[12..], HeaderBytes);
        BinaryPrimitives.WriteUInt64LittleEndian(block[16..], heapId);
        BinaryPrimitives.WriteInt64LittleEndian(block[24..], walSizeBytes);
        BinaryPrimitives.WriteUInt32LittleEndian(block[60..], Crc32C.Compute(block[..60]));
    }

    /// <summary>Validates the WAL header against the superblock; throws a typed error naming what is wrong.</summary>
    public static void ValidateHeader(ReadOnlySpan<byte> block, in Superblock sb, string walName)
    {
        if (block.Length < HeaderBytes || BinaryPrimitives.ReadUInt64LittleEndian(block) != Magic)
        {
            throw new DaosException(DaosError.DurableFormatInvalid, $"'{walName}' is not a Daos.NET WAL (bad magic)");
        }

        if (BinaryPrimitives.ReadUInt32LittleEndian(block[60..]) != Crc32C.Compute(block[..60]))
        {
            throw new DaosException(DaosError.Corrupted, $"the header of WAL '{walName}' fails its checksum");
        }

        uint version = BinaryPrimitives.ReadUInt32LittleEndian(block[8..]);
        if (version != Version)
        {
            throw new DaosException(DaosError.DurableFormatIncompatible,
                $"WAL '{walName}' has format version {version}; this build reads version {Version}");
        }

        ulong heapId = BinaryPrimitives.ReadUInt64LittleEndian(block[16..]);
        if (heapId != sb.HeapId)
        {
            throw new DaosException(DaosError.Mismatch,
                $"WAL '{walName}' belongs to heap {heapId:x16}, not to this heap {sb.HeapId:x16}");
        }

        long size = BinaryPrimitives.ReadInt64LittleEndian(block[24..]);
        if (size != sb.WalSizeBytes)
        {
            throw new DaosException(DaosError.Corrupted,
                $"WAL '{walName}' says it is {size} bytes but the superblock says {sb.WalSizeBytes}");
        }
    }

    public static uint CrcSeed(ulong heapId) => (uint)heapId ^ (uint)(heapId >> 32) ^ 0x5A17C0DEu;

    public static int Align(int length) => (length + RecordAlignment - 1) & ~(RecordAlignment - 1);

    /// <summary>Bytes an entry occupies in a record.</summary>
    public static int EntryBytes(byte op, int length) => op == OpCopy ? EntryHeaderBytes + Align(length) : EntryHeaderBytes;
}
