using System.Buffers.Binary;
using Daos.Engine.Rdb.Raft;
using Daos.Transport;

namespace Daos.Engine.Rdb;

/// <summary>
/// The wire encoding of <see cref="RaftMessage"/> between replicas (docs/formats/rdb.md, "Raft message"): a fixed
/// header with the group id, the message fields, the entries, an optional snapshot chunk, and a CRC32C over all of
/// it. Decoding treats input as hostile: every count and length is bounded, the checksum and version are checked,
/// and any damage is <see cref="DaosError.Protocol"/>.
/// </summary>
public static class RaftMessageCodec
{
    /// <summary>Magic number of an encoded message ("RDBM").</summary>
    public const uint Magic = 0x4D424452;

    /// <summary>Version of the encoding.</summary>
    public const byte FormatVersion = 1;

    /// <summary>Most entries one message may carry.</summary>
    public const int EntriesMax = 1 << 16;

    private const int FixedSizeBytes = 8 + 8 + (9 * 8) + 4;
    private const byte FlagReject = 1;
    private const byte FlagTransfer = 2;
    private const byte FlagChunk = 4;

    /// <summary>Bytes <see cref="Encode(RaftMessage, ulong, Span{byte})"/> writes for <paramref name="message"/>.</summary>
    public static int SizeOf(RaftMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        int size = FixedSizeBytes + 4;
        foreach (LogEntry entry in message.Entries)
        {
            size += 8 + 8 + 1 + 4 + entry.Data.Length;
        }

        if (message.Chunk is { } chunk)
        {
            size += (8 * 5) + 4 + (8 * chunk.Configuration.Voters.Count) + 4 + (8 * chunk.Configuration.OutgoingVoters.Count) + 4 + chunk.Data.Length;
        }

        return size;
    }

    /// <summary>Encodes <paramref name="message"/> of replica group <paramref name="groupId"/> into <paramref name="destination"/>; returns the bytes written.</summary>
    public static int Encode(RaftMessage message, ulong groupId, Span<byte> destination)
    {
        int size = SizeOf(message);
        var writer = new WireWriter(destination[..size]);
        writer.WriteUInt32(Magic);
        writer.WriteUInt8(FormatVersion);
        writer.WriteUInt8((byte)message.Type);
        writer.WriteUInt8((byte)((message.Reject ? FlagReject : 0) | (message.Transfer ? FlagTransfer : 0) | (message.Chunk is null ? 0 : FlagChunk)));
        writer.WriteUInt8(0);
        writer.WriteUInt64(groupId);
        writer.WriteUInt64(message.From);
        writer.WriteUInt64(message.To);
        writer.WriteUInt64(message.Term);
        writer.WriteUInt64(message.Index);
        writer.WriteUInt64(message.LogTerm);
        writer.WriteUInt64(message.Commit);
        writer.WriteUInt64(message.RejectHint);
        writer.WriteUInt64(message.Context);
        writer.WriteUInt64(message.LeaseTick);
        writer.WriteUInt32((uint)message.Entries.Count);
        foreach (LogEntry entry in message.Entries)
        {
            writer.WriteUInt64(entry.Index);
            writer.WriteUInt64(entry.Term);
            writer.WriteUInt8((byte)entry.Kind);
            writer.WriteBytes(entry.Data.Span);
        }

        if (message.Chunk is { } chunk)
        {
            writer.WriteUInt64(chunk.SnapshotIndex);
            writer.WriteUInt64(chunk.SnapshotTerm);
            writer.WriteInt64(chunk.TotalSizeBytes);
            writer.WriteUInt64(chunk.Checksum);
            writer.WriteInt64(chunk.OffsetBytes);
            writer.WriteUInt32((uint)chunk.Configuration.Voters.Count);
            foreach (ulong id in chunk.Configuration.Voters)
            {
                writer.WriteUInt64(id);
            }

            writer.WriteUInt32((uint)chunk.Configuration.OutgoingVoters.Count);
            foreach (ulong id in chunk.Configuration.OutgoingVoters)
            {
                writer.WriteUInt64(id);
            }

            writer.WriteBytes(chunk.Data.Span);
        }

        writer.WriteUInt32(Crc32C.Compute(destination[..writer.Position]));
        return writer.Position;
    }

    /// <summary>Encodes <paramref name="message"/> into a new array.</summary>
    public static byte[] Encode(RaftMessage message, ulong groupId)
    {
        var bytes = new byte[SizeOf(message)];
        Encode(message, groupId, bytes);
        return bytes;
    }

