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
    /// <summary>Version 2 added the blob entries (<see cref="OpBlobWrite"/>, <see cref="OpBlobFree"/>); a version 1 WAL reads unchanged.</summary>
    public const uint Version = 2;
    public const uint VersionOldestReadable = 1;
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

    // Blob entries do not touch the heap image. OpBlobWrite carries data written to the blob file at a data block
    // (offset field = first block, payload = the bytes); OpBlobFree says blocks were freed (offset field = first
    // block, payload = the block count as 8 bytes), so replay never writes logged data over a later reuse of them.
    public const byte OpBlobWrite = 3, OpBlobFree = 4;
    public const int BlobFreePayloadBytes = 8;

    /// <summary>Blob block numbers stay below this (a blob holds at most 2^40 blocks).</summary>
    public const ulong BlobBlockLimit = 1UL << 40;

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
        if (version is < VersionOldestReadable or > Version)
        {
            throw new DaosException(DaosError.DurableFormatIncompatible,
                $"WAL '{walName}' has format version {version}; this build reads versions {VersionOldestReadable}..{Version}");
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
    public static int EntryBytes(byte op, int length) => op == OpSet ? EntryHeaderBytes : EntryHeaderBytes + Align(length);

    /// <summary>The version in a validated header.</summary>
    public static uint ReadVersion(ReadOnlySpan<byte> block) => BinaryPrimitives.ReadUInt32LittleEndian(block[8..]);
}
