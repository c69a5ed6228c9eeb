using System.Buffers.Binary;
using Daos.Vos.Umem;

namespace Daos.Vos.Bio;

/// <summary>Byte layout of the blob file header and of the blob store's root in the heap (docs/formats/umem.md).</summary>
internal static class BlobFormat
{
    /// <summary>"DAOSBLOB" read as a little-endian 64-bit integer.</summary>
    public const ulong Magic = 0x424F4C42534F4144;

    /// <summary>"BIOROOT1" read as a little-endian 64-bit integer: the heap-side root of the free-extent index.</summary>
    public const ulong RootMagic = 0x31544F4F524F4942;
    public const uint Version = 1;
    public const int BlockBytes = 4096;
    public const int HeaderBytes = 64;

    // Root fields, at UmemHeap.BioRootOffset.
    public const long RootMagicAt = UmemHeap.BioRootOffset, RootIndexAt = RootMagicAt + 8, RootBlocksAt = RootMagicAt + 16,
        RootFreeBlocksAt = RootMagicAt + 24;

    // Free-extent index: [count u32][capacity u32][reserved u64] then entries [start u64][count u64] sorted by start.
    public const int IndexHeaderBytes = 16;
    public const int IndexEntryBytes = 16;

    public static void WriteHeader(Span<byte> block, ulong heapId, long blockCount)
    {
        block[..HeaderBytes].Clear();
        BinaryPrimitives.WriteUInt64LittleEndian(block, Magic);
        BinaryPrimitives.WriteUInt32LittleEndian(block[8..], Version);
        BinaryPrimitives.WriteUInt32LittleEndian(block[12..], HeaderBytes);
        BinaryPrimitives.WriteUInt64LittleEndian(block[16..], heapId);
        BinaryPrimitives.WriteInt64LittleEndian(block[24..], blockCount);
        BinaryPrimitives.WriteUInt32LittleEndian(block[60..], Crc32C.Compute(block[..60]));
    }

    public static long ValidateHeader(ReadOnlySpan<byte> block, ulong heapId, string name)
    {
        if (block.Length < HeaderBytes || BinaryPrimitives.ReadUInt64LittleEndian(block) != Magic)
        {
            throw new DaosException(DaosError.DurableFormatInvalid, $"'{name}' is not a Daos.NET blob file (bad magic)");
        }

        if (BinaryPrimitives.ReadUInt32LittleEndian(block[60..]) != Crc32C.Compute(block[..60]))
        {
            throw new DaosException(DaosError.Corrupted, $"the header of blob file '{name}' fails its checksum");
        }

        uint version = BinaryPrimitives.ReadUInt32LittleEndian(block[8..]);
        if (version != Version)
        {
            throw new DaosException(DaosError.DurableFormatIncompatible,
                $"blob file '{name}' has format version {version}; this build reads version {Version}");
        }

        ulong owner = BinaryPrimitives.ReadUInt64LittleEndian(block[16..]);
        if (owner != heapId)
        {
            throw new DaosException(DaosError.Mismatch, $"blob file '{name}' belongs to heap {owner:x16}, not {heapId:x16}");
        }

        return BinaryPrimitives.ReadInt64LittleEndian(block[24..]);
    }
}
