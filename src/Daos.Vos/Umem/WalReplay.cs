using System.Buffers.Binary;
using Daos.Storage;

namespace Daos.Vos.Umem;

/// <summary>
/// The reading side of the redo WAL: walks records from the checkpoint position and applies them to the image,
/// stopping at the first record whose sequence, incarnation, length or checksum is wrong (a torn or stale tail
/// is discarded, never half-applied). A record that passes its checksum but whose entries do not fit the heap is
/// corruption the checksum cannot explain, and is refused before any of it is applied. Blob entries are not applied
/// to the image: they are collected into a <see cref="BlobReplayLog"/> for the blob store to write back.
/// </summary>
internal static class WalReplay
{
    private const int WindowBytes = 4 << 20;

    public static ReplayResult Run(IMediumFile wal, in Superblock sb, HeapImage image, BlobReplayLog blobLog)
    {
        var window = new Window(wal, (int)Math.Min(WindowBytes, sb.WalSizeBytes));
        uint seed = WalFormat.CrcSeed(sb.HeapId);
        long capacity = sb.WalSizeBytes - WalFormat.RecordsOffset;
        long pos = sb.CheckpointWalOffset;
        ulong expected = sb.CheckpointSequence + 1;
        ulong lastTxId = sb.CheckpointTxId;
        uint previousIncarnation = 0;
        long used = 0, records = 0, bytes = 0;
        string stop;
        Span<byte> zeroCrc = stackalloc byte[4];
        while (true)
        {
            long remaining = sb.WalSizeBytes - pos;
            if (remaining < WalFormat.RecordHeaderBytes)
            {
                if (used + remaining >= capacity)
                {
                    stop = "the region is full";
                    break;
                }

                used += remaining;
                pos = WalFormat.RecordsOffset;
                continue;
            }

            ReadOnlySpan<byte> header = window.Get(pos, WalFormat.RecordHeaderBytes);
            ulong sequence = BinaryPrimitives.ReadUInt64LittleEndian(header[WalFormat.SequenceAt..]);
            if (sequence != expected)
            {
                stop = $"record at {pos} has sequence {sequence}, expected {expected}";
                break;
            }

            int length = BinaryPrimitives.ReadInt32LittleEndian(header[WalFormat.LengthAt..]);
            if (length < WalFormat.RecordHeaderBytes || length > remaining || length > WalFormat.RecordBytesMax
                || length % WalFormat.RecordAlignment != 0
                || used + length > capacity)
            {
                stop = $"record {sequence} at {pos} has impossible length {length}";
                break;
            }

            uint incarnation = BinaryPrimitives.ReadUInt32LittleEndian(header[WalFormat.IncarnationAt..]);
            if (incarnation < previousIncarnation || incarnation > (uint)sb.Incarnation)
            {
                stop = $"record {sequence} at {pos} is stale (incarnation {incarnation})";
                break;
            }

            ReadOnlySpan<byte> record = window.Get(pos, length);
            uint stored = BinaryPrimitives.ReadUInt32LittleEndian(record[WalFormat.CrcAt..]);
            uint crc = Crc32C.Compute(record[..WalFormat.CrcAt], seed);
            crc = Crc32C.Compute(zeroCrc, crc);
            crc = Crc32C.Compute(record[(WalFormat.CrcAt + 4)..], crc);
            if (crc != stored)
            {
                stop = $"record {sequence} at {pos} fails its checksum";
                break;
            }

            ushort flags = BinaryPrimitives.ReadUInt16LittleEndian(record[WalFormat.FlagsAt..]);
            int entryCount = BinaryPrimitives.ReadInt32LittleEndian(record[WalFormat.EntryCountAt..]);
            if ((flags & WalFormat.FlagWrap) != 0)
            {
                if (length != WalFormat.RecordHeaderBytes || entryCount != 0)
                {
                    throw Corrupt(sequence, pos, "a wrap marker carries entries");
                }

                used += remaining;
                pos = WalFormat.RecordsOffset;
                expected++;
                previousIncarnation = incarnation;
                continue;
            }

            ReadOnlySpan<byte> entries = record[WalFormat.RecordHeaderBytes..];
            Validate(entries, entryCount, image.SizeBytes, sequence, pos);
            Apply(entries, image);
            CollectBlobEntries(entries, pos + WalFormat.RecordHeaderBytes, blobLog);
            lastTxId = BinaryPrimitives.ReadUInt64LittleEndian(record[WalFormat.TxIdAt..]);
            records++;
            bytes += length;
            used += length;
            pos += length;
            expected++;
            previousIncarnation = incarnation;
        }

        return new ReplayResult(expected - 1, lastTxId, pos, used, records, bytes, stop);
    }

