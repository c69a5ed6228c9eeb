using System.Buffers.Binary;

namespace Daos.Vos.Umem;

/// <summary>
/// Byte layout of the heap file and its superblock (docs/formats/umem.md). The heap file holds two 4 KiB
/// superblock slots followed by the image: <c>[slot A][slot B][image of HeapSizeBytes]</c>. A superblock is
/// written only into the slot that does not hold the current one, so a torn superblock write leaves the other
/// slot valid.
/// </summary>
internal static class HeapFormat
{
    /// <summary>"DAOSUMEM" read as a little-endian 64-bit integer.</summary>
    public const ulong Magic = 0x4D454D55534F4144;
    public const uint Version = 1;
    public const int SlotBytes = 4096;
    public const long ImageOffset = 2 * SlotBytes;
    public const int PageBytes = 4096;
    public const int SuperblockBytes = 128;

    // Field offsets inside a superblock slot.
    private const int MagicAt = 0, VersionAt = 8, HeaderBytesAt = 12, HeapIdAt = 16, HeapSizeAt = 24, WalSizeAt = 32,
        SequenceAt = 40, CheckpointSequenceAt = 48, CheckpointWalOffsetAt = 56, IncarnationAt = 64,
        CheckpointTxIdAt = 72, CrcAt = 124;

    public static void Write(in Superblock sb, Span<byte> slot)
    {
        slot[..SuperblockBytes].Clear();
        BinaryPrimitives.WriteUInt64LittleEndian(slot[MagicAt..], Magic);
        BinaryPrimitives.WriteUInt32LittleEndian(slot[VersionAt..], Version);
        BinaryPrimitives.WriteUInt32LittleEndian(slot[HeaderBytesAt..], SuperblockBytes);
        BinaryPrimitives.WriteUInt64LittleEndian(slot[HeapIdAt..], sb.HeapId);
        BinaryPrimitives.WriteInt64LittleEndian(slot[HeapSizeAt..], sb.HeapSizeBytes);
        BinaryPrimitives.WriteInt64LittleEndian(slot[WalSizeAt..], sb.WalSizeBytes);
        BinaryPrimitives.WriteUInt64LittleEndian(slot[SequenceAt..], sb.Sequence);
        BinaryPrimitives.WriteUInt64LittleEndian(slot[CheckpointSequenceAt..], sb.CheckpointSequence);
        BinaryPrimitives.WriteInt64LittleEndian(slot[CheckpointWalOffsetAt..], sb.CheckpointWalOffset);
        BinaryPrimitives.WriteUInt64LittleEndian(slot[IncarnationAt..], sb.Incarnation);
        BinaryPrimitives.WriteUInt64LittleEndian(slot[CheckpointTxIdAt..], sb.CheckpointTxId);
        BinaryPrimitives.WriteUInt32LittleEndian(slot[CrcAt..], Crc32C.Compute(slot[..CrcAt]));
    }

    /// <summary>Decodes one slot; the status says why a slot is unusable.</summary>
    public static SlotStatus TryRead(ReadOnlySpan<byte> slot, out Superblock sb)
    {
        sb = default;
        if (slot.Length < SuperblockBytes || BinaryPrimitives.ReadUInt64LittleEndian(slot) != Magic)
        {
            return SlotStatus.NoMagic;
        }

        if (BinaryPrimitives.ReadUInt32LittleEndian(slot[CrcAt..]) != Crc32C.Compute(slot[..CrcAt]))
        {
            return SlotStatus.BadChecksum;
        }

        uint version = BinaryPrimitives.ReadUInt32LittleEndian(slot[VersionAt..]);
        if (version != Version)
        {
            sb = new Superblock { FormatVersion = version };
            return version > Version ? SlotStatus.NewerVersion : SlotStatus.BadField;
        }

        sb = new Superblock
        {
            FormatVersion = version,
            HeapId = BinaryPrimitives.ReadUInt64LittleEndian(slot[HeapIdAt..]),
            HeapSizeBytes = BinaryPrimitives.ReadInt64LittleEndian(slot[HeapSizeAt..]),
            WalSizeBytes = BinaryPrimitives.ReadInt64LittleEndian(slot[WalSizeAt..]),
            Sequence = BinaryPrimitives.ReadUInt64LittleEndian(slot[SequenceAt..]),
            CheckpointSequence = BinaryPrimitives.ReadUInt64LittleEndian(slot[CheckpointSequenceAt..]),
            CheckpointWalOffset = BinaryPrimitives.ReadInt64LittleEndian(slot[CheckpointWalOffsetAt..]),
            Incarnation = BinaryPrimitives.ReadUInt64LittleEndian(slot[IncarnationAt..]),
            CheckpointTxId = BinaryPrimitives.ReadUInt64LittleEndian(slot[CheckpointTxIdAt..]),
        };
        bool sane = BinaryPrimitives.ReadUInt32LittleEndian(slot[HeaderBytesAt..]) == SuperblockBytes
            && sb.HeapSizeBytes >= UmemOptions.HeapSizeBytesMin && sb.HeapSizeBytes % PageBytes == 0
            && sb.HeapSizeBytes <= UmemOptions.HeapSizeBytesMax
            && sb.WalSizeBytes >= UmemOptions.WalSizeBytesMin && sb.WalSizeBytes % PageBytes == 0
            && sb.CheckpointWalOffset >= WalFormat.RecordsOffset
            && sb.CheckpointWalOffset <= sb.WalSizeBytes - WalFormat.RecordHeaderBytes
            && sb.CheckpointWalOffset % WalFormat.RecordAlignment == 0;
        return sane ? SlotStatus.Valid : SlotStatus.BadField;
    }
}

internal enum SlotStatus
{
    Valid,
    NoMagic,
    BadChecksum,
    NewerVersion,
    BadField,
}

/// <summary>The decoded superblock: where the image and the WAL stand after the last completed checkpoint.</summary>
internal struct Superblock
{
    public uint FormatVersion;
    public ulong HeapId;
    public long HeapSizeBytes;
    public long WalSizeBytes;

    /// <summary>Bumped by every superblock write; the valid slot with the higher value is current.</summary>
    public ulong Sequence;

    /// <summary>The last WAL record sequence whose effects the image on file contains.</summary>
    public ulong CheckpointSequence;

    /// <summary>WAL file offset where the record after <see cref="CheckpointSequence"/> starts.</summary>
    public long CheckpointWalOffset;

    /// <summary>Bumped durably at every open; WAL records carry it so stale records from an earlier run are refused.</summary>
    public ulong Incarnation;

    /// <summary>The last transaction id the image contains.</summary>
    public ulong CheckpointTxId;
}
