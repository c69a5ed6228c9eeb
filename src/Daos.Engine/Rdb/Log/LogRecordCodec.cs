using System.Buffers.Binary;
using Daos.Buffers;
using Daos.Engine.Rdb.Raft;

namespace Daos.Engine.Rdb.Log;

/// <summary>
/// Encodes and decodes the records of the Raft log file (docs/formats/rdb.md, "Raft log file"). A record is a
/// 24-byte header (magic, version, kind, sequence number, payload length, CRC32C over header and payload), the
/// payload, and zero padding to a multiple of 8 bytes.
/// </summary>
internal static class LogRecordCodec
{
    public const uint Magic = 0x4C424452; // "RDBL"
    public const byte FormatVersion = 1;
    public const int HeaderSizeBytes = 24;
    public const int AlignmentBytes = 8;
    public const int PayloadSizeBytesMax = 256 << 20;
    public const int EntriesPerRecordMax = 1 << 20;

    public const byte KindBase = 1;
    public const byte KindBatch = 2;

    private const int EntryHeaderSizeBytes = 21;

    public static int PaddedSize(int payloadLength) =>
        (HeaderSizeBytes + payloadLength + AlignmentBytes - 1) & ~(AlignmentBytes - 1);

    /// <summary>Appends a base record: the log's compaction point (the snapshot it continues from).</summary>
    public static void WriteBase(PooledBufferWriter writer, ulong sequence, ulong index, ulong term)
    {
        Span<byte> payload = stackalloc byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(payload, index);
        BinaryPrimitives.WriteUInt64LittleEndian(payload[8..], term);
        WriteRecord(writer, KindBase, sequence, payload);
    }

    /// <summary>Appends a batch record: an optional hard state and a contiguous run of entries.</summary>
    public static void WriteBatch(PooledBufferWriter writer, ulong sequence, HardState? hardState, IReadOnlyList<LogEntry> entries)
    {
        int payloadLength = 1 + (hardState is null ? 0 : 24) + 4;
        foreach (LogEntry entry in entries)
        {
            payloadLength += EntryHeaderSizeBytes + entry.Data.Length;
        }

        if (payloadLength > PayloadSizeBytesMax || entries.Count > EntriesPerRecordMax)
        {
            ThrowHelper.Throw(DaosError.RecordTooBig, $"a log record of {payloadLength} bytes exceeds {PayloadSizeBytesMax}");
        }

        byte[] payload = System.Buffers.ArrayPool<byte>.Shared.Rent(payloadLength);
        try
        {
            Span<byte> span = payload.AsSpan(0, payloadLength);
            int at = 0;
            span[at++] = hardState is null ? (byte)0 : (byte)1;
            if (hardState is HardState state)
            {
                BinaryPrimitives.WriteUInt64LittleEndian(span[at..], state.Term);
                BinaryPrimitives.WriteUInt64LittleEndian(span[(at + 8)..], state.Vote);
                BinaryPrimitives.WriteUInt64LittleEndian(span[(at + 16)..], state.Commit);
                at += 24;
            }

            BinaryPrimitives.WriteUInt32LittleEndian(span[at..], (uint)entries.Count);
            at += 4;
            foreach (LogEntry entry in entries)
            {
                BinaryPrimitives.WriteUInt64LittleEndian(span[at..], entry.Index);
                BinaryPrimitives.WriteUInt64LittleEndian(span[(at + 8)..], entry.Term);
                span[at + 16] = (byte)entry.Kind;
                BinaryPrimitives.WriteUInt32LittleEndian(span[(at + 17)..], (uint)entry.Data.Length);
                at += EntryHeaderSizeBytes;
                entry.Data.Span.CopyTo(span[at..]);
                at += entry.Data.Length;
            }

            WriteRecord(writer, KindBatch, sequence, span);
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(payload);
        }
    }

    private static void WriteRecord(PooledBufferWriter writer, byte kind, ulong sequence, ReadOnlySpan<byte> payload)
    {
        int total = PaddedSize(payload.Length);
        Span<byte> record = writer.GetSpan(total)[..total];
        record.Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(record, Magic);
        record[4] = FormatVersion;
        record[5] = kind;
        BinaryPrimitives.WriteUInt64LittleEndian(record[8..], sequence);
        BinaryPrimitives.WriteUInt32LittleEndian(record[16..], (uint)payload.Length);
        payload.CopyTo(record[HeaderSizeBytes..]);
        uint crc = Crc32C.Update(~0u, record[..20]);
        crc = ~Crc32C.Update(crc, payload);
        BinaryPrimitives.WriteUInt32LittleEndian(record[20..], crc);
        writer.Advance(total);
    }