    private static void Validate(ReadOnlySpan<byte> entries, int entryCount, long heapSize, ulong sequence, long pos)
    {
        int at = 0;
        for (int i = 0; i < entryCount; i++)
        {
            if (entries.Length - at < WalFormat.EntryHeaderBytes)
            {
                throw Corrupt(sequence, pos, $"entry {i} runs past the record");
            }

            byte op = entries[at];
            uint length = BinaryPrimitives.ReadUInt32LittleEndian(entries[(at + 4)..]);
            ulong offset = BinaryPrimitives.ReadUInt64LittleEndian(entries[(at + 8)..]);
            bool fits = op switch
            {
                WalFormat.OpCopy or WalFormat.OpSet => length <= int.MaxValue && offset <= (ulong)heapSize && length <= (ulong)heapSize - offset,
                WalFormat.OpBlobWrite => length is > 0 and <= WalFormat.RecordBytesMax && offset < WalFormat.BlobBlockLimit,
                WalFormat.OpBlobFree => length == WalFormat.BlobFreePayloadBytes && offset < WalFormat.BlobBlockLimit,
                _ => false,
            };
            if (!fits)
            {
                throw Corrupt(sequence, pos, $"entry {i} (op {op}, {length} bytes at {offset}) does not fit the heap or the blob");
            }

            int size = WalFormat.EntryBytes(op, (int)length);
            if (entries.Length - at < size)
            {
                throw Corrupt(sequence, pos, $"entry {i} runs past the record");
            }

            if (op == WalFormat.OpBlobFree)
            {
                ulong count = BinaryPrimitives.ReadUInt64LittleEndian(entries[(at + WalFormat.EntryHeaderBytes)..]);
                if (count == 0 || count > WalFormat.BlobBlockLimit - offset)
                {
                    throw Corrupt(sequence, pos, $"entry {i} frees {count} blob blocks at {offset}");
                }
            }

            at += size;
        }

        if (at != entries.Length)
        {
            throw Corrupt(sequence, pos, "bytes follow the last entry");
        }
    }

    /// <summary>
    /// Applies validated entries to the image (also used to redo a transaction after a forced checkpoint); blob
    /// entries are skipped.
    /// </summary>
    public static void Apply(ReadOnlySpan<byte> entries, HeapImage image)
    {
        int at = 0;
        while (at < entries.Length)
        {
            byte op = entries[at];
            int length = (int)BinaryPrimitives.ReadUInt32LittleEndian(entries[(at + 4)..]);
            long offset = (long)BinaryPrimitives.ReadUInt64LittleEndian(entries[(at + 8)..]);
            if (op is WalFormat.OpBlobWrite or WalFormat.OpBlobFree)
            {
                at += WalFormat.EntryBytes(op, length);
                continue;
            }

            Span<byte> target = image.Span(offset, length);
            switch (op)
            {
                case WalFormat.OpCopy:
                    entries.Slice(at + WalFormat.EntryHeaderBytes, length).CopyTo(target);
                    break;
                default:
                    target.Fill(entries[at + 1]);
                    break;
            }

            image.MarkDirty(offset, length);
            at += WalFormat.EntryBytes(op, length);
        }
    }

    private static void CollectBlobEntries(ReadOnlySpan<byte> entries, long fileOffset, BlobReplayLog blobLog)
    {
        int at = 0;
        while (at < entries.Length)
        {
            byte op = entries[at];
            int length = (int)BinaryPrimitives.ReadUInt32LittleEndian(entries[(at + 4)..]);
            long offset = (long)BinaryPrimitives.ReadUInt64LittleEndian(entries[(at + 8)..]);
            if (op == WalFormat.OpBlobWrite)
            {
                blobLog.Write(offset, length, fileOffset + at + WalFormat.EntryHeaderBytes);
            }
            else if (op == WalFormat.OpBlobFree)
            {
                blobLog.Free(offset, (long)BinaryPrimitives.ReadUInt64LittleEndian(entries[(at + WalFormat.EntryHeaderBytes)..]));
            }

            at += WalFormat.EntryBytes(op, length);
        }
    }

    private static DaosException Corrupt(ulong sequence, long pos, string what) =>
        new(DaosError.Corrupted, $"WAL record {sequence} at {pos} passes its checksum but {what}");

    private sealed class Window(IMediumFile file, int size)
    {
        private byte[] _buffer = new byte[size];
        private long _start = -1;
        private int _length;

        public ReadOnlySpan<byte> Get(long pos, int length)
        {
            if (_start < 0 || pos < _start || pos + length > _start + _length)
            {
                if (length > _buffer.Length)
                {
                    _buffer = new byte[length];
                }

                _start = pos;
                _length = file.Read(pos, _buffer);
                if (_length < length)
                {
                    // Past the end of a truncated file: reads as zeros, which fail the sequence check.
                    _buffer.AsSpan(_length, length - _length).Clear();
                    _length = length;
                }
            }

            return _buffer.AsSpan((int)(pos - _start), length);
        }
    }
}

/// <summary>Where replay ended.</summary>
internal readonly record struct ReplayResult(ulong LastSequence, ulong LastTxId, long Head, long UsedBytes, long Records,
    long Bytes, string StopReason);