    /// <summary>
    /// Decodes a message of group <paramref name="groupId"/>; <paramref name="payloadSizeBytesMax"/> bounds every entry
    /// and chunk payload.
    /// </summary>
    /// <exception cref="DaosException"><see cref="DaosError.Protocol"/> for damaged or malformed input or another group;
    /// <see cref="DaosError.DurableFormatIncompatible"/> for another version.</exception>
    public static RaftMessage Decode(ReadOnlySpan<byte> encoded, ulong groupId, int payloadSizeBytesMax)
    {
        if (encoded.Length < FixedSizeBytes + 4 || BinaryPrimitives.ReadUInt32LittleEndian(encoded) != Magic)
        {
            ThrowHelper.Throw(DaosError.Protocol, "Raft message has a bad magic number or is truncated");
        }

        if (BinaryPrimitives.ReadUInt32LittleEndian(encoded[^4..]) != Crc32C.Compute(encoded[..^4]))
        {
            ThrowHelper.Throw(DaosError.Protocol, "Raft message checksum mismatch");
        }

        if (encoded[4] != FormatVersion)
        {
            ThrowHelper.Throw(DaosError.DurableFormatIncompatible, $"Raft message version {encoded[4]} is not {FormatVersion}");
        }

        var reader = new WireReader(encoded[..^4]);
        reader.ReadUInt32();
        reader.ReadUInt8();
        var type = (RaftMessageType)reader.ReadUInt8();
        byte flags = reader.ReadUInt8();
        reader.ReadUInt8();
        if (type is < RaftMessageType.Vote or > RaftMessageType.ReadIndexResponse || (flags & ~(FlagReject | FlagTransfer | FlagChunk)) != 0)
        {
            ThrowHelper.Throw(DaosError.Protocol, $"Raft message of type {(byte)type} with flags {flags}");
        }

        if (reader.ReadUInt64() != groupId)
        {
            ThrowHelper.Throw(DaosError.Protocol, "Raft message for another replica group");
        }

        ulong from = reader.ReadUInt64();
        ulong to = reader.ReadUInt64();
        ulong term = reader.ReadUInt64();
        ulong index = reader.ReadUInt64();
        ulong logTerm = reader.ReadUInt64();
        ulong commit = reader.ReadUInt64();
        ulong rejectHint = reader.ReadUInt64();
        ulong context = reader.ReadUInt64();
        ulong leaseTick = reader.ReadUInt64();
        uint count = reader.ReadUInt32();
        if (count > EntriesMax || count > (uint)reader.RemainingBytes / 21)
        {
            ThrowHelper.Throw(DaosError.Protocol, $"Raft message claims {count} entries");
        }

        var entries = count == 0 ? [] : new LogEntry[count];
        for (int i = 0; i < entries.Length; i++)
        {
            ulong entryIndex = reader.ReadUInt64();
            ulong entryTerm = reader.ReadUInt64();
            byte kind = reader.ReadUInt8();
            if (kind > (byte)LogEntryKind.ConfigChange)
            {
                ThrowHelper.Throw(DaosError.Protocol, $"Raft message entry of kind {kind}");
            }

            entries[i] = new LogEntry(entryIndex, entryTerm, (LogEntryKind)kind, reader.ReadBytes(payloadSizeBytesMax).ToArray());
        }

        SnapshotChunk? chunk = null;
        if ((flags & FlagChunk) != 0)
        {
            ulong snapshotIndex = reader.ReadUInt64();
            ulong snapshotTerm = reader.ReadUInt64();
            long total = reader.ReadInt64();
            ulong checksum = reader.ReadUInt64();
            long offset = reader.ReadInt64();
            ulong[] voters = ReadIds(ref reader);
            ulong[] outgoing = ReadIds(ref reader);
            byte[] data = reader.ReadBytes(payloadSizeBytesMax).ToArray();
            if (total < 0 || offset < 0 || offset > total || data.Length > total - offset)
            {
                ThrowHelper.Throw(DaosError.Protocol, $"Raft snapshot chunk [{offset},+{data.Length}) of {total} bytes");
            }

            chunk = new SnapshotChunk(snapshotIndex, snapshotTerm, new RaftConfiguration(voters, outgoing), total, checksum, offset, data);
        }

        reader.EnsureEnd();
        return new RaftMessage
        {
            Type = type,
            From = from,
            To = to,
            Term = term,
            Index = index,
            LogTerm = logTerm,
            Commit = commit,
            Entries = entries,
            Reject = (flags & FlagReject) != 0,
            RejectHint = rejectHint,
            Context = context,
            LeaseTick = leaseTick,
            Transfer = (flags & FlagTransfer) != 0,
            Chunk = chunk,
        };
    }

    private static ulong[] ReadIds(ref WireReader reader)
    {
        uint count = reader.ReadUInt32();
        if (count > ConfigChange.ReplicasPerChangeMax)
        {
            ThrowHelper.Throw(DaosError.Protocol, $"Raft snapshot chunk names {count} voters");
        }

        var ids = new ulong[count];
        for (int i = 0; i < ids.Length; i++)
        {
            ids[i] = reader.ReadUInt64();
            if (ids[i] == 0)
            {
                ThrowHelper.Throw(DaosError.Protocol, "Raft snapshot chunk names replica 0");
            }
        }

        return ids;
    }
}