    /// <summary>
    /// Checks the record at the start of <paramref name="data"/>: true with its kind, sequence number, payload and
    /// padded size when the header and checksum are intact and the whole record is present. A future format version
    /// with an intact checksum is refused with <see cref="DaosError.DurableFormatIncompatible"/>.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> data, out byte kind, out ulong sequence, out ReadOnlySpan<byte> payload, out int recordSizeBytes)
    {
        kind = 0;
        sequence = 0;
        payload = default;
        recordSizeBytes = 0;
        if (data.Length < HeaderSizeBytes || BinaryPrimitives.ReadUInt32LittleEndian(data) != Magic)
        {
            return false;
        }

        uint length = BinaryPrimitives.ReadUInt32LittleEndian(data[16..]);
        if (length > PayloadSizeBytesMax || PaddedSize((int)length) > data.Length)
        {
            return false;
        }

        uint crc = Crc32C.Update(~0u, data[..20]);
        crc = ~Crc32C.Update(crc, data.Slice(HeaderSizeBytes, (int)length));
        int padded = PaddedSize((int)length);
        if (crc != BinaryPrimitives.ReadUInt32LittleEndian(data[20..])
            || data[(HeaderSizeBytes + (int)length)..padded].ContainsAnyExcept((byte)0))
        {
            return false;
        }

        if (data[4] != FormatVersion)
        {
            ThrowHelper.Throw(DaosError.DurableFormatIncompatible, $"Raft log record version {data[4]} is not {FormatVersion}");
        }

        kind = data[5];
        sequence = BinaryPrimitives.ReadUInt64LittleEndian(data[8..]);
        payload = data.Slice(HeaderSizeBytes, (int)length);
        recordSizeBytes = padded;
        return true;
    }

    /// <summary>Decodes a base record's payload (the checksum has been verified).</summary>
    public static (ulong Index, ulong Term) ReadBase(ReadOnlySpan<byte> payload)
    {
        if (payload.Length != 16)
        {
            ThrowHelper.Corrupted($"Raft log base record of {payload.Length} bytes");
        }

        return (BinaryPrimitives.ReadUInt64LittleEndian(payload), BinaryPrimitives.ReadUInt64LittleEndian(payload[8..]));
    }

    /// <summary>Decodes a batch record's payload (the checksum has been verified; the shape is still checked).</summary>
    public static HardState? ReadBatch(ReadOnlySpan<byte> payload, List<LogEntry> entries)
    {
        if (payload.Length < 5 || payload[0] > 1)
        {
            ThrowHelper.Corrupted("Raft log batch record has a bad flags byte or is too short");
        }

        int at = 1;
        HardState? hardState = null;
        if (payload[0] == 1)
        {
            if (payload.Length < at + 28)
            {
                ThrowHelper.Corrupted("Raft log batch record is too short for its hard state");
            }

            hardState = new HardState(
                BinaryPrimitives.ReadUInt64LittleEndian(payload[at..]),
                BinaryPrimitives.ReadUInt64LittleEndian(payload[(at + 8)..]),
                BinaryPrimitives.ReadUInt64LittleEndian(payload[(at + 16)..]));
            at += 24;
        }

        uint count = BinaryPrimitives.ReadUInt32LittleEndian(payload[at..]);
        at += 4;
        if (count > EntriesPerRecordMax)
        {
            ThrowHelper.Corrupted($"Raft log batch record claims {count} entries");
        }

        ulong expected = 0;
        for (uint i = 0; i < count; i++)
        {
            if (payload.Length - at < EntryHeaderSizeBytes)
            {
                ThrowHelper.Corrupted("Raft log batch record ends inside an entry header");
            }

            ulong index = BinaryPrimitives.ReadUInt64LittleEndian(payload[at..]);
            ulong term = BinaryPrimitives.ReadUInt64LittleEndian(payload[(at + 8)..]);
            byte kind = payload[at + 16];
            uint length = BinaryPrimitives.ReadUInt32LittleEndian(payload[(at + 17)..]);
            at += EntryHeaderSizeBytes;
            if (kind > (byte)LogEntryKind.ConfigChange || index == 0 || term == 0 || (i > 0 && index != expected)
                || length > (uint)(payload.Length - at))
            {
                ThrowHelper.Corrupted($"Raft log batch record holds an invalid entry at {index}");
            }

            entries.Add(new LogEntry(index, term, (LogEntryKind)kind, payload.Slice(at, (int)length).ToArray()));
            at += (int)length;
            expected = index + 1;
        }

        if (at != payload.Length)
        {
            ThrowHelper.Corrupted("Raft log batch record has trailing bytes");
        }

        return hardState;
    }
}
